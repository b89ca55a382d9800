/**
 * /whatsapp/incoming under load, against a trivial TwiML function served by the same server in the same run,
 * and a CPU profile of both saying where a request's time goes.
 *
 * Serving: the real local runtime in its own process (one process, functions cached after the first request,
 * like a warm Functions container), reporting its own CPU time (bench/measured-runtime.ts); load from
 * autocannon in this process, 10 connections, rounds of a fixed duration (autocannon ends an `amount` run only
 * on its once-a-second tick, which made throughput come out in whole steps). Rounds alternate trivial
 * and route (which one goes first alternates too); a pair gives two ratios, server CPU per request
 * (trivial / route) and throughput (route / trivial), and each figure is the median of its pairs. Pairs are
 * added until both medians are known to about ±0.01 (0.93 × IQR / √pairs, the median's standard error), so
 * two runs agree within a few hundredths; the server CPU ratio is the steadier one on a shared machine.
 */
import autocannon from 'autocannon';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build as esbuild } from 'esbuild';
import { functionOptions } from '../dev/build';
import { ROOT } from '../dev/paths';
import { startEmulator } from '../dev/emulator/server';
import { messageSidFor, signedForm } from './signed-form';
import { startMeasuredRuntime, type MeasuredRuntime } from './measured-runtime';
import { atLeast, figure, interquartileRange, median, quartiles, round, section, spreadOf } from './report';
import type { BenchSection, Figure } from './report';

const DIST_FUNCTIONS = join(ROOT, 'dist', 'functions');
const AUTH_TOKEN = 'bench-auth-token';
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 2);
const MIN_PAIRS = Number(process.env.BENCH_MIN_PAIRS ?? 9);
const MAX_PAIRS = Number(process.env.BENCH_MAX_PAIRS ?? 15);
/** Stop adding pairs once both medians' standard error is below this. */
const TARGET_ERROR = 0.01;
const GOAL = 0.9;
const INCOMING = 'whatsapp/incoming.protected.js';

/** The baseline: the least a TwiML function can do, answered through Twilio.Response like ours. */
const TRIVIAL_FUNCTION = `exports.handler = (context, event, callback) => {
  const response = new Twilio.Response();
  response.appendHeader('Content-Type', 'text/xml; charset=utf-8');
  response.setBody('<?xml version="1.0" encoding="UTF-8"?><Response><Message><Body>ok</Body></Message></Response>');
  callback(null, response);
};
`;

const BASE = {
  From: 'whatsapp:+15005550006',
  To: 'whatsapp:+14155238886',
  MessageSid: 'SM' + 'a'.repeat(32),
  NumMedia: '0',
};
const MEDIA_URL = 'https://api.twilio.com/x/Media/ME1';
/** What each scenario posts; `fresh` ones are a new message (MessageSid) from one of USERS users every request. */
const SCENARIOS = {
  text: { fields: { ...BASE, Body: 'hello' }, fresh: false },
  media: {
    fields: { ...BASE, Body: '', NumMedia: '1', MediaUrl0: MEDIA_URL, MediaContentType0: 'image/jpeg' },
    fresh: false,
  },
  'text, state on': { fields: { ...BASE, Body: 'hello' }, fresh: true },
  'location, state on': { fields: { ...BASE, Body: 'location' }, fresh: true },
};
type Scenario = keyof typeof SCENARIOS;
/**
 * The goal is on the route's own cost (the measure, from before the conversation store): served without
 * Twilio credentials, so without state. The store's cost is its own goal (bench/sync.bench.ts); here it is
 * reported beside: a runtime with credentials and the emulator, every request a new message, so each costs the
 * store's real calls (one write for a user the container remembers; location adds its Messages API call).
 */
const WITH_GOAL: readonly Scenario[] = ['text', 'media'];
const STATELESS: readonly Scenario[] = ['text', 'media'];
const STATEFUL: readonly Scenario[] = ['text, state on', 'location, state on'];
/** Users the fresh scenarios cycle through: fewer than the container remembers (500), as a busy bot's regulars. */
const USERS = 200;

type Target = ReturnType<typeof signedForm> & { url: string; fresh?: { fields: Record<string, string> } };
type Round = { cpuMicrosPerRequest: number; rps: number; p50: number; answered: number };

/** Serves the trivial function and the built incoming webhook from one temporary functions folder. */
async function serve(stateful: boolean, execArgv: string[] = [], incomingFile = join(DIST_FUNCTIONS, INCOMING)) {
  const dir = join(ROOT, 'bench-results', `webhook-functions-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'whatsapp'), { recursive: true });
  writeFileSync(join(dir, 'trivial.js'), TRIVIAL_FUNCTION);
  copyFileSync(incomingFile, join(dir, INCOMING));
  // With state, USERS users each write several times a second here, past Sync's per-object rate, which no person
  // does: the emulator's rate limit is off so the figure is the route's cost. bench/sync.bench.ts keeps it on.
  const emulator = stateful ? await startEmulator({ syncRateLimit: false }) : undefined;
  const credentials = emulator
    ? { ACCOUNT_SID: 'AC' + '0'.repeat(32), TWILIO_API_BASE_URL: emulator.url }
    : ({} as Record<string, string>);
  const runtime = await startMeasuredRuntime(
    {
      functionsFolder: relative(ROOT, dir),
      assetsFolder: 'dist/assets',
      env: {
        ...credentials,
        AUTH_TOKEN,
        BOT_LOCATION_LATITUDE: '37.7908',
        BOT_LOCATION_LONGITUDE: '-122.3931',
        BOT_LOCATION_NAME: 'Twilio HQ',
      },
    },
    execArgv,
  );
  const incoming = `${runtime.url}/whatsapp/incoming`;
  // Both get the same body, signed for the webhook, so body parsing costs both the same.
  const target = (scenario: Scenario, path: 'trivial' | 'route'): Target => {
    const { fields, fresh } = SCENARIOS[scenario];
    return {
      url: path === 'route' ? incoming : `${runtime.url}/trivial`,
      ...signedForm(AUTH_TOKEN, incoming, fields),
      ...(fresh && path === 'route' ? { fresh: { fields } } : {}),
    };
  };
  const close = async () => {
    await runtime.stop();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { runtime, emulator, target, close };
}

let sent = 0;
/** autocannon's per-request hook for a fresh target: a new MessageSid from one of USERS users, signed. */
function freshRequests(target: Target, url: string) {
  if (!target.fresh) return undefined;
  const { fields } = target.fresh;
  return [
    {
      setupRequest: (request: autocannon.Request) => {
        sent += 1;
        const params = {
          ...fields,
          MessageSid: messageSidFor(sent),
          From: `whatsapp:+1500555${String(sent % USERS).padStart(4, '0')}`,
        };
        return { ...request, ...signedForm(AUTH_TOKEN, url, params) };
      },
    },
  ];
}

/** `seconds` of load from 10 connections; throws if any request failed (the benchmark would measure errors). */
async function load(runtime: MeasuredRuntime, target: Target, seconds = ROUND_SECONDS): Promise<Round> {
  const before = await runtime.sample();
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    connections: 10,
    duration: seconds,
    headers: target.headers,
    body: target.body,
    requests: freshRequests(target, target.url),
  });
  const after = await runtime.sample();
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${target.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const answered = result.requests.total;
  const cpuMicrosPerRequest = (after.cpuMicros - before.cpuMicros) / answered;
  return { cpuMicrosPerRequest, rps: answered / seconds, p50: result.latency.p50, answered };
}

const standardErrorOfMedian = (values: number[]) => (0.93 * interquartileRange(values)) / Math.sqrt(values.length);

type ScenarioResult = {
  scenario: Scenario;
  trivial: Round[];
  route: Round[];
  cpuRatios: number[];
  rpsRatios: number[];
  /** Counted at the emulator over the measured rounds (the trivial function makes none). */
  syncCalls: number;
  messagesApiCalls: number;
};

async function measureScenario(
  runtime: MeasuredRuntime,
  trivial: Target,
  route: Target,
  scenario: Scenario,
  maxPairs: number,
) {
  const result: ScenarioResult = {
    scenario,
    trivial: [],
    route: [],
    cpuRatios: [],
    rpsRatios: [],
    syncCalls: 0,
    messagesApiCalls: 0,
  };
  for (let pair = 0; pair < maxPairs; pair += 1) {
    const routeFirst = pair % 2 === 1;
    const first = await load(runtime, routeFirst ? route : trivial);
    const second = await load(runtime, routeFirst ? trivial : route);
    const [t, r] = routeFirst ? [second, first] : [first, second];
    result.trivial.push(t);
    result.route.push(r);
    result.cpuRatios.push(t.cpuMicrosPerRequest / r.cpuMicrosPerRequest);
    result.rpsRatios.push(r.rps / t.rps);
    const error = Math.max(standardErrorOfMedian(result.cpuRatios), standardErrorOfMedian(result.rpsRatios));
    const settled = error <= TARGET_ERROR;
    if (pair + 1 >= Math.min(MIN_PAIRS, maxPairs) && settled) break;
  }
  return result;
}

/** The scenarios on one server (with state or without), each against that server's trivial function. */
async function measureOn(stateful: boolean) {
  const scenarios = stateful ? STATEFUL : STATELESS;
  const { runtime, emulator, target, close } = await serve(stateful);
  try {
    // Warm every path (the first requests load the modules, then the JIT optimizes).
    for (const scenario of scenarios) {
      await load(runtime, target(scenario, 'trivial'), 2);
      await load(runtime, target(scenario, 'route'), 2);
    }
    const counts = () => ({
      sync: emulator?.state.requests.filter((r) => r.route.startsWith('sync.')).length ?? 0,
      messages: emulator?.requestsFor('messages.create').length ?? 0,
    });
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const pairs = WITH_GOAL.includes(scenario) ? MAX_PAIRS : 5;
      const [trivial, route] = [target(scenario, 'trivial'), target(scenario, 'route')];
      const before = counts();
      const result = await measureScenario(runtime, trivial, route, scenario, pairs);
      const after = counts();
      results.push({
        ...result,
        syncCalls: after.sync - before.sync,
        messagesApiCalls: after.messages - before.messages,
      });
    }
    return results;
  } finally {
    await close();
  }
}

export async function loadSection(): Promise<BenchSection> {
  const results = [...(await measureOn(false)), ...(await measureOn(true))];
  {
    const baseline = 'trivial TwiML function, same server, alternating rounds';
    const figures: Figure[] = results.flatMap(({ scenario, cpuRatios, rpsRatios }) => {
      const goal = WITH_GOAL.includes(scenario) ? atLeast(GOAL) : undefined;
      const how = 'min-max of pair ratios';
      return [
        figure({
          name: `${scenario}: server CPU per request, trivial / route`,
          value: round(median(cpuRatios)),
          unit: 'ratio',
          baseline,
          spread: spreadOf(
            cpuRatios.map((x) => round(x)),
            how,
          ),
          goal,
        }),
        figure({
          name: `${scenario}: throughput, route / trivial`,
          value: round(median(rpsRatios)),
          unit: 'ratio',
          baseline,
          spread: spreadOf(
            rpsRatios.map((x) => round(x)),
            how,
          ),
          goal,
        }),
      ];
    });
    const medianOf = (rounds: Round[], key: keyof Round) => round(median(rounds.map((r) => r[key])), 1);
    return section({
      title: '/whatsapp/incoming under load, against a trivial TwiML function',
      method:
        `Local runtime in its own process, autocannon -c 10 from the bench process, ${ROUND_SECONDS} s rounds; ` +
        `trivial and route rounds alternate in pairs (${MIN_PAIRS}-${MAX_PAIRS} pairs until the medians settle; ` +
        "5 for location). Server CPU: the runtime process's own user+system time (process.cpuUsage in the child) " +
        'per request. Columns are medians over rounds.',
      table: {
        columns: [
          'scenario',
          'pairs',
          'trivial req/s',
          'route req/s',
          'trivial CPU µs/req',
          'route CPU µs/req',
          'route p50 ms',
        ],
        rows: results.map((r) => [
          r.scenario,
          r.cpuRatios.length,
          medianOf(r.trivial, 'rps'),
          medianOf(r.route, 'rps'),
          medianOf(r.trivial, 'cpuMicrosPerRequest'),
          medianOf(r.route, 'cpuMicrosPerRequest'),
          medianOf(r.route, 'p50'),
        ]),
      },
      figures: [
        ...figures,
        ...results
          .filter((r) => STATEFUL.includes(r.scenario))
          .flatMap((r) => {
            const requests = r.route.reduce((n, round) => n + round.answered, 0);
            const perRequest = (calls: number) => round(calls / requests, 2);
            return [
              figure({
                name: `${r.scenario}: Sync calls per request`,
                value: perRequest(r.syncCalls),
                unit: 'calls',
                baseline: 'none: a count at the emulator',
                spread: 'exact',
              }),
              figure({
                name: `${r.scenario}: Messages API calls per request`,
                value: perRequest(r.messagesApiCalls),
                unit: 'calls',
                baseline: 'none: a count at the emulator',
                spread: 'exact',
              }),
            ];
          }),
      ],
      notes: [
        'Every request is signed and checked; a non-2xx answer or an error stops the benchmark.',
        'text and media: served without Twilio credentials, so without the conversation store (the goal is the ' +
          "route's own cost); the store's cost is bench/sync.bench.ts's goal.",
        `"state on": another runtime with credentials and the emulator's Sync; every request a new message from one ` +
          `of ${USERS} users (the container remembers them: one Sync write each), against that runtime's trivial function.`,
      ],
    });
  }
}

/** Which part of the project a bundled source file belongs to, for the profile. */
const PARTS: readonly [RegExp, string][] = [
  [/^functions\//, 'route file (functions/whatsapp/incoming)'],
  [/^edge\/route\.ts$/, 'route() (edge/route.ts: request, answer)'],
  [/^(edge\/settings|lib\/config)\.ts$/, 'settings (edge/settings.ts, lib/config.ts)'],
  [/^(edge\/webhook|lib\/signature|lib\/public-url)\.ts$/, 'signature (edge/webhook.ts, lib/signature.ts)'],
  [/^(node_modules\/zod\/|lib\/zod\.ts|lib\/validation\.ts)/, 'zod'],
  [/^lib\/(inbound|phone)\.ts$/, 'inbound fields (lib/inbound.ts, around zod)'],
  [/^lib\/(bot|location)\.ts$/, 'bot (lib/bot.ts)'],
  [/^lib\/(twiml|message-length)\.ts$/, 'TwiML (lib/twiml.ts)'],
  [/^edge\/(reply|runtime)\.ts$/, 'reply (edge/reply.ts: Twilio.Response)'],
];
const OTHER_PROJECT = 'other project code';
const TRIVIAL_PART = 'the trivial function';
const RUNTIME = 'runtime: express, @twilio/runtime-handler, callback (and Node calls they make)';
const NODE = 'Node: HTTP, streams, timers (no JS caller above)';
const NATIVE = 'native code and GC';

/** For each line of a bundle, the source file esbuild put there (it writes `// path` before each one). */
function bundleModules(file: string): string[] {
  let current = '(bundle)';
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => {
      const match = /^\/\/ ((?:node_modules|lib|edge|functions)\/\S+\.(?:ts|js|json))$/.exec(line);
      if (match) current = match[1]!;
      return current;
    });
}

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};

/** µs of profile samples per part, within [from, to] on the profile's clock. */
function attribute(profile: CpuProfile, modules: string[], from: number, to: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // The innermost JavaScript frame outside Node's internals decides: project code (and the Node calls it
  // makes, like HMAC) is ours; package code is the runtime's, even when our code called it (the callback,
  // which sends the response in the same tick, and Twilio.Response).
  const partOf = (id: number): string | undefined => {
    const name = byId.get(id)!.callFrame.functionName;
    if (name === '(idle)') return undefined;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, lineNumber } = byId.get(at)!.callFrame;
      if (url.endsWith(INCOMING)) {
        const source = modules[lineNumber] ?? '';
        return PARTS.find(([pattern]) => pattern.test(source))?.[1] ?? OTHER_PROJECT;
      }
      if (url.endsWith('/trivial.js')) return TRIVIAL_PART;
      if (url.includes('/node_modules/')) return RUNTIME;
    }
    return name.startsWith('(') ? NATIVE : NODE;
  };
  const parts = new Map<string, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i]!;
    time += delta;
    if (time < from || time > to) return;
    const part = partOf(id);
    if (part) parts.set(part, (parts.get(part) ?? 0) + delta);
  });
  return parts;
}

/**
 * A function file that serves `implementation` (an absolute path) and keeps each request's time from the handler's
 * entry to its callback, for handlerTimeSection: inside the loaded runtime, with what runs between requests
 * evicting caches as it does, and without a profiler's overhead.
 */
const timedFunction = (
  implementation: string,
  name: string,
) => `const impl = require(${JSON.stringify(implementation)});
const times = ((globalThis.__benchHandlerTimes ??= {})[${JSON.stringify(name)}] = []);
exports.handler = (context, event, callback) => {
  const started = process.hrtime.bigint();
  impl.handler(context, event, (error, response) => {
    times.push(Number(process.hrtime.bigint() - started) / 1000);
    callback(error, response);
  });
};
`;
/** Hands out, and forgets, the times timedFunction kept. */
const TIMES_FUNCTION = `exports.handler = (context, event, callback) => {
  const times = globalThis.__benchHandlerTimes ?? {};
  const out = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, list.splice(0)]));
  callback(null, out);
};
`;
const HANDLER_ROUNDS = 3;

/**
 * The handler's own time per request (entry to callback) in the loaded runtime, for text and media, against the
 * trivial function's through the same wrapper: the part of a request's cost that is our code, measured directly.
 */
export async function handlerTimeSection(): Promise<BenchSection> {
  const dir = join(ROOT, 'bench-results', `webhook-handler-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'whatsapp'), { recursive: true });
  const trivialFile = join(dir, 'trivial-impl.cjs');
  writeFileSync(trivialFile, TRIVIAL_FUNCTION);
  writeFileSync(join(dir, 'trivial.js'), timedFunction(trivialFile, 'trivial'));
  writeFileSync(join(dir, INCOMING), timedFunction(join(DIST_FUNCTIONS, INCOMING), 'route'));
  writeFileSync(join(dir, 'handler-times.js'), TIMES_FUNCTION);
  const runtime = await startMeasuredRuntime({
    functionsFolder: relative(ROOT, dir),
    assetsFolder: 'dist/assets',
    env: {
      AUTH_TOKEN,
      BOT_LOCATION_LATITUDE: '37.7908',
      BOT_LOCATION_LONGITUDE: '-122.3931',
      BOT_LOCATION_NAME: 'Twilio HQ',
    },
  });
  const incoming = `${runtime.url}/whatsapp/incoming`;
  const takeTimes = async () =>
    (await (await fetch(`${runtime.url}/handler-times`)).json()) as Record<string, number[]>;
  const rows: (string | number)[][] = [];
  const figures: Figure[] = [];
  try {
    for (const scenario of STATELESS) {
      const { fields } = SCENARIOS[scenario];
      const form = signedForm(AUTH_TOKEN, incoming, fields);
      const targets = { trivial: { url: `${runtime.url}/trivial`, ...form }, route: { url: incoming, ...form } };
      for (const t of Object.values(targets)) await load(runtime, t, 2);
      await takeTimes();
      for (let i = 0; i < HANDLER_ROUNDS; i += 1) for (const t of Object.values(targets)) await load(runtime, t);
      const times = await takeTimes();
      const [trivial, route] = [times.trivial ?? [], times.route ?? []];
      const rounded = (values: number[]) => quartiles(values).map((x) => round(x, 1)) as [number, number, number];
      const [r25, r50, r75] = rounded(route);
      const trivialQuartiles = rounded(trivial);
      rows.push([scenario, route.length, ...trivialQuartiles, r25, r50, r75]);
      figures.push(
        figure({
          name: `${scenario}: the route's own time per request (handler entry to callback)`,
          value: r50,
          unit: 'µs',
          baseline: `the trivial function through the same wrapper (median ${trivialQuartiles[1]} µs)`,
          spread: { min: r25, max: r75, rounds: route.length, how: 'IQR over requests' },
        }),
      );
    }
  } finally {
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return section({
    title: "The route's own time per request inside the loaded runtime",
    method:
      'The built webhook and the trivial function, each wrapped to time its handler from entry to callback (wall ' +
      `clock), in one runtime under autocannon -c 10, ${HANDLER_ROUNDS} alternating rounds of ${ROUND_SECONDS} s ` +
      "each after a warm-up; quartiles over every request. Only our code's time, with the caches as load leaves " +
      "them: the rest of the load section's gap is the runtime's work and GC.",
    table: {
      columns: [
        'scenario',
        'requests',
        'trivial p25 µs',
        'trivial p50 µs',
        'trivial p75 µs',
        'route p25 µs',
        'route p50 µs',
        'route p75 µs',
      ],
      rows,
    },
    figures,
  });
}

const PROFILE_SECONDS = 4;

export async function profileSection(): Promise<BenchSection> {
  const dir = join(ROOT, 'bench-results', `webhook-profile-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  // The deployed bundle is whitespace-minified: profile a copy built the same way but keeping its lines and the
  // `// path` comments that say which source file each line came from (bundleModules).
  const readable = `${dir}-readable`;
  await esbuild({
    ...functionOptions(readable),
    entryPoints: [{ in: join('functions', INCOMING.replace(/\.js$/, '.ts')), out: INCOMING.replace(/\.js$/, '') }],
    minifyWhitespace: false,
  });
  const readableIncoming = join(readable, 'functions', INCOMING);
  const modules = bundleModules(readableIncoming);
  const { runtime, target, close } = await serve(
    false,
    ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100'],
    readableIncoming,
  );
  const windows: Record<string, { from: number; to: number; answered: number }> = {};
  try {
    const runs: [string, Target][] = [
      ['trivial', target('text', 'trivial')],
      ['text', target('text', 'route')],
      ['media', target('media', 'route')],
    ];
    for (const [, t] of runs) await load(runtime, t, 2);
    for (const [name, t] of runs) {
      const from = (await runtime.sample()).clockMicros;
      const { answered } = await load(runtime, t, PROFILE_SECONDS);
      windows[name] = { from, to: (await runtime.sample()).clockMicros, answered };
    }
  } finally {
    await close();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile written in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  // BENCH_PROFILE_OUT=some.cpuprofile keeps the profile, to open in Chrome DevTools (Performance tab).
  if (process.env.BENCH_PROFILE_OUT) copyFileSync(join(dir, file), process.env.BENCH_PROFILE_OUT);
  rmSync(dir, { recursive: true, force: true });
  rmSync(readable, { recursive: true, force: true });
  const perRequest = Object.fromEntries(
    Object.entries(windows).map(([name, w]) => [name, attribute(profile, modules, w.from, w.to)]),
  ) as Record<'trivial' | 'text' | 'media', Map<string, number>>;
  const order = [RUNTIME, NODE, NATIVE, TRIVIAL_PART, ...PARTS.map(([, part]) => part), OTHER_PROJECT];
  type Run = 'trivial' | 'text' | 'media';
  const us = (name: Run, part: string) => round((perRequest[name].get(part) ?? 0) / windows[name]!.answered, 1);
  const sampled = (name: Run) => [...perRequest[name].values()].reduce((a, b) => a + b, 0);
  const total = (name: Run) => round(sampled(name) / windows[name]!.answered, 1);
  const projectParts = order.slice(4);
  const ours = (name: 'text' | 'media') =>
    round(
      projectParts.reduce((sum, part) => sum + us(name, part), 0),
      1,
    );
  const baseline = 'same profile, per request';
  return section({
    title: "Where a webhook request's CPU goes (V8 --cpu-prof of the runtime process under load)",
    method:
      `One profiled runtime process (100 µs sampling), ${PROFILE_SECONDS} s of load each for trivial, text and ` +
      'media after a warm-up. Each sample goes to the innermost JavaScript frame outside Node on its stack: project code ' +
      "(with the Node calls it makes, like HMAC) is ours, package code the runtime's. µs per request of sampled " +
      'main-thread time; the profiler adds overhead and counts time the process waited for a core, so read shares.',
    table: {
      columns: ['part', 'trivial µs/req', 'text µs/req', 'media µs/req'],
      rows: [
        ...order.map((part) => [part, us('trivial', part), us('text', part), us('media', part)]),
        ['total (sampled, not idle)', total('trivial'), total('text'), total('media')],
      ],
    },
    figures: [
      figure({ name: 'text: our code per request', value: ours('text'), unit: 'µs', baseline, spread: 'one run' }),
      figure({ name: 'media: our code per request', value: ours('media'), unit: 'µs', baseline, spread: 'one run' }),
      figure({
        name: 'trivial: runtime and Node per request',
        value: round(total('trivial') - us('trivial', TRIVIAL_PART), 1),
        unit: 'µs',
        baseline,
        spread: 'one run',
      }),
    ],
    notes: ['One profile is one run: its figures have no spread and no goal; the load section carries the goals.'],
  });
}

export async function run(): Promise<BenchSection[]> {
  return [await loadSection(), await handlerTimeSection(), await profileSection()];
}
