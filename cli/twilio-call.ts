/**
 * How a command calls Twilio. A command is not bounded by a Function's 10 s: each call gets a minute and more
 * retries, so a burst of 429s or a Twilio hiccup is ridden out instead of failing the row.
 */
import type { BasicAuth, RetryPolicy, TwilioCall, TwilioRequester } from '../lib/twilio-api';

const CALL_BUDGET_MS = 60_000;
const RETRY: Partial<RetryPolicy> = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };

/** A call starting now, as the account of `client` or, with `auth`, as a subaccount. */
export function commandCall(client: TwilioRequester, auth?: BasicAuth): TwilioCall {
  return { client, deadline: Date.now() + CALL_BUDGET_MS, retry: RETRY, ...(auth ? { auth } : {}) };
}
