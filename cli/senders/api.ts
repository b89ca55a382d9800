/**
 * The bulk run's three Senders API calls, made with lib/senders (the wire calls the admin routes use) and the
 * parent account's client; a row's account_sid is acted on through lib/twilio-api's subaccountAuth. Failures come
 * back as values, so one sender's error never stops the others.
 */
import { createSender, fetchSender, listAllSenders } from '../../lib/senders/api';
import { isTwilioApiError, subaccountAuth, type BasicAuth, type TwilioCall } from '../../lib/twilio-api';
import type { SenderCreateBody } from '../../lib/senders/wire';
import { createTwilioClient, type TwilioCredentials } from '../../lib/twilio-client';
import type { JournalError } from './journal';
import { commandCall } from '../twilio-call';
import type { ApiResult, BulkApi, SenderSnapshot } from './run';

/** Pages the lookup reads at most (1,000 senders a page). */
const MAX_PAGES = 100;

function failureOf(error: unknown): JournalError {
  if (isTwilioApiError(error)) {
    const { status, code, message } = error.failure;
    return { ...(status ? { status } : {}), ...(code ? { code } : {}), message };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

async function attempt<T>(work: () => Promise<T>): Promise<ApiResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: failureOf(error) };
  }
}

export function createBulkApi(credentials: TwilioCredentials): BulkApi<SenderCreateBody> {
  const client = createTwilioClient({ timeoutMs: 30_000, ...credentials });
  const auths = new Map<string, Promise<BasicAuth | undefined>>();

  /** Credentials for an account, read once per run (a failed read is tried again on the next call). */
  const authFor = (account: string): Promise<BasicAuth | undefined> => {
    let auth = auths.get(account);
    if (!auth) {
      auth = subaccountAuth(callFor(undefined), account, credentials.accountSid);
      auths.set(account, auth);
      auth.catch(() => auths.delete(account));
    }
    return auth;
  };
  const callFor = (auth: BasicAuth | undefined): TwilioCall => commandCall(client, auth);
  const asAccount = async (account: string) => callFor(await authFor(account));

  return {
    create: (account, body) =>
      attempt(async () => (await createSender(await asAccount(account), body)) as SenderSnapshot),
    fetch: (account, sid) => attempt(async () => (await fetchSender(await asAccount(account), sid)) as SenderSnapshot),
    list: (account) =>
      attempt(async () => {
        const { senders, complete } = await listAllSenders(await asAccount(account), { maxPages: MAX_PAGES });
        if (!complete)
          throw new Error(`the account has more than ${MAX_PAGES * 1000} senders; stopped reading its list`);
        return senders as SenderSnapshot[];
      }),
  };
}
