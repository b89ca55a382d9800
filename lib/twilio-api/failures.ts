/**
 * Twilio's failures, read in every shape they come in, and the one answer the admin routes give for them:
 * `{ "error": { "code", "message", "hint", "more_info" } }`, with the Twilio status for 4xx and 502 for 5xx.
 *
 * Twilio has two error bodies: the classic `{code, message, more_info, status}` (twilio-node raises
 * RestException) and RFC 9457 problem details `{type, title, status, code, detail}` (TwilioServiceException,
 * not a RestException subclass). The Senders spec describes no error body; both are read here.
 */
import { errorBody, type ErrorBody } from '../error-body';
import { hintFor, moreInfoFor } from '../twilio-errors';

/** A failed call to Twilio, after retries. */
export type TwilioFailure = {
  /** `twilio`: Twilio answered an error; `timeout`: no answer within the time budget; `network`: no connection. */
  kind: 'twilio' | 'timeout' | 'network';
  /** HTTP status Twilio answered (0 when it did not answer). */
  status: number;
  /** Twilio error code (e.g. 63110), null when there is none. */
  code: number | null;
  message: string;
  moreInfo: string | null;
  /** Retry-After Twilio sent, in ms. */
  retryAfterMs?: number;
  /** Requests made, retries included. */
  attempts: number;
};

/** Thrown by twilioRequest (request.ts) for every failure; `failure` holds what to answer. */
export class TwilioApiError extends Error {
  constructor(readonly failure: TwilioFailure) {
    super(failure.message);
    this.name = 'TwilioApiError';
  }
}

export const isTwilioApiError = (error: unknown): error is TwilioApiError => error instanceof TwilioApiError;

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const toCode = (value: unknown): number | null => {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
};

/** Code, message and documentation link of an error body, classic or RFC 9457 (or text, or nothing). */
export function parseTwilioErrorBody(
  status: number,
  body: unknown,
): Pick<TwilioFailure, 'code' | 'message' | 'moreInfo'> {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const record = asRecord(parsed);
  const code = toCode(record?.code);
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  // RFC 9457: the title names the problem, the detail says what happened here.
  const rfc = text(record?.title) !== undefined && text(record?.type) !== undefined;
  const message =
    (rfc ? [text(record?.title), text(record?.detail)].filter(Boolean).join(': ') : text(record?.message)) ??
    (typeof body === 'string' && body.trim() && !record
      ? body.trim().slice(0, 300)
      : `Twilio answered HTTP ${status}.`);
  const moreInfo =
    text(record?.more_info) ??
    (rfc && text(record?.type)?.startsWith('http') ? text(record?.type) : undefined) ??
    (code ? moreInfoFor(code) : null);
  return { code, message, moreInfo };
}

/**
 * A failure from an exception twilio-node's typed methods threw (RestException or TwilioServiceException), for
 * callers that use them for reads. Undefined for anything else.
 */
export function failureFromException(error: unknown): TwilioFailure | undefined {
  const record = asRecord(error);
  if (!record || typeof record.status !== 'number') return undefined;
  const code = toCode(record.code);
  const title = typeof record.title === 'string' ? record.title : undefined;
  const detail = typeof record.detail === 'string' ? record.detail : undefined;
  const message = title
    ? [title, detail].filter(Boolean).join(': ')
    : typeof record.message === 'string'
      ? record.message
      : `Twilio answered HTTP ${record.status}.`;
  const moreInfo = typeof record.moreInfo === 'string' ? record.moreInfo : code ? moreInfoFor(code) : null;
  return { kind: 'twilio', status: record.status, code, message, moreInfo, attempts: 1 };
}

/** The admin answer for an error: its HTTP status, body, and headers. */
export type ErrorAnswer = {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
};

/**
 * The admin answer for a Twilio failure. 4xx keep Twilio's status, so the caller knows it is theirs to fix;
 * except 401/403, which say the function's own credentials were refused (answering 401 would tell the caller
 * their admin token was wrong), so they become 502 like Twilio's 5xx. No answer in time: 504; no connection: 502.
 */
export function answerForFailure(failure: TwilioFailure): ErrorAnswer {
  const hint =
    hintFor(failure.code) ??
    (failure.kind === 'timeout'
      ? 'Twilio did not answer within the time budget: the request may still complete; check with sender-status or list-senders before retrying.'
      : failure.kind === 'network'
        ? 'Twilio could not be reached: check the network (and TWILIO_API_BASE_URL, when set) and retry.'
        : failure.status >= 500
          ? 'Twilio had a server error: retry in a few minutes.'
          : null);
  let status: number;
  if (failure.kind === 'timeout') status = 504;
  else if (failure.kind === 'network' || failure.status >= 500 || failure.status === 401 || failure.status === 403)
    status = 502;
  else if (failure.status >= 400) status = failure.status;
  else status = 502;
  const headers =
    failure.status === 429 && failure.retryAfterMs !== undefined
      ? { 'Retry-After': String(Math.ceil(failure.retryAfterMs / 1000)) }
      : undefined;
  const body = errorBody({ code: failure.code, message: failure.message, hint, moreInfo: failure.moreInfo });
  return { status, body, headers };
}
