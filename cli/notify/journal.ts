/**
 * The journal of `npm run notify`: JSON lines through cli/bulk/journal-file.ts (fsync'd, locked). Per row key
 * (recipient + template + variables): an "intent" written before the Messages API call, "sent" after its
 * answer (or after finding the message in the account when the answer was lost), "final" for a row that ended
 * without a send (skipped, refused, failed). A "sent" key is never sent again; an intent without "sent" is
 * reconciled through the Messages list before anything is sent for it.
 */
import { createHash } from 'node:crypto';
import * as z from '../../lib/zod';
import { openJournalFile } from '../bulk/journal-file';

export const OUTCOMES = [
  'sent',
  'skipped-opted-out',
  'skipped-no-consent',
  'refused',
  'failed',
  'not-sent-limit',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const recordSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run'),
    input: z.string(),
    template: z.string(),
    from: z.string(),
    pid: z.number(),
    at: z.string(),
  }),
  z.object({ type: z.literal('intent'), key: z.string(), line: z.number(), to: z.string(), at: z.string() }),
  z.object({
    type: z.literal('sent'),
    key: z.string(),
    sid: z.string(),
    via: z.enum(['create', 'lookup']),
    at: z.string(),
  }),
  z.object({
    type: z.literal('final'),
    key: z.string(),
    outcome: z.enum(OUTCOMES),
    code: z.optional(z.nullable(z.number())),
    message: z.optional(z.string()),
    at: z.string(),
  }),
]);
export type NotifyRecord = z.infer<typeof recordSchema>;
type Without<R, K extends keyof R> = R extends unknown ? Omit<R, K> : never;

export type RowState = { intentAt?: string; sid?: string; final?: Extract<NotifyRecord, { type: 'final' }> };

export type NotifyJournal = {
  path: string;
  state(key: string): RowState;
  /** Times (ms) of the sends this journal knows of: pacing and the 24-hour limit hold across a restart. */
  sendTimes(): number[];
  append(record: Without<NotifyRecord, 'at'>): Promise<void>;
  close(): Promise<void>;
};

/** The identity of one notification: the same recipient, template and values is the same message. */
export function rowKey(to: string, template: string, contentVariables: string): string {
  const digest = createHash('sha256').update(contentVariables).digest('hex').slice(0, 16);
  return `${to}|${template}|${digest}`;
}

export async function openNotifyJournal(path: string, onWarning: (m: string) => void): Promise<NotifyJournal> {
  const states = new Map<string, RowState>();
  const times: number[] = [];
  const apply = (r: NotifyRecord) => {
    if (r.type === 'run') return;
    const s = states.get(r.key) ?? {};
    states.set(r.key, s);
    if (r.type === 'intent') {
      s.intentAt = r.at;
      s.final = undefined;
      times.push(Date.parse(r.at));
    } else if (r.type === 'sent') {
      s.sid = r.sid;
      times.push(Date.parse(r.at));
    } else s.final = r;
  };
  const file = await openJournalFile(path, recordSchema, { onWarning, onWritten: apply });
  file.records.forEach(apply);
  return {
    path,
    state: (key) => ({ ...(states.get(key) ?? {}) }),
    sendTimes: () => [...times],
    append: (record) => file.append({ ...record, at: new Date().toISOString() } as NotifyRecord),
    close: () => file.close(),
  };
}
