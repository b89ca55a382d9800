/** The bulk journal: durable records, state per sender, torn last lines, and the lock between runs. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, parseJournal, senderKey } from '../../../cli/senders/journal';

const ACCOUNT = 'AC' + '2'.repeat(32);
const KEY = senderKey(ACCOUNT, 'whatsapp:+14155550101');
const SID = 'XE' + 'a'.repeat(32);
const dir = () => mkdtempSync(join(tmpdir(), 'senders-journal-'));

describe('journal', () => {
  it('folds records into a state per sender and the last create per account', async () => {
    const path = join(dir(), 'j.jsonl');
    const journal = await openJournal(path);
    await journal.append({ type: 'intent', key: KEY, account: ACCOUNT, sender_id: 'whatsapp:+14155550101', line: 2, send_at: new Date().toISOString() });
    expect(journal.state(KEY)).toMatchObject({ intents: 1 });
    expect(journal.state(KEY).sid).toBeUndefined();
    await journal.append({ type: 'created', key: KEY, sid: SID, status: 'CREATING', via: 'create' });
    await journal.append({ type: 'final', key: KEY, sid: SID, status: 'ONLINE', outcome: 'online' });
    await journal.close();

    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const reopened = await openJournal(path);
    expect(reopened.state(KEY)).toMatchObject({ intents: 1, sid: SID, status: 'ONLINE', final: { outcome: 'online' } });
    // Pacing resumes from the last answered create (later than the intent's planned send).
    expect(reopened.lastCreateAt(ACCOUNT)).toBe(Date.parse(JSON.parse(lines[1]!).at));
    expect(reopened.state('other')).toEqual({ intents: 0 });
    await reopened.close();
  });

  it('drops a torn last line (a write cut by a kill) and keeps the rest', async () => {
    const path = join(dir(), 'j.jsonl');
    const intent = JSON.stringify({ type: 'intent', key: KEY, account: ACCOUNT, sender_id: 'whatsapp:+14155550101', line: 2, send_at: new Date().toISOString(), at: new Date().toISOString() });
    writeFileSync(path, `${intent}\n{"type":"created","key":"${KEY}","si`);
    const warnings: string[] = [];
    const journal = await openJournal(path, (w) => warnings.push(w));
    expect(warnings).toEqual([expect.stringContaining('unfinished last line')]);
    expect(journal.state(KEY)).toMatchObject({ intents: 1 });
    expect(journal.state(KEY).sid).toBeUndefined();
    await journal.append({ type: 'created', key: KEY, sid: SID, status: 'CREATING', via: 'lookup' });
    await journal.close();
    expect(parseJournal(readFileSync(path, 'utf8')).records.map((r) => r.type)).toEqual(['intent', 'created']);
  });

  it('refuses a damaged line in the middle, naming it', () => {
    expect(() => parseJournal('{"type":"run","input":"x","pid":1,"at":"now"}\nnot json\n')).toThrow(/line 2/);
    expect(() => parseJournal('{"type":"created","key":"k"}\n')).toThrow(/line 1/);
  });

  it('is locked while a live run holds it, and taken over when that run was killed', async () => {
    const path = join(dir(), 'j.jsonl');
    const first = await openJournal(path);
    await expect(openJournal(path)).rejects.toThrow(/another run/);
    await first.close();
    expect(existsSync(`${path}.lock`)).toBe(false);

    // A lock left by a process that no longer exists.
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(`${path}.lock`, `${deadPid}\n`);
    const second = await openJournal(path);
    await second.append({ type: 'run', input: 'x', pid: process.pid });
    await second.close();
    appendFileSync(path, '');
    expect(parseJournal(readFileSync(path, 'utf8')).records).toHaveLength(1);
  });
});
