/**
 * What a dry run prints: each row's plan (create, look up, poll, skip), per account the least time pacing
 * allows, in words a person reads ("5 min", "1 account"), and which journal the plan comes from.
 */
import type { JournalRecord } from './journal';
import type { BulkRow } from './run';
import { plural, textTable } from './summary';

export type RowAction = 'create' | 'lookup' | 'poll' | 'skip';

const ACTION_TEXT: Record<RowAction, string> = {
  create: 'create',
  lookup: 'look up, then create if missing (a create may have left before a crash)',
  poll: 'poll (created by an earlier run)',
  skip: 'skip (ONLINE in the journal)',
};

/** 300000 -> "5 min", 90000 -> "1.5 min", 20000 -> "20 s", 250 -> "250 ms", 7200000 -> "2 h". */
export function formatDuration(ms: number): string {
  const round = (n: number) => String(Math.round(n * 10) / 10);
  if (ms >= 3_600_000) return `${round(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${round(ms / 60_000)} min`;
  if (ms >= 1000) return `${round(ms / 1000)} s`;
  return `${ms} ms`;
}

/** Each row's action from the journal's records (none: every row is a create). */
export function rowActions(
  rows: readonly BulkRow<unknown>[],
  records: readonly JournalRecord[] | undefined,
): RowAction[] {
  if (!records) return rows.map(() => 'create');
  const done = new Set(records.flatMap((r) => (r.type === 'final' && r.outcome === 'online' ? [r.key] : [])));
  const created = new Set(records.flatMap((r) => (r.type === 'created' ? [r.key] : [])));
  const intended = new Set(records.flatMap((r) => (r.type === 'intent' ? [r.key] : [])));
  return rows.map((row) =>
    done.has(row.key) ? 'skip' : created.has(row.key) ? 'poll' : intended.has(row.key) ? 'lookup' : 'create',
  );
}

export type PlanOptions = { intervalMs: number; concurrency: number; journalPath: string };

export function describePlan(
  rows: readonly BulkRow<unknown>[],
  records: readonly JournalRecord[] | undefined,
  options: PlanOptions,
): string {
  const actions = rowActions(rows, records);
  const perAccount = new Map<string, number>();
  rows.forEach((row, i) => {
    if (actions[i] === 'create' || actions[i] === 'lookup')
      perAccount.set(row.account, (perAccount.get(row.account) ?? 0) + 1);
  });
  const count = (action: RowAction) => actions.filter((a) => a === action).length;
  const accounts = new Set(rows.map((r) => r.account)).size;
  const most = Math.max(0, ...perAccount.values());
  const least = Math.max(0, most - 1) * options.intervalMs;
  const table = textTable(
    ['line', 'sender_id', 'account', 'plan'],
    rows.map((row, i) => [String(row.line), row.senderId, row.account, ACTION_TEXT[actions[i]!]]),
  );
  return [
    `dry run: ${plural(rows.length, 'valid sender')} in ${plural(accounts, 'account')}; ` +
      'nothing sent, no journal written.',
    records
      ? `plan from the journal ${options.journalPath}:`
      : `no journal yet (a real run writes ${options.journalPath}): every sender would be created.`,
    '',
    table,
    '',
    `would create ${count('create')}, look up then create if missing ${count('lookup')}, ` +
      `poll ${count('poll')}, skip ${count('skip')}.`,
    `pacing: ${formatDuration(options.intervalMs)} between creates in one account, ` +
      `${plural(options.concurrency, 'account')} at a time; ` +
      `the busiest account has ${most} to create: at least ${formatDuration(least)}.`,
  ].join('\n');
}
