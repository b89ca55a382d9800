/**
 * How fast and how much `npm run notify` may send from a number. The sandbox allows one message every 3 s. A
 * registered sender has a messaging limit per 24 hours, which the Senders API shows in
 * `properties.messaging_limit` (e.g. "1K Customers/24hr"); WhatsApp's throughput of a number is far higher
 * (80 messages/s by default), so the default spacing there is only a courtesy, 100 ms.
 */
import { listAllSenders } from '../../lib/senders/api';
import type { TwilioCall } from '../../lib/twilio-api';

export const SANDBOX_INTERVAL_MS = 3000;
export const SENDER_INTERVAL_MS = 100;
/** Sender pages read at most (1,000 a page) to find `from`. */
const MAX_PAGES = 10;

/** "1K Customers/24hr" -> 1000, "10K ..." -> 10000, "100K" -> 100000, "250" -> 250; "Unlimited" -> Infinity. */
export function parseMessagingLimit(text: string): number | undefined {
  if (/unlimited/i.test(text)) return Number.POSITIVE_INFINITY;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KM]?)\b/i.exec(text);
  if (!match) return undefined;
  const unit = { '': 1, K: 1000, M: 1_000_000 }[match[2]!.toUpperCase() as '' | 'K' | 'M'];
  return Math.round(Number(match[1]) * unit);
}

export type SenderLimits =
  | { ok: true; kind: 'sandbox' | 'sender'; intervalMs: number; dailyLimit?: number; limitText?: string }
  | { ok: false; problem: string };

/** The limits of `from`: the sandbox's, or those the Senders API shows for a registered sender of the account. */
export async function senderLimits(call: TwilioCall, from: string, sandboxNumber: string): Promise<SenderLimits> {
  if (from === sandboxNumber) return { ok: true, kind: 'sandbox', intervalMs: SANDBOX_INTERVAL_MS };
  const { senders } = await listAllSenders(call, { maxPages: MAX_PAGES, until: (s) => s.sender_id === from });
  const sender = senders.find((s) => s.sender_id === from);
  if (!sender) {
    const problem = `--from ${from} is neither the sandbox number nor a WhatsApp sender of this account (Senders API)`;
    return { ok: false, problem };
  }
  const limit = sender.properties?.messaging_limit;
  if (sender.status !== 'ONLINE' || typeof limit !== 'string') {
    const problem = `sender ${from} is ${sender.status}, without a messaging limit yet: it must be ONLINE to send`;
    return { ok: false, problem };
  }
  const dailyLimit = parseMessagingLimit(limit);
  if (dailyLimit === undefined) {
    return { ok: false, problem: `sender ${from}: messaging_limit "${limit}" is not a limit this tool can read` };
  }
  return { ok: true, kind: 'sender', intervalMs: SENDER_INTERVAL_MS, dailyLimit, limitText: limit };
}
