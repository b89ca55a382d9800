/**
 * One inbound message against the conversation store: the bot's decided reply (lib/bot.ts) becomes the messages
 * to answer, with the session updated, a consent keyword recorded, and side effects (the location message, the
 * menu template: Messages API sends) done once per message however often Twilio delivers the webhook.
 *
 * Sync calls: one read, one conditional write (a conflict with a concurrent delivery re-reads and re-applies;
 * a failed send withdraws its claim with one more write). A retried delivery answers from the read alone. When the
 * container remembers the user (cache.ts), the write alone: a stale copy fails it, and the store reads afresh.
 * When Sync fails (slow, 429, 5xx, unreachable, unreadable data) the user still gets an answer: replies never
 * wait on state, consent replies say the change was not recorded, and one log line names the Twilio code.
 */
import type { BotReply } from '../bot';
import type { InboundMessage } from '../inbound';
import type { OutboundMessage } from '../twiml';
import { hintFor } from '../twilio-errors';
import {
  applyInbound,
  contactDocumentName,
  emptyRecord,
  findHandled,
  releaseEffect,
  type ContactKey,
  type DeliveryId,
  type HandledMessage,
} from './record';
import { isTwilioApiError } from '../twilio-api';
import { readContact, updateContact, type ContactRead, type ContactStore } from './sync';

export type InboundDeps = {
  /** Undefined when no store is configured (no credentials): the bot answers statelessly. */
  store?: ContactStore;
  accountSid: string;
  /** Makes a reply's Messages API send; resolves the message SID, or undefined when it failed (logged). */
  send(reply: SendReply): Promise<string | undefined>;
  log(record: Record<string, unknown>): void;
  now(): Date;
  /** Extra time for withdrawing a failed claim after the send, if the webhook's budget still has it. */
  releaseDeadline(): number;
};

/** The replies that send through the Messages API before answering: their send is a side effect, done once. */
export type SendReply = Extract<BotReply, { kind: 'send-location' | 'send-menu' }>;

/** The claim a send is recorded under in `handled`. */
const EFFECTS = { 'send-location': 'location', 'send-menu': 'menu' } as const satisfies Record<
  SendReply['kind'],
  HandledMessage['effect']
>;

export type InboundOutcome = {
  messages: OutboundMessage[];
  /** `stored`: state read and written; `replayed`: a retried delivery, answered as before; `degraded`: Sync failed. */
  state: 'stored' | 'replayed' | 'degraded' | 'stateless';
};

/** The one log line of a Sync failure: stage, Twilio code and hint, never data or numbers. */
function logSyncFailure(deps: InboundDeps, stage: string, error: unknown): void {
  const failure = isTwilioApiError(error) ? error.failure : undefined;
  deps.log({
    level: 'warn',
    event: 'conversation.unavailable',
    stage,
    kind: failure?.kind ?? 'error',
    httpStatus: failure?.status,
    twilioCode: failure?.code ?? undefined,
    hint: (failure?.code ? hintFor(failure.code) : undefined) ?? 'The bot answered without the conversation store.',
    ...(failure ? {} : { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  });
}

async function sendOnce(reply: SendReply, deps: InboundDeps): Promise<{ sid?: string; messages: OutboundMessage[] }> {
  const sid = await deps.send(reply);
  return { sid, messages: sid ? reply.onSent : reply.onFailure };
}

/**
 * The answer without state when it needs no I/O (everything but a send): consent not recorded. The webhook
 * answers these in the same tick when no store is configured.
 */
export function statelessAnswer(reply: BotReply): OutboundMessage[] | undefined {
  if (reply.kind === 'messages') return reply.messages;
  if (reply.kind === 'consent') return reply.onFailure;
  return undefined;
}

/** The answer without state (no store, or Sync failed): consent not recorded, sends made regardless. */
async function withoutState(reply: BotReply, deps: InboundDeps): Promise<OutboundMessage[]> {
  return statelessAnswer(reply) ?? (await sendOnce(reply as SendReply, deps)).messages;
}

/** The answer to a delivery already handled: what the first one answered, with no side effect repeated. */
function replayed(reply: BotReply, previous: HandledMessage): OutboundMessage[] {
  if (reply.kind === 'messages') return reply.messages;
  if (reply.kind === 'consent') return reply.onRecorded;
  return previous.effect === EFFECTS[reply.kind] ? reply.onSent : reply.onFailure;
}

/** Handles one inbound message. Never throws: every failure of the store becomes an answer and a log line. */
export async function handleInbound(
  message: InboundMessage,
  id: DeliveryId,
  reply: BotReply,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const { store } = deps;
  if (!store) return { messages: await withoutState(reply, deps), state: 'stateless' };
  const key: ContactKey = { accountSid: deps.accountSid, address: message.from };
  const name = contactDocumentName(key);

  // A user's next message in this container starts from the copy its last one left (one Sync call: the write).
  const remembered = store.cache?.get(name);
  let initial: ContactRead;
  try {
    initial = remembered ?? (await readContact(store, key));
  } catch (error) {
    logSyncFailure(deps, 'read', error);
    return { messages: await withoutState(reply, deps), state: 'degraded' };
  }
  const previous = findHandled(initial.record, id);
  if (previous) {
    store.cache?.set(name, initial);
    return { messages: replayed(reply, previous), state: 'replayed' };
  }

  const effect = reply.kind === 'send-location' || reply.kind === 'send-menu' ? EFFECTS[reply.kind] : undefined;
  const consent = reply.kind === 'consent' ? { status: reply.status, keyword: reply.keyword } : undefined;
  let concurrent: HandledMessage | undefined;
  try {
    const result = await updateContact(
      store,
      key,
      (current) => {
        // A concurrent delivery of the same message got there first: answer as it did.
        concurrent = findHandled(current, id);
        if (concurrent) return undefined;
        return applyInbound(current ?? emptyRecord(key), { bot: message.to, id, at: deps.now(), consent, effect });
      },
      { initial, remembered: remembered !== undefined },
    );
    store.cache?.set(name, result);
    if (!result.wrote && concurrent) return { messages: replayed(reply, concurrent), state: 'replayed' };
  } catch (error) {
    store.cache?.delete(name);
    logSyncFailure(deps, 'write', error);
    return { messages: await withoutState(reply, deps), state: 'degraded' };
  }

  if (reply.kind === 'messages') return { messages: reply.messages, state: 'stored' };
  if (reply.kind === 'consent') return { messages: reply.onRecorded, state: 'stored' };
  const sent = await sendOnce(reply, deps);
  if (!sent.sid) {
    // Withdraw the claim so a retried delivery may try again; if this fails, the retry answers as if sent.
    try {
      const released = await updateContact({ ...store, deadline: deps.releaseDeadline() }, key, (current) =>
        current ? releaseEffect(current, id) : undefined,
      );
      store.cache?.set(name, released);
    } catch (error) {
      store.cache?.delete(name);
      logSyncFailure(deps, 'release', error);
    }
  }
  return { messages: sent.messages, state: 'stored' };
}
