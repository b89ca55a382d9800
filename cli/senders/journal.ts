/**
 * The journal of a bulk run: an append-only JSON-lines file, each record fsync'd before the tool acts on it.
 * An "intent" is written before a create request and "created" after it, so after a crash anywhere the next
 * run knows which senders may exist already (intent without result: look them up before creating again).
 * The file itself (fsync, torn last line, the lock) is cli/bulk/journal-file.ts.
 */
import * as z from '../../lib/zod';
import { openJournalFile, parseJournalText } from '../bulk/journal-file';

const apiError = z.object({
  status: z.optional(z.number()),
  code: z.optional(z.number()),
  message: z.string(),
});
export type JournalError = z.infer<typeof apiError>;

/** How a sender ended (for this run): the summary and the exit code come from it. */
export const OUTCOMES = ['online', 'awaiting-otp', 'failed', 'timeout'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const recordSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), input: z.string(), pid: z.number(), at: z.string() }),
  z.object({
    type: z.literal('intent'),
    key: z.string(),
    account: z.string(),
    sender_id: z.string(),
    line: z.number(),
    /** When the create request is sent (ISO): written ahead, so the fsync overlaps the pacing wait. */
    send_at: z.string(),
    at: z.string(),
  }),
  z.object({
    type: z.literal('created'),
    key: z.string(),
    sid: z.string(),
    status: z.string(),
    /** "create": our request's answer; "lookup": found in the account's list (a create whose answer was lost). */
    via: z.enum(['create', 'lookup']),
    at: z.string(),
  }),
  z.object({
    type: z.literal('final'),
    key: z.string(),
    sid: z.optional(z.string()),
    status: z.optional(z.string()),
    outcome: z.enum(OUTCOMES),
    error: z.optional(apiError),
    at: z.string(),
  }),
]);
export type JournalRecord = z.infer<typeof recordSchema>;
type Without<R, K extends keyof R> = R extends unknown ? Omit<R, K> : never;
export type NewRecord = Without<JournalRecord, 'at'>;

/** What the journal knows of one sender (account + sender_id). */
export type SenderState = {
  intents: number;
  sid?: string;
  status?: string;
  final?: Extract<JournalRecord, { type: 'final' }>;
};

export type Journal = {
  path: string;
  /** Records read at open (for tests and reports). */
  readonly records: readonly JournalRecord[];
  state(key: string): SenderState;
  /** When this account's last create was answered (or was to be sent), ms since epoch: pacing holds across a restart. */
  lastCreateAt(account: string): number | undefined;
  /** Appends one record and waits until it is on disk. Writes are serialized. */
  append(record: NewRecord): Promise<void>;
  close(): Promise<void>;
};

/** `account|sender_id`, the identity of a sender in the journal. */
export const senderKey = (account: string, senderId: string): string => `${account}|${senderId}`;
const accountOfKey = (key: string): string => key.slice(0, key.lastIndexOf('|'));

/** Reads a journal's text (a torn last line dropped, see parseJournalText). */
export const parseJournal = (text: string): { records: JournalRecord[]; tornBytes: number } =>
  parseJournalText(text, recordSchema);

function fold(records: readonly JournalRecord[]) {
  const states = new Map<string, SenderState>();
  const lastCreate = new Map<string, number>();
  const get = (key: string) => {
    let s = states.get(key);
    if (!s) states.set(key, (s = { intents: 0 }));
    return s;
  };
  const apply = (r: JournalRecord) => {
    if (r.type === 'run') return;
    const s = get(r.key);
    const at = Date.parse(r.at);
    switch (r.type) {
      case 'intent': {
        const sendAt = Date.parse(r.send_at);
        s.intents += 1;
        lastCreate.set(r.account, Math.max(lastCreate.get(r.account) ?? 0, sendAt));
        break;
      }
      case 'created':
        s.sid = r.sid;
        s.status = r.status;
        // Written once the create was answered: the pacing of the next create counts from here.
        if (r.via === 'create')
          lastCreate.set(accountOfKey(r.key), Math.max(lastCreate.get(accountOfKey(r.key)) ?? 0, at));
        break;
      case 'final':
        s.final = r;
        if (r.sid) s.sid = r.sid;
        if (r.status) s.status = r.status;
        break;
    }
  };
  records.forEach(apply);
  return { states, lastCreate, apply };
}

/** Reads the journal (if any), repairs a torn last line, takes the lock and opens it for appending. */
export async function openJournal(
  path: string,
  onWarning: (message: string) => void = () => undefined,
): Promise<Journal> {
  let apply: (record: JournalRecord) => void = () => undefined;
  const file = await openJournalFile(path, recordSchema, { onWarning, onWritten: (r) => apply(r) });
  const folded = fold(file.records);
  apply = folded.apply;
  const { states, lastCreate } = folded;
  return {
    path,
    records: file.records,
    state: (key) => ({ ...(states.get(key) ?? { intents: 0 }) }),
    lastCreateAt: (account) => lastCreate.get(account),
    append: (record) => file.append({ ...record, at: new Date().toISOString() } as JournalRecord),
    close: () => file.close(),
  };
}
