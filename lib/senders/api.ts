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
import { TwilioApiError } from '../twilio-api/failures';
import { DEFAULT_RETRY, twilioRequest, type TwilioCall } from '../twilio-api/request';
import { TwilioErrorCode } from '../twilio-errors';
import type { Sender, SenderCreateBody, SenderUpdateBody } from './wire';
import { senderStatusFacts } from './status';

export const SENDERS_URL = 'https://messaging.twilio.com/v2/Channels/Senders';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const senderUrl = (sid: string) => `${SENDERS_URL}/${encodeURIComponent(sid)}`;

/** POST /v2/Channels/Senders (202 CREATING). */
export async function createSender(call: TwilioCall, body: SenderCreateBody): Promise<Sender> {
  return (await twilioRequest(call, 'post', SENDERS_URL, body)).body as Sender;
}

/** GET /v2/Channels/Senders/{sid}. */
export async function fetchSender(call: TwilioCall, sid: string): Promise<Sender> {
  return (await twilioRequest(call, 'get', senderUrl(sid))).body as Sender;
}

/** POST /v2/Channels/Senders/{sid} (202): profile, webhook, configuration, or the OTP as configuration.verification_code. */
export async function updateSender(call: TwilioCall, sid: string, body: SenderUpdateBody): Promise<Sender> {
  return (await twilioRequest(call, 'post', senderUrl(sid), body)).body as Sender;
}

/** Submits the one-time code the number received (an update with `configuration.verification_code`). */
export async function verifySender(call: TwilioCall, sid: string, code: string): Promise<Sender> {
  return updateSender(call, sid, { configuration: { verification_code: code } });
}

/** DELETE /v2/Channels/Senders/{sid} (204). */
export async function deleteSender(call: TwilioCall, sid: string): Promise<void> {
  await twilioRequest(call, 'delete', senderUrl(sid));
}

export type SenderPage = {
  senders: Sender[];
  /** Pass back as `pageToken` for the next page; null on the last page. */
  nextPageToken: string | null;
  meta: Record<string, unknown>;
};

/** GET /v2/Channels/Senders?Channel=whatsapp: one page (PageSize 1..1000). */
export async function listSenders(
  call: TwilioCall,
  options: { pageSize?: number; pageToken?: string } = {},
): Promise<SenderPage> {
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

/**
 * The account's senders, page after page (1,000 a page), up to `maxPages` pages or until a page holds a
 * sender `until` is looking for. `complete` is false when pages were left unread.
 */
export async function listAllSenders(
  call: TwilioCall,
  options: { maxPages: number; until?: (sender: Sender) => boolean },
): Promise<{ senders: Sender[]; complete: boolean }> {
  const senders: Sender[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < options.maxPages; page++) {
    const result = await listSenders(call, { pageSize: 1000, pageToken });
    senders.push(...result.senders);
    if (!result.nextPageToken || (options.until && result.senders.some(options.until)))
      return { senders, complete: true };
    pageToken = result.nextPageToken;
  }
  return { senders, complete: false };
}

/** The account's sender with this `whatsapp:+E164` sender_id, looking through every page. */
export async function findSenderBySenderId(
  call: TwilioCall,
  senderId: string,
  maxPages = 20,
): Promise<Sender | undefined> {
  const isIt = (sender: Sender) => sender.sender_id === senderId;
  return (await listAllSenders(call, { maxPages, until: isIt })).senders.find(isIt);
}

/**
 * Registers a sender once: when the account already has a sender with this sender_id, answers it
 * (`created: false`) instead of creating another. When the create answers 63110 (number already registered)
 * and the sender then turns out to be this account's, `created` says whether this call made it: true when an
 * earlier attempt of this create ended without an answer Twilio vouches for (a 5xx or a dropped connection,
 * retried): Twilio carried it out and the answer was lost, since the sender was not there when this call
 * looked. Otherwise another request created it in between (`created: false`).
 */
export async function registerSender(
  call: TwilioCall,
  body: SenderCreateBody,
): Promise<{ created: boolean; sender: Sender }> {
  const existing = await findSenderBySenderId(call, body.sender_id);
  if (existing) return { created: false, sender: existing };
  let answerLost = false;
  const create: TwilioCall = {
    ...call,
    trace: (attempt) => {
      // A 429 is a refusal before any work; a 5xx or no answer at all may come after the sender was made.
      if (attempt.status === 0 || attempt.status >= 500) answerLost = true;
      call.trace?.(attempt);
    },
  };
  try {
    return { created: true, sender: await createSender(create, body) };
  } catch (error) {
    if (error instanceof TwilioApiError && error.failure.code === TwilioErrorCode.NUMBER_ALREADY_ON_WHATSAPP) {
      const again = await findSenderBySenderId(call, body.sender_id).catch(() => undefined);
      if (again) return { created: answerLost, sender: again };
    }
    throw error;
  }
}

/**
 * Fetches the sender, and while its status is transient (CREATING, VERIFYING) polls again (250 ms, doubling to
 * 2 s) as long as a poll still fits before the deadline. `settled` is false when the budget ran out first.
 */
export async function waitForSender(
  call: TwilioCall,
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
