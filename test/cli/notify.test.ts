/**
 * `npm run notify` end to end: `node --import tsx cli/notify.ts` as a child process against the emulator (its
 * Content API, Messages and Sync), consent recorded in the emulator's Sync with the store's own code. Killed with
 * SIGKILL midway and resumed: every opted-in recipient messaged exactly once (one whose create was answered with
 * a 500 after Twilio created it is found, not sent again), opted-out and unknown rows skipped and reported,
 * sends spaced at least the interval apart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { seedTemplate } from '../../dev/emulator/wiring';
import { setConsent } from '../../lib/conversation/admin';
import { createTwilioClient } from '../../lib/twilio-client';
import { startCommand } from '../support/cli';
import { injectFault } from '../support/emulator-control';

const ACCOUNT_SID = 'AC' + '5'.repeat(32);
const AUTH_TOKEN = 'notify-test-token-0123456789abcdef';
const SANDBOX = 'whatsapp:+14155238886';
const INTERVAL_MS = 600;

let emulator: Emulator;
let dir: string;
let templateSid: string;

beforeAll(async () => {
  emulator = await startEmulator({ statusStepMs: 5 });
  templateSid = await seedTemplate(emulator.url, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, 'order_update');
  dir = mkdtempSync(join(tmpdir(), 'notify-test-'));
});
afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function consent(address: string, status: 'opted_in' | 'opted_out') {
  const client = createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url });
  const store = { client, deadline: Date.now() + 10_000, serviceSid: 'default' };
  await setConsent(store, { accountSid: ACCOUNT_SID, address }, { status, source: 'signup_form' }, new Date());
}

function startCli(args: string[], env: Record<string, string> = {}) {
  const envFile = join(dir, 'empty.env');
  writeFileSync(envFile, '');
  return startCommand('notify', [...args, '--env', envFile], {
    ACCOUNT_SID,
    AUTH_TOKEN,
    TWILIO_API_BASE_URL: emulator.url,
    ...env,
  });
}

type StoredMessage = { sid: string; to: string; from: string; body: string };
const stored = () => (emulator.state.stores.get('messages') as StoredMessage[] | undefined) ?? [];
const user = (n: number) => `whatsapp:+1500777${String(1000 + n)}`;
const until = async (check: () => boolean, what: string, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('killed with SIGKILL midway and resumed: each opted-in recipient once, skips reported, pacing held', async () => {
  const optedIn = [1, 2, 3, 4, 5, 6].map(user);
  const optedOut = user(7);
  const unknown = user(8);
  for (const u of optedIn) await consent(u, 'opted_in');
  await consent(optedOut, 'opted_out');
  const order = [optedIn[0], optedIn[1], optedOut, optedIn[2], unknown, optedIn[3], optedIn[4], optedIn[5]];
  const csv = join(dir, 'recipients.csv');
  // Humane numbers, per-row variables 1 and 2; variable 3 from --var.
  const lines = order.map((u, i) => `"+1 500 777 ${u!.slice(-4)}",Ada ${i},#${1000 + i}`);
  writeFileSync(csv, ['to,1,var_2', ...lines].join('\n') + '\n');
  const journal = join(dir, 'run.journal.jsonl');
  const args = [csv, '--template', 'order_update', '--var', '3=out for delivery', '--interval', `${INTERVAL_MS}ms`];
  args.push('--json', '--journal', journal);

  // The first create is carried out, but its answer is lost (500): the run cannot know it was sent.
  await injectFault(emulator, { route: 'messages.create', status: 500, code: 20500, afterHandling: true });
  const first = startCli(args);
  await until(() => stored().length >= 3, 'three messages');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  expect(killed.code).toBeNull();
  const sentBeforeKill = stored().length;
  expect(sentBeforeKill).toBeLessThan(optedIn.length);

  const second = await startCli(args).done;
  expect(second.stderr).not.toMatch(/Error/);
  expect(second.code).toBe(0);
  const summary = JSON.parse(second.stdout) as {
    counts: Record<string, number>;
    rows: { line: number; to: string; outcome: string; via?: string; code?: number | null }[];
  };
  expect(summary.counts).toMatchObject({ sent: 6, 'skipped-opted-out': 1, 'skipped-no-consent': 1, failed: 0 });
  const skipped = summary.rows.find((r) => r.to === optedOut);
  expect(skipped).toMatchObject({ line: 4, outcome: 'skipped-opted-out', code: 21610 });
  expect(summary.rows.find((r) => r.to === unknown)).toMatchObject({ line: 6, outcome: 'skipped-no-consent' });
  // The message whose answer was lost was found in the account, not sent again.
  expect(summary.rows.find((r) => r.to === optedIn[0])).toMatchObject({ outcome: 'sent', via: 'lookup' });

  // Exactly once each, with the exact template and values; nothing to the skipped ones.
  const byRecipient = new Map<string, number>();
  for (const m of stored()) byRecipient.set(m.to, (byRecipient.get(m.to) ?? 0) + 1);
  expect(Object.fromEntries(byRecipient)).toEqual(Object.fromEntries(optedIn.map((u) => [u, 1])));
  const creates = emulator.requestsFor('messages.create');
  expect(creates).toHaveLength(6);
  const row0 = creates.find((r) => (r.body as { To: string }).To === optedIn[0])!.body;
  expect(row0).toEqual({
    From: SANDBOX,
    To: optedIn[0],
    ContentSid: templateSid,
    ContentVariables: JSON.stringify({ 1: 'Ada 0', 2: '#1000', 3: 'out for delivery' }),
  });
  // Pacing: every send at least the interval after the one before, across the kill too.
  const times = creates.map((r) => r.at).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL_MS);

  // A third run sends nothing: the journal has every row.
  const third = await startCli(args).done;
  expect(third.code).toBe(0);
  expect(emulator.requestsFor('messages.create')).toHaveLength(6);
}, 120_000);

it("invalid rows are named by line and field, exit 2, nothing sent; npm's swallowed --dry-run honoured", async () => {
  const csv = join(dir, 'bad.csv');
  writeFileSync(csv, ['to,1,2', `${user(20)},Ada,#1`, '12,Bob,#2', `${user(21)},,#3`].join('\n') + '\n');
  const before = emulator.requestsFor('messages.create').length;
  const bad = await startCli([csv, '--template', 'order_update']).done;
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/line 3, to: /);
  expect(bad.stderr).toMatch(/line 2, variables\.3: variable "3" is missing/);
  expect(bad.stderr).toMatch(/line 4, variables\.1: /);

  const good = join(dir, 'good.csv');
  await consent(user(22), 'opted_in');
  writeFileSync(good, ['to,1,2,3', `${user(22)},Ada,#1,shipped`].join('\n') + '\n');
  const journal = join(dir, 'dry.journal.jsonl');
  const dry = await startCli([good, '--template', 'order_update', '--journal', journal], {
    npm_config_dry_run: 'true',
  }).done;
  expect(dry.code).toBe(0);
  expect(dry.stderr).toMatch(/npm took --dry-run/);
  expect(dry.stdout).toMatch(/would send 1/);
  expect(emulator.requestsFor('messages.create').length).toBe(before);
  expect(existsSync(journal)).toBe(false);
  expect(readFileSync(good, 'utf8')).toContain('shipped');
}, 60_000);
