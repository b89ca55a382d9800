/**
 * The recipients file of `npm run notify`: CSV with a header row, a `to` column (a WhatsApp address or a number
 * written any human way) and optionally one column per template variable (`1`, `2` ... or `var_1`), whose cell
 * wins over --var. Every row is checked (zod for `to`, fillVariables for the values) before anything is sent;
 * each problem names its line and field.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { senderIdSchema } from '../../lib/senders/fields';
import { fillVariables, type ContentTypes } from '../../lib/templates';
import { describeZodError } from '../../lib/validation';
import * as z from '../../lib/zod';
import type { RowProblem } from '../senders/input';
import { rowKey } from './journal';

export type NotifyRow = {
  line: number;
  to: string;
  key: string;
  /** ContentVariables (JSON text). */
  contentVariables: string;
  /** The body WhatsApp shows, values in place (to recognise the message in the account's list). */
  body: string | undefined;
};

const variableOf = (column: string) => column.replace(/^var[_.]/i, '');

export function validateRecipients(
  text: Buffer | string,
  template: { name: string; types: ContentTypes; variables: readonly string[] },
  flagVariables: Record<string, string>,
): { rows: NotifyRow[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    const options = { bom: true, info: true, skip_empty_lines: true, trim: true, relax_column_count: true } as const;
    records = parseCsv(text, options) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { rows: [], problems: [{ line: e.lines ?? 1, field: '(csv)', message: e.message }] };
  }
  const [header, ...body] = records;
  if (!header) {
    const expected = 'a header row with a to column';
    return { rows: [], problems: [{ line: 1, field: '(csv)', message: 'the file is empty', expected }] };
  }
  const columns = header.record.map((c) => c.trim());
  const known = ['to', ...template.variables];
  columns.forEach((column, i) => {
    const name = column.toLowerCase() === 'to' ? 'to' : variableOf(column);
    if (!known.includes(name)) {
      const has = template.variables.join(', ') || 'none';
      const message = `unknown column (template "${template.name}" has variables ${has})`;
      problems.push({ line: 1, field: column || `(column ${i + 1})`, message, expected: known.join(', ') });
    }
  });
  if (!columns.some((c) => c.toLowerCase() === 'to')) {
    problems.push({ line: 1, field: 'to', message: 'no to column', expected: 'a to column' });
  }
  if (problems.length) return { rows: [], problems };
  const rows: NotifyRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    if (record.length !== columns.length) {
      problems.push({ line, field: '(row)', message: `${record.length} cells, the header has ${columns.length}` });
      continue;
    }
    const nameOf = (c: string) => (c.toLowerCase() === 'to' ? 'to' : variableOf(c));
    const cells = Object.fromEntries(columns.map((c, i) => [nameOf(c), record[i]!]));
    const to = z.safeParse(senderIdSchema, cells.to ?? '');
    if (!to.success) {
      const found = describeZodError(to.error);
      problems.push(...found.map((p) => ({ line, field: 'to', message: p.message, expected: p.expected })));
      continue;
    }
    const values: Record<string, string> = { ...flagVariables };
    for (const name of template.variables) if (cells[name]) values[name] = cells[name];
    const filled = fillVariables({ types: template.types }, values);
    if (!filled.ok) {
      for (const p of filled.problems) {
        const name = p.field.slice('variables.'.length);
        const expected = p.rule === 'missing-variable' ? `a ${name} column or --var ${name}=...` : undefined;
        problems.push({ line, field: p.field, message: p.message, expected });
      }
      continue;
    }
    const earlier = seen.get(to.data);
    if (earlier !== undefined) {
      const message = `${to.data} is already on line ${earlier}`;
      problems.push({ line, field: 'to', message, expected: 'each recipient once' });
      continue;
    }
    seen.set(to.data, line);
    const key = rowKey(to.data, template.name, filled.contentVariables);
    rows.push({ line, to: to.data, key, contentVariables: filled.contentVariables, body: filled.body });
  }
  return { rows, problems };
}

export const readRecipients = async (
  path: string,
  template: Parameters<typeof validateRecipients>[1],
  flagVariables: Record<string, string>,
) => validateRecipients(await readFile(path), template, flagVariables);
