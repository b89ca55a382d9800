/**
 * A TwilioRequester on Node's own http/https, for the webhooks' Sync calls and every admin route's Twilio call
 * (both go through lib/twilio-api's twilioRequest). twilio-node's `request()` goes through
 * axios: 308 µs of client CPU per Sync read against 162 µs here (sequential reads of one document from the
 * emulator in another process, median of 6 rounds of 1,500), and loading twilio-node costs about 200 ms on a
 * container's first Sync call. This makes the same request (Basic auth, form or JSON body, Accept:
 * application/json) with one kept-alive agent. Answers resolve as `{ statusCode, body, headers }` whatever the
 * status, as twilio-node's do; twilioRequest (request.ts) judges them. Only the webhooks' Messages API sends (edge/twilio.ts)
 * still use twilio-node.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { redirectTwilioUrl } from '../twilio-client';
import type { TwilioRequester } from './request';

/** A Sync page is a few hundred KB at most; anything far larger is not an answer this code reads. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export type HttpRequesterOptions = {
  accountSid: string;
  authToken: string;
  /** e.g. http://127.0.0.1:3001 (the local emulator): every twilio.com URL goes there instead. Unset in production. */
  apiBaseUrl?: string;
};

type RequestOptions = Parameters<TwilioRequester['request']>[0];

/** Form-encodes like twilio-node (`qs` with repeated keys for arrays); Sync's fields are flat. */
function formEncode(data: object): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) form.append(key, String(v));
  }
  return form.toString();
}

let httpsModule: typeof Https | undefined;
/**
 * node:https is loaded on the first https call, not with the function: it brings tls, about 3 ms more of every
 * cold start (measured by bench/cold-load.bench.ts), which a function that never calls Sync should not pay.
 * node:http is loaded by the runtime's own server already.
 */
const https = (): typeof Https => {
  httpsModule ??= require('node:https') as typeof Https;
  return httpsModule;
};

export function createHttpRequester(options: HttpRequesterOptions): TwilioRequester {
  const httpAgent = new HttpAgent({ keepAlive: true });
  let httpsAgent: Https.Agent | undefined;
  const ownAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    request(opts: RequestOptions): Promise<unknown> {
      const url = new URL(options.apiBaseUrl ? redirectTwilioUrl(opts.uri, options.apiBaseUrl) : opts.uri);
      const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Charset': 'utf-8' };
      headers.Authorization =
        opts.username !== undefined && opts.password !== undefined
          ? `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`
          : ownAuth;
      Object.assign(headers, opts.headers);
      let body: string | undefined;
      if (opts.data !== undefined) {
        const json = headers['Content-Type'] === 'application/json';
        body = json ? JSON.stringify(opts.data) : formEncode(opts.data);
        if (!json) headers['Content-Type'] = 'application/x-www-form-urlencoded';
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      const secure = url.protocol === 'https:';
      if (secure) httpsAgent ??= new (https().Agent)({ keepAlive: true });
      const send = secure ? https().request : httpRequest;
      return new Promise((resolve, reject) => {
        const request = send(
          url,
          {
            method: opts.method.toUpperCase(),
            headers,
            agent: secure ? httpsAgent : httpAgent,
            timeout: opts.timeout,
          },
          (response: IncomingMessage) => {
            const chunks: Buffer[] = [];
            let size = 0;
            response.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > MAX_RESPONSE_BYTES) {
                request.destroy(Object.assign(new Error('response too large'), { code: 'ERR_NETWORK' }));
                return;
              }
              chunks.push(chunk);
            });
            response.on('end', () =>
              resolve({
                statusCode: response.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                headers: response.headers,
              }),
            );
            response.on('error', reject);
          },
        );
        // A socket idle past the timeout: fail as twilio-node does (code ETIMEDOUT), so the caller's retry logic sees a timeout.
        request.on('timeout', () =>
          request.destroy(Object.assign(new Error('timeout of the Twilio request'), { code: 'ETIMEDOUT' })),
        );
        request.on('error', reject);
        request.end(body);
      });
    },
  };
}
