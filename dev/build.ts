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
import { minifySync } from '@swc/core';
import { build as esbuild, context as esbuildContext, transformSync, type BuildOptions, type Plugin } from 'esbuild';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  watch as fsWatch,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

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

/**
 * zod/mini's builders (`z.string()`, `z.object({...})`, ...) are marked side-effect free in zod's own files, but
 * esbuild honours such marks only in the file that declares them (evanw/esbuild#4369): every schema a bundled
 * file declares was built at load time, even those the function never uses. This plugin marks such calls in our
 * own files `@__PURE__`, so that esbuild drops the schemas a function does not use: calls of the zod builders
 * below, and of our own functions declared with a `/* @__NO_SIDE_EFFECTS__ *\/` mark (schema helpers such as
 * exactObject) where a file imports them. A call chain is marked only as far as it builds a schema (`.check`,
 * `.with`): in `z.string().parse(x)` only `z.string()` is marked, in parentheses, so the parse always runs.
 */
const ZOD_BUILDERS = new Set(
  (
    '_default array boolean catch check enum gt gte int int32 literal lazy looseObject lowercase lt lte maxLength ' +
    'maxSize minLength minSize multipleOf negative nonnegative nonpositive normalize null nullable nullish number ' +
    'object optional overwrite pipe positive prefault readonly record refine regex strictObject string ' +
    'superRefine toLowerCase toUpperCase transform trim tuple undefined union unknown url'
  ).split(' '),
);
const SCHEMA_METHODS = new Set(['check', 'with']);
const SOURCE_DIRS = ['lib', 'edge', 'functions'];
const PURE_DECLARATION = /\/\*\s*@__NO_SIDE_EFFECTS__\s*\*\/\s*export\s+(?:function\s+|const\s+)([\w$]+)/g;
const EXPORT_DECLARATION = /^export\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([\w$]+)/gm;

/**
 * Names of our functions marked `@__NO_SIDE_EFFECTS__` at their exported declaration. A marked name exported by
 * a second file would make an import of that name ambiguous here, so it fails the build.
 */
function pureFunctionNames(): Set<string> {
  const files = SOURCE_DIRS.flatMap((dir) =>
    listFiles(join(ROOT, dir))
      .filter(isTypeScript)
      .map((f) => join(dir, f)),
  );
  const exporters = new Map<string, string[]>();
  const marked = new Map<string, string>();
  for (const file of files) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const [, name] of source.matchAll(EXPORT_DECLARATION))
      exporters.set(name!, [...(exporters.get(name!) ?? []), file]);
    for (const [, name] of source.matchAll(PURE_DECLARATION)) marked.set(name!, file);
  }
  for (const [name, file] of marked) {
    const others = (exporters.get(name) ?? []).filter((f) => f !== file);
    if (others.length > 0) {
      throw new Error(`${file} marks ${name} side-effect free, and ${others.join(', ')} exports another ${name}`);
    }
  }
  return new Set(marked.keys());
}

/** `call.method(...)` when `call` is the object of its callee, else undefined. */
function methodCallOn(call: ts.Expression): { name: string; call: ts.CallExpression } | undefined {
  const access = call.parent;
  if (!ts.isPropertyAccessExpression(access) || access.expression !== call) return undefined;
  const outer = access.parent;
  return ts.isCallExpression(outer) && outer.expression === access
    ? { name: access.name.text, call: outer }
    : undefined;
}

/**
 * The source with its schema-building calls marked `@__PURE__` (see above); only comments and parentheses are
 * inserted, so lines and columns of the code stay where they were on each line up to the insertions.
 */
function markSchemaBuildersPure(source: string, fileName: string, pureFunctions: Set<string>): string {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  // Local names of the marked functions this file imports (`import { exactObject as eo }` gives `eo`).
  const imported = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const spec of bindings.elements) {
      if (!spec.isTypeOnly && pureFunctions.has((spec.propertyName ?? spec.name).text)) imported.add(spec.name.text);
    }
  }
  const isBuilder = (node: ts.Node): node is ts.CallExpression => {
    if (!ts.isCallExpression(node)) return false;
    const callee = node.expression;
    if (ts.isIdentifier(callee)) return imported.has(callee.text);
    return (
      ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === 'z' &&
      ZOD_BUILDERS.has(callee.name.text)
    );
  };
  /** The whole schema a builder call starts: the call and the .check/.with calls chained on it. */
  const schemaOf = (call: ts.CallExpression): ts.Expression => {
    let schema: ts.Expression = call;
    for (let next = methodCallOn(schema); next && SCHEMA_METHODS.has(next.name); next = methodCallOn(schema)) {
      schema = next.call;
    }
    return schema;
  };
  // This file's own helpers whose body only builds a schema (`const text = (max) => z.string().check(...)`)
  // build schemas too: their calls are marked like the rest.
  for (const statement of file.statements) {
    const declarations = ts.isVariableStatement(statement) ? statement.declarationList.declarations : [];
    for (const { name, initializer: fn } of declarations) {
      if (!ts.isIdentifier(name) || !fn || !ts.isArrowFunction(fn) || !ts.isCallExpression(fn.body)) continue;
      let start: ts.Expression = fn.body;
      while (ts.isCallExpression(start) && ts.isPropertyAccessExpression(start.expression)) {
        if (!ts.isCallExpression(start.expression.expression)) break;
        start = start.expression.expression;
      }
      if (isBuilder(start) && schemaOf(start) === fn.body) imported.add(name.text);
    }
  }
  const edits: { at: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (isBuilder(node)) {
      const schema = schemaOf(node);
      // esbuild applies a mark to the whole call chain that follows it: close it where the schema ends.
      const chainGoesOn = ts.isPropertyAccessExpression(schema.parent) || ts.isElementAccessExpression(schema.parent);
      const start = node.getStart(file);
      if (chainGoesOn) edits.push({ at: start, text: '(/* @__PURE__ */ ' }, { at: schema.end, text: ')' });
      else edits.push({ at: start, text: '/* @__PURE__ */ ' });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  // From the end, so that earlier positions stay valid; at one position a ")" closes before a mark opens.
  edits.sort((a, b) => b.at - a.at || (a.text === ')' ? 1 : -1));
  let out = source;
  for (const { at, text } of edits) out = out.slice(0, at) + text + out.slice(at);
  return out;
}

export const schemaPurityPlugin: Plugin = {
  name: 'schema-purity',
  setup(build) {
    let pureFunctions = new Set<string>();
    build.onStart(() => {
      pureFunctions = pureFunctionNames();
    });
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('z.') && ![...pureFunctions].some((name) => source.includes(name))) return undefined;
      return { contents: markSchemaBuildersPure(source, args.path, pureFunctions), loader: 'ts' };
    });
  },
};

/**
 * A JSON file of ours as `JSON.parse('...')`: V8 scans a string literal much faster than it parses the same data
 * as an object literal, and JSON.parse builds it faster too (lib/phone-metadata.json is 34 KB).
 */
const jsonAsStringPlugin: Plugin = {
  name: 'json-as-string',
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8')));
      return { contents: `export default /* @__PURE__ */ JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

/**
 * libphonenumber-js's `core` entry re-exports its `es6/` build, which Babel lowered to ES5 (class and for-of
 * helpers repeated per file); the package also ships the same source built for modern engines (`es6-modern/`).
 * The functions bundle that one: a bundle with lib/phone.ts is ~19 KB smaller, and its load ~0.5 ms cheaper
 * here (bench/cold-load.bench.ts), since V8 scans every byte of a bundle at load, used or not.
 */
const modernPhoneLibraryPlugin: Plugin = {
  name: 'libphonenumber-modern',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/es6\// }, (args) => {
      const core = `${sep}node_modules${sep}libphonenumber-js${sep}core`;
      if (!args.importer.includes(core)) return undefined;
      const modern = join(dirname(args.importer), '..', 'es6-modern', args.path.slice('../es6/'.length));
      if (!existsSync(modern)) throw new Error(`libphonenumber-js has no ${modern}: its modern build moved`);
      // A path a plugin resolves loses its package.json's `"sideEffects": false`, which lets unused modules go.
      return { path: modern, sideEffects: false };
    });
  },
};

/**
 * The dependencies bundled into functions (zod, libphonenumber-js) with their parameters and local variables
 * renamed short, names of functions and classes kept (stack traces still name them), comments kept (esbuild
 * reads their @__PURE__ and @__NO_SIDE_EFFECTS__ marks). Fewer bytes for V8 to scan at load: send-message's
 * bundle 182 -> 163 KB and its load ~0.4 ms cheaper here, incoming's 93 -> 86 KB and ~0.2 ms. Our own code keeps
 * all its names; esbuild's identifier minification would rename functions too, so it is not used.
 */
const dependencyLocalsPlugin: Plugin = {
  name: 'dependency-locals',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, (args) => {
      const { code } = minifySync(readFileSync(args.path, 'utf8'), {
        module: true,
        compress: false,
        mangle: { keep_fnames: true, keep_classnames: true, toplevel: false },
        format: { comments: 'all' },
      });
      return { contents: code, loader: 'js' };
    });
  },
};

/** How functions are bundled (exported for bench/webhook.bench.ts's profile, which reads a readable copy). */
export function functionOptions(outRoot = DIST): BuildOptions {
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
    plugins: [schemaPurityPlugin, jsonAsStringPlugin, modernPhoneLibraryPlugin, dependencyLocalsPlugin],
    minifySyntax: true,
    minifyWhitespace: true,
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
      const files = existsSync(TEMPLATES)
        ? readdirSync(TEMPLATES)
            .filter((f) => f.endsWith('.json'))
            .sort()
        : [];
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
