/** Twilio REST clients for routes, from the function's environment. */
import type { Twilio } from 'twilio';
import { parseSettings, twilioSettingsSchema } from '../lib/config';
import { failureFromException, type TwilioRequester } from '../lib/twilio-api';
import { createHttpRequester } from '../lib/twilio-api/http-requester';
import { createTwilioClient } from '../lib/twilio-client';
import type { LocationMessage } from '../lib/location';
import type { ContentMessage } from '../lib/templates/message';
import { hintFor } from '../lib/twilio-errors';
import { logEvent } from './log';

type ConfiguredClient = { client: Twilio; accountSid: string };

/** The configured credentials and a key that changes with them, or undefined when they are missing or invalid. */
function credentialsFromEnv(env: Record<string, string | undefined>) {
  const settings = parseSettings(twilioSettingsSchema, env);
  if (!settings.success || !settings.data.ACCOUNT_SID || !settings.data.AUTH_TOKEN) return undefined;
  const { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL } = settings.data;
  return {
    key: [ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL].join('\u0000'),
    credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: TWILIO_API_BASE_URL },
  };
}

let kept: { key: string; configured: ConfiguredClient } | undefined;

/**
 * The one place a function gets a Twilio client: for the configured account (the emulator when
 * TWILIO_API_BASE_URL is set), or undefined when ACCOUNT_SID/AUTH_TOKEN are missing or invalid.
 * The client is kept while a warm container lives and the credentials stay the same: its keep-alive HTTPS
 * agent then reuses one TLS connection across a request's calls and across requests. Calls that need a
 * shorter bound pass their own per-request timeout (lib/twilio-api's twilioRequest does).
 */
export function twilioClientFromEnv(env: Record<string, string | undefined>): ConfiguredClient | undefined {
  const configured = credentialsFromEnv(env);
  if (!configured) return undefined;
  if (kept?.key !== configured.key) {
    const { credentials } = configured;
    kept = {
      key: configured.key,
      configured: { client: createTwilioClient(credentials), accountSid: credentials.accountSid },
    };
  }
  return kept.configured;
}

type ConfiguredRequester = { requester: TwilioRequester; accountSid: string };
let keptRequester: { key: string; configured: ConfiguredRequester } | undefined;

/**
 * The webhooks' requester for Sync: Node's http with a kept-alive agent instead of twilio-node (why: in
 * lib/twilio-api/http-requester.ts), kept like the client. Undefined when ACCOUNT_SID/AUTH_TOKEN are missing.
 */
export function twilioRequesterFromEnv(env: Record<string, string | undefined>): ConfiguredRequester | undefined {
  const configured = credentialsFromEnv(env);
  if (!configured) return undefined;
  if (keptRequester?.key !== configured.key) {
    const { credentials } = configured;
    keptRequester = {
      key: configured.key,
      configured: { requester: createHttpRequester(credentials), accountSid: credentials.accountSid },
    };
  }
  return keptRequester.configured;
}

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
