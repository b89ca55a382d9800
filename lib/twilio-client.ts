/**
 * The one place a Twilio REST client is made. With an API base URL (development and tests only), every
 * request goes to that origin instead of https://*.twilio.com, path and query kept, through a custom
 * httpClient: nothing in twilio-node is patched.
 */
import type { Twilio } from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export type TwilioCredentials = {
  accountSid: string;
  authToken: string;
  /** e.g. http://127.0.0.1:3001 (the local emulator). Unset in production. */
  apiBaseUrl?: string;
  /** Per-request timeout in ms (twilio-node's default is 30 s, longer than a Function may run). */
  timeoutMs?: number;
};

/** Replaces scheme and host of a twilio.com URL with `baseUrl`, keeping path and query. */
export function redirectTwilioUrl(uri: string, baseUrl: string): string {
  const target = new URL(uri);
  const base = new URL(baseUrl);
  target.protocol = base.protocol;
  target.host = base.host;
  return target.toString();
}

/**
 * Creates a client. `twilio` is required here, on first use, not at module load: loading it costs about
 * 200 ms, which a webhook that only answers TwiML should never pay.
 */
export function createTwilioClient(credentials: TwilioCredentials): Twilio {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const twilio = require('twilio') as typeof import('twilio');
  const { apiBaseUrl, timeoutMs = 8000 } = credentials;
  let httpClient: RequestClient;
  if (apiBaseUrl) {
    const base = apiBaseUrl;
    class RedirectingRequestClient extends twilio.RequestClient {
      override request<TData>(opts: RequestClient.RequestOptions<TData>) {
        return super.request({ ...opts, uri: redirectTwilioUrl(opts.uri, base) });
      }
    }
    httpClient = new RedirectingRequestClient({ timeout: timeoutMs });
  } else {
    httpClient = new twilio.RequestClient({ timeout: timeoutMs });
  }
  return twilio(credentials.accountSid, credentials.authToken, { httpClient });
}
