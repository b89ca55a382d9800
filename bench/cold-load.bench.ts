/**
 * Cold load of every built function, the way Twilio loads it: each function file alone in a folder beside a
 * node_modules that holds only what Twilio installs (package.json `dependencies` and theirs), required in a
 * fresh node process, against an empty module loaded the same way. The processes alternate module by module,
 * round by round, so the machine's drift lands on all of them alike.
 *
 * Two starting points: a bare node process, and one that has first loaded the runtime that loads functions
 * (@twilio/runtime-handler's server, from the same node_modules). The runtime is an express server, so by the
 * time it requires a function it has loaded Node's http and crypto itself; a bare process pays for those
 * (node:crypto alone is ~3 ms here) on the function's account. The goal is on the second, Twilio's way; the
 * bare figure is reported beside it.
 *
 * The clock is the process's CPU time spent in require() (user + system): on a shared machine it is steadier
 * than wall time, which also counts waiting for a core. Wall time is reported too. Each require starts from a
 * settled heap (see loadOnce).
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator } from '../dev/emulator/server';
import { ROOT } from '../dev/paths';
import { atMost, figure, median, round, section, spreadOf, type BenchSection } from './report';

const DIST_FUNCTIONS = join(ROOT, 'dist', 'functions');
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 21);
const GOAL_MS = 10;
const FIRST_REQUEST_ROUNDS = Number(process.env.BENCH_FIRST_REQUEST_ROUNDS ?? 9);

function listJs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listJs(full) : name.endsWith('.js') ? [full] : [];
  });
}

/**
 * A folder with node_modules holding the production dependency tree only (`npm ls --omit=dev`), hard-linked
 * from this checkout's node_modules (fast, and on the same disk since it is under bench-results/).
 */
function deployLikeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const listing = execFileSync('npm', ['ls', '--all', '--omit=dev', '--parseable'], { cwd: ROOT });
  const paths = listing.toString().trim().split('\n');
  const topLevel = new Set<string>();
  for (const path of paths) {
    const parts = relative(ROOT, path).split(sep);
    if (parts[0] !== 'node_modules') continue;
    // node_modules/name or node_modules/@scope/name; nested node_modules come along inside their package.
    topLevel.add(parts.slice(0, parts[1]!.startsWith('@') ? 3 : 2).join(sep));
  }
  for (const pkg of topLevel) {
    mkdirSync(join(dir, pkg, '..'), { recursive: true });
    execFileSync('cp', ['-al', join(ROOT, pkg), join(dir, pkg)]);
  }
}

type Load = { wallMs: number; cpuMs: number };

type Start = 'bare' | 'runtime';

/**
 * Requires `file` in a fresh node process started in `cwd`, after loading the runtime when asked. A young
 * generation collection (`gc({type: 'minor'})`) just before the clock starts: otherwise what ran before leaves
 * it 3–4 MB full, a deterministic function of the folder's path among other things, and whether the next
 * ~1.5 ms scavenge fell inside the measured require or just after it decided a function's figure (the same
 * file cost 1.6 ms more with the runtime loaded from this folder than from one in /tmp). From an emptied young
 * generation each require pays for what it allocates itself. (A full gc() would also do, but needs a turn of
 * the event loop for its concurrent sweeping, which moves the empty module's figure.)
 * The process also reports the modules it loaded from outside `cwd`: a dependency missing from the folder's
 * node_modules must not resolve from this checkout's, an ancestor directory.
 */
function loadOnce(file: string, cwd: string, start: Start): Load {
  const script =
    (start === 'runtime' ? "require('@twilio/runtime-handler/dev');" : '') +
    "gc({type:'minor'});" +
    'const c=process.cpuUsage(),t=process.hrtime.bigint();require(process.argv[1]);' +
    'const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);' +
    'const outside=Object.keys(require.cache).filter((f)=>!f.startsWith(process.cwd()+"/"));' +
    'process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1e3,outside}))';
  const output = execFileSync(process.execPath, ['--expose-gc', '-e', script, file], {
    cwd,
    env: { PATH: process.env.PATH ?? '' },
  });
  const { outside, ...load } = JSON.parse(output.toString()) as Load & { outside: string[] };
  if (outside.length > 0) throw new Error(`${file} loaded modules from outside ${cwd}: ${outside.join(', ')}`);
  return load;
}

/**
 * A fresh process that loads the runtime, requires admin/send-message as loadOnce does, then calls its handler
 * twice with the same request, as the runtime would (its own context and global scope), against the emulator
 * in the bench's process. What is loaded or compiled on first use (lib/phone.ts's libphonenumber, the HTTP
 * requester, zod's parse paths) is paid by the first request; the second shows the steady state.
 */
const FIRST_REQUEST_SCRIPT = `
const { dirname, join } = require('node:path');
require('@twilio/runtime-handler/dev');
const route = require(join(dirname(require.resolve('@twilio/runtime-handler/dev')), 'route.js'));
const [file, envJson, path, bodyJson] = process.argv.slice(1);
const config = { url: 'http://127.0.0.1:3000', env: JSON.parse(envJson), baseDir: process.cwd() };
route.constructGlobalScope({ ...config, routes: { functions: [], assets: [] } });
const context = route.constructContext(config, path);
const cpu = (c) => { const u = process.cpuUsage(c); return (u.user + u.system) / 1e3; };
gc({ type: 'minor' });
let c = process.cpuUsage();
const { handler } = require(file);
const loadMs = cpu(c);
const headers = { host: '127.0.0.1:3000', 'content-type': 'application/json', authorization: 'Bearer ' + config.env.ADMIN_TOKEN };
const call = () => new Promise((resolve) => handler(context, { request: { headers, cookies: {} }, ...JSON.parse(bodyJson) },
  (error, payload) => resolve(error ? { statusCode: String(error) } : payload)));
(async () => {
  const known = new Set(Object.keys(require.cache));
  c = process.cpuUsage(); const first = await call(); const firstMs = cpu(c);
  const required = Object.keys(require.cache).filter((f) => !known.has(f)).map((f) => f.slice(process.cwd().length + 1));
  c = process.cpuUsage(); const second = await call(); const secondMs = cpu(c);
  process.stdout.write('\\n' + JSON.stringify({ loadMs, firstMs, secondMs, required, status: [first.statusCode, second.statusCode] }));
})();
`;

/** A send the function refuses after reading the contact from Sync: the user never wrote, so 63016 (409). */
const FIRST_REQUEST = { to: '+1 (415) 555-0100', body: 'Your order has shipped.' };
const FIRST_REQUEST_STATUS = 409;

async function firstRequestSection(file: string, cwd: string): Promise<BenchSection> {
  const emulator = await startEmulator();
  const env = {
    ACCOUNT_SID: `AC${'4'.repeat(32)}`,
    AUTH_TOKEN: 'bench-auth-token-0123456789abcdef',
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef0123456789',
    TWILIO_API_BASE_URL: emulator.url,
  };
  const runs: { loadMs: number; firstMs: number; secondMs: number; required: string[] }[] = [];
  try {
    for (let r = 0; r < FIRST_REQUEST_ROUNDS; r += 1) {
      const args = ['--expose-gc', '-e', FIRST_REQUEST_SCRIPT, file, JSON.stringify(env), '/admin/send-message'];
      // Not execFileSync: the emulator answers from this process's event loop.
      const { stdout } = await promisify(execFile)(process.execPath, [...args, JSON.stringify(FIRST_REQUEST)], {
        cwd,
        env: { PATH: process.env.PATH ?? '' },
      });
      const run = JSON.parse(stdout.trim().split('\n').pop()!) as (typeof runs)[number] & { status: unknown[] };
      if (run.status.some((status) => status !== FIRST_REQUEST_STATUS)) {
        throw new Error(`admin/send-message answered ${run.status.join(', ')}, not ${FIRST_REQUEST_STATUS} twice`);
      }
      runs.push(run);
    }
  } finally {
    await emulator.close();
  }
  const spread = (key: 'loadMs' | 'firstMs' | 'secondMs') => spreadOf(runs.map((r) => round(r[key], 2)));
  const required = [...new Set(runs.flatMap((r) => r.required))].sort();
  const second = median(runs.map((r) => r.secondMs));
  return section({
    title: 'First request of admin/send-message after its cold load (fresh processes, emulator)',
    method:
      `${FIRST_REQUEST_ROUNDS} fresh processes, each: the runtime, the function required as above, then its handler ` +
      "called twice with the same request through the runtime's own context: a free-form send to a user who never " +
      'wrote, which the function refuses (63016, 409) after parsing the input and reading the contact from the ' +
      "emulator's Sync. CPU time of the whole process from each call to its callback; medians.",
    figures: [
      figure({
        name: 'first request, CPU',
        value: round(median(runs.map((r) => r.firstMs)), 2),
        unit: 'ms',
        baseline: `the second, same request in the same process (median ${round(second, 2)} ms)`,
        spread: spread('firstMs'),
      }),
      figure({
        name: 'first request above the second (what first use costs), CPU',
        value: round(median(runs.map((r) => r.firstMs - r.secondMs)), 2),
        unit: 'ms',
        baseline: 'the second request in the same process',
        spread: spreadOf(
          runs.map((r) => round(r.firstMs - r.secondMs, 2)),
          'min-max over processes',
        ),
      }),
      figure({
        name: 'its load in the same processes (require, CPU)',
        value: round(median(runs.map((r) => r.loadMs)), 2),
        unit: 'ms',
        baseline: 'none: absolute (the empty module is in the section above)',
        spread: spread('loadMs'),
      }),
      figure({
        name: 'files the first request requires (listed in the note)',
        value: required.length,
        unit: 'files',
        baseline: 'none: absolute',
        spread: 'exact',
      }),
    ],
    notes: required.length > 0 ? [`required on first use: ${required.join(', ')}`] : [],
  });
}

export async function run(): Promise<BenchSection[]> {
  const dir = join(ROOT, 'bench-results', `cold-load-${process.pid}`);
  deployLikeFolder(dir);
  try {
    const names = listJs(DIST_FUNCTIONS)
      .map((f) => relative(DIST_FUNCTIONS, f))
      .sort();
    // Each function alone, as Twilio stores it: one file per folder, so no sibling can be required.
    const modules = [{ name: '(empty module)', file: join(dir, 'empty', 'index.js') }];
    mkdirSync(join(dir, 'empty'));
    writeFileSync(modules[0]!.file, 'exports.handler = () => {};\n');
    names.forEach((name, i) => {
      const file = join(dir, `f${i}`, 'index.js');
      mkdirSync(join(dir, `f${i}`));
      copyFileSync(join(DIST_FUNCTIONS, name), file);
      modules.push({ name, file });
    });
    const starts: Start[] = ['runtime', 'bare'];
    const loads = starts.map(() => modules.map(() => [] as Load[]));
    for (let r = 0; r < ROUNDS; r += 1) {
      for (const [s, start] of starts.entries()) {
        for (const [i, m] of modules.entries()) loads[s]![i]!.push(loadOnce(m.file, dir, start));
      }
    }
    const med = (s: number, i: number, key: keyof Load) => median(loads[s]![i]!.map((l) => l[key]));
    const above = (s: number, i: number, key: keyof Load) => med(s, i, key) - med(s, 0, key);
    const rows = modules.map((m, i) => [
      m.name,
      round(med(0, i, 'cpuMs'), 2),
      round(above(0, i, 'cpuMs'), 2),
      round(above(0, i, 'wallMs'), 2),
      round(med(1, i, 'cpuMs'), 2),
      round(above(1, i, 'cpuMs'), 2),
      round(above(1, i, 'wallMs'), 2),
    ]);
    const functions = modules.slice(1).map((_, k) => k + 1);
    const worstFigure = (s: number, key: keyof Load, clock: string, goal: boolean) => {
      const values = functions.map((i) => above(s, i, key));
      const worst = functions[values.indexOf(Math.max(...values))]!;
      const start = starts[s] === 'runtime' ? 'after the runtime is loaded' : 'bare node process';
      return figure({
        name: `worst ${clock} above the empty module, ${start} (${modules[worst]!.name})`,
        value: round(Math.max(...values), 2),
        unit: 'ms',
        baseline: `empty module, same start, same rounds (median ${clock} of its require)`,
        spread: spreadOf(
          loads[s]![worst]!.map((l) => round(l[key] - med(s, 0, key), 2)),
          'its rounds minus the empty median',
        ),
        goal: goal ? atMost(GOAL_MS) : undefined,
      });
    };
    const sendMessage = modules.find((m) => m.name === join('admin', 'send-message.js'));
    const firstRequest = sendMessage ? [await firstRequestSection(sendMessage.file, dir)] : [];
    const cold = section({
      title: 'Cold load of each built function (alone beside the production node_modules, fresh processes)',
      method:
        `require() of each file in its own fresh node process, ${ROUNDS} rounds over all modules and both starts ` +
        'in turn; medians. Before each timed require a minor gc empties the young generation (see loadOnce). ' +
        'node_modules: the production dependency tree only (npm ls --omit=dev), as Twilio installs it. ' +
        '"runtime": the process first loads @twilio/runtime-handler/dev, as the server that requires functions has.',
      table: {
        columns: [
          'module',
          'runtime: CPU ms',
          'runtime: CPU above empty ms',
          'runtime: wall above empty ms',
          'bare: CPU ms',
          'bare: CPU above empty ms',
          'bare: wall above empty ms',
        ],
        rows,
      },
      figures: [
        worstFigure(0, 'cpuMs', 'CPU time', true),
        worstFigure(0, 'wallMs', 'wall time', false),
        worstFigure(1, 'cpuMs', 'CPU time', false),
        worstFigure(1, 'wallMs', 'wall time', false),
      ],
    });
    return [cold, ...firstRequest];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
