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
import { atLeast, atMost, figure, median, round, section, spreadOf, type BenchSection } from './report';

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
  for (let r = 1; r <= ROUNDS; r += 1) results.push(await once(r));
  const ratios = results.map((r) => r.makespan / r.bound);
  const allOnline = results.every(
    (r) => r.online === r.creates && r.uniqueCreates === r.creates && r.creates === ACCOUNTS * PER_ACCOUNT,
  );
  const how = 'min-max over rounds';
  return section({
    title:
      `Bulk sender registration: ${ACCOUNTS * PER_ACCOUNT} senders, ${ACCOUNTS} accounts, ` +
      `interval ${INTERVAL_MS} ms (emulator)`,
    method:
      `${ROUNDS} rounds, each against a fresh emulator; bound = max_a (n_a - 1) x interval + online delay = ` +
      `(${PER_ACCOUNT} - 1) x ${INTERVAL_MS} + ${ONLINE_DELAY_MS} ms; polls every ${POLL_MS} ms; ` +
      "makespan from the run's start to the last final state.",
    table: {
      columns: [
        'round',
        'makespan ms',
        'bound ms',
        'makespan/bound',
        'online',
        'creates',
        'unique creates',
        'fetches',
        'min gap ms',
        'mean gap ms',
      ],
      rows: results.map((r, i) => [
        i + 1,
        r.makespan,
        r.bound,
        round(r.makespan / r.bound, 4),
        r.online,
        r.creates,
        r.uniqueCreates,
        r.fetches,
        r.minGap,
        round(r.meanGap, 1),
      ]),
    },
    figures: [
      figure({
        name: 'makespan / pacing bound (median of rounds)',
        value: round(median(ratios), 4),
        unit: 'ratio',
        baseline: 'the pacing bound of the same run',
        spread: spreadOf(ratios.map((x) => round(x, 4)), how),
        goal: atMost(1.05),
      }),
      figure({
        name: 'senders created once and ONLINE, every round (1 = yes)',
        value: allOnline ? 1 : 0,
        unit: 'flag',
        baseline: 'none: a check',
        spread: 'exact',
        goal: atLeast(1),
      }),
    ],
    notes: [
      "Pacing counts from each create's answer, so the gap between two creates Twilio receives is never below " +
        'the interval; each gap also carries one create round trip (the "mean gap" column).',
    ],
  });
}
