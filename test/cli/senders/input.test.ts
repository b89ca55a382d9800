/** The bulk tool's input: CSV and JSON lines -> checked create bodies, problems with line and field. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../../../dev/paths';
import { columnPath, invalidUtf8Offsets, KNOWN_COLUMNS, nest, readCsv, readInput, readJsonLines, validateRows } from '../../../cli/senders/input';
import { parseBulkArgs, parseDuration } from '../../../cli/senders/args';

const PARENT = 'AC' + 'f'.repeat(32);
const SUB = 'AC' + '1'.repeat(32);

describe('columns', () => {
  it.each([
    ['profile.name', 'profile.name'],
    ['profile_name', 'profile.name'],
    ['Profile.Logo_URL', 'profile.logo_url'],
    ['webhook_callback_url', 'webhook.callback_url'],
    ['configuration_waba_id', 'configuration.waba_id'],
    ['sender_id', 'sender_id'],
    ['account_sid', 'account_sid'],
  ])('%s -> %s', (column, path) => {
    expect(columnPath(column)).toBe(path);
  });

  it('knows the create body fields of the official contract', () => {
    expect(KNOWN_COLUMNS).toEqual(expect.arrayContaining(['account_sid', 'sender_id', 'profile.name', 'profile.emails', 'webhook.status_callback_url', 'configuration.waba_id']));
    expect(KNOWN_COLUMNS).not.toContain('profile');
  });

  it('nests flat fields, splits list cells on ";" and drops empty cells', () => {
    expect(nest({ sender_id: '+1', 'profile.name': 'Acme', 'profile.emails': 'a@x.io; b@x.io;', webhook_callback_url: '', 'profile.about': 'Hi' })).toEqual({
      sender_id: '+1',
      profile: { name: 'Acme', emails: ['a@x.io', 'b@x.io'], about: 'Hi' },
    });
  });
});

describe('readCsv', () => {
  it('gives each row the line it starts on, past blank lines and quoted line breaks', () => {
    const csv = 'sender_id,profile.name,profile.about\n+14155550101,Acme,one\n\n+14155550102,Acme Two,"two\nlines"\r\n+14155550103,Acme Three,three\n';
    const { rows, problems } = readCsv(csv);
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([2, 4, 6]);
    expect(rows[1]!.fields).toEqual({ sender_id: '+14155550102', profile: { name: 'Acme Two', about: 'two\nlines' } });
  });

  it('refuses an unknown or repeated column on line 1, naming it', () => {
    const { rows, problems } = readCsv('sender_id,profile.name,profile_name,profile.nickname\n+14155550101,A,B,C\n');
    expect(rows).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({ line: 1, field: 'profile_name', message: 'the same field as column "profile.name"' }),
      expect.objectContaining({ line: 1, field: 'profile.nickname', message: 'unknown column' }),
    ]);
  });

  it('suggests the snake_case name for a camelCase column, as the admin route does', () => {
    const csv = 'senderId,profileName,profile.logoUrl,accountSid\n+14155550101,A,https://a.example/l.png,\n';
    const { problems } = readCsv(csv);
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['senderId', 'unknown column: the Senders API takes snake_case, use "sender_id"'],
      ['profileName', 'unknown column: the Senders API takes snake_case, use "profile.name"'],
      ['profile.logoUrl', 'unknown column: the Senders API takes snake_case, use "profile.logo_url"'],
      ['accountSid', 'unknown column: the Senders API takes snake_case, use "account_sid"'],
      expect.arrayContaining(['sender_id']),
    ]);
  });

  it('reports a row with the wrong number of cells', () => {
    const { problems } = readCsv('sender_id,profile.name\n+14155550101,Acme,extra\n');
    expect(problems).toEqual([expect.objectContaining({ line: 2, field: '(row)', message: '3 cells, the header has 2' })]);
  });
});

describe('readJsonLines', () => {
  it('reads nested and flat objects and reports lines that are not objects', () => {
    const { rows, problems } = readJsonLines('{"sender_id":"+1","profile":{"name":"A"}}\n\n[1]\n{"sender_id":"+2","profile.name":"B"}\n{oops\n');
    expect(rows).toEqual([
      { line: 1, fields: { sender_id: '+1', profile: { name: 'A' } } },
      { line: 4, fields: { sender_id: '+2', profile: { name: 'B' } } },
    ]);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, '(json)'],
      [5, '(json)'],
    ]);
  });
});

describe('validateRows', () => {
  it('checks every row with the create schema and account_sid, reporting line and field', () => {
    const raw = [
      { line: 2, fields: { sender_id: '+1 415 555 0101', profile: { name: 'Acme Shoes' }, account_sid: SUB } },
      { line: 3, fields: { sender_id: 'not a number', profile: { name: 'Acme' } } },
      { line: 4, fields: { sender_id: '+14155550104', profile: { name: 'Acme', vertical: 'Cars' }, account_sid: 'AC123' } },
      { line: 5, fields: { sender_id: '+14155550105', profile: { name: 'Acme Boots' }, webhook: { callback_url: 'ftp://x' } } },
      { line: 6, fields: { sender_id: 'whatsapp:+14155550101', profile: { name: 'Acme Again' }, account_sid: SUB } },
    ];
    const { rows, problems } = validateRows(raw, PARENT);
    expect(rows).toEqual([
      expect.objectContaining({ line: 2, account: SUB, senderId: 'whatsapp:+14155550101', key: `${SUB}|whatsapp:+14155550101` }),
    ]);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'sender_id'],
      [4, 'account_sid'],
      [4, 'profile.vertical'],
      [5, 'webhook.callback_url'],
      [6, 'sender_id'],
    ]);
    expect(problems.at(-1)!.message).toContain('line 2');
  });

  it('uses the parent account when a row has no account_sid, and passes display-name warnings on', () => {
    const { rows, warnings } = validateRows([{ line: 2, fields: { sender_id: '+14155550101', profile: { name: 'CUSTOMER SUPPORT' } } }], PARENT);
    expect(rows[0]!.account).toBe(PARENT);
    expect(warnings.map((w) => [w.line, w.field])).toContainEqual([2, 'profile.name']);
  });

  it('accepts the sample files', async () => {
    for (const file of ['examples/senders.csv', 'examples/senders.jsonl']) {
      const input = await readInput(join(ROOT, file), undefined, PARENT);
      expect(input.problems).toEqual([]);
      expect(input.rows.length).toBeGreaterThan(1);
    }
  });
});

describe('bytes that are not UTF-8', () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

  it('refuses a CSV cell holding them, with the line and the field, instead of reading U+FFFD', () => {
    const csv = bytes('sender_id,profile.name,profile.about\n+14155550101,Acme,ok\n+14155550102,Ac', [0xff], 'me,ok\n', '+14155550103,Caf', [0xe9], ',"two\nl', [0xc3], 'ines"\n');
    const { rows, problems } = readCsv(csv);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(problems).toEqual([
      { line: 3, field: 'profile.name', message: 'not valid UTF-8: byte 0xff at byte 16 of the line', expected: 'text saved as UTF-8' },
      // Latin-1 "é" (0xe9) in one cell, a cut sequence in the quoted multi-line cell: each named.
      { line: 4, field: 'profile.name', message: 'not valid UTF-8: byte 0xe9 0xc3 at byte 17 of the line', expected: 'text saved as UTF-8' },
      { line: 4, field: 'profile.about', message: 'not valid UTF-8: byte 0xe9 0xc3 at byte 17 of the line', expected: 'text saved as UTF-8' },
    ]);
  });

  it('reads real UTF-8 untouched: accents, emoji, and a U+FFFD that was really written', () => {
    const { rows, problems } = readCsv(bytes('sender_id,profile.name\n+14155550101,Café 🙂 \ufffd\n'));
    expect(problems).toEqual([]);
    expect(rows[0]!.fields).toEqual({ sender_id: '+14155550101', profile: { name: 'Café 🙂 \ufffd' } });
  });

  it('refuses them in a JSON line and through readInput, from the file’s bytes', async () => {
    expect(readJsonLines(bytes('{"sender_id":"+1","profile":{"name":"A', [0x80], '"}}\n')).problems).toEqual([
      { line: 1, field: '(json)', message: 'not valid UTF-8', expected: 'text saved as UTF-8' },
    ]);
    const path = join(mkdtempSync(join(tmpdir(), 'senders-input-')), 'in.csv');
    writeFileSync(path, bytes('sender_id,profile.name\n+14155550101,Acme ', [0xc0, 0xaf], '\n'));
    const input = await readInput(path, undefined, PARENT);
    expect(input.rows).toEqual([]);
    expect(input.problems).toEqual([expect.objectContaining({ line: 2, field: 'profile.name', message: expect.stringMatching(/^not valid UTF-8: byte 0xc0 0xaf/) })]);
  });

  it('finds an invalid sequence exactly when a strict UTF-8 decoder refuses the bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const decodes = (b: Uint8Array) => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const sample = fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 12 }).map((t) => new Uint8Array(Buffer.from(t, 'utf8'))));
    fc.assert(
      fc.property(sample, (b) => {
        expect(invalidUtf8Offsets(b).length === 0).toBe(decodes(b));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('flags', () => {
  it.each([
    ['250ms', 250],
    ['20s', 20_000],
    ['5m', 300_000],
    ['1.5h', 5_400_000],
    ['300', undefined],
    ['5 min', undefined],
  ])('duration %s -> %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('defaults to a 5-minute interval and names each bad flag', () => {
    const ok = parseBulkArgs(['in.csv']);
    expect(ok).toMatchObject({ kind: 'run', options: { intervalMs: 300_000, concurrency: 10, dryRun: false } });
    const bad = parseBulkArgs(['in.csv', '--interval', '300', '--concurrency', '0']);
    expect(bad.kind === 'error' && bad.problems.map((p) => p.path)).toEqual(['--interval', '--concurrency']);
    expect(parseBulkArgs(['--nope']).kind).toBe('error');
  });
});

describe('hostile keys', () => {
  it('never lets a __proto__ key reach a prototype or the body sent', () => {
    const { rows } = readJsonLines('{"sender_id":"+14155550101","profile":{"name":"Acme"},"__proto__":{"polluted":true},"profile.__proto__":{"polluted":true}}\n');
    expect(Object.hasOwn(rows[0]!.fields, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const { rows: valid } = validateRows(rows, PARENT);
    expect(JSON.stringify(valid[0]?.body)).not.toContain('polluted');
    expect((valid[0]?.body as unknown as Record<string, unknown> | undefined)?.polluted).toBeUndefined();
  });
});
