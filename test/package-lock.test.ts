/**
 * A fresh clone's first command, `npm install`, must leave the committed package-lock.json as it is, and
 * `npm ci` must accept it on every platform: npm rewrites a lock that lacks an optional package of some
 * platform (esbuild's and swc's native builds), so every package's optional dependencies must be recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../dev/paths';

type LockPackage = { version?: string; optionalDependencies?: Record<string, string>; os?: string[]; cpu?: string[] };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockPackage>;
};

/** Where npm resolves `name` from the package at `path` (its own node_modules first, then up the tree). */
function resolved(path: string, name: string): string | undefined {
  let base = path;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('node_modules/');
    base = cut <= 0 ? '' : base.slice(0, cut - 1);
  }
}

it('is a lockfile v3 that records every optional dependency of every package, for all platforms', () => {
  expect(lock.lockfileVersion).toBe(3);
  const missing = Object.entries(lock.packages).flatMap(([path, pkg]) =>
    Object.keys(pkg.optionalDependencies ?? {}).flatMap((name) =>
      resolved(path, name) ? [] : [`${path || '(root)'} -> ${name}`],
    ),
  );
  expect(missing).toEqual([]);
  // the native builds of other platforms are there too (not only this machine's linux-x64)
  const platforms = Object.values(lock.packages).flatMap((p) => p.os ?? []);
  for (const os of ['darwin', 'win32', 'linux']) expect(platforms).toContain(os);
});
