/** lib/twilio-api (failures.ts, and request.ts's retry timing): both Twilio error bodies read, twilio-node's own exceptions read, one answer shape. */
import fc from 'fast-check';
import RestException from 'twilio/lib/base/RestException';
import TwilioServiceException from 'twilio/lib/base/TwilioServiceException';
import { DEFAULT_RETRY, answerForFailure, backoffDelay, failureFromException, parseRetryAfter, parseTwilioErrorBody, type TwilioFailure } from '../../../lib/twilio-api';
import { TWILIO_ERROR_HINTS } from '../../../lib/twilio-errors';

describe('parseTwilioErrorBody', () => {
  it('reads the classic body {code, message, more_info, status}', () => {
    const body = { code: 63110, message: 'The phone number is already registered', more_info: 'https://www.twilio.com/docs/errors/63110', status: 409 };
    expect(parseTwilioErrorBody(409, body)).toEqual({ code: 63110, message: body.message, moreInfo: body.more_info });
    expect(parseTwilioErrorBody(409, JSON.stringify(body))).toEqual({ code: 63110, message: body.message, moreInfo: body.more_info });
  });

  it('reads an RFC 9457 problem {type, title, status, code, detail}', () => {
    const body = { type: 'https://www.twilio.com/docs/errors/63100', title: 'Validation error', status: 400, code: 63100, detail: "Unknown field 'senderId'" };
    expect(parseTwilioErrorBody(400, body)).toEqual({ code: 63100, message: "Validation error: Unknown field 'senderId'", moreInfo: 'https://www.twilio.com/docs/errors/63100' });
  });

  it('survives text, HTML and empty bodies', () => {
    expect(parseTwilioErrorBody(502, '<html>Bad gateway</html>')).toEqual({ code: null, message: '<html>Bad gateway</html>', moreInfo: null });
    expect(parseTwilioErrorBody(503, undefined)).toEqual({ code: null, message: 'Twilio answered HTTP 503.', moreInfo: null });
    expect(parseTwilioErrorBody(500, { code: '20500' })).toEqual({ code: 20500, message: 'Twilio answered HTTP 500.', moreInfo: 'https://www.twilio.com/docs/errors/20500' });
  });
});

describe('failureFromException (twilio-node typed methods)', () => {
  it('reads a RestException', () => {
    const error = new RestException({ statusCode: 404, body: { code: 20404, message: 'Not found', more_info: 'https://www.twilio.com/docs/errors/20404' } } as never);
    expect(failureFromException(error)).toEqual({ kind: 'twilio', status: 404, code: 20404, message: 'Not found', moreInfo: 'https://www.twilio.com/docs/errors/20404', attempts: 1 });
  });

  it('reads a TwilioServiceException (not a RestException subclass)', () => {
    const error = new TwilioServiceException({ statusCode: 400, body: { type: 'https://www.twilio.com/docs/errors/63100', title: 'Validation error', status: 400, code: 63100, detail: 'bad key' } } as never);
    expect(error).not.toBeInstanceOf(RestException);
    expect(failureFromException(error)).toMatchObject({ status: 400, code: 63100, message: 'Validation error: bad key' });
  });

  it('ignores anything else', () => {
    expect(failureFromException(new Error('boom'))).toBeUndefined();
    expect(failureFromException('boom')).toBeUndefined();
  });
});

describe('answerForFailure', () => {
  const failure = (over: Partial<TwilioFailure>): TwilioFailure => ({ kind: 'twilio', status: 400, code: null, message: 'm', moreInfo: null, attempts: 1, ...over });

  it.each([
    [failure({ status: 400, code: 63100 }), 400],
    [failure({ status: 404, code: 20404 }), 404],
    [failure({ status: 409, code: 63110 }), 409],
    [failure({ status: 429, code: 20429 }), 429],
    [failure({ status: 401, code: 20003 }), 502],
    [failure({ status: 403, code: 20003 }), 502],
    [failure({ status: 500, code: 20500 }), 502],
    [failure({ status: 503 }), 502],
    [failure({ kind: 'timeout', status: 0 }), 504],
    [failure({ kind: 'network', status: 0 }), 502],
  ])('%j -> %i', (f, status) => {
    const answer = answerForFailure(f);
    expect(answer.status).toBe(status);
    expect(Object.keys(answer.body.error)).toEqual(['code', 'message', 'hint', 'more_info']);
    if (f.code) expect(answer.body.error.hint).toBe(TWILIO_ERROR_HINTS[f.code]);
    if (f.kind !== 'twilio' || f.status >= 500) expect(answer.body.error.hint).toEqual(expect.any(String));
  });

  it('passes Retry-After on for a 429', () => {
    expect(answerForFailure(failure({ status: 429, retryAfterMs: 2500 })).headers).toEqual({ 'Retry-After': '3' });
    expect(answerForFailure(failure({ status: 400, retryAfterMs: 2500 })).headers).toBeUndefined();
  });
});

describe('retry timing helpers', () => {
  it('parseRetryAfter reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(0, now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backoffDelay grows exponentially with jitter and never passes the cap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const ceiling = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (n - 1));
        const delay = backoffDelay(n, DEFAULT_RETRY, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});
