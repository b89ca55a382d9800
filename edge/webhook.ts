/** Twilio webhooks: the signature check every /whatsapp/* route does in its own code. */
import type { $ZodError } from 'zod/v4/core';
import { webhookSettingsSchema } from '../lib/config';
import { isValidSignature, signedUrlCandidates, type SignedParams } from '../lib/signature';
import { describeZodError, problemsAsText } from '../lib/validation';
import { logEvent } from './log';
import { HttpError } from './reply';
import type { RouteRequest } from './route';
import { readSettings } from './settings';

const INVALID_SIGNATURE = 'missing or invalid X-Twilio-Signature';

/**
 * Returns the form parameters when X-Twilio-Signature is valid for this request; otherwise throws 403.
 * The local runtime does not check `.protected` functions, so this check is what holds locally and in tests.
 * The signed URL cannot carry a query string: `event` merges query and body, so it could not be rebuilt.
 */
export function verifyTwilioWebhook(request: RouteRequest): Record<string, string> {
  // DOMAIN_NAME is the context's (request.domainName's source), defaulting the same way.
  const settings = readSettings(webhookSettingsSchema, request.env);
  if (!settings.AUTH_TOKEN) {
    logEvent({
      level: 'error',
      event: 'webhook.refused',
      route: request.path,
      reason: 'AUTH_TOKEN is not configured, so no signature can be checked',
    });
  }
  const urls = signedUrlCandidates(request.path, settings.DOMAIN_NAME, settings.PUBLIC_BASE_URL);
  // Twilio never sends a field named `request`; one replaced the runtime's headers, so there is no signature to trust.
  if (request.requestParamSent) {
    throw refusal(
      request,
      urls,
      settings.AUTH_TOKEN,
      'a parameter named "request" is not accepted',
      'a parameter named "request"',
    );
  }
  // Twilio posts flat form fields (a repeated key becomes an array); anything else was not signed by Twilio.
  let repeated = false;
  for (const key in request.params) {
    const value = request.params[key];
    if (typeof value === 'string') continue;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw refusal(
        request,
        urls,
        settings.AUTH_TOKEN,
        INVALID_SIGNATURE,
        'the body is not flat form fields: Twilio did not sign it',
      );
    }
    repeated = true;
  }
  const params = request.params as SignedParams;
  const signature = request.headers['x-twilio-signature'];
  if (!settings.AUTH_TOKEN) throw forbidden(INVALID_SIGNATURE);
  if (typeof signature !== 'string' || signature === '') {
    throw refusal(request, urls, settings.AUTH_TOKEN, INVALID_SIGNATURE, 'no X-Twilio-Signature header');
  }
  if (!isValidSignature(settings.AUTH_TOKEN, signature, urls, params)) {
    const reason = 'X-Twilio-Signature does not match this AUTH_TOKEN for any URL checked';
    throw refusal(request, urls, settings.AUTH_TOKEN, INVALID_SIGNATURE, reason);
  }
  // Where a key was repeated, the route reads its first value.
  if (!repeated) return params as Record<string, string>;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]));
}

/** The 403 for a refused request, logged with why and which URLs were tried (when a token is set to check with). */
function refusal(
  request: RouteRequest,
  urls: readonly string[],
  authToken: string | undefined,
  answer: string,
  reason: string,
) {
  // Usual causes: another AUTH_TOKEN, a tunnel without PUBLIC_BASE_URL.
  if (authToken) logEvent({ level: 'warn', event: 'webhook.refused', route: request.path, reason, checked_urls: urls });
  return forbidden(answer);
}

const forbidden = (reason: string) => new HttpError({ kind: 'text', status: 403, body: `Forbidden: ${reason}.` });

/** A plain-text 400, one line per field problem. Twilio then calls the fallback URL. */
export function webhookBadRequest(error: $ZodError): HttpError {
  return new HttpError({ kind: 'text', status: 400, body: problemsAsText(describeZodError(error)) });
}

/** The signed webhook's fields, parsed with `schema` (403 when unsigned, 400 when malformed). */
export function parseWebhook<T>(
  request: RouteRequest,
  schema: { safeParse(input: unknown): { success: true; data: T } | { success: false; error: $ZodError } },
): T {
  const parsed = schema.safeParse(verifyTwilioWebhook(request));
  if (!parsed.success) throw webhookBadRequest(parsed.error);
  return parsed.data;
}
