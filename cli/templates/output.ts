/** What `npm run templates` prints: one row per template, and the variable the bot's menu needs. */
import { MENU_TEMPLATE_NAME } from '../../lib/templates';
import { textTable } from '../senders/summary';
import type { SyncRow } from './sync';

function approvalText(row: SyncRow): string {
  return row.rejectionReason ? `rejected: ${row.rejectionReason}` : row.approval;
}

/** The menu template's SID, once the account has it. */
export const menuSidOf = (rows: readonly SyncRow[]) => rows.find((r) => r.name === MENU_TEMPLATE_NAME && r.sid)?.sid;

export function rowsText(rows: readonly SyncRow[], dryRun: boolean): string {
  const table = textTable(
    ['name', 'sid', 'type', 'approval', 'action', 'note'],
    rows.map((r) => [
      r.name,
      r.sid ?? '-',
      r.type,
      approvalText(r),
      r.action,
      [r.deleted.length ? `deleted ${r.deleted.join(', ')}` : '', r.error ?? ''].filter(Boolean).join('; '),
    ]),
  );
  const out = [table];
  const menuSid = menuSidOf(rows);
  if (menuSid) {
    out.push(
      '',
      `The bot's menu answers with buttons once MENU_CONTENT_SID is set (in .env, and the deployed service):`,
      `MENU_CONTENT_SID=${menuSid}`,
    );
  }
  if (dryRun) out.push('', 'dry run: nothing was created, submitted or deleted.');
  return out.join('\n');
}

export const rowsJson = (rows: readonly SyncRow[], dryRun: boolean) =>
  JSON.stringify({ dryRun, menuContentSid: menuSidOf(rows) ?? null, templates: rows }, null, 2);
