/** What `npm run notify` shows: a line (or a bar on a terminal) per row, and the summary table at the end. */
import { SingleBar } from 'cli-progress';
import { hintFor } from '../../lib/twilio-errors';
import { textTable } from '../senders/summary';
import { OUTCOMES, type Outcome } from './journal';
import type { RowReport } from './run';

export function createRowProgress(total: number, stream: NodeJS.WriteStream = process.stderr) {
  let done = 0;
  if (stream.isTTY) {
    const format = 'notify [{bar}] {value}/{total} | {last} | {duration_formatted}';
    const bar = new SingleBar({ stream, format, hideCursor: true });
    bar.start(total, 0, { last: '-' });
    return {
      onReport: (r: RowReport) => bar.update(++done, { last: `${r.to} ${r.outcome}` }),
      stop: () => bar.stop(),
    };
  }
  return {
    onReport: (r: RowReport) =>
      stream.write(`[${++done}/${total}] ${r.outcome.padEnd(18)} ${r.to} ${r.sid ?? r.code ?? ''}\n`),
    stop: () => undefined,
  };
}

export function countOutcomes(reports: readonly RowReport[]): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, reports.filter((r) => r.outcome === o).length])) as Record<
    Outcome,
    number
  >;
}

export function summaryText(reports: readonly RowReport[], journalPath: string): string {
  const rows = reports.map((r) => {
    const hint = r.code ? hintFor(r.code) : undefined;
    const detail = [r.code ?? '', r.outcome === 'sent' ? '' : (r.message ?? ''), hint ? `(${hint})` : '']
      .filter(Boolean)
      .join(' ');
    return [String(r.line), r.to, r.outcome, r.sid ?? '', r.via ?? '', detail];
  });
  const c = countOutcomes(reports);
  const out = [
    textTable(['line', 'to', 'outcome', 'sid', 'via', 'detail'], rows),
    '',
    `${reports.length} rows: ${OUTCOMES.map((o) => `${c[o]} ${o}`).join(', ')}.`,
  ];
  if (c.failed || c.refused || c['not-sent-limit']) {
    out.push(`Rerun the same command to retry the others: the journal (${journalPath}) never sends a row twice.`);
  }
  return out.join('\n');
}

export const summaryJson = (reports: readonly RowReport[], journalPath: string): string =>
  JSON.stringify({ counts: countOutcomes(reports), journal: journalPath, rows: reports }, null, 2);
