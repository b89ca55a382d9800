/**
 * The emulator's conversation endpoints, over HTTP, as `npm run chat` and the tests use them: deliver a user's
 * message (POST /__emulator/inbound), read a conversation, wait for its statuses to settle, move the clock.
 */
import type { ConversationEntry, Delivery } from '../../dev/emulator/conversation';

export type InboundAnswer = { message: ConversationEntry; delivery: Delivery; replies: ConversationEntry[] };
export type SessionWindow = { bot: string; lastInbound: string | null; open: boolean; closesAt: string | null };
export type Conversation = {
  user: string;
  now: string;
  joinedSandbox: boolean;
  windows: SessionWindow[];
  messages: ConversationEntry[];
};
export type { ConversationEntry };

export class EmulatorCallError extends Error {}

async function call<T>(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/__emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new EmulatorCallError(`emulator ${method} /__emulator/${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Delivers a user's message to the functions and resolves once they answered (or the delivery failed). */
export const sendInbound = (baseUrl: string, message: Record<string, unknown>) =>
  call<InboundAnswer>(baseUrl, 'POST', 'inbound', message);

export const configureEmulator = (baseUrl: string, config: Record<string, unknown>) =>
  call<Record<string, unknown>>(baseUrl, 'POST', 'config', config);

export const readConfig = (baseUrl: string) => call<Record<string, unknown>>(baseUrl, 'GET', 'config');

export const advanceClock = (baseUrl: string, advance: string) =>
  call<{ now: string; offsetMs: number }>(baseUrl, 'POST', 'clock', { advance });

export const conversationOf = (baseUrl: string, user: string) =>
  call<Conversation>(baseUrl, 'GET', `conversations?user=${encodeURIComponent(user)}`);

/**
 * The conversation once every message is settled (final status reported, callbacks answered), or as it is
 * after `timeoutMs` when `strict` is false; with `strict` it rejects then, showing the conversation.
 */
export async function settledConversation(
  baseUrl: string,
  user: string,
  options: { timeoutMs?: number; strict?: boolean } = {},
): Promise<Conversation> {
  const { timeoutMs = 10_000, strict = true } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const conversation = await conversationOf(baseUrl, user);
    if (conversation.messages.every((m) => m.settled)) return conversation;
    if (Date.now() > deadline) {
      if (!strict) return conversation;
      throw new EmulatorCallError(
        `conversation did not settle in ${timeoutMs} ms:\n${JSON.stringify(conversation, null, 1)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
