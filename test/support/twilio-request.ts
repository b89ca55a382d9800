/** Requests as Twilio sends them: form-encoded and signed with twilio-node's own signature function. */
import twilio from 'twilio';

/** Form fields; a list is a key sent once per value (in that order), as Twilio sends a repeated field. */
export type FormParams = Record<string, string | string[]>;

/** The X-Twilio-Signature Twilio would send for `url` and `params`. */
export function signatureFor(authToken: string, url: string, params: FormParams): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

export type WebhookResponse = { status: number; contentType: string; body: string };

/**
 * POSTs a webhook to `baseUrl + path`, signed for `signedUrl` (default: the URL requested) unless
 * `signature` is given (null: no header at all).
 */
export async function postWebhook(
  baseUrl: string,
  path: string,
  params: FormParams,
  options: { authToken: string; signature?: string | null; signedUrl?: string },
): Promise<WebhookResponse> {
  const url = baseUrl + path;
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const signature =
    options.signature === undefined ? signatureFor(options.authToken, options.signedUrl ?? url, params) : options.signature;
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  const response = await fetch(url, { method: 'POST', headers, body: body.toString() });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}
