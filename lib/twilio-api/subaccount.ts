/**
 * Acting on a subaccount with the parent's credentials. The v2 APIs (Senders, Content) have no account in their
 * path; they act on the account whose credentials sign the request, and twilio-node's `accountSid` client option
 * only rewrites 2010-04-01 paths. So the way in is the 2010 Accounts resource, which the parent may read for its
 * subaccounts: it answers the subaccount's auth token, and requests are then signed as the subaccount.
 */
import { TwilioApiError } from './failures';
import { twilioRequest, type BasicAuth, type TwilioCall } from './request';

const ACCOUNTS_URL = 'https://api.twilio.com/2010-04-01/Accounts';

/**
 * Credentials to act on `accountSid` when the client holds its parent's: reads the subaccount through the
 * 2010 Accounts resource (allowed to the parent) for its auth token. Undefined when `accountSid` is the
 * client's own account. Twilio answers 404 (20404) for an account that is not a subaccount of the parent.
 * The token is a secret: keep it in memory for the call, never log or answer it.
 */
export async function subaccountAuth(
  call: TwilioCall,
  accountSid: string | undefined,
  parentSid: string,
): Promise<BasicAuth | undefined> {
  if (!accountSid || accountSid === parentSid) return undefined;
  const { body } = await twilioRequest(
    { ...call, auth: undefined },
    'get',
    `${ACCOUNTS_URL}/${encodeURIComponent(accountSid)}.json`,
  );
  const account = (body ?? {}) as { auth_token?: unknown; status?: unknown };
  if (typeof account.auth_token !== 'string' || !account.auth_token) {
    throw new TwilioApiError({
      kind: 'twilio',
      status: 502,
      code: null,
      message: `Twilio did not answer the credentials of subaccount ${accountSid}.`,
      moreInfo: null,
      attempts: 1,
    });
  }
  if (typeof account.status === 'string' && account.status !== 'active') {
    throw new TwilioApiError({
      kind: 'twilio',
      status: 409,
      code: null,
      message: `Subaccount ${accountSid} is ${account.status}, not active.`,
      moreInfo: null,
      attempts: 1,
    });
  }
  return { username: accountSid, password: account.auth_token };
}
