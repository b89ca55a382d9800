/** Requests as Twilio sends them: form-encoded and signed with twilio-node's own signature function. */
import twilio from 'twilio';

/** Form fields; a list is a key sent once per value (in that order), as Twilio sends a repeated field. */
export type FormParams = Record<string, string | string[]>;

/** A WhatsApp user and the sandbox number, as Twilio writes them in From and To. */
export const WHATSAPP_USER = 'whatsapp:+15005550006';
export const WHATSAPP_BOT = 'whatsapp:+14155238886';

let sequence = 0;

/** An inbound message's fields as Twilio posts them (a new MessageSid each time), with `fields` on top. */
export function inboundMessage(accountSid: string, fields: FormParams): FormParams {
  sequence += 1;
  const MessageSid = `SM${String(sequence).padStart(32, '0')}`;
  const sender = { From: WHATSAPP_USER, To: WHATSAPP_BOT, NumMedia: '0', ProfileName: 'Ada', WaId: '15005550006' };
  return { MessageSid, AccountSid: accountSid, ...sender, ...fields };
}

/** `params` form-encoded, a list as its key once per value (in order). */
export function formBody(params: FormParams): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return body.toString();
}

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
  options: { authToken: string; signature?: string | null; signedUrl?: string; headers?: Record<string, string> },
): Promise<WebhookResponse> {
  const url = baseUrl + path;
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', ...options.headers };
  const signature =
    options.signature === undefined ? signatureFor(options.authToken, options.signedUrl ?? url, params) : options.signature;
  if (signature !== null) headers['X-Twilio-Signature'] = signature;
  const response = await fetch(url, { method: 'POST', headers, body: formBody(params) });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
}
