/**
 * The environment `npm start` and `npm run message` use: the project's .env, and — when it has no real
 * Twilio credentials — emulator mode, with stand-in credentials that only the local emulator accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'dotenv';
import { isPlaceholder, twilioSettingsSchema, type TwilioSettings } from '../lib/config';
import { describeZodError, problemsAsText } from '../lib/validation';
import * as z from '../lib/zod';

import { ROOT } from './paths';


/** Stand-ins for emulator mode: not secrets, they only ever sign requests to this machine. */
export const EMULATOR_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const EMULATOR_AUTH_TOKEN = 'local-emulator-auth-token';

export type DevEnv = {
  /** Variables the functions see. */
  env: Record<string, string>;
  /** `emulator`: no real credentials, Twilio calls go to the local emulator. `twilio`: the real API. */
  mode: 'emulator' | 'twilio';
};

/** Reads .env (or `envFile`), dropping empty values. */
export function readEnvFile(envFile = join(ROOT, '.env')): Record<string, string> {
  if (!existsSync(envFile)) return {};
  return Object.fromEntries(Object.entries(parse(readFileSync(envFile))).filter(([, v]) => v.trim() !== ''));
}

/**
 * The development environment. Without real ACCOUNT_SID/AUTH_TOKEN, it is emulator mode: the caller starts
 * the emulator and passes its URL (`emulatorUrl`) to be used as TWILIO_API_BASE_URL.
 */
export function devEnv(fileEnv: Record<string, string>, emulatorUrl?: string): DevEnv {
  const hasCredentials = !isPlaceholder(fileEnv.ACCOUNT_SID) && !isPlaceholder(fileEnv.AUTH_TOKEN);
  if (hasCredentials) return { env: fileEnv, mode: 'twilio' };
  return {
    mode: 'emulator',
    env: {
      ...fileEnv,
      ACCOUNT_SID: EMULATOR_ACCOUNT_SID,
      AUTH_TOKEN: EMULATOR_AUTH_TOKEN,
      ...(emulatorUrl ? { TWILIO_API_BASE_URL: emulatorUrl } : {}),
    },
  };
}

/**
 * ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL for a command: the environment first, then the .env file
 * (`envFile`, default .env in the current directory). The problem, when there is one, is a sentence to print.
 */
export function loadTwilioSettings(
  envFile: string | undefined,
): { ok: true; settings: TwilioSettings } | { ok: false; problem: string } {
  const path = resolve(envFile ?? '.env');
  if (envFile && !existsSync(path)) return { ok: false, problem: `--env ${envFile}: no such file` };
  const parsed = z.safeParse(twilioSettingsSchema, { ...readEnvFile(path), ...process.env });
  if (!parsed.success) {
    return { ok: false, problem: `configuration:\n${problemsAsText(describeZodError(parsed.error))}` };
  }
  return { ok: true, settings: parsed.data };
}
