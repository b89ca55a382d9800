/**
 * Wire-correct calls to Twilio's Senders API (https://messaging.twilio.com/v2/Channels/Senders).
 *
 * Bodies go through the client's authenticated `request()` as the snake_case JSON the API takes: twilio-node 6's
 * typed create/update put camelCase keys on the wire (twilio-node issue 1190), which the API does not know.
 * Every call is bounded by a deadline: 429 and 5xx (and dropped connections) are retried with exponential
 * backoff and Retry-After, but a retry that cannot finish before the deadline is never started, and each
 * attempt's timeout is what is left of the budget. A Twilio Function is stopped at 10 s, whatever it is doing.
 *
 * Subaccounts: the Senders API has no account in its path; it acts on the account whose credentials sign the
 * request. twilio-node's `accountSid` client option only rewrites 2010-04-01 paths, so it does not reach the
 * Senders API (a call would silently act on the parent). With only the parent's credentials, the way in is the
 * 2010 Accounts resource, which the parent may read for its subaccounts: it answers the subaccount's auth token,
 * and the Senders requests are then signed as the subaccount (see subaccountAuth).
 */
import { TwilioErrorCode } from '../twilio-errors';
import { TwilioApiError, parseTwilioErrorBody, type TwilioFailure } from './errors';
import type { Sender, SenderCreateBody, SenderUpdateBody } from './schema';
import { senderStatusFacts } from './status';

export const SENDERS_URL = 'https://messaging.twilio.com/v2/Channels/Senders';
const ACCOUNTS_URL = 'https://api.twilio.com/2010-04-01/Accounts';

/** What is needed of a Twilio client: its authenticated request (twilio-node's `Twilio` satisfies this). */
export type TwilioRequester = {
  request(opts: {
    method: 'get' | 'post' | 'delete';
    uri: string;
    data?: object;
    headers?: Record<string, string>;
    username?: string;
    password?: string;
    timeout?: number;
  }): Promise<unknown>;
};

/** Basic credentials to sign a request with, instead of the client's own. */
export type BasicAuth = { username: string; password: string };

export type RetryPolicy = {
  /** Requests at most, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is baseDelayMs * 2^(n-1), with jitter, at most maxDelayMs (Retry-After wins when longer). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry starts only if at least this much time is left for it after the wait. */
  minAttemptMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 2000, minAttemptMs: 300 };

/** One request's outcome, for logs (no bodies, no credentials). */
export type AttemptTrace = { method: string; path: string; attempt: number; status: number; durationMs: number; retryInMs?: number };

/** How a call is made: with which client, signed as whom, until when. */
export type SendersCall = {
  client: TwilioRequester;
  /** Epoch ms by which every request of the call must have been answered. */
  deadline: number;
  /** Sign as this account (a subaccount) instead of the client's own credentials. */
  auth?: BasicAuth;
  retry?: Partial<RetryPolicy>;
  /** Called after every request, retries included. */
  trace?: (attempt: AttemptTrace) => void;
};

type RawResponse = { statusCode: number; body: unknown; headers: Record<string, unknown> };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After as ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Backoff before retry `n` (1-based): exponential, capped, with jitter in [50%, 100%]. */
export function backoffDelay(n: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_NETWORK', 'EHOSTUNREACH']);
const TIMEOUT_ERROR_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

const TIMED_OUT = Symbol('timed out');

function toRaw(value: unknown): RawResponse {
  const record = (value ?? {}) as Record<string, unknown>;
  const statusCode = typeof record.statusCode === 'number' ? record.statusCode : 0;
  const headers: Record<string, unknown> = {};
  const rawHeaders = record.headers as Record<string, unknown> | undefined;
  if (rawHeaders && typeof rawHeaders === 'object') for (const [k, v] of Object.entries(rawHeaders)) headers[k.toLowerCase()] = v;
  let body = record.body;
  if (typeof body === 'string' && body.trim().startsWith('{')) {
    try {
      body = JSON.parse(body);
    } catch {
      /* left as text */
    }
  }
  return { statusCode, body, headers };
}

/**
 * One Twilio request with retries, bounded by the call's deadline. Resolves with any 2xx answer; throws
 * TwilioApiError for everything else.
 */
export async function twilioRequest(
  call: SendersCall,
  method: 'get' | 'post' | 'delete',
  uri: string,
  data?: object,
): Promise<RawResponse> {
  const policy = { ...DEFAULT_RETRY, ...call.retry };
  const path = new URL(uri).pathname;
  let attempt = 0;
  for (;;) {
    attempt += 1;
    const started = Date.now();
    const left = call.deadline - started;
    let failure: TwilioFailure;
    if (left <= 0) {
      throw new TwilioApiError({ kind: 'timeout', status: 0, code: null, message: 'No time left in the request budget to call Twilio.', moreInfo: null, attempts: attempt - 1 });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const request = call.client.request({
        method,
        uri,
        timeout: left,
        ...(data !== undefined ? { data, headers: { 'Content-Type': 'application/json' } } : {}),
        ...(call.auth ? { username: call.auth.username, password: call.auth.password } : {}),
      });
      // The client's timeout bounds the socket; this bounds the whole answer, whatever the transport does.
      const outcome = await Promise.race([request, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), left)))]);
      if (outcome === TIMED_OUT) {
        request.catch(() => undefined);
        failure = { kind: 'timeout', status: 0, code: null, message: `Twilio did not answer ${method.toUpperCase()} ${path} within the time budget.`, moreInfo: null, attempts: attempt };
      } else {
        const response = toRaw(outcome);
        if (response.statusCode >= 200 && response.statusCode < 300) {
          call.trace?.({ method, path, attempt, status: response.statusCode, durationMs: Date.now() - started });
          return response;
        }
        failure = {
          kind: 'twilio',
          status: response.statusCode,
          ...parseTwilioErrorBody(response.statusCode, response.body),
          retryAfterMs: parseRetryAfter(response.headers['retry-after']),
          attempts: attempt,
        };
      }
    } catch (error) {
      const code = String((error as { code?: unknown })?.code ?? '');
      const message = error instanceof Error ? error.message : String(error);
      if (TIMEOUT_ERROR_CODES.has(code) || /timeout/i.test(message)) {
        failure = { kind: 'timeout', status: 0, code: null, message: `Twilio did not answer ${method.toUpperCase()} ${path} within the time budget.`, moreInfo: null, attempts: attempt };
      } else if (NETWORK_ERROR_CODES.has(code) || /socket hang up|network/i.test(message)) {
        failure = { kind: 'network', status: 0, code: null, message: `Could not reach Twilio (${code || message}).`, moreInfo: null, attempts: attempt };
      } else {
        throw error;
      }
    } finally {
      clearTimeout(timer);
    }

    const retryable = failure.kind === 'network' || failure.status === 429 || failure.status >= 500;
    let retryIn: number | undefined;
    if (retryable && attempt < policy.maxAttempts) {
      const wait = Math.max(backoffDelay(attempt, policy), failure.retryAfterMs ?? 0);
      if (Date.now() + wait + policy.minAttemptMs <= call.deadline) retryIn = wait;
    }
    call.trace?.({ method, path, attempt, status: failure.status, durationMs: Date.now() - started, ...(retryIn !== undefined ? { retryInMs: retryIn } : {}) });
    if (retryIn === undefined) throw new TwilioApiError(failure);
    await sleep(retryIn);
  }
}

const senderUrl = (sid: string) => `${SENDERS_URL}/${encodeURIComponent(sid)}`;

/** POST /v2/Channels/Senders (202 CREATING). */
export async function createSender(call: SendersCall, body: SenderCreateBody): Promise<Sender> {
  return (await twilioRequest(call, 'post', SENDERS_URL, body)).body as Sender;
}

/** GET /v2/Channels/Senders/{sid}. */
export async function fetchSender(call: SendersCall, sid: string): Promise<Sender> {
  return (await twilioRequest(call, 'get', senderUrl(sid))).body as Sender;
}

/** POST /v2/Channels/Senders/{sid} (202): profile, webhook, configuration, or the OTP as configuration.verification_code. */
export async function updateSender(call: SendersCall, sid: string, body: SenderUpdateBody): Promise<Sender> {
  return (await twilioRequest(call, 'post', senderUrl(sid), body)).body as Sender;
}

/** Submits the one-time code the number received (an update with `configuration.verification_code`). */
export async function verifySender(call: SendersCall, sid: string, code: string): Promise<Sender> {
  return updateSender(call, sid, { configuration: { verification_code: code } });
}

/** DELETE /v2/Channels/Senders/{sid} (204). */
export async function deleteSender(call: SendersCall, sid: string): Promise<void> {
  await twilioRequest(call, 'delete', senderUrl(sid));
}

export type SenderPage = {
  senders: Sender[];
  /** Pass back as `pageToken` for the next page; null on the last page. */
  nextPageToken: string | null;
  meta: Record<string, unknown>;
};

/** GET /v2/Channels/Senders?Channel=whatsapp: one page (PageSize 1..1000). */
export async function listSenders(call: SendersCall, options: { pageSize?: number; pageToken?: string } = {}): Promise<SenderPage> {
  const url = new URL(SENDERS_URL);
  url.searchParams.set('Channel', 'whatsapp');
  if (options.pageSize !== undefined) url.searchParams.set('PageSize', String(options.pageSize));
  if (options.pageToken) url.searchParams.set('PageToken', options.pageToken);
  const { body } = await twilioRequest(call, 'get', url.toString());
  const record = (body ?? {}) as { senders?: unknown; meta?: Record<string, unknown> };
  const meta = record.meta ?? {};
  let nextPageToken: string | null = null;
  if (typeof meta.next_page_url === 'string' && meta.next_page_url) {
    try {
      nextPageToken = new URL(meta.next_page_url).searchParams.get('PageToken');
    } catch {
      nextPageToken = null;
    }
  }
  return { senders: Array.isArray(record.senders) ? (record.senders as Sender[]) : [], nextPageToken, meta };
}

/** The account's sender with this `whatsapp:+E164` sender_id, looking through every page (1,000 a page). */
export async function findSenderBySenderId(call: SendersCall, senderId: string, maxPages = 20): Promise<Sender | undefined> {
  let pageToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await listSenders(call, { pageSize: 1000, pageToken });
    const found = result.senders.find((s) => s.sender_id === senderId);
    if (found) return found;
    if (!result.nextPageToken) return undefined;
    pageToken = result.nextPageToken;
  }
  return undefined;
}

/**
 * Registers a sender once: when the account already has a sender with this sender_id, answers it
 * (`created: false`) instead of creating another. Also when a create races another one and Twilio answers
 * 63110 (number already registered) for a sender that turns out to be this account's.
 */
export async function registerSender(call: SendersCall, body: SenderCreateBody): Promise<{ created: boolean; sender: Sender }> {
  const existing = await findSenderBySenderId(call, body.sender_id);
  if (existing) return { created: false, sender: existing };
  try {
    return { created: true, sender: await createSender(call, body) };
  } catch (error) {
    if (error instanceof TwilioApiError && error.failure.code === TwilioErrorCode.NUMBER_ALREADY_ON_WHATSAPP) {
      const again = await findSenderBySenderId(call, body.sender_id).catch(() => undefined);
      if (again) return { created: false, sender: again };
    }
    throw error;
  }
}

/**
 * Fetches the sender, and while its status is transient (CREATING, VERIFYING) polls again (250 ms, doubling to
 * 2 s) as long as a poll still fits before the deadline. `settled` is false when the budget ran out first.
 */
export async function waitForSender(
  call: SendersCall,
  sid: string,
  options: { firstDelayMs?: number; maxDelayMs?: number } = {},
): Promise<{ sender: Sender; polls: number; settled: boolean }> {
  const policy = { ...DEFAULT_RETRY, ...call.retry };
  let delay = options.firstDelayMs ?? 250;
  let sender = await fetchSender(call, sid);
  let polls = 1;
  while (senderStatusFacts(sender.status)?.settlesSoon) {
    if (Date.now() + delay + policy.minAttemptMs > call.deadline) return { sender, polls, settled: false };
    await sleep(delay);
    delay = Math.min(delay * 2, options.maxDelayMs ?? 2000);
    sender = await fetchSender(call, sid);
    polls += 1;
  }
  return { sender, polls, settled: true };
}

/**
 * Credentials to act on `accountSid` when the client holds its parent's: reads the subaccount through the
 * 2010 Accounts resource (allowed to the parent) for its auth token. Undefined when `accountSid` is the
 * client's own account. Twilio answers 404 (20404) for an account that is not a subaccount of the parent.
 * The token is a secret: keep it in memory for the call, never log or answer it.
 */
export async function subaccountAuth(call: SendersCall, accountSid: string | undefined, parentSid: string): Promise<BasicAuth | undefined> {
  if (!accountSid || accountSid === parentSid) return undefined;
  const { body } = await twilioRequest({ ...call, auth: undefined }, 'get', `${ACCOUNTS_URL}/${encodeURIComponent(accountSid)}.json`);
  const account = (body ?? {}) as { auth_token?: unknown; status?: unknown };
  if (typeof account.auth_token !== 'string' || !account.auth_token) {
    throw new TwilioApiError({ kind: 'twilio', status: 502, code: null, message: `Twilio did not answer the credentials of subaccount ${accountSid}.`, moreInfo: null, attempts: 1 });
  }
  if (typeof account.status === 'string' && account.status !== 'active') {
    throw new TwilioApiError({ kind: 'twilio', status: 409, code: null, message: `Subaccount ${accountSid} is ${account.status}, not active.`, moreInfo: null, attempts: 1 });
  }
  return { username: accountSid, password: account.auth_token };
}
