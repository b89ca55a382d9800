/**
 * The conversation store's cost: Sync calls per inbound message (each kind of message, sequentially, counted at
 * the emulator), and /whatsapp/incoming with state on (the emulator's Sync, rate limit on) against the same route
 * with state off (no credentials: stateless) in the same run, under load from many users, with the per-object
 * peak rate the load put on Sync.
 */
import autocannon from 'autocannon';
import { startEmulator, type Emulator } from '../dev/emulator/server';
import { spawnLocalRuntime, type SpawnedRuntime } from '../dev/local-runtime';
import { computeSignature } from '../lib/signature';
import { sendInbound, syncStats } from '../test/support/conversation';
import { atMost, figure, median, round, section, spreadOf, type BenchSection } from './report';

const AUTH_TOKEN = 'bench-sync-auth-token';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 2);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const USERS = 2000;
const BOT = 'whatsapp:+14155238886';

const syncRequests = (emulator: Emulator) => emulator.state.requests.filter((r) => r.route.startsWith('sync.')).length;

/** Sync calls of each kind of inbound message, one at a time. */
async function callsPerMessage(
  emulator: Emulator,
  runtime: SpawnedRuntime,
): Promise<{ rows: Record<string, string | number>[]; max: number; mean: number }> {
  const user = (n: number) => `whatsapp:+1415557${String(n).padStart(4, '0')}`;
  const retried = { Body: 'hi', MessageSid: 'SM' + 'b'.repeat(32) };
  const kinds: [string, string, Record<string, string>, Record<string, string>?][] = [
    ['first message of a new user', user(1), { Body: 'hi' }],
    ['next message', user(1), { Body: 'menu' }],
    ['STOP (consent recorded)', user(1), { Body: 'stop' }],
    ['location (claimed, then sent)', user(1), { Body: 'location' }],
    ['a message', user(2), retried, { 'I-Twilio-Idempotency-Token': 'bench-retry' }],
    ['its retried delivery', user(2), retried, { 'I-Twilio-Idempotency-Token': 'bench-retry' }],
  ];
  const rows: Record<string, string | number>[] = [];
  const counts: number[] = [];
  for (const [name, from, fields, headers] of kinds) {
    for (let i = 0; i < (name === 'next message' ? 20 : 1); i++) {
      const before = syncRequests(emulator);
      await sendInbound(runtime.url, AUTH_TOKEN, from, fields, { headers });
      counts.push(syncRequests(emulator) - before);
    }
    rows.push({ message: name, 'Sync calls': counts[counts.length - 1]! });
  }
  return {
    rows,
    max: Math.max(...counts),
    mean: Number((counts.reduce((a, b) => a + b, 0) / counts.length).toFixed(2)),
  };
}

/** The median time of one bare HTTP request to the emulator from here: what each Sync call costs at least. */
async function emulatorRoundTrip(emulator: Emulator): Promise<number> {
  const authorization = `Basic ${Buffer.from(`AC${'9'.repeat(32)}:bench`).toString('base64')}`;
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    await (await fetch(`${emulator.url}/v1/Services/default`, { headers: { authorization } })).text();
    times.push(performance.now() - started);
  }
  return Number(times.sort((a, b) => a - b)[25]!.toFixed(2));
}

type LoadResult = { rps: number; p50: number; p99: number; non2xx: number; errors: number; requests: number };

/** autocannon, -c 10, each request a new message (MessageSid) from one of USERS users, signed. */
async function load(url: string, offset: number): Promise<LoadResult> {
  let n = offset;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 10,
    duration: DURATION_S,
    requests: [
      {
        setupRequest: (request) => {
          n += 1;
          const params = {
            MessageSid: `SM${n.toString(16).padStart(32, '0')}`,
            From: `whatsapp:+1415558${String(n % USERS).padStart(4, '0')}`,
            To: BOT,
            Body: 'hello',
            NumMedia: '0',
          };
          return {
            ...request,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'x-twilio-signature': computeSignature(AUTH_TOKEN, url, params),
            },
            body: new URLSearchParams(params).toString(),
          };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requests: result.requests.total,
  };
}

const stateEnv = (emulator: Emulator) => ({
  ACCOUNT_SID: 'AC' + '9'.repeat(32),
  AUTH_TOKEN,
  TWILIO_API_BASE_URL: emulator.url,
  BOT_LOCATION_LATITUDE: '37.7908',
  BOT_LOCATION_LONGITUDE: '-122.3931',
  BOT_LOCATION_NAME: 'Twilio HQ',
});

export async function run(): Promise<BenchSection[]> {
  // The call counts run on an emulator of their own: their quick sequence on one contact must not count
  // toward the per-object peak of the load run.
  const countingEmulator = await startEmulator();
  const counting = await spawnLocalRuntime({ env: stateEnv(countingEmulator) });
  const calls = await callsPerMessage(countingEmulator, counting).finally(async () => {
    await counting.stop();
    await countingEmulator.close();
  });
  const emulator = await startEmulator();
  const [on, off] = await Promise.all([
    spawnLocalRuntime({ env: stateEnv(emulator) }),
    spawnLocalRuntime({ env: { AUTH_TOKEN } }),
  ]);
  try {
    const roundTripMs = await emulatorRoundTrip(emulator);
    const incoming = (rt: SpawnedRuntime) => `${rt.url}/whatsapp/incoming`;
    // Warm both, then alternate pairs so the machine's drift lands on both sides.
    let offset = 0;
    await load(incoming(on), (offset += 1_000_000));
    await load(incoming(off), (offset += 1_000_000));
    const statsBefore = await syncStats(emulator);
    const runs: { on: LoadResult; off: LoadResult }[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      const offFirst = pair % 2 === 1;
      const first = await load(incoming(offFirst ? off : on), (offset += 1_000_000));
      const second = await load(incoming(offFirst ? on : off), (offset += 1_000_000));
      runs.push(offFirst ? { off: first, on: second } : { on: first, off: second });
    }
    const onSeconds = PAIRS * DURATION_S;
    const stats = await syncStats(emulator);
    const before = new Map(statsBefore.map((o) => [o.object, o]));
    const peakReads = Math.max(...stats.map((o) => o.peak_reads_per_second));
    const peakWrites = Math.max(...stats.map((o) => o.peak_writes_per_second));
    const rejected = stats.reduce((sum, o) => sum + o.rejected - (before.get(o.object)?.rejected ?? 0), 0);
    const loadOps = stats.reduce(
      (sum, o) => sum + o.reads + o.writes - (before.get(o.object)?.reads ?? 0) - (before.get(o.object)?.writes ?? 0),
      0,
    );
    const pick = (side: 'on' | 'off', key: 'rps' | 'p50' | 'p99') => median(runs.map((r) => r[side][key]));
    const degraded = on.jsonLogs().filter((l) => l.event === 'conversation.unavailable').length;
    const messagesOn = runs.reduce((n, r) => n + r.on.requests, 0);
    const newMessages = calls.rows.filter((r) => !String(r.message).startsWith('location'));
    const maxNewCalls = Math.max(...newMessages.map((r) => Number(r['Sync calls'])));
    const addedP50 = runs.map((r) => r.on.p50 - r.off.p50);
    const pairs = `${PAIRS} alternating pairs of ${DURATION_S} s`;
    const sideRow = (label: string, side: 'on' | 'off') => [
      label,
      Math.round(pick(side, 'rps')),
      pick(side, 'p50'),
      pick(side, 'p99'),
      runs.reduce((n, r) => n + r[side].non2xx + r[side].errors, 0),
    ];
    return [
      section({
        title: 'Conversation store: Sync calls per inbound message (emulator, one message at a time)',
        method:
          'Each kind of message sent once (the next message 20 times) to a runtime with state on; ' +
          'calls counted at the emulator.',
        table: {
          columns: ['message', 'Sync calls'],
          rows: calls.rows.map((r) => [String(r.message), Number(r['Sync calls'])]),
        },
        figures: [
          figure({
            name: 'Sync calls per new message (max, location aside)',
            value: maxNewCalls,
            unit: 'calls',
            baseline: 'none: a count',
            spread: 'exact',
            goal: atMost(2),
          }),
          figure({
            name: 'Sync calls per message (mean)',
            value: calls.mean,
            unit: 'calls',
            baseline: 'none: a count',
            spread: 'exact',
          }),
        ],
        notes: [
          'Location: read, claiming write, then the Messages API call; ' +
            'a failed send adds one write to withdraw the claim.',
        ],
      }),
      section({
        title: `/whatsapp/incoming with the conversation store on vs off (autocannon -c 10, ${USERS} users)`,
        method:
          `${pairs}, state on (emulator Sync, rate limit on) and off (no credentials: stateless), in two runtimes; ` +
          'columns are medians over rounds.',
        table: {
          columns: ['side', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx and errors'],
          rows: [sideRow('state ON', 'on'), sideRow('state OFF', 'off')],
        },
        figures: [
          figure({
            name: 'added p50 with state on (ms)',
            value: round(median(addedP50), 2),
            unit: 'ms',
            baseline: 'state off in the same pairs',
            spread: spreadOf(addedP50, 'min-max over pairs'),
            goal: atMost(roundTripMs),
          }),
          figure({
            name: 'one emulator round trip (the goal above)',
            value: roundTripMs,
            unit: 'ms',
            baseline: 'none: a bare request to the emulator (median)',
            spread: 'exact',
          }),
          figure({
            name: 'per-object peak Sync ops/s in the load run',
            value: Math.max(peakReads, peakWrites),
            unit: 'ops/s',
            baseline: "Sync's limit per object",
            spread: 'exact',
            goal: atMost(20),
          }),
          figure({
            name: 'Sync 429s in the load run',
            value: rejected,
            unit: 'answers',
            baseline: 'none: a count',
            spread: 'exact',
            goal: atMost(0),
          }),
          figure({
            name: 'Sync ops/s in the load run, all documents',
            value: Math.round(loadOps / onSeconds),
            unit: 'ops/s',
            baseline: 'none: a rate',
            spread: 'exact',
          }),
        ],
        notes: [
          `${messagesOn} messages with state on; ${degraded} answered without state (Sync failed).`,
          `One bare request to the emulator takes ${roundTripMs} ms here (median): state on adds two Sync round ` +
            'trips per message, on this machine loopback ones; against Twilio each is a network round trip.',
          'Sync ops/s in the load run is what one shared Map would have had to take; ' +
            `spread over ${stats.length} documents, none passed ${Math.max(peakReads, peakWrites)}/s.`,
        ],
      }),
    ];
  } finally {
    await Promise.all([on.stop(), off.stop()]);
    await emulator.close();
  }
}
