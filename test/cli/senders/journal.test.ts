/** The bulk journal: durable records, state per sender, torn last lines, and the lock between runs. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, parseJournal, senderKey } from '../../../cli/senders/journal';
import { ROOT } from '../../../dev/paths';

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

  it('is taken over by exactly one of many runs finding the same stale lock at the same instant (one process)', async () => {
    const deadPid = await exitedPid();
    for (let round = 0; round < 15; round++) {
      const folder = dir();
      const path = join(folder, 'j.jsonl');
      // Old lock files held only the pid; both forms are taken over.
      writeFileSync(`${path}.lock`, round % 2 ? `${deadPid}\n` : `${deadPid} 00000000-dead-run\n`);
      const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => openJournal(path)));
      const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
      expect({ round, won: won.length }).toEqual({ round, won: 1 });
      for (const reason of refused) expect(reason).toMatch(/another run \(pid \d+\) is using this journal/);
      expect(readFileSync(`${path}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} `));
      await won[0]!.close();
      // Nothing left behind: no lock, no takeover guard, no temporary file.
      expect(readdirSync(folder)).toEqual(['j.jsonl']);
    }
  });

  it('is taken over by exactly one of many processes finding the same stale lock at the same instant', async () => {
    const deadPid = await exitedPid();
    for (let round = 0; round < 2; round++) {
      const path = join(dir(), 'j.jsonl');
      writeFileSync(`${path}.lock`, `${deadPid} 00000000-dead-run\n`);
      // Far enough ahead for every process to have started (tsx compiles on start), then all at once.
      const startAt = Date.now() + 6000;
      const children = Array.from({ length: 5 }, () =>
        spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/journal-lock-child.ts'), path, String(startAt)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] }),
      );
      const answers = await Promise.all(
        children.map((child) => new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve))),
      );
      for (const child of children) child.stdin!.end();
      await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
      expect({ round, won: answers.filter((a) => a === 'won').length }).toEqual({ round, won: 1 });
      for (const a of answers.filter((a) => a !== 'won')) expect(a).toMatch(/^refused: another run \(pid \d+\) is using this journal/);
      expect(existsSync(`${path}.lock`)).toBe(false);
    }
  }, 60_000);
});

/** The pid of a process that has exited (so a lock holding it is stale). */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}
