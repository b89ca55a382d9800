/**
 * The bulk tool end to end: `node --import tsx cli/senders.ts` as a child process, against the emulator over
 * real HTTP on 127.0.0.1, with a short pacing interval. What Twilio's side received is read back from the
 * emulator's recordings and its Senders API, never from the tool's own word alone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../dev/paths';
import { startEmulator, type Emulator, type RecordedRequest } from '../../dev/emulator/server';
import { startCommand, type CliResult } from '../support/cli';
import { injectFault, resetEmulator } from '../support/emulator-control';

const PARENT = 'AC' + 'a'.repeat(32);
const AUTH_TOKEN = 'parent-auth-token-0123456789abcdef';
const INTERVAL_MS = 40;
/** Five subaccounts, distinct in their first hex digits (the emulator derives a WABA from them). */
const ACCOUNTS = [1, 2, 3, 4, 5].map((n) => `AC${String(n).repeat(10)}${'0'.repeat(22)}`);

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ senderOnlineDelayMs: 30 });
});
afterAll(() => emulator.close());
beforeEach(() => resetEmulator(emulator));

const workDir = () => mkdtempSync(join(tmpdir(), 'senders-bulk-'));
const number = (n: number) => `+1 415 555 ${String(100 + n).padStart(4, '0')}`;
const e164 = (n: number) => `whatsapp:+1415555${String(100 + n).padStart(4, '0')}`;

type Row = { account?: string; n: number; name?: string; verification?: string };
function writeCsv(dir: string, rows: Row[]): string {
  const path = join(dir, 'senders.csv');
  const lines = rows.map((r) =>
    [
      r.account ?? '',
      number(r.n),
      r.name ?? `Acme Store ${r.n}`,
      r.verification ?? '',
      'https://acme.example/whatsapp/incoming',
    ].join(','),
  );
  writeFileSync(
    path,
    ['account_sid,sender_id,profile_name,configuration.verification_method,webhook.callback_url', ...lines].join('\n') +
      '\n',
  );
  return path;
}

const startCli = (args: string[], env: Record<string, string> = {}) =>
  startCommand('senders', args, { ACCOUNT_SID: PARENT, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url, ...env });
const runCli = (args: string[], env?: Record<string, string>) => startCli(args, env).done;

/** The flags every run here uses: a short interval, quick polls, no .env from the repository. */
const fast = (dir: string) => ['--interval', `${INTERVAL_MS}ms`, '--poll-interval', '15ms', '--env', emptyEnv(dir)];
function emptyEnv(dir: string): string {
  const path = join(dir, 'empty.env');
  writeFileSync(path, '');
  return path;
}

type Summary = {
  counts: Record<string, number>;
  senders: {
    senderId: string;
    account: string;
    sid?: string;
    status?: string;
    outcome: string;
    via?: string;
    error?: { code?: number; message: string };
  }[];
};
const summaryOf = (result: CliResult): Summary => JSON.parse(result.stdout) as Summary;

const recorded = (route?: string): RecordedRequest[] => (route ? emulator.requestsFor(route) : emulator.state.requests);
const createdIds = () => recorded('senders.create').map((r) => (r.body as { sender_id: string }).sender_id);
const journalLines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

/** An account's senders as the emulator's Senders API lists them (signed as the subaccount, like Twilio wants). */
async function listAs(account: string): Promise<{ sender_id: string; status: string; sid: string }[]> {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const accountRes = await fetch(`${emulator.url}/2010-04-01/Accounts/${account}.json`, {
    headers: { authorization: basic(PARENT, AUTH_TOKEN) },
  });
  const { auth_token } = (await accountRes.json()) as { auth_token: string };
  const res = await fetch(`${emulator.url}/v2/Channels/Senders?Channel=whatsapp&PageSize=1000`, {
    headers: { authorization: basic(account, auth_token) },
  });
  return ((await res.json()) as { senders: { sender_id: string; status: string; sid: string }[] }).senders;
}

function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

describe('npm run senders', () => {
  it('registers 50 senders in 5 accounts, killed midway and resumed, each created exactly once and ONLINE', async () => {
    const dir = workDir();
    const rows = Array.from({ length: 50 }, (_, i) => ({ account: ACCOUNTS[i % 5], n: i }));
    const input = writeCsv(dir, rows);
    const journal = join(dir, 'run.journal.jsonl');
    const args = [input, ...fast(dir), '--journal', journal, '--json'];

    const first = startCli(args);
    await waitFor(
      () => journalLines(journal).filter((l) => l.includes('"type":"created"')).length >= 15,
      '15 creates in the journal',
    );
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).toBeNull();
    const createsBeforeKill = recorded('senders.create').length;
    expect(createsBeforeKill).toBeGreaterThanOrEqual(15);
    expect(createsBeforeKill).toBeLessThan(50);
    expect(existsSync(`${journal}.lock`)).toBe(true);

    const second = await runCli(args);
    expect(second.stderr).not.toMatch(/Error:/);
    expect(second.code).toBe(0);
    const summary = summaryOf(second);
    expect(summary.counts).toEqual({ total: 50, online: 50, awaitingOtp: 0, failed: 0, timedOut: 0 });
    expect(summary.senders.map((s) => s.senderId).sort()).toEqual(rows.map((r) => e164(r.n)).sort());
    // Senders ONLINE before the kill were taken from the journal, not asked again.
    expect(summary.senders.some((s) => s.via === 'journal')).toBe(true);

    // Twilio's side: one create per sender across both runs, and every sender ONLINE in its own account.
    const ids = createdIds();
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    expect(recorded('senders.create').every((r) => r.status === 202)).toBe(true);
    for (const [index, account] of ACCOUNTS.entries()) {
      const senders = await listAs(account);
      expect(senders.map((s) => s.sender_id).sort()).toEqual(
        rows
          .filter((_, i) => i % 5 === index)
          .map((r) => e164(r.n))
          .sort(),
      );
      expect(senders.every((s) => s.status === 'ONLINE')).toBe(true);
      const reported = summary.senders.filter((s) => s.account === account);
      expect(reported.map((s) => s.sid).sort()).toEqual(senders.map((s) => s.sid).sort());
    }

    // Pacing held per account across the kill (times are when the emulator answered).
    for (const account of ACCOUNTS) {
      const times = recorded('senders.create')
        .filter((r) => r.authUser === account)
        .map((r) => r.at);
      expect(times).toHaveLength(10);
      for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS);
    }
    expect(existsSync(`${journal}.lock`)).toBe(false);
  });

  it('after a crash between a create and its journal line, looks the sender up instead of creating it again', async () => {
    const dir = workDir();
    const input = writeCsv(dir, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const journal = join(dir, 'crash.journal.jsonl');
    // Senders 1 and 3 exist at Twilio already (1: its create reached Twilio, then the run died; 3: made elsewhere
    // by this account, e.g. an earlier run with another journal). Sender 2's create never left.
    const basic = `Basic ${Buffer.from(`${PARENT}:${AUTH_TOKEN}`).toString('base64')}`;
    for (const n of [1, 3]) {
      const res = await fetch(`${emulator.url}/v2/Channels/Senders`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: JSON.stringify({ sender_id: e164(n), profile: { name: `Acme Store ${n}` } }),
      });
      expect(res.status).toBe(202);
    }
    const at = new Date(Date.now() - 60_000).toISOString();
    const intent = (n: number, line: number) =>
      JSON.stringify({
        type: 'intent',
        key: `${PARENT}|${e164(n)}`,
        account: PARENT,
        sender_id: e164(n),
        line,
        send_at: at,
        at,
      });
    writeFileSync(journal, `${intent(1, 2)}\n${intent(2, 3)}\n`);

    const result = await runCli([input, ...fast(dir), '--journal', journal, '--json']);
    expect(result.code).toBe(0);
    const summary = summaryOf(result);
    expect(summary.senders.map((s) => [s.senderId, s.outcome, s.via])).toEqual([
      [e164(1), 'online', 'lookup'],
      [e164(2), 'online', 'create'],
      [e164(3), 'online', 'lookup'],
    ]);
    // By this run: no create for 1; one for 2; one for 3, refused with 63110, then found in the account.
    const byRun = recorded('senders.create').slice(2);
    expect(byRun.map((r) => [(r.body as { sender_id: string }).sender_id, r.status])).toEqual([
      [e164(2), 202],
      [e164(3), 409],
    ]);
    expect((await listAs(PARENT)).map((s) => s.sender_id).sort()).toEqual([e164(1), e164(2), e164(3)]);
  });

  it('reports failed senders in the summary and exits 1; a sender waiting for its OTP is not a failure', async () => {
    const dir = workDir();
    // Row 1 meets an injected Twilio error; row 2's display name is declined ("WhatsApp" in it); row 3 waits for an OTP.
    const input = writeCsv(dir, [
      { n: 1 },
      { n: 2, name: 'Acme WhatsApp Store' },
      { n: 3, verification: 'sms' },
      { n: 4 },
    ]);
    await injectFault(emulator, { route: 'senders.create', status: 400, code: 63104, times: 1 });
    const result = await runCli([input, ...fast(dir), '--journal', join(dir, 'j.jsonl')]);
    expect(result.code).toBe(1);
    const table = result.stdout.split('\n');
    expect(table.find((l) => l.includes(e164(1)))).toMatch(/FAILED\s+63104 /);
    expect(table.find((l) => l.includes(e164(2)))).toMatch(/OFFLINE\s+FAILED\s+63124 /);
    expect(table.find((l) => l.includes(e164(3)))).toMatch(/PENDING_VERIFICATION\s+WAITING FOR OTP/);
    expect(table.find((l) => l.includes(e164(4)))).toMatch(/ONLINE\s+ONLINE/);
    expect(result.stdout).toContain('4 senders: 1 online, 1 waiting for an OTP, 2 failed, 0 timed out.');
    // A display-name warning was shown before anything was sent.
    expect(result.stderr).toMatch(/warning: line 3, profile\.name: .*WhatsApp/);
  });

  it('gives up on a sender that does not settle within --timeout, and exits 1', async () => {
    const slow = await startEmulator({ senderOnlineDelayMs: 60_000 });
    try {
      const dir = workDir();
      const input = writeCsv(dir, [{ n: 1 }]);
      const result = await runCli(
        [input, ...fast(dir), '--timeout', '150ms', '--journal', join(dir, 'j.jsonl'), '--json'],
        { TWILIO_API_BASE_URL: slow.url },
      );
      expect(result.code).toBe(1);
      expect(summaryOf(result).senders).toEqual([
        expect.objectContaining({ senderId: e164(1), status: 'CREATING', outcome: 'timeout' }),
      ]);
      expect(slow.requestsFor('senders.fetch').length).toBeGreaterThan(0);
    } finally {
      await slow.close();
    }
  });

  it('reports every bad row with its line and field, exits 2 and sends nothing', async () => {
    const dir = workDir();
    const input = join(dir, 'bad.csv');
    writeFileSync(
      input,
      [
        'account_sid,sender_id,profile.name,webhook.callback_url',
        `${ACCOUNTS[0]},+1 415 555 0101,Acme One,https://acme.example/in`,
        `${ACCOUNTS[0]},+1 415 555 0102,,https://acme.example/in`,
        `AC123,12,Acme Three,ftp://acme.example/in`,
        `${ACCOUNTS[1]},+1 (415) 555-0101,Acme Again,`,
      ].join('\n'),
    );
    const journal = join(dir, 'j.jsonl');
    const result = await runCli([input, ...fast(dir), '--journal', journal]);
    expect(result.code).toBe(2);
    const problems = result.stderr.split('\n').filter((l) => l.startsWith('line '));
    expect(problems.map((l) => l.split(':')[0])).toEqual([
      'line 3, profile.name',
      'line 4, account_sid',
      'line 4, sender_id',
      'line 4, webhook.callback_url',
      'line 5, sender_id',
    ]);
    expect(problems.at(-1)).toContain('already on line 2');
    expect(result.stderr).toContain('nothing was sent');
    expect(recorded()).toEqual([]);
    expect(existsSync(journal)).toBe(false);
  });

  it('--dry-run validates and plans, sends nothing and writes no journal, even without credentials', async () => {
    const dir = workDir();
    const input = writeCsv(
      dir,
      [0, 1, 2, 3].map((n) => ({ account: ACCOUNTS[n % 2], n })),
    );
    const journal = join(dir, 'j.jsonl');
    const withCredentials = await runCli([input, ...fast(dir), '--journal', journal, '--dry-run']);
    expect(withCredentials.code).toBe(0);
    expect(withCredentials.stdout).toContain('would create 4');
    const without = await runCli([input, ...fast(dir), '--journal', journal, '--dry-run'], {
      ACCOUNT_SID: '',
      AUTH_TOKEN: '',
    });
    expect(without.code).toBe(0);
    expect(recorded()).toEqual([]);
    expect(existsSync(journal)).toBe(false);
  });

  it('honours --dry-run that npm kept for itself (`npm run senders x.csv --dry-run`, no `--`)', async () => {
    const dir = workDir();
    const input = writeCsv(
      dir,
      [0, 1].map((n) => ({ account: ACCOUNTS[0], n })),
    );
    // npm passes what it took as npm_config_dry_run=true and leaves the tool only the input
    const result = await runCli([input, ...fast(dir)], { npm_config_dry_run: 'true' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('npm took --dry-run for itself');
    expect(result.stdout).toContain('dry run: 2 valid senders in 1 account');
    expect(recorded()).toEqual([]);
  });

  it('writes its default journal under journals/ (ignored by git), not beside the input', async () => {
    const dir = workDir();
    const input = writeCsv(dir, [{ n: 7 }]);
    const result = await runCli([input, ...fast(dir), '--json']);
    expect(result.code).toBe(0);
    const { journal } = JSON.parse(result.stdout) as { journal: string };
    expect(journal).toMatch(/^journals\/senders-[0-9a-f]{8}\.journal\.jsonl$/);
    expect(existsSync(join(ROOT, journal))).toBe(true);
    expect(existsSync(`${input}.journal.jsonl`)).toBe(false);
    rmSync(join(ROOT, journal), { force: true });
  });

  it('--concurrency 1 registers one account after the other; Ctrl-C stops cleanly and a rerun finishes', async () => {
    const dir = workDir();
    const rows = [0, 1, 2, 3].map((n) => ({ account: ACCOUNTS[n < 2 ? 0 : 1], n }));
    const input = writeCsv(dir, rows);
    const journal = join(dir, 'j.jsonl');
    const args = [input, ...fast(dir), '--concurrency', '1', '--journal', journal, '--json'];

    // A long interval for the first run, so that Ctrl-C finds it waiting between two creates.
    const first = startCli([...args, '--interval', '400ms']);
    await waitFor(() => journalLines(journal).some((l) => l.includes('"type":"created"')), 'a first create');
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('Run the same command again to resume');
    expect(existsSync(`${journal}.lock`)).toBe(false);

    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(summaryOf(second).counts.online).toBe(4);
    expect(recorded('senders.create').map((r) => r.authUser)).toEqual([
      ACCOUNTS[0],
      ACCOUNTS[0],
      ACCOUNTS[1],
      ACCOUNTS[1],
    ]);
    expect(new Set(createdIds()).size).toBe(4);
  });

  it('refuses to run without credentials, saying which ones', async () => {
    const dir = workDir();
    const input = writeCsv(dir, [{ n: 1 }]);
    const result = await runCli([input, ...fast(dir)], { AUTH_TOKEN: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ACCOUNT_SID and AUTH_TOKEN/);
    expect(recorded()).toEqual([]);
  });
});
