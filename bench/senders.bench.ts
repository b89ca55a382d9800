/**
 * Bulk registration on the emulator: 200 senders in 10 subaccounts (20 each), a short pacing interval, against
 * the emulator over real HTTP on 127.0.0.1, through the same runner, API adapter and fsync'd journal the CLI
 * uses (in this process: the CLI adds only its start-up).
 *
 * The pacing bound (the least makespan the interval allows):
 *   bound = max over accounts a of (n_a - 1) * interval  +  onlineDelay
 * An account's creates are at least `interval` apart, so its last create cannot reach Twilio before
 * (n_a - 1) * interval after its first; the emulator keeps a new sender CREATING for `onlineDelay` after it
 * received the create, so the last sender cannot be ONLINE sooner. Request round trips, polling granularity,
 * journal writes and scheduling are all overhead on top of it. Makespan: from the run's start to the last
 * sender's final state. Goal: makespan / bound <= 1.05.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../dev/emulator/server';
import { createBulkApi } from '../cli/senders/api';
import { validateRows } from '../cli/senders/input';
import { openJournal } from '../cli/senders/journal';
import { runBulk } from '../cli/senders/run';
import type { BenchSection } from './report';

const PARENT = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'bench-parent-token-0123456789abcdef';
const ACCOUNTS = 10;
const PER_ACCOUNT = 20;
const INTERVAL_MS = 250;
const ONLINE_DELAY_MS = 25;
const POLL_MS = 10;
const ROUNDS = 3;

const accountSid = (a: number) => `AC${a.toString(16).padStart(2, '0').repeat(5)}${'0'.repeat(22)}`;

async function once(round: number) {
  const emulator = await startEmulator({ senderOnlineDelayMs: ONLINE_DELAY_MS });
  const dir = mkdtempSync(join(tmpdir(), 'senders-bench-'));
  try {
    const raw = Array.from({ length: ACCOUNTS * PER_ACCOUNT }, (_, i) => ({
      line: i + 2,
      fields: {
        account_sid: accountSid((i % ACCOUNTS) + 1),
        sender_id: `+1 415 555 ${String(1000 + i).padStart(4, '0')}`,
        profile: { name: `Acme Store ${i}` },
      },
    }));
    const { rows, problems } = validateRows(raw, PARENT);
    if (problems.length) throw new Error(`bench input invalid: ${JSON.stringify(problems[0])}`);
    const journal = await openJournal(join(dir, `round-${round}.journal.jsonl`));
    // Start-up (loading twilio-node, ~200 ms once per process) is outside the makespan, like the CLI's own start.
    const api = createBulkApi({ accountSid: PARENT, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url });
    const started = Date.now();
    const reports = await runBulk(rows, {
      api,
      journal,
      intervalMs: INTERVAL_MS,
      pollIntervalMs: POLL_MS,
      timeoutMs: 60_000,
      concurrency: ACCOUNTS,
    });
    const makespan = Date.now() - started;
    await journal.close();

    const online = reports.filter((r) => r.outcome === 'online').length;
    const creates = emulator.requestsFor('senders.create');
    const perAccount = new Map<string, number[]>();
    for (const c of creates) perAccount.set(c.authUser, [...(perAccount.get(c.authUser) ?? []), c.at]);
    const bound = Math.max(...[...perAccount.values()].map((times) => (times.length - 1) * INTERVAL_MS)) + ONLINE_DELAY_MS;
    const gaps = [...perAccount.values()].flatMap((times) => times.slice(1).map((t, i) => t - times[i]!));
    return {
      makespan,
      bound,
      online,
      creates: creates.length,
      uniqueCreates: new Set(creates.map((c) => (c.body as { sender_id: string }).sender_id)).size,
      fetches: emulator.requestsFor('senders.fetch').length,
      minGap: Math.min(...gaps),
      meanGap: gaps.reduce((a, b) => a + b, 0) / gaps.length,
    };
  } finally {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection> {
  const results = [];
  for (let round = 1; round <= ROUNDS; round += 1) results.push(await once(round));
  const ratios = results.map((r) => r.makespan / r.bound);
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  const worst = Math.max(...ratios);
  return {
    title: `Bulk sender registration: ${ACCOUNTS * PER_ACCOUNT} senders, ${ACCOUNTS} accounts, interval ${INTERVAL_MS} ms (emulator)`,
    rows: results.map((r, i) => ({
      round: i + 1,
      'makespan ms': r.makespan,
      'bound ms': r.bound,
      'makespan/bound': Number((r.makespan / r.bound).toFixed(4)),
      online: r.online,
      creates: r.creates,
      'unique creates': r.uniqueCreates,
      fetches: r.fetches,
      'min gap ms': r.minGap,
      'mean gap ms': Number(r.meanGap.toFixed(1)),
    })),
    figures: {
      makespanOverBoundMedian: Number(median.toFixed(4)),
      makespanOverBoundWorst: Number(worst.toFixed(4)),
      boundMs: results[0]!.bound,
      intervalMs: INTERVAL_MS,
      onlineDelayMs: ONLINE_DELAY_MS,
      pollIntervalMs: POLL_MS,
    },
    goals: [
      { name: 'makespan / pacing bound (median of rounds)', value: Number(median.toFixed(4)), goal: '<= 1.05', met: median <= 1.05 },
      {
        name: 'every sender created once and ONLINE (all rounds)',
        value: results.every((r) => r.online === r.creates && r.uniqueCreates === r.creates && r.creates === ACCOUNTS * PER_ACCOUNT) ? 1 : 0,
        goal: '= 1',
        met: results.every((r) => r.online === r.creates && r.uniqueCreates === r.creates && r.creates === ACCOUNTS * PER_ACCOUNT),
      },
    ],
    notes: [
      `bound = max_a (n_a - 1) x interval + online delay = (${PER_ACCOUNT} - 1) x ${INTERVAL_MS} + ${ONLINE_DELAY_MS} ms; polls every ${POLL_MS} ms; makespan from the run's start to the last final state.`,
      'Pacing counts from each create\'s answer, so the gap between two creates Twilio receives is never below the interval; each gap also carries one create round trip (the "mean gap" column).',
    ],
  };
}
