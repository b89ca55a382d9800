/**
 * One Twilio REST request, bounded by a deadline: 429 and 5xx (and dropped connections) are retried with
 * exponential backoff and Retry-After, but a retry that cannot finish before the deadline is never started, and
 * each attempt's timeout is what is left of the budget (a Twilio Function is stopped at 10 s, whatever it is
 * doing). Bodies go through the client's authenticated `request()` exactly as given: JSON for the v2 APIs
 * (Senders, Content), form-encoded for the classic ones (Messages, Sync). Every API module builds on this.
 */
import { TwilioApiError, parseTwilioErrorBody, type TwilioFailure } from './failures';

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
export type AttemptTrace = {
  method: string;
  path: string;
  attempt: number;
  status: number;
  durationMs: number;
  retryInMs?: number;
};

/** How a call is made: with which client, signed as whom, until when. */
export type TwilioCall = {
  client: TwilioRequester;
  /** Epoch ms by which every request of the call must have been answered. */
  deadline: number;
  /** Sign as this account (a subaccount) instead of the client's own credentials. */
  auth?: BasicAuth;
  retry?: Partial<RetryPolicy>;
  /** Called after every request, retries included. */
  trace?: (attempt: AttemptTrace) => void;
};

export type RequestOptions = {
  /** `json` (default): the body as JSON; `form`: form-encoded, as the 2010 API and Sync take it. */
  encoding?: 'json' | 'form';
  /** Extra request headers, e.g. Sync's If-Match. */
  headers?: Record<string, string>;
};

export type RawResponse = { statusCode: number; body: unknown; headers: Record<string, unknown> };

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

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_NETWORK',
  'EHOSTUNREACH',
]);
const TIMEOUT_ERROR_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

const TIMED_OUT = Symbol('timed out');

function toRaw(value: unknown): RawResponse {
  const record = (value ?? {}) as Record<string, unknown>;
  const statusCode = typeof record.statusCode === 'number' ? record.statusCode : 0;
  const headers: Record<string, unknown> = {};
  const rawHeaders = record.headers as Record<string, unknown> | undefined;
  if (rawHeaders && typeof rawHeaders === 'object')
    for (const [k, v] of Object.entries(rawHeaders)) headers[k.toLowerCase()] = v;
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

/** The failure of an attempt Twilio did not answer within the time left. */
const timedOut = (method: string, path: string, attempt: number): TwilioFailure => ({
  kind: 'timeout',
  status: 0,
  code: null,
  message: `Twilio did not answer ${method.toUpperCase()} ${path} within the time budget.`,
  moreInfo: null,
  attempts: attempt,
});

/**
 * One Twilio request with retries, bounded by the call's deadline. Resolves with any 2xx answer; throws
 * TwilioApiError for everything else.
 */
export async function twilioRequest(
  call: TwilioCall,
  method: 'get' | 'post' | 'delete',
  uri: string,
  data?: object,
  options: RequestOptions = {},
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
      throw new TwilioApiError({
        kind: 'timeout',
        status: 0,
        code: null,
        message: 'No time left in the request budget to call Twilio.',
        moreInfo: null,
        attempts: attempt - 1,
      });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const request = call.client.request({
        method,
        uri,
        timeout: left,
        ...(data !== undefined ? { data } : {}),
        headers: {
          ...(data !== undefined && options.encoding !== 'form' ? { 'Content-Type': 'application/json' } : {}),
          ...options.headers,
        },
        ...(call.auth ? { username: call.auth.username, password: call.auth.password } : {}),
      });
      // The client's timeout bounds the socket; this bounds the whole answer, whatever the transport does.
      const outcome = await Promise.race([
        request,
        new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), left))),
      ]);
      if (outcome === TIMED_OUT) {
        request.catch(() => undefined);
        failure = timedOut(method, path, attempt);
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
        failure = timedOut(method, path, attempt);
      } else if (NETWORK_ERROR_CODES.has(code) || /socket hang up|network/i.test(message)) {
        failure = {
          kind: 'network',
          status: 0,
          code: null,
          message: `Could not reach Twilio (${code || message}).`,
          moreInfo: null,
          attempts: attempt,
        };
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
    call.trace?.({
      method,
      path,
      attempt,
      status: failure.status,
      durationMs: Date.now() - started,
      ...(retryIn !== undefined ? { retryInMs: retryIn } : {}),
    });
    if (retryIn === undefined) throw new TwilioApiError(failure);
    await sleep(retryIn);
  }
}
