/** The end of a bulk run: one table row per sender, the counts, and what to do next. */
import { hintFor } from '../../lib/twilio-errors';
import type { RowReport } from './run';

const OUTCOME_TEXT = { online: 'ONLINE', 'awaiting-otp': 'WAITING FOR OTP', failed: 'FAILED', timeout: 'TIMED OUT' } as const;

function errorText(report: RowReport): string {
  if (!report.error) return '';
  const { code, message } = report.error;
  const hint = hintFor(code);
  return [code ? `${code}` : '', message, hint ? `(${hint})` : ''].filter(Boolean).join(' ');
}

/** "1 account", "2 accounts". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Lays out rows as aligned text columns. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function summaryCounts(reports: readonly RowReport[]) {
  const count = (outcome: RowReport['outcome']) => reports.filter((r) => r.outcome === outcome).length;
  return { total: reports.length, online: count('online'), awaitingOtp: count('awaiting-otp'), failed: count('failed'), timedOut: count('timeout') };
}

/** The summary as text: table, counts, next steps. */
export function summaryText(reports: readonly RowReport[], journalPath: string, parentAccount?: string): string {
  const rows = reports.map((r) => [String(r.line), r.senderId, r.account, r.sid ?? '', r.status ?? '', OUTCOME_TEXT[r.outcome], errorText(r)]);
  const c = summaryCounts(reports);
  const out = [
    textTable(['line', 'sender_id', 'account', 'sid', 'status', 'result', 'error'], rows),
    '',
    `${plural(c.total, 'sender')}: ${c.online} online, ${c.awaitingOtp} waiting for an OTP, ` +
      `${c.failed} failed, ${c.timedOut} timed out.`,
  ];
  if (c.awaitingOtp) {
    // A subaccount's sender answers 404 to a verify-sender call without its account_sid.
    const sub = reports.some((r) => r.outcome === 'awaiting-otp' && r.account !== parentAccount);
    const body = sub
      ? '{"sid", "code", "account_sid"} (account_sid: the row\'s account, for a subaccount)'
      : '{"sid", "code"}';
    out.push(
      `Waiting for an OTP: send the code each number received to POST /admin/verify-sender ${body}, ` +
        'then rerun to see them ONLINE.',
    );
  }
  if (c.failed || c.timedOut) {
    out.push(`Rerun the same command to retry the others: the journal (${journalPath}) skips senders already ONLINE and never registers one twice.`);
  }
  return out.join('\n');
}

/** The summary as JSON (`--json`). */
export function summaryJson(reports: readonly RowReport[], journalPath: string): string {
  return JSON.stringify({ counts: summaryCounts(reports), journal: journalPath, senders: reports }, null, 2);
}
