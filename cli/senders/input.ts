/**
 * The bulk tool's input: CSV (a header row, one sender a row) or JSON lines (one object a line). Flat CSV
 * columns become the nested create body (`profile.name` or `profile_name` -> profile.name; list cells split
 * on `;`), then every row is checked with the Senders create schema of lib/senders — the one the admin route
 * uses — plus `account_sid`. Problems carry the line number and the field.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import contract from '../../contracts/senders-openapi.json';
import { displayNameWarnings } from '../../lib/senders/display-name';
import { accountSidSchema } from '../../lib/senders/fields';
import { senderCreateSchema, type SenderCreateBody } from '../../lib/senders/wire';
import { describeZodError } from '../../lib/validation';
import * as z from '../../lib/zod';
import { senderKey } from './journal';
import type { BulkRow } from './run';

export type InputFormat = 'csv' | 'jsonl';

/** One row as read: its line and its fields, already nested. */
export type RawRow = { line: number; fields: Record<string, unknown> };

export type RowProblem = { line: number; field: string; message: string; expected?: string };
export type RowWarning = { line: number; field: string; message: string };

/** Fields whose CSV cell holds a list, `;` between items. */
const LIST_FIELDS = new Set(['profile.emails', 'profile.websites', 'profile.phone_numbers']);
const GROUPS = ['profile', 'webhook', 'configuration'] as const;

type SchemaNode = { $ref?: string; properties?: Record<string, SchemaNode> };
const components = contract.components.schemas as unknown as Record<string, SchemaNode>;
const deref = (node: SchemaNode): SchemaNode => (node.$ref ? deref(components[node.$ref.replace('#/components/schemas/', '')]!) : node);

/** Every column a row may have: account_sid and the create body's fields, from the official contract. */
export const KNOWN_COLUMNS: readonly string[] = (() => {
  const create = deref(components['messaging.v2.channels_sender.requests.create']!);
  const columns = ['account_sid'];
  for (const [name, node] of Object.entries(create.properties ?? {})) {
    const fields = deref(node).properties;
    if (fields) columns.push(...Object.keys(fields).map((field) => `${name}.${field}`));
    else columns.push(name);
  }
  return columns;
})();

/** `profile_name` / `Profile.Name` / `profile.name` -> `profile.name`; other names unchanged (lower-cased). */
export function columnPath(column: string): string {
  const name = column.trim().toLowerCase();
  if (name.includes('.')) return name;
  const group = GROUPS.find((g) => name.startsWith(`${g}_`));
  return group ? `${group}.${name.slice(group.length + 1)}` : name;
}

/** An own property even for a key like `__proto__`, so such a key reaches the schema as an unknown field. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets `fields[a][b] = value` for the path `a.b`; `;`-separated text becomes a list for list fields. */
function place(fields: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const leaf = parts.pop()!;
  let node = fields;
  for (const part of parts) {
    const next = Object.hasOwn(node, part) ? node[part] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) setOwn(node, part, {});
    node = node[part] as Record<string, unknown>;
  }
  const list = LIST_FIELDS.has(path) && typeof value === 'string';
  setOwn(node, leaf, list ? value.split(';').map((item) => item.trim()).filter(Boolean) : value);
}

/** A flat or partly flat object (`{"profile.name": ...}`, `{"profile": {...}}`) -> the nested form. */
export function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (value === '' || value === null || value === undefined) continue;
    const path = key.includes('.') || GROUPS.some((g) => key.startsWith(`${g}_`)) ? columnPath(key) : key;
    if (path.includes('.')) place(fields, path, value);
    else if (typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(fields, path) && typeof fields[path] === 'object') {
      setOwn(fields, path, { ...(fields[path] as object), ...(value as object) });
    } else setOwn(fields, path, value);
  }
  for (const path of LIST_FIELDS) {
    const [group, field] = path.split('.') as [string, string];
    const node = fields[group];
    if (node && typeof node === 'object' && typeof (node as Record<string, unknown>)[field] === 'string') place(fields, path, (node as Record<string, unknown>)[field]);
  }
  return fields;
}

/** The line each record starts on, from the byte offsets csv-parse reports (blank lines skipped). */
function lineCounter(buffer: Buffer) {
  let offset = 0;
  let line = 1;
  return (endOffset: number) => {
    while (offset < buffer.length && (buffer[offset] === 0x0a || buffer[offset] === 0x0d)) {
      if (buffer[offset] === 0x0a) line += 1;
      offset += 1;
    }
    const start = line;
    for (; offset < endOffset; offset += 1) if (buffer[offset] === 0x0a) line += 1;
    return start;
  };
}

type CsvRecord = { record: string[]; info: { bytes: number } };

/**
 * Byte offsets where `buffer` stops being UTF-8: each start of an invalid sequence (a stray continuation
 * byte, a truncated, overlong or surrogate sequence, a byte that never appears in UTF-8).
 */
export function invalidUtf8Offsets(buffer: Uint8Array): number[] {
  const offsets: number[] = [];
  let i = 0;
  while (i < buffer.length) {
    const [length, min, max] = utf8Sequence(buffer[i]!);
    let ok = length > 0 && i + length <= buffer.length;
    // The second byte has the narrowed range (no overlongs, surrogates or code points past U+10FFFF).
    for (let k = 1; ok && k < length; k++) {
      const byte = buffer[i + k]!;
      ok = k === 1 ? byte >= min && byte <= max : byte >= 0x80 && byte <= 0xbf;
    }
    if (ok) i += length;
    else offsets.push(i++);
  }
  return offsets;
}

/** A sequence's length from its lead byte (0: never a lead), and the range of its second byte. */
function utf8Sequence(lead: number): [number, number, number] {
  if (lead < 0x80) return [1, 0, 0];
  if (lead >= 0xc2 && lead <= 0xdf) return [2, 0x80, 0xbf];
  if (lead === 0xe0) return [3, 0xa0, 0xbf];
  if (lead === 0xed) return [3, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [3, 0x80, 0xbf];
  if (lead === 0xf0) return [4, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [4, 0x80, 0xbf];
  if (lead === 0xf4) return [4, 0x80, 0x8f];
  return [0, 0, 0];
}

/**
 * One problem per CSV cell holding bytes that are not UTF-8 (which decoding would silently turn into U+FFFD):
 * the line of the first bad byte and the cell's column. `records` are those csv-parse read from `buffer`.
 */
function invalidUtf8Problems(buffer: Buffer, records: readonly CsvRecord[], columns: readonly string[]): Map<CsvRecord, RowProblem[]> {
  const offsets = invalidUtf8Offsets(buffer);
  const problems = new Map<CsvRecord, RowProblem[]>();
  let next = 0;
  for (const csvRecord of records) {
    const { record, info } = csvRecord;
    const inRecord: number[] = [];
    while (next < offsets.length && offsets[next]! < info.bytes) inRecord.push(offsets[next++]!);
    if (inRecord.length === 0) continue;
    const first = inRecord[0]!;
    const line = buffer.subarray(0, first).filter((b) => b === 0x0a).length + 1;
    const lineStart = buffer.lastIndexOf(0x0a, first - 1) + 1;
    const bytes = inRecord.slice(0, 3).map((o) => `0x${buffer[o]!.toString(16).padStart(2, '0')}`).join(' ');
    const message = `not valid UTF-8: byte ${bytes} at byte ${first - lineStart + 1} of the line`;
    // The cells showing a replacement character are the ones the bad bytes are in.
    const cells = record.flatMap((cell, i) => (cell.includes('\ufffd') ? [columns[i] ?? `(column ${i + 1})`] : []));
    problems.set(csvRecord, (cells.length ? cells : ['(row)']).map((field) => ({ line, field, message, expected: 'text saved as UTF-8' })));
  }
  return problems;
}

/** Reads CSV (the file's bytes, or text): header check, then one RawRow per record. */
export function readCsv(input: Buffer | string): { rows: RawRow[]; problems: RowProblem[] } {
  const buffer = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let records: CsvRecord[];
  try {
    records = parseCsv(buffer, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as CsvRecord[];
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { rows: [], problems: [{ line: e.lines ?? 1, field: '(csv)', message: e.message }] };
  }
  const startLine = lineCounter(buffer);
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ line: 1, field: '(csv)', message: 'the file is empty', expected: 'a header row, then one sender a row' }] };
  startLine(header.info.bytes);
  const paths = header.record.map(columnPath);
  const notUtf8 = isUtf8(buffer) ? new Map<CsvRecord, RowProblem[]>() : invalidUtf8Problems(buffer, records, paths);
  const problems: RowProblem[] = [...(notUtf8.get(header) ?? [])];
  paths.forEach((path, index) => {
    const column = header.record[index]!;
    if (!KNOWN_COLUMNS.includes(path)) {
      const snake = columnPath(column.trim().replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
      const message = KNOWN_COLUMNS.includes(snake)
        ? `unknown column: the Senders API takes snake_case, use "${snake}"`
        : 'unknown column';
      problems.push({ line: 1, field: column || `(column ${index + 1})`, message, expected: KNOWN_COLUMNS.join(', ') });
    } else if (paths.indexOf(path) !== index) {
      problems.push({ line: 1, field: column, message: `the same field as column "${header.record[paths.indexOf(path)]}"`, expected: 'each field once' });
    }
  });
  if (!paths.includes('sender_id')) problems.push({ line: 1, field: 'sender_id', message: 'no sender_id column', expected: 'a sender_id column' });
  if (problems.length) return { rows: [], problems };
  const rows: RawRow[] = [];
  for (const csvRecord of body) {
    const { record, info } = csvRecord;
    const line = startLine(info.bytes);
    const badBytes = notUtf8.get(csvRecord);
    if (badBytes) {
      problems.push(...badBytes);
      continue;
    }
    if (record.length !== paths.length) {
      problems.push({ line, field: '(row)', message: `${record.length} cells, the header has ${paths.length}`, expected: `${paths.length} cells` });
      continue;
    }
    rows.push({ line, fields: nest(Object.fromEntries(paths.map((path, i) => [path, record[i]]))) });
  }
  return { rows, problems };
}

/** Reads JSON-lines text: one object a line, blank lines skipped. */
export function readJsonLines(input: Buffer | string): { rows: RawRow[]; problems: RowProblem[] } {
  const rows: RawRow[] = [];
  const problems: RowProblem[] = [];
  const badLines = new Set<number>();
  if (typeof input !== 'string' && !isUtf8(input)) {
    for (const offset of invalidUtf8Offsets(input)) badLines.add(input.subarray(0, offset).filter((b) => b === 0x0a).length + 1);
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  text.replace(/^\ufeff/, '').split(/\r?\n/).forEach((content, index) => {
    const line = index + 1;
    if (badLines.has(line)) {
      problems.push({ line, field: '(json)', message: 'not valid UTF-8', expected: 'text saved as UTF-8' });
      return;
    }
    if (content.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      problems.push({ line, field: '(json)', message: `not JSON: ${(error as Error).message}`, expected: 'one JSON object a line' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line, field: '(json)', message: 'not an object', expected: 'one JSON object a line' });
      return;
    }
    rows.push({ line, fields: nest(value as Record<string, unknown>) });
  });
  return { rows, problems };
}

export const formatOf = (path: string): InputFormat => (/\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv');

export type ValidatedInput = {
  rows: BulkRow<SenderCreateBody>[];
  problems: RowProblem[];
  warnings: RowWarning[];
};

/**
 * Checks every row (all of them, not up to the first bad one): account_sid, the create body, and that no
 * sender appears twice. `parentAccount` is the account of rows without account_sid.
 */
export function validateRows(raw: readonly RawRow[], parentAccount: string): ValidatedInput {
  const rows: BulkRow<SenderCreateBody>[] = [];
  const problems: RowProblem[] = [];
  const warnings: RowWarning[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of raw) {
    const { account_sid: accountField, ...bodyFields } = fields;
    const rowProblems: RowProblem[] = [];
    let account = parentAccount;
    if (accountField !== undefined) {
      const parsed = z.safeParse(accountSidSchema, accountField);
      if (parsed.success) account = parsed.data;
      else rowProblems.push(...describeZodError(parsed.error).map((p) => ({ line, field: 'account_sid', message: p.message, expected: p.expected })));
    }
    // A row with no profile cell filled is missing profile.name, the one it needs: say that, not "profile".
    const body = z.safeParse(senderCreateSchema, { profile: {}, ...bodyFields });
    if (!body.success) rowProblems.push(...describeZodError(body.error).map((p) => ({ line, field: p.path, message: p.message, expected: p.expected })));
    if (rowProblems.length || !body.success) {
      problems.push(...rowProblems);
      continue;
    }
    const senderId = body.data.sender_id;
    const earlier = seen.get(senderId);
    if (earlier !== undefined) {
      problems.push({ line, field: 'sender_id', message: `${senderId} is already on line ${earlier}`, expected: 'each sender once' });
      continue;
    }
    seen.set(senderId, line);
    for (const w of displayNameWarnings(body.data.profile.name)) warnings.push({ line, field: w.field, message: w.message });
    rows.push({ line, account, senderId, key: senderKey(account, senderId), body: body.data });
  }
  return { rows, problems, warnings };
}

/** Reads and checks an input file. */
export async function readInput(path: string, format: InputFormat | undefined, parentAccount: string): Promise<ValidatedInput> {
  const bytes = await readFile(path);
  const read = (format ?? formatOf(path)) === 'csv' ? readCsv(bytes) : readJsonLines(bytes);
  const checked = validateRows(read.rows, parentAccount);
  return { ...checked, problems: [...read.problems, ...checked.problems].sort((a, b) => a.line - b.line) };
}

/**
 * `line 3, profile.name: required (the cell is empty)`. The expectation is left out when the message already
 * says it or when it is only a regular expression (noise to a person).
 */
export function problemText(p: RowProblem): string {
  const message = /received undefined$/.test(p.message) ? 'required (missing or empty)' : p.message;
  const expected = p.expected && !p.expected.startsWith('match /') && !message.includes(p.expected.split(' | ')[0]!) && !message.startsWith('required') ? ` (expected ${p.expected})` : '';
  return `${p.line ? `line ${p.line}, ` : ''}${p.field}: ${message}${expected}`;
}
