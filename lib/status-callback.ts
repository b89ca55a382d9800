/** Message status callbacks and fallback-URL requests: parsed, and summed up as one safe log record. */
import * as z from './zod';
import { maskAddress } from './redact';
import { sidCheck } from './sids';
import { hintFor, moreInfoFor } from './twilio-errors';

const errorCode = z.string().check(z.regex(/^\d{1,6}$/, 'must be a Twilio error code (digits)'));

export const statusCallbackSchema = z.looseObject({
  MessageSid: z.string().check(sidCheck('message')),
  MessageStatus: z.enum([
    'accepted',
    'scheduled',
    'canceled',
    'queued',
    'sending',
    'sent',
    'failed',
    'delivered',
    'undelivered',
    'receiving',
    'received',
    'read',
    'partially_delivered',
  ]),
  ErrorCode: z.optional(errorCode),
  To: z.optional(z.string()),
});

export const fallbackSchema = z.looseObject({
  ErrorCode: z.optional(errorCode),
  ErrorUrl: z.optional(z.string().check(z.maxLength(2048))),
  MessageSid: z.optional(z.string()),
});

/** The log record of one status callback (no secrets, numbers masked). */
export function statusLogRecord(callback: z.infer<typeof statusCallbackSchema>): Record<string, unknown> {
  const code = callback.ErrorCode && callback.ErrorCode !== '0' ? Number(callback.ErrorCode) : undefined;
  return {
    event: 'message.status',
    level: code ? 'warn' : 'info',
    messageSid: callback.MessageSid,
    status: callback.MessageStatus,
    to: maskAddress(callback.To),
    ...(code ? { errorCode: code, hint: hintFor(code) ?? `See ${moreInfoFor(code)}` } : {}),
  };
}

/** The log record of one fallback request. */
export function fallbackLogRecord(request: z.infer<typeof fallbackSchema>): Record<string, unknown> {
  const code = request.ErrorCode ? Number(request.ErrorCode) : undefined;
  return {
    event: 'webhook.fallback',
    level: 'error',
    messageSid: request.MessageSid,
    errorCode: code,
    errorUrl: request.ErrorUrl,
    hint: code ? (hintFor(code) ?? `See ${moreInfoFor(code)}`) : 'No ErrorCode given.',
  };
}

/** What a user gets when the inbound webhook failed and Twilio called the fallback URL. */
export const FALLBACK_REPLY = 'Sorry, something went wrong on our side. Please try again in a few minutes.';
