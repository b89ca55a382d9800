/** Twilio REST clients for routes, from the function's environment. */
import type { Twilio } from 'twilio';
import { parseSettings, twilioSettingsSchema } from '../lib/config';
import { failureFromException } from '../lib/twilio-api';
import { createHttpRequester } from '../lib/twilio-api/http-requester';
import { createTwilioClient } from '../lib/twilio-client';
import type { LocationMessage } from '../lib/location';
import type { ContentMessage } from '../lib/templates/message';
import { hintFor } from '../lib/twilio-errors';
import { logEvent } from './log';

type Credentials = { accountSid: string; authToken: string; apiBaseUrl?: string };

/**
 * `make(credentials)` for the configured account, kept while a warm container lives and the credentials stay the
 * same; undefined when ACCOUNT_SID/AUTH_TOKEN are missing or invalid.
 */
function keptPerCredentials<T>(make: (credentials: Credentials) => T) {
  let kept: { key: string; made: T & { accountSid: string } } | undefined;
  return (env: Record<string, string | undefined>): (T & { accountSid: string }) | undefined => {
    const settings = parseSettings(twilioSettingsSchema, env);
    if (!settings.success || !settings.data.ACCOUNT_SID || !settings.data.AUTH_TOKEN) return undefined;
    const { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL } = settings.data;
    const key = [ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL].join('\u0000');
    if (kept?.key !== key) {
      const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: TWILIO_API_BASE_URL };
      kept = { key, made: { ...make(credentials), accountSid: ACCOUNT_SID } };
    }
    return kept.made;
  };
}

/**
 * The one place a function gets a Twilio client: for the configured account (the emulator when
 * TWILIO_API_BASE_URL is set). Kept: its keep-alive HTTPS agent then reuses one TLS connection across a request's
 * calls and across requests. Calls that need a shorter bound pass their own per-request timeout (lib/twilio-api's
 * twilioRequest does).
 */
export const twilioClientFromEnv = keptPerCredentials((credentials) => ({ client: createTwilioClient(credentials) }));

/**
 * The requester for the webhooks' Sync calls and the admin routes' Twilio calls: Node's http with a kept-alive
 * agent instead of twilio-node (why: in lib/twilio-api/http-requester.ts), kept like the client.
 */
export const twilioRequesterFromEnv = keptPerCredentials((credentials) => ({
  requester: createHttpRequester(credentials),
}));

type MessageCreate = Parameters<Twilio['messages']['create']>[0];

/**
 * One Messages API create for a reply the route could not put in TwiML. Returns the message SID, or undefined
 * after logging `event` with why it failed (error code and hint; never credentials).
 */
type Env = Record<string, string | undefined>;

async function sendViaMessagesApi(env: Env, params: MessageCreate, event: string): Promise<string | undefined> {
  const client = twilioClientFromEnv(env)?.client;
  if (!client) {
    const reason = 'ACCOUNT_SID and AUTH_TOKEN must be configured to call the Messages API';
    logEvent({ level: 'error', event, reason });
    return undefined;
  }
  try {
    return (await client.messages.create(params)).sid;
  } catch (error) {
    const failure = failureFromException(error);
    logEvent({
      level: 'error',
      event,
      errorCode: failure?.code ?? undefined,
      httpStatus: failure?.status,
      message: failure?.message ?? (error instanceof Error ? error.message : String(error)),
      hint: hintFor(failure?.code),
    });
    return undefined;
  }
}

/** Sends a location (Body + PersistentAction). Returns the message SID, or undefined after logging why not. */
export function sendLocation(env: Env, message: LocationMessage): Promise<string | undefined> {
  const { from, to, body, persistentAction } = message;
  return sendViaMessagesApi(env, { from, to, body, persistentAction: [persistentAction] }, 'location.not_sent');
}

/** Sends a template by its ContentSid (no Body). Returns the message SID, or undefined after logging why not. */
export function sendContent(env: Env, message: ContentMessage): Promise<string | undefined> {
  const { from, to, contentSid, contentVariables } = message;
  const params = { from, to, contentSid, ...(contentVariables ? { contentVariables } : {}) };
  return sendViaMessagesApi(env, params, 'content.not_sent');
}
