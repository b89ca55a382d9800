/**
 * Cold load of every built function, the way Twilio loads it: each function file alone in a folder beside a
 * node_modules that holds only what Twilio installs (package.json `dependencies` and theirs), required in a
 * fresh node process. Against an empty module loaded the same way; the processes alternate module by module,
 * round by round, so the machine's drift lands on all of them alike.
 *
 * Two clocks: wall time (what a cold request waits) and the process's CPU time spent in require() (user +
 * system; steadier on a shared machine, since time spent waiting for a core is not counted). The goal is on
 * the CPU figure; wall time is reported beside it.
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
  const paths = execFileSync('npm', ['ls', '--all', '--omit=dev', '--parseable'], { cwd: ROOT }).toString().trim().split('\n');
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

/** Requires `file` in a fresh node process started in `cwd`. */
function loadOnce(file: string, cwd: string): Load {
  const script =
    'const c=process.cpuUsage(),t=process.hrtime.bigint();require(process.argv[1]);' +
    'const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);' +
    'process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1e3}))';
  return JSON.parse(execFileSync(process.execPath, ['-e', script, file], { cwd, env: { PATH: process.env.PATH ?? '' } }).toString()) as Load;
}

export async function run(): Promise<BenchSection> {
  const dir = join(ROOT, 'bench-results', `cold-load-${process.pid}`);
  deployLikeFolder(dir);
  try {
    const names = listJs(DIST_FUNCTIONS).map((f) => relative(DIST_FUNCTIONS, f)).sort();
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
    const loads = modules.map(() => [] as Load[]);
    for (let r = 0; r < ROUNDS; r += 1) modules.forEach((m, i) => loads[i]!.push(loadOnce(m.file, dir)));
    const med = (i: number, key: keyof Load) => median(loads[i]!.map((l) => l[key]));
    const emptyCpu = med(0, 'cpuMs');
    const emptyWall = med(0, 'wallMs');
    const rows = modules.map((m, i) => [
      m.name,
      round(med(i, 'cpuMs'), 2),
      round(med(i, 'cpuMs') - emptyCpu, 2),
      round(med(i, 'wallMs'), 2),
      round(med(i, 'wallMs') - emptyWall, 2),
    ]);
    const above = modules.slice(1).map((_, k) => med(k + 1, 'cpuMs') - emptyCpu);
    const worst = Math.max(...above);
    const worstName = modules[above.indexOf(worst) + 1]!.name;
    const worstRounds = loads[above.indexOf(worst) + 1]!.map((l) => round(l.cpuMs - emptyCpu, 2));
    const aboveWall = modules.slice(1).map((_, k) => med(k + 1, 'wallMs') - emptyWall);
    return section({
      title: 'Cold load of each built function (alone beside the production node_modules, fresh processes)',
      method:
        `require() of each file in its own fresh node process, ${ROUNDS} rounds over all modules in turn; medians. ` +
        'node_modules: the production dependency tree only (npm ls --omit=dev), as Twilio installs it.',
      table: { columns: ['module', 'CPU ms', 'CPU above empty ms', 'wall ms', 'wall above empty ms'], rows },
      figures: [
        figure({
          name: `worst CPU time above the empty module (${worstName})`,
          value: round(worst, 2),
          unit: 'ms',
          baseline: 'empty module, same rounds (median CPU time of its require)',
          spread: spreadOf(worstRounds, 'its rounds minus the empty median'),
          goal: atMost(GOAL_MS),
        }),
        figure({
          name: 'worst wall time above the empty module',
          value: round(Math.max(...aboveWall), 2),
          unit: 'ms',
          baseline: 'empty module, same rounds (median wall time)',
          spread: spreadOf(aboveWall.map((x) => round(x, 2)), 'min-max over functions'),
        }),
      ],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
