/** Twilio REST clients for routes, from the function's environment. */
import type { Twilio } from 'twilio';
import { parseSettings, twilioSettingsSchema } from '../lib/config';
import { failureFromException } from '../lib/twilio-api';
import { createTwilioClient } from '../lib/twilio-client';
import type { LocationMessage } from '../lib/location';
import { hintFor } from '../lib/twilio-errors';
import { logEvent } from './log';

/**
 * The one place a function gets a Twilio client: for the configured account (the emulator when
 * TWILIO_API_BASE_URL is set), or undefined when ACCOUNT_SID/AUTH_TOKEN are missing or invalid.
 */
export function twilioClientFromEnv(
  env: Record<string, string | undefined>,
  options: { timeoutMs?: number } = {},
): { client: Twilio; accountSid: string } | undefined {
  const settings = parseSettings(twilioSettingsSchema, env);
  if (!settings.success || !settings.data.ACCOUNT_SID || !settings.data.AUTH_TOKEN) return undefined;
  const client = createTwilioClient({
    accountSid: settings.data.ACCOUNT_SID,
    authToken: settings.data.AUTH_TOKEN,
    apiBaseUrl: settings.data.TWILIO_API_BASE_URL,
    timeoutMs: options.timeoutMs,
  });
  return { client, accountSid: settings.data.ACCOUNT_SID };
}

/**
 * Sends a location through the Messages API. Returns the message SID, or undefined after logging why
 * it failed (error code and hint; never credentials).
 */
export async function sendLocation(env: Record<string, string | undefined>, message: LocationMessage): Promise<string | undefined> {
  const client = twilioClientFromEnv(env)?.client;
  if (!client) {
    logEvent({ level: 'error', event: 'location.not_sent', reason: 'ACCOUNT_SID and AUTH_TOKEN must be configured to call the Messages API' });
    return undefined;
  }
  try {
    const sent = await client.messages.create({
      from: message.from,
      to: message.to,
      body: message.body,
      persistentAction: [message.persistentAction],
    });
    return sent.sid;
  } catch (error) {
    const failure = failureFromException(error);
    logEvent({
      level: 'error',
      event: 'location.not_sent',
      errorCode: failure?.code ?? undefined,
      httpStatus: failure?.status,
      message: failure?.message ?? (error instanceof Error ? error.message : String(error)),
      hint: hintFor(failure?.code),
    });
    return undefined;
  }
}
