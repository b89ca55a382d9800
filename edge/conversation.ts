/**
 * The conversation store as routes get it: a ContactStore (lib/conversation) from the function's environment,
 * with the Twilio client the project builds (so TWILIO_API_BASE_URL reaches the emulator) and a deadline.
 */
import type { Twilio } from 'twilio';
import { conversationSettingsSchema, parseSettings, twilioSettingsSchema } from '../lib/config';
import { SyncError, type ContactStore, type SyncCallTrace } from '../lib/conversation';
import { errorAnswer, TwilioApiError, type TwilioFailure } from '../lib/senders/errors';
import { createTwilioClient } from '../lib/twilio-client';
import { moreInfoFor } from '../lib/twilio-errors';
import { HttpError, logEvent } from './handler';

/**
 * How long the Sync calls of one webhook may take in all. Twilio waits 15 s for a webhook's answer and stops a
 * function at 10 s; state is worth at most this much of it, so a slow Sync still leaves the reply (and a
 * location message) ample time.
 */
export const WEBHOOK_SYNC_BUDGET_MS = 2500;

let cached: { key: string; client: Twilio } | undefined;

/** One client per credentials, kept across requests of a warm function (building one costs a few ms). */
function clientFor(accountSid: string, authToken: string, apiBaseUrl: string | undefined): Twilio {
  const key = `${accountSid}\u0000${authToken}\u0000${apiBaseUrl ?? ''}`;
  if (cached?.key !== key) cached = { key, client: createTwilioClient({ accountSid, authToken, apiBaseUrl }) };
  return cached.client;
}

export type ConfiguredStore = { store: ContactStore; accountSid: string };

/**
 * The store for this request, or undefined when the function has no Twilio credentials or SYNC_SERVICE_SID
 * is not valid (logged): the caller then works without state.
 */
export function contactStoreFromEnv(
  env: Record<string, string | undefined>,
  deadline: number,
  trace?: (call: SyncCallTrace) => void,
): ConfiguredStore | undefined {
  const twilio = parseSettings(twilioSettingsSchema, env);
  if (!twilio.success || !twilio.data.ACCOUNT_SID || !twilio.data.AUTH_TOKEN) return undefined;
  const settings = parseSettings(conversationSettingsSchema, env);
  if (!settings.success) {
    logEvent({ level: 'error', event: 'config.invalid', problems: settings.error.issues.map((i) => `SYNC_SERVICE_SID ${i.message}`) });
    return undefined;
  }
  const { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL } = twilio.data;
  return {
    accountSid: ACCOUNT_SID,
    store: { client: clientFor(ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL), serviceSid: settings.data.SYNC_SERVICE_SID, deadline, trace },
  };
}

/** I-Twilio-Idempotency-Token, the header Twilio repeats on a retried webhook (checked to be a sane string). */
export function idempotencyToken(headers: Record<string, string | undefined>): string | undefined {
  const token = headers['i-twilio-idempotency-token'];
  return typeof token === 'string' && /^[\x21-\x7e]{1,200}$/.test(token) ? token : undefined;
}

/** The store for an admin route: 503 with the one error body when the function cannot reach Sync. */
export function adminContactStore(env: Record<string, string | undefined>, deadline: number): ConfiguredStore {
  const configured = contactStoreFromEnv(env, deadline);
  if (configured) return configured;
  const answer = errorAnswer(
    503,
    'The conversation store is not configured: ACCOUNT_SID and AUTH_TOKEN must be set, and SYNC_SERVICE_SID valid.',
    'Set ACCOUNT_SID and AUTH_TOKEN (console.twilio.com); leave SYNC_SERVICE_SID unset (the default Sync service) or set it to IS + 32 hex digits.',
  );
  throw new HttpError({ kind: 'json', ...answer });
}

/** Runs Sync calls of an admin route, turning a SyncError into the frame's Twilio failure (same error body). */
export async function syncCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof SyncError)) throw error;
    const { kind, status, code, message } = error.failure;
    const failure: TwilioFailure =
      kind === 'invalid-data'
        ? { kind: 'twilio', status: 502, code: null, message, moreInfo: null, attempts: 1 }
        : { kind, status, code, message, moreInfo: code ? moreInfoFor(code) : null, attempts: 1 };
    throw new TwilioApiError(failure);
  }
}
