/**
 * The conversation store's cost: Sync calls per inbound message (each kind of message, sequentially, counted at
 * the emulator), and /whatsapp/incoming with state on (the emulator's Sync, rate limit on) against the same route
 * with state off (no credentials: stateless) in the same run, under load from many users, with the per-object
 * peak rate the load put on Sync.
 */
import autocannon from 'autocannon';
import { Agent, request as httpRequest } from 'node:http';
import { twilioRequest } from '../lib/twilio-api';
import { createHttpRequester } from '../lib/twilio-api/http-requester';
import { startEmulator, type Emulator } from '../dev/emulator/server';
import { spawnLocalRuntime, type SpawnedRuntime } from '../dev/local-runtime';
import { sendInbound, syncDump, syncStats } from '../test/support/conversation';
import { messageSidFor, signedForm } from './signed-form';
import { atMost, figure, median, quartiles, round, section, spreadOf, type BenchSection } from './report';

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

/**
 * One emulator round trip for the call the store makes on a user's next message: a Sync document update with
 * If-Match carrying `record` (a contact record as the run left it, so the same size both ways), through the
 * store's own requester (lib/twilio-api/http-requester.ts), from this process, one at a time. ROUND_TRIPS times.
 */
async function emulatorRoundTrip(emulator: Emulator, record: string): Promise<number[]> {
  const requester = createHttpRequester({
    accountSid: `AC${'9'.repeat(32)}`,
    authToken: 'bench',
    apiBaseUrl: emulator.url,
  });
  const call = () => ({ client: requester, deadline: Date.now() + 5000, retry: { maxAttempts: 1 } });
  const documents = 'https://sync.twilio.com/v1/Services/default/Documents';
  const created = await twilioRequest(
    call(),
    'post',
    documents,
    { UniqueName: 'bench-round-trip', Data: '{}' },
    {
      encoding: 'form',
    },
  );
  const sid = (created.body as { sid: string }).sid;
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS + 20; i++) {
    const started = performance.now();
    await twilioRequest(
      call(),
      'post',
      `${documents}/${sid}`,
      // Each a new value, as each message's write is; the same size as the store's.
      { Data: record.replace(/^\{/, `{"bench":${i},`) },
      {
        encoding: 'form',
        headers: { 'If-Match': String(i) },
      },
    );
    if (i >= 20) times.push(performance.now() - started); // the first ones warm the connection and the JIT
  }
  return times;
}

const ROUND_TRIPS = 300;

/** The data of the largest contact document the emulator holds, as JSON. */
async function aContactRecord(emulator: Emulator): Promise<string> {
  const dump = JSON.parse(await syncDump(emulator)) as { services: { documents: { data: unknown }[] }[] };
  const records = dump.services.flatMap((s) => s.documents.map((d) => JSON.stringify(d.data)));
  return records.sort((a, b) => b.length - a.length)[0] ?? '{"v":1}';
}
const SEQUENTIAL_ROUNDS = Number(process.env.BENCH_SEQUENTIAL_ROUNDS ?? 400);
/** Enough users that none passes Sync's 20 writes/s per document at one request at a time. */
const SEQUENTIAL_USERS = 200;

/** A signed inbound message posted on a kept-alive connection; resolves the time to its whole answer, in ms. */
function timedInbound(agent: Agent, url: string, from: string, n: number): Promise<number> {
  const params = { MessageSid: messageSidFor(n), From: from, To: BOT, Body: 'hello', NumMedia: '0' };
  const { body, headers: signed } = signedForm(AUTH_TOKEN, url, params);
  const headers = { ...signed, 'content-length': String(Buffer.byteLength(body)) };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The interquartile range of `values` as a figure's spread (over all of them, not two rounds). */
const iqrSpread = (values: number[], how: string) => {
  const [min, max] = quartileRange(values).map((x) => round(x, 3)) as [number, number];
  return { min, max, rounds: values.length, how };
};

type Sequential = { on: number[]; off: number[]; syncCallsPerMessage: number };

/**
 * The latency a user's next message gets, one request at a time (no queueing: what a person waiting for the reply
 * sees), state on against off, alternating, over SEQUENTIAL_USERS users the container already remembers.
 */
async function sequentialLatency(emulator: Emulator, on: SpawnedRuntime, off: SpawnedRuntime): Promise<Sequential> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = (rt: SpawnedRuntime) => `${rt.url}/whatsapp/incoming`;
  const user = (i: number) => `whatsapp:+1415559${String(i % SEQUENTIAL_USERS).padStart(4, '0')}`;
  let n = 9_000_000;
  // Every user's first message (read, create), and the JIT warmed on both sides.
  for (let i = 0; i < SEQUENTIAL_USERS; i++) {
    await timedInbound(agent, url(on), user(i), (n += 1));
    await timedInbound(agent, url(off), user(i), (n += 1));
  }
  const result: Sequential = { on: [], off: [], syncCallsPerMessage: 0 };
  const before = syncRequests(emulator);
  for (let i = 0; i < SEQUENTIAL_ROUNDS; i++) {
    const onFirst = i % 2 === 0;
    for (const side of onFirst ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      result[side].push(await timedInbound(agent, url(side === 'on' ? on : off), user(i), (n += 1)));
    }
  }
  result.syncCallsPerMessage = (syncRequests(emulator) - before) / SEQUENTIAL_ROUNDS;
  agent.destroy();
  return result;
}

/** [p25, p75] of `values`, for a spread. */
const quartileRange = (values: number[]): [number, number] => {
  const [p25, , p75] = quartiles(values);
  return [p25, p75];
};

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
            MessageSid: messageSidFor(n),
            From: `whatsapp:+1415558${String(n % USERS).padStart(4, '0')}`,
            To: BOT,
            Body: 'hello',
            NumMedia: '0',
          };
          return { ...request, ...signedForm(AUTH_TOKEN, url, params) };
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
    const sequential = await sequentialLatency(emulator, on, off);
    // On an emulator of its own without the rate limit: the round trips go one after another to one document.
    const roundTripEmulator = await startEmulator({ syncRateLimit: false });
    const roundTrips = await emulatorRoundTrip(roundTripEmulator, await aContactRecord(emulator)).finally(() =>
      roundTripEmulator.close(),
    );
    const roundTripMs = round(median(roundTrips), 3);
    const sequentialAdded = round(median(sequential.on) - median(sequential.off), 3);
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
        title: "A user's next message, one request at a time: the store's added latency",
        method:
          `${SEQUENTIAL_ROUNDS} messages each to a runtime with state on and one with state off, alternating, one ` +
          `request at a time on a kept-alive connection, from ${SEQUENTIAL_USERS} users who had written before ` +
          '(so the container remembers them). The round trip: a Sync document update with If-Match through the ' +
          "store's own requester, from this process, one at a time (the call the store makes for such a message).",
        table: {
          columns: ['side', 'p50 ms', 'p25 ms', 'p75 ms'],
          rows: [
            ['state ON', round(median(sequential.on), 3), ...quartileRange(sequential.on).map((x) => round(x, 3))],
            ['state OFF', round(median(sequential.off), 3), ...quartileRange(sequential.off).map((x) => round(x, 3))],
            ['one emulator round trip', roundTripMs, ...quartileRange(roundTrips).map((x) => round(x, 3))],
          ],
        },
        figures: [
          figure({
            name: "added p50 with state on, a user's next message",
            value: sequentialAdded,
            unit: 'ms',
            baseline: 'state off, same run, alternating',
            spread: iqrSpread(
              sequential.on.map((x, k) => x - sequential.off[k]!),
              "IQR of the pairs' differences",
            ),
            goal: atMost(roundTripMs),
          }),
          figure({
            name: 'one emulator round trip (the goal above)',
            value: roundTripMs,
            unit: 'ms',
            baseline: "none: a Sync update through the store's requester (median)",
            spread: iqrSpread(roundTrips, 'IQR of the round trips'),
          }),
          figure({
            name: "Sync calls per message in this run (a user's next message)",
            value: round(sequential.syncCallsPerMessage, 2),
            unit: 'calls',
            baseline: 'none: a count at the emulator',
            spread: 'exact',
            goal: atMost(1),
          }),
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
            name: 'added p50 under load with state on (queueing: a throughput figure)',
            value: round(median(addedP50), 2),
            unit: 'ms',
            baseline: 'state off in the same pairs',
            spread: spreadOf(addedP50, 'min-max over pairs'),
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
          `Under load (-c 10, all cores busy) p50 is queueing: the added p50 measures CPU per request, not waiting ` +
            "on Sync; the latency goal is the previous section's, one request at a time.",
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
