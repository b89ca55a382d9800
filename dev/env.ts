/**
 * The environment `npm start`, `npm run message` and the bulk tool use: an env file (.env, or the one
 * `--env` names), the process environment over it, and, when there are no real Twilio credentials,
 * emulator mode, with a stand-in Account SID that only the local emulator accepts.
 *
 * One reading for local runs and the deploy: `twilio-run deploy` reads the file with its own bundled
 * dotenv 6.2, this project's tools with dotenv 18, and the two differ (inline `# comments`, multi-line
 * quoted values, `export X=` lines, back-quotes). A line they read differently is refused here and by the
 * deploy's checks, so what runs locally is what gets uploaded.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { isPlaceholder, twilioSettingsSchema, type TwilioSettings } from '../lib/config';
import { describeZodError, problemsAsText } from '../lib/validation';
import * as z from '../lib/zod';

import { ROOT } from './paths';

/** Stand-ins for emulator mode: not secrets, they only ever sign requests to this machine. */
export const EMULATOR_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const EMULATOR_AUTH_TOKEN = 'local-emulator-auth-token';

/** The committed template; its variable names are the ones the environment may override. */
export const ENV_TEMPLATE = join(ROOT, '.env');

type DotenvParse = (src: string) => Record<string, string>;
/** twilio-run's own dotenv (6.2), resolved from twilio-run's folder exactly as its deploy loads it. */
const deployDotenv = createRequire(require.resolve('twilio-run/package.json'))('dotenv') as { parse: DotenvParse };

export type EnvFileProblem = {
  /** The variable, and the 1-based line it is on (0 when it cannot be placed). */
  key: string;
  line: number;
  /** What is wrong, never the value (values may be secrets). */
  message: string;
  fix: string;
};

export type EnvFileReading = {
  /** The values as the deploy uploads them (twilio-run's dotenv), empty ones included. */
  values: Record<string, string>;
  problems: EnvFileProblem[];
};

const lineOf = (lines: readonly string[], key: string) =>
  lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${key.replace(/[.]/g, '\\.')}\\s*=`).test(l)) + 1;

/**
 * A control character other than tab and line feed (a NUL byte, a stray carriage return, an escape ...),
 * named as U+XXXX: no credential or setting holds one, and Node refuses a NUL in a process environment.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const controlName = (value: string) => {
  const code = CONTROL.exec(value)![0].charCodeAt(0);
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
};

/** Why twilio-run's dotenv 6.2 and dotenv 18 disagree on a line, from the line's shape. */
function whyTheyDiffer(line: string): { message: string; fix: string } {
  if (/^\s*export\s/.test(line)) {
    return {
      message: 'starts with `export`, which the deploy ignores (the variable would not be uploaded)',
      fix: 'Remove `export `.',
    };
  }
  if (/^[^=]*=\s*["'`][^"'`]*$/.test(line)) {
    return {
      message: 'opens a quoted value that goes on past the line; the deploy reads only the first line',
      fix: 'Put the value on one line (write \\n for a line break inside double quotes).',
    };
  }
  if (/^[^=]*=\s*`/.test(line)) {
    return {
      message: 'is in back-quotes, which the deploy keeps as part of the value',
      fix: 'Use double or single quotes, or none.',
    };
  }
  if (/#/.test(line)) {
    return {
      message:
        'has a `#` in an unquoted value: local tools read a comment from there on, ' +
        'the deploy uploads it as part of the value',
      fix: 'Put the comment on its own line above, or quote the value ("...") if the # belongs to it.',
    };
  }
  return {
    message: "is read differently by the deploy (twilio-run's dotenv 6.2) and by the local tools (dotenv 18)",
    fix: 'Write it as KEY=value on one line, unquoted or in double quotes.',
  };
}

/** Reads an env file's text as the deploy does, with every line the two parsers disagree on. */
export function readEnvText(text: string): EnvFileReading {
  const deployed = deployDotenv.parse(text);
  const local = parseDotenv(text);
  const lines = text.split('\n');
  const problems: EnvFileProblem[] = [];
  for (const key of new Set([...Object.keys(deployed), ...Object.keys(local)])) {
    const line = lineOf(lines, key);
    const value = deployed[key] ?? local[key] ?? '';
    if (deployed[key] !== local[key]) {
      problems.push({ key, line, ...whyTheyDiffer(lines[line - 1] ?? '') });
    } else if (CONTROL.test(value)) {
      const message = `holds the control character ${controlName(value)}, which no credential or setting contains`;
      problems.push({
        key,
        line,
        message,
        fix: 'Retype the value; it was probably pasted with an invisible character.',
      });
    }
  }
  return { values: deployed, problems };
}

/** One problem per line, for a console: `.env:12: ADMIN_TOKEN has ... Fix: ...`. */
export function formatEnvProblems(file: string, problems: readonly EnvFileProblem[]): string {
  const shown = relative(process.cwd(), file) || file;
  return problems.map((p) => `${shown}${p.line ? `:${p.line}` : ''}: ${p.key} ${p.message}. ${p.fix}`).join('\n');
}

export class EnvFileError extends Error {}

/**
 * Reads .env (or `envFile`), dropping empty values. Throws EnvFileError naming each line the deploy
 * would read differently (never a value).
 */
export function readEnvFile(envFile = ENV_TEMPLATE): Record<string, string> {
  if (!existsSync(envFile)) return {};
  const { values, problems } = readEnvText(readFileSync(envFile, 'utf8'));
  if (problems.length)
    throw new EnvFileError(
      `${envFile} cannot be read the same way locally and on deploy:\n${formatEnvProblems(envFile, problems)}`,
    );
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
}

/**
 * The env file with the process environment over it, for the variables the project knows (the template's
 * names and the file's own): `ADMIN_TOKEN=... npm start` works as it does for the bulk tool. An empty
 * variable in the environment counts as unset.
 */
export function withProcessEnv(
  fileEnv: Record<string, string>,
  processEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const known = new Set([
    ...Object.keys(existsSync(ENV_TEMPLATE) ? readEnvText(readFileSync(ENV_TEMPLATE, 'utf8')).values : {}),
    ...Object.keys(fileEnv),
  ]);
  const merged = { ...fileEnv };
  for (const key of known) {
    const value = processEnv[key];
    if (typeof value === 'string' && value.trim() !== '') merged[key] = value;
  }
  return merged;
}

export type DevEnv = {
  /** Variables the functions see. */
  env: Record<string, string>;
  /** `emulator`: no real Account SID, Twilio calls go to the local emulator. `twilio`: the real API. */
  mode: 'emulator' | 'twilio';
  /** What the developer should know about the credentials (a half-set pair), for the start banner. */
  warnings: string[];
};

/**
 * The development environment. Without a real ACCOUNT_SID and AUTH_TOKEN it is emulator mode: the caller
 * starts the emulator and passes its URL (`emulatorUrl`) to be used as TWILIO_API_BASE_URL. A real
 * AUTH_TOKEN is kept even then, so webhooks Twilio signs (through a tunnel) still pass; only a missing one
 * is replaced by the stand-in.
 */
export function devEnv(fileEnv: Record<string, string>, emulatorUrl?: string): DevEnv {
  const sidSet = !isPlaceholder(fileEnv.ACCOUNT_SID);
  const tokenSet = !isPlaceholder(fileEnv.AUTH_TOKEN);
  if (sidSet && tokenSet) return { env: fileEnv, mode: 'twilio', warnings: [] };
  const warnings: string[] = [];
  if (tokenSet) {
    warnings.push(
      'AUTH_TOKEN is set but ACCOUNT_SID is empty or a placeholder: webhook signatures are checked with your ' +
        'AUTH_TOKEN, but Twilio REST calls go to the local emulator. Set ACCOUNT_SID too to talk to Twilio.',
    );
  } else if (sidSet) {
    warnings.push(
      'ACCOUNT_SID is set but AUTH_TOKEN is empty or a placeholder: running offline with a stand-in AUTH_TOKEN, ' +
        'so webhooks Twilio signs (a tunnel with PUBLIC_BASE_URL) are refused with 403. Set AUTH_TOKEN too.',
    );
  }
  return {
    mode: 'emulator',
    warnings,
    env: {
      ...fileEnv,
      ACCOUNT_SID: EMULATOR_ACCOUNT_SID,
      AUTH_TOKEN: tokenSet ? fileEnv.AUTH_TOKEN!.trim() : EMULATOR_AUTH_TOKEN,
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
  let fromFile: Record<string, string>;
  try {
    fromFile = readEnvFile(path);
  } catch (error) {
    if (error instanceof EnvFileError) return { ok: false, problem: error.message };
    throw error;
  }
  const parsed = z.safeParse(twilioSettingsSchema, { ...fromFile, ...process.env });
  if (!parsed.success) {
    return { ok: false, problem: `configuration:\n${problemsAsText(describeZodError(parsed.error))}` };
  }
  return { ok: true, settings: parsed.data };
}
