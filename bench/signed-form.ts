/** Inbound webhooks as Twilio posts them, for the benchmarks' load: a signed form body and a MessageSid per number. */
import { computeSignature } from '../lib/signature';

/** The form body of `params` and the headers Twilio sends with it, X-Twilio-Signature made with `authToken`. */
export function signedForm(authToken: string, url: string, params: Record<string, string>) {
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': computeSignature(authToken, url, params),
    },
  };
}

/** A MessageSid unique to `n`: SM + 32 hex digits. */
export const messageSidFor = (n: number): string => `SM${n.toString(16).padStart(32, '0')}`;
