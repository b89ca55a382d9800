/**
 * Builds what twilio-run serves and deploys:
 *  - every route file functions/**\/*.ts -> one self-contained CommonJS file in dist/functions
 *    (a deployed function cannot require a sibling file, so lib/ and edge/ are bundled in);
 *  - every assets/*.ts (top level; assets/page/ holds their modules) -> one browser script in dist/assets (no
 *    source maps: assets are public), with templates/*.json embedded as the module `virtual:templates`;
 *  - every other file under assets/ is copied (CSS minified), and assets/index.html also to
 *    assets/assets/index.html (what serves `/`).
 * Only `twilio` stays external: Twilio installs it from package.json `dependencies`.
 */
import { build as esbuild, context as esbuildContext, transformSync, type BuildOptions, type Plugin } from 'esbuild';
import {
  cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, watch as fsWatch,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';

import { ROOT } from './paths';

export const DIST = join(ROOT, 'dist');

/** Files under `dir` (recursively), as paths relative to `dir`. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full).map((f) => join(name, f)));
    else out.push(name);
  }
  return out;
}

const isTypeScript = (file: string) => file.endsWith('.ts') && !file.endsWith('.d.ts');

function functionOptions(outRoot = DIST): BuildOptions {
  const entries = listFiles(join(ROOT, 'functions')).filter(isTypeScript);
  return {
    absWorkingDir: ROOT,
    entryPoints: entries.map((f) => ({ in: join('functions', f), out: f.replace(/\.ts$/, '') })),
    outdir: join(outRoot, 'functions'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // twilio is installed by Twilio (package.json dependencies) and is loaded lazily: see lib/twilio-client.ts.
    external: ['twilio'],
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  };
}

const TEMPLATES = join(ROOT, 'templates');

/**
 * `import templates from 'virtual:templates'`: every templates/*.json as { file, json }, sorted by name (an
 * empty list without the folder). Only JSON syntax is checked here: the template linter checks the contents,
 * and the page previews what it can read.
 */
const templatesPlugin: Plugin = {
  name: 'templates',
  setup(build) {
    build.onResolve({ filter: /^virtual:templates$/ }, () => ({ path: 'templates', namespace: 'templates' }));
    build.onLoad({ filter: /.*/, namespace: 'templates' }, () => {
      const files = existsSync(TEMPLATES) ? readdirSync(TEMPLATES).filter((f) => f.endsWith('.json')).sort() : [];
      const entries = files.map((file) => {
        const text = readFileSync(join(TEMPLATES, file), 'utf8');
        try {
          return { file, json: JSON.parse(text) as unknown };
        } catch (error) {
          throw new Error(`templates/${file} is not valid JSON: ${error instanceof Error ? error.message : error}`);
        }
      });
      return {
        contents: JSON.stringify(entries),
        loader: 'json',
        watchDirs: existsSync(TEMPLATES) ? [TEMPLATES] : [],
        watchFiles: files.map((f) => join(TEMPLATES, f)),
      };
    });
  },
};

function assetScriptOptions(outRoot = DIST): BuildOptions | undefined {
  const entries = readdirSync(join(ROOT, 'assets')).filter(isTypeScript);
  if (entries.length === 0) return undefined;
  return {
    absWorkingDir: ROOT,
    entryPoints: entries.map((f) => ({ in: join('assets', f), out: f.replace(/\.ts$/, '') })),
    outdir: join(outRoot, 'assets'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    plugins: [templatesPlugin],
    minify: true,
    sourcemap: false, // never: everything in dist/assets is public once deployed
    legalComments: 'none',
    logLevel: 'warning',
  };
}

function copyStaticAssets(outRoot: string): void {
  for (const file of listFiles(join(ROOT, 'assets'))) {
    if (file.endsWith('.ts')) continue;
    const source = join(ROOT, 'assets', file);
    const target = join(outRoot, 'assets', file);
    mkdirSync(dirname(target), { recursive: true });
    if (!file.endsWith('.css')) cpSync(source, target);
    else writeFileSync(target, transformSync(readFileSync(source, 'utf8'), { loader: 'css', minify: true }).code);
  }
  // twilio-run serves `/` only from assets/assets/index.html, and deployed Twilio falls back to the asset
  const home = join(outRoot, 'assets', 'index.html');
  const root = join(outRoot, 'assets', 'assets', 'index.html');
  if (existsSync(home) && !existsSync(join(ROOT, 'assets', 'assets', 'index.html'))) {
    mkdirSync(dirname(root), { recursive: true });
    cpSync(home, root);
  }
}

/** A clean, complete build of dist/. */
export async function build(): Promise<void> {
  // Build beside dist/ and swap it in, so a server or test reading dist/ never sees it half-written.
  const next = `${DIST}.next-${process.pid}`;
  const old = `${DIST}.old-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(join(next, 'functions'), { recursive: true });
  mkdirSync(join(next, 'assets'), { recursive: true });
  const scripts = assetScriptOptions(next);
  await Promise.all([esbuild(functionOptions(next)), scripts ? esbuild(scripts) : Promise.resolve()]);
  copyStaticAssets(next);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(next, DIST);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Rebuilds functions and page scripts on every change, and copies edited static assets (used by
 * `npm start`). Returns a stop function.
 */
export async function watch(): Promise<() => Promise<void>> {
  const scripts = assetScriptOptions();
  const contexts = await Promise.all([
    esbuildContext(functionOptions()),
    ...(scripts ? [esbuildContext(scripts)] : []),
  ]);
  await Promise.all(contexts.map((c) => c.watch()));
  let pending: NodeJS.Timeout | undefined;
  const staticWatcher = fsWatch(join(ROOT, 'assets'), { recursive: true }, (_event, file) => {
    if (!file || file.endsWith('.ts')) return;
    clearTimeout(pending);
    pending = setTimeout(() => copyStaticAssets(DIST), 50); // editors write in bursts
  });
  return async () => {
    clearTimeout(pending);
    staticWatcher.close();
    await Promise.all(contexts.map((c) => c.dispose()));
  };
}

if (require.main === module) {
  const started = Date.now();
  build().then(
    () => console.log(`Built ${relative(process.cwd(), DIST) || 'dist'}/ in ${Date.now() - started} ms`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
