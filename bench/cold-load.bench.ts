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
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT } from '../dev/paths';
import { atMost, figure, median, round, section, spreadOf, type BenchSection } from './report';

const DIST_FUNCTIONS = join(ROOT, 'dist', 'functions');
const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 21);
const GOAL_MS = 10;

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

export async function run(): Promise<BenchSection> {
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
    return section({
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
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
