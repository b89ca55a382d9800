/**
 * How the emulator calls the functions, as Twilio does: form-encoded POSTs signed with X-Twilio-Signature
 * (lib/signature.ts, Twilio's algorithm), an I-Twilio-Idempotency-Token kept across retries, and Twilio's
 * connection overrides (a `#ct=…&rt=…&tt=…&rc=…&rp=…` fragment on the webhook URL) deciding timeouts and
 * retries.
 * Also reads the messaging TwiML the incoming webhook answers.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { computeSignature } from '../../lib/signature';

/** Where the functions are and the credentials Twilio would sign and report with. */
export type WebhookConfig = {
  /** The inbound message webhook ("A message comes in"), e.g. http://localhost:3000/whatsapp/incoming. */
  incomingUrl?: string;
  /** The sender's status callback URL, used when a message names none of its own. */
  statusUrl?: string;
  /** Requested when the incoming webhook fails, with ErrorCode and ErrorUrl added. */
  fallbackUrl?: string;
  /** The AUTH_TOKEN the functions check signatures with. */
  authToken?: string;
  /** The AccountSid put in every webhook. */
  accountSid?: string;
};

export type RetryPolicy = 'ct' | '4xx' | '5xx' | 'rt' | 'all';

/** Twilio's connection overrides (docs: "Webhooks (HTTP callbacks): Connection Overrides"), in ms. */
export type ConnectionOverrides = {
  /** Connect timeout, 100..10000. */
  ct: number;
  /** Read timeout (first byte of the answer, and between packets), 100..15000. */
  rt: number;
  /** Total time for every attempt, 100..15000. */
  tt: number;
  /** Retries after a failed attempt, 0..5. */
  rc: number;
  /** Which failures are retried: connection (ct), read timeout (rt), 4xx, 5xx, all. */
  rp: RetryPolicy[];
};

/** Twilio's defaults: it waits 15 s for a webhook and retries once, on connection failures only. */
export const DEFAULT_OVERRIDES: ConnectionOverrides = { ct: 5000, rt: 15000, tt: 15000, rc: 1, rp: ['ct'] };

const LIMITS: Record<'ct' | 'rt' | 'tt' | 'rc', [number, number]> = {
  ct: [100, 10000],
  rt: [100, 15000],
  tt: [100, 15000],
  rc: [0, 5],
};
const POLICIES = new Set<string>(['ct', '4xx', '5xx', 'rt', 'all']);

/**
 * Splits `url#ct=…&rt=…` into the URL Twilio requests (and signs: the fragment is never sent, so a function
 * could not rebuild it) and the overrides. Unknown keys (e.g. the edge `e`) are ignored; bad values are problems.
 */
export function splitOverrides(urlWithFragment: string): {
  url: string;
  overrides: Partial<ConnectionOverrides>;
  problems: string[];
} {
  const hash = urlWithFragment.indexOf('#');
  if (hash === -1) return { url: urlWithFragment, overrides: {}, problems: [] };
  return { url: urlWithFragment.slice(0, hash), ...parseOverrides(urlWithFragment.slice(hash + 1)) };
}

/** Parses `ct=1000&rc=2&rp=rt,5xx` (a fragment without its `#`). */
export function parseOverrides(fragment: string): { overrides: Partial<ConnectionOverrides>; problems: string[] } {
  const overrides: Partial<ConnectionOverrides> = {};
  const problems: string[] = [];
  for (const [key, value] of new URLSearchParams(fragment)) {
    if (key === 'rp') {
      const policies = value.split(',').map((p) => p.trim());
      const bad = policies.filter((p) => !POLICIES.has(p));
      if (bad.length) problems.push(`rp: unknown retry policy ${bad.join(', ')} (expected ct, 4xx, 5xx, rt or all)`);
      else overrides.rp = policies as RetryPolicy[];
    } else if (key === 'ct' || key === 'rt' || key === 'tt' || key === 'rc') {
      const [min, max] = LIMITS[key];
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= min && n <= max))
        problems.push(`${key}: must be a whole number from ${min} to ${max}, got "${value}"`);
      else overrides[key] = n;
    }
  }
  return { overrides, problems };
}

export type Attempt = {
  attempt: number;
  idempotencyToken: string;
  /** The HTTP status answered, when one was. */
  httpStatus?: number;
  /** Why the attempt failed: no connection, no answer in time (read timeout), or a non-2xx status. */
  failure?: 'connect' | 'timeout' | 'status';
  error?: string;
};

export type PostOutcome = {
  ok: boolean;
  attempts: Attempt[];
  status?: number;
  headers?: IncomingHttpHeaders;
  body?: string;
  /** Twilio's error code for a failed delivery: 11200 (HTTP retrieval failure), 11205 (connection failure). */
  errorCode?: number;
};

const FORM = 'application/x-www-form-urlencoded';

/** The emulator only talks to this machine: "localhost" is dialled as 127.0.0.1, where the runtime listens. */
const dialHost = (hostname: string) => (hostname === 'localhost' ? '127.0.0.1' : hostname.replace(/^\[|\]$/g, ''));

type RawAnswer = { status: number; headers: IncomingHttpHeaders; body: string };

function attemptOnce(
  target: URL,
  method: 'GET' | 'POST',
  body: string,
  headers: Record<string, string>,
  timeouts: { ct: number; rt: number },
  signal: AbortSignal,
): Promise<RawAnswer | { failure: 'connect' | 'timeout'; error: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: RawAnswer | { failure: 'connect' | 'timeout'; error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      req.destroy();
      resolve(result);
    };
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request({
      host: dialHost(target.hostname),
      port: target.port || (target.protocol === 'https:' ? 443 : 80),
      path: target.pathname + target.search,
      method,
      // A new connection per attempt, as a retry after a timeout is.
      agent: false,
      signal,
      headers: { ...headers, Host: target.host, 'Content-Length': String(Buffer.byteLength(body)) },
    });
    const connectTimer = setTimeout(
      () => finish({ failure: 'connect', error: `no connection within ${timeouts.ct} ms` }),
      timeouts.ct,
    );
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        req.setTimeout(timeouts.rt, () => finish({ failure: 'timeout', error: `no answer within ${timeouts.rt} ms` }));
      });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (error) => finish({ failure: 'timeout', error: error.message }));
    });
    req.on('error', (error) => finish({ failure: 'connect', error: error.message }));
    req.end(body);
  });
}

const retried = (policies: RetryPolicy[], failure: Attempt['failure'], status?: number): boolean =>
  policies.includes('all') ||
  (failure === 'connect' && policies.includes('ct')) ||
  (failure === 'timeout' && policies.includes('rt')) ||
  (failure === 'status' && status !== undefined && status >= 400 && status < 500 && policies.includes('4xx')) ||
  (failure === 'status' && status !== undefined && status >= 500 && policies.includes('5xx'));

/** A token for one event, sent unchanged with each retry of it. */
export const newIdempotencyToken = (accountSid: string) => `${accountSid}-${randomBytes(16).toString('hex')}`;

/**
 * POSTs `params` to `url` as Twilio does: signed for `url` with `authToken`, form-encoded, retried per `overrides`
 * with the same idempotency token. Resolves with every attempt; never rejects.
 */
export async function postSigned(
  url: string,
  params: Record<string, string>,
  options: {
    authToken: string;
    idempotencyToken: string;
    overrides?: Partial<ConnectionOverrides>;
    signal: AbortSignal;
  },
): Promise<PostOutcome> {
  const o = { ...DEFAULT_OVERRIDES, ...options.overrides };
  const target = new URL(url);
  const body = new URLSearchParams(params).toString();
  const headers = {
    'Content-Type': FORM,
    'User-Agent': 'TwilioProxy/1.1',
    Accept: '*/*',
    'X-Twilio-Signature': computeSignature(options.authToken, url, params),
    'I-Twilio-Idempotency-Token': options.idempotencyToken,
  };
  const deadline = Date.now() + o.tt;
  const attempts: Attempt[] = [];
  for (let n = 1; n <= 1 + o.rc; n++) {
    const left = deadline - Date.now();
    if (left <= 0 || options.signal.aborted) break;
    const answer = await attemptOnce(
      target,
      'POST',
      body,
      headers,
      { ct: Math.min(o.ct, left), rt: Math.min(o.rt, left) },
      options.signal,
    );
    const attempt: Attempt = { attempt: n, idempotencyToken: options.idempotencyToken };
    if ('failure' in answer) {
      attempts.push({ ...attempt, failure: answer.failure, error: answer.error });
      if (retried(o.rp, answer.failure)) continue;
      return { ok: false, attempts, errorCode: answer.failure === 'connect' ? 11205 : 11200 };
    }
    const ok = answer.status >= 200 && answer.status < 300;
    attempts.push(
      ok ? { ...attempt, httpStatus: answer.status } : { ...attempt, httpStatus: answer.status, failure: 'status' },
    );
    if (ok || !retried(o.rp, 'status', answer.status) || n === 1 + o.rc) {
      return {
        ok,
        attempts,
        status: answer.status,
        headers: answer.headers,
        body: answer.body,
        ...(ok ? {} : { errorCode: 11200 }),
      };
    }
  }
  const last = attempts.at(-1);
  return { ok: false, attempts, errorCode: last?.failure === 'connect' ? 11205 : 11200 };
}

/**
 * The Content-Type of a media URL on this machine (Twilio downloads what it sends; the emulator looks at local
 * URLs only, since it runs offline). Undefined for other hosts or when the file cannot be fetched.
 */
export async function localMediaType(url: string, signal: AbortSignal): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  if (!/^(localhost|127\.0\.0\.1|\[::1\])$/.test(target.hostname)) return undefined;
  const answer = await attemptOnce(target, 'GET', '', {}, { ct: 2000, rt: 5000 }, signal);
  if ('failure' in answer || answer.status !== 200) return undefined;
  return answer.headers['content-type']?.split(';')[0]?.trim();
}

/** One <Message> of a TwiML answer. */
export type TwimlMessage = { body?: string; media: string[]; to?: string; from?: string; statusCallback?: string };

type XmlMessage = {
  '#text'?: string;
  Body?: string[];
  Media?: string[];
  '@_to'?: string;
  '@_from'?: string;
  '@_action'?: string;
  '@_statusCallback'?: string;
};

const twimlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) => ['Message', 'Body', 'Media'].includes(name),
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/**
 * The messages a messaging TwiML answer asks Twilio to send, or why Twilio could not read it (error 12100).
 * An empty answer (no body) sends nothing, as on Twilio.
 */
export function readTwiml(xml: string): { ok: true; messages: TwimlMessage[] } | { ok: false; error: string } {
  if (xml.trim() === '') return { ok: true, messages: [] };
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, error: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})` };
  const doc = twimlParser.parse(xml) as { Response?: '' | { Message?: Array<XmlMessage | string> } };
  if (doc.Response === undefined) return { ok: false, error: 'the root element is not <Response>' };
  if (doc.Response === '' || typeof doc.Response === 'string') return { ok: true, messages: [] };
  const messages = (doc.Response.Message ?? []).map((m): TwimlMessage => {
    if (typeof m === 'string') return { body: m, media: [] };
    const body = m.Body ? m.Body.map(String).join('') : m['#text'];
    return {
      body: body === undefined || body === '' ? undefined : body,
      media: (m.Media ?? []).map((u) => String(u).trim()),
      to: m['@_to'],
      from: m['@_from'],
      // `action` is <Message>'s status callback; `statusCallback` is its older name.
      statusCallback: m['@_action'] ?? m['@_statusCallback'],
    };
  });
  return { ok: true, messages };
}
