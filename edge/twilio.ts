/** Twilio REST clients for routes, from the function's environment. */
import type { Twilio } from 'twilio';
import { twilioSettingsSchema } from '../lib/config';
import { createTwilioClient } from '../lib/twilio-client';
import type { LocationMessage } from '../lib/location';
import { hintFor } from '../lib/twilio-errors';
import { logEvent } from './handler';

/** A client for the configured account (the emulator when TWILIO_API_BASE_URL is set), or undefined. */
export function twilioClientFromEnv(env: Record<string, string | undefined>): Twilio | undefined {
  const settings = twilioSettingsSchema.safeParse(env);
  if (!settings.success || !settings.data.ACCOUNT_SID || !settings.data.AUTH_TOKEN) return undefined;
  return createTwilioClient({
    accountSid: settings.data.ACCOUNT_SID,
    authToken: settings.data.AUTH_TOKEN,
    apiBaseUrl: settings.data.TWILIO_API_BASE_URL,
  });
}

/** The code, status and message of an error from twilio-node (RestException or TwilioServiceException). */
export function twilioErrorDetails(error: unknown): { code?: number; status?: number; message: string } {
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; status?: unknown; message?: unknown; detail?: unknown };
    return {
      code: typeof e.code === 'number' ? e.code : undefined,
      status: typeof e.status === 'number' ? e.status : undefined,
      message: String(e.detail ?? e.message ?? 'unknown error'),
    };
  }
  return { message: String(error) };
}

/**
 * Sends a location through the Messages API. Returns the message SID, or undefined after logging why
 * it failed (error code and hint; never credentials).
 */
export async function sendLocation(env: Record<string, string | undefined>, message: LocationMessage): Promise<string | undefined> {
  const client = twilioClientFromEnv(env);
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
    const details = twilioErrorDetails(error);
    logEvent({
      level: 'error',
      event: 'location.not_sent',
      errorCode: details.code,
      httpStatus: details.status,
      message: details.message,
      hint: details.code ? hintFor(details.code) : undefined,
    });
    return undefined;
  }
}
