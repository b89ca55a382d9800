/**
 * /whatsapp/incoming under load, against a trivial TwiML function served the same way in the same run,
 * and the cold load time of every built function against an empty module.
 *
 * Serving: the real local runtime in its own process (one process, functions cached after the first
 * request, like a warm Functions container); load from autocannon in this process, 10 connections.
 * Trivial and project runs alternate in pairs; each scenario's figure is the median of its pairs' ratios.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../dev/paths';
import { computeSignature } from '../lib/signature';
import { startEmulator } from '../dev/emulator/server';
import { spawnLocalRuntime } from '../dev/local-runtime';
import type { BenchSection } from './report';

const DIST_FUNCTIONS = join(ROOT, 'dist', 'functions');
const AUTH_TOKEN = 'bench-auth-token';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 2);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);

/** The baseline: the least a TwiML function can do, answered through Twilio.Response like ours. */
const TRIVIAL_FUNCTION = `exports.handler = (context, event, callback) => {
  const response = new Twilio.Response();
  response.appendHeader('Content-Type', 'text/xml; charset=utf-8');
  response.setBody('<?xml version="1.0" encoding="UTF-8"?><Response><Message><Body>ok</Body></Message></Response>');
  callback(null, response);
};
`;

type LoadResult = { rps: number; p50: number; p99: number; non2xx: number; errors: number };

async function load(url: string, body: string, signature: string, duration = DURATION_S): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 10,
    duration,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

function listJs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listJs(full) : name.endsWith('.js') ? [full] : [];
  });
}

/** Median time (ms) to require `file` in a fresh node process, over `runs` processes. */
function coldLoad(file: string, runs = 15): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT }).toString()));
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

async function webhookSection(): Promise<BenchSection> {
  const dir = join(ROOT, 'bench-results', 'webhook-functions');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'whatsapp'), { recursive: true });
  writeFileSync(join(dir, 'trivial.js'), TRIVIAL_FUNCTION);
  copyFileSync(join(DIST_FUNCTIONS, 'whatsapp', 'incoming.protected.js'), join(dir, 'whatsapp', 'incoming.protected.js'));

  // Every request here repeats one MessageSid from one user, so after the first it is a retried delivery: one Sync
  // read (no write) on one document, far past Sync's per-object rate, which no real traffic does. The rate limit is
  // off so the figure is the route's cost; bench/sync.bench.ts measures the store with it on, many users.
  const emulator = await startEmulator({ syncRateLimit: false });
  const runtime = await spawnLocalRuntime({
    functionsFolder: relative(ROOT, dir),
    assetsFolder: 'dist/assets',
    env: {
      ACCOUNT_SID: 'AC' + '0'.repeat(32),
      AUTH_TOKEN,
      TWILIO_API_BASE_URL: emulator.url,
      BOT_LOCATION_LATITUDE: '37.7908',
      BOT_LOCATION_LONGITUDE: '-122.3931',
      BOT_LOCATION_NAME: 'Twilio HQ',
    },
  });
  const base = { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', MessageSid: 'SM' + 'a'.repeat(32), NumMedia: '0' };
  const scenarios: Record<string, Record<string, string>> = {
    text: { ...base, Body: 'hello' },
    media: { ...base, Body: '', NumMedia: '1', MediaUrl0: 'https://api.twilio.com/x/Media/ME1', MediaContentType0: 'image/jpeg' },
    location: { ...base, Body: 'location' },
  };
  try {
    const incoming = `${runtime.url}/whatsapp/incoming`;
    const signed = (params: Record<string, string>) => computeSignature(AUTH_TOKEN, incoming, params);
    // The trivial function gets the same signed body, so body parsing costs both the same.
    const bodies = Object.fromEntries(Object.entries(scenarios).map(([name, params]) => [name, new URLSearchParams(params).toString()]));
    const trivial = (name: string, duration?: number) => load(`${runtime.url}/trivial`, bodies[name]!, signed(scenarios[name]!), duration);
    // Warm everything (first requests load the modules, then the JIT optimizes). Then, per scenario,
    // PAIRS short pairs of runs, trivial and route in alternating order; the figure is the median of the pairs'
    // ratios, so the machine's drift between runs (±15% here) cancels out instead of landing in one ratio.
    await trivial('text', 2);
    for (const [name, params] of Object.entries(scenarios)) await load(incoming, bodies[name]!, signed(params), 2);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const rows: Record<string, string | number>[] = [];
    const ratios: Record<string, number> = {};
    const results: Record<string, LoadResult> = {};
    for (const [name, params] of Object.entries(scenarios)) {
      const pairRatios: number[] = [];
      const runs: { route: LoadResult; trivial: LoadResult }[] = [];
      for (let pair = 0; pair < PAIRS; pair++) {
        const routeFirst = pair % 2 === 1;
        const first = routeFirst ? await load(incoming, bodies[name]!, signed(params)) : await trivial(name);
        const second = routeFirst ? await trivial(name) : await load(incoming, bodies[name]!, signed(params));
        const run = routeFirst ? { route: first, trivial: second } : { route: second, trivial: first };
        runs.push(run);
        pairRatios.push(run.route.rps / run.trivial.rps);
      }
      ratios[name] = Number(median(pairRatios).toFixed(3));
      // The pair whose ratio is the median stands for the scenario in the table.
      const middle = runs[pairRatios.indexOf(median(pairRatios))]!;
      results[name] = middle.route;
      const row = (label: string, r: LoadResult, ratio: number | string) => ({
        route: label,
        'req/s': Math.round(r.rps),
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        'ratio vs trivial (median pair)': ratio,
        'pair ratios': pairRatios.map((x) => x.toFixed(2)).join(' '),
        'non-2xx': runs.reduce((n, x) => n + x.route.non2xx + x.trivial.non2xx, 0),
        errors: runs.reduce((n, x) => n + x.route.errors + x.trivial.errors, 0),
      });
      rows.push(row(`trivial TwiML (${name} pair)`, middle.trivial, ''), row(`incoming: ${name}`, middle.route, ratios[name]));
    }
    const ratio = (name: string) => ratios[name]!;
    const baselineRps = median(rows.filter((r) => String(r.route).startsWith('trivial')).map((r) => Number(r['req/s'])));
    const locationCalls = emulator.requestsFor('messages.create').length;
    return {
      title: `/whatsapp/incoming under load (local runtime, one process, autocannon -c 10, ${PAIRS} pairs of ${DURATION_S} s runs a scenario)`,
      rows,
      figures: {
        baselineRps: Math.round(baselineRps),
        textRatio: ratio('text'),
        mediaRatio: ratio('media'),
        locationRatio: ratio('location'),
        textP99Ms: results.text!.p99,
        locationMessagesCreated: locationCalls,
      },
      goals: [
        { name: 'text req/s ratio vs trivial', value: ratio('text'), goal: '>= 0.85', met: ratio('text') >= 0.85 },
        { name: 'media req/s ratio vs trivial', value: ratio('media'), goal: '>= 0.85', met: ratio('media') >= 0.85 },
      ],
      notes: [
        `location includes its Messages API call to the emulator (${locationCalls} calls made); it is reported apart, with no goal.`,
        'Every request is signed and checked; any non-2xx would mean the benchmark measured errors.',
        'The route includes the conversation store: each request here is a replayed delivery (one Sync read at the emulator).',
      ],
    };
  } finally {
    await runtime.stop();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function coldLoadSection(): BenchSection {
  const empty = join(ROOT, 'bench-results', 'empty-module.js');
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(empty, 'exports.handler = () => {};\n');
  const emptyMs = coldLoad(empty);
  const rows: Record<string, string | number>[] = [{ module: '(empty module)', 'median ms': Number(emptyMs.toFixed(2)), 'above empty ms': 0 }];
  const figures: Record<string, number> = { emptyModuleMs: Number(emptyMs.toFixed(2)) };
  let worst = 0;
  for (const file of listJs(DIST_FUNCTIONS).sort()) {
    const ms = coldLoad(file);
    const above = Number((ms - emptyMs).toFixed(2));
    worst = Math.max(worst, above);
    const name = relative(DIST_FUNCTIONS, file);
    rows.push({ module: name, 'median ms': Number(ms.toFixed(2)), 'above empty ms': above });
    figures[`coldLoadAboveEmptyMs:${name}`] = above;
  }
  rmSync(empty, { force: true });
  return {
    title: 'Cold load of each built function (require in a fresh node process, median of 15)',
    rows,
    figures,
    goals: [{ name: 'worst cold load above the empty module (ms)', value: worst, goal: '<= 15', met: worst <= 15 }],
  };
}

export async function run(): Promise<BenchSection[]> {
  return [await webhookSection(), coldLoadSection()];
}
