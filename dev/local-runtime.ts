/**
 * Serves built functions and assets with the real local runtime of Twilio Functions
 * (@twilio/runtime-handler/dev, the server twilio-run uses) on 127.0.0.1 only, in this process.
 * Used by `npm start` (in process), and by tests and benchmarks (in a child process: spawnLocalRuntime).
 *
 * As a program: `tsx dev/local-runtime.ts` reads its options as JSON from LOCAL_RUNTIME_OPTIONS and
 * prints one line `{"url": ...}` on stdout once it listens.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ROOT } from './paths';
import { fsHelpers } from '@twilio-labs/serverless-api';
import { LocalDevelopmentServer } from '@twilio/runtime-handler/dev';

export type LocalRuntimeOptions = {
  /** Project root (where node_modules is); default: this repository. */
  baseDir?: string;
  /** Folders holding the built functions and assets (absolute or relative to baseDir). */
  functionsFolder?: string;
  assetsFolder?: string;
  /** The variables functions see in `context` (the .env contents). */
  env: Record<string, string>;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * Re-require the built functions on every request (default false), as `twilio-run start` does, but only
   * the files of the functions folder: twilio-run's live mode clears the whole require cache, node_modules
   * included, so every request loaded a new twilio client (about 4 MB each).
   */
  live?: boolean;
  /** Log each request line (default false). */
  logs?: boolean;
  /** The origin functions see as their own (DOMAIN_NAME); default http://127.0.0.1:<port>. */
  publicOrigin?: string;
};

export type RoutePath = { path: string; access: string };

export type LocalRuntime = {
  url: string;
  server: Server;
  /** Every function and asset served, with its visibility. */
  functions: RoutePath[];
  assets: RoutePath[];
  close(): Promise<void>;
};

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const baseDir = options.baseDir ?? ROOT;
  const folder = (f: string) => (isAbsolute(f) ? relative(baseDir, f) : f);
  const routes = await fsHelpers.getListOfFunctionsAndAssets(baseDir, {
    functionsFolderNames: [folder(options.functionsFolder ?? 'dist/functions')],
    assetsFolderNames: [folder(options.assetsFolder ?? 'dist/assets')],
  });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = options.publicOrigin ?? `http://127.0.0.1:${port}`;
  const runtime = new LocalDevelopmentServer(port, {
    baseDir,
    env: options.env,
    port,
    url,
    detailedLogs: false,
    live: false, // see reloadOwnFiles: only our own files are reloaded
    logs: options.logs ?? false,
    legacyMode: false,
    appName: 'whatsapp-functions',
    // One process: twilio-run's default forks a process per request (about 4 requests/s here).
    forkProcess: false,
    routes: { functions: routes.functions, assets: routes.assets },
    enableDebugLogs: false,
  });
  if (options.logs) runtime.on('request-log', (line: string) => console.log(line));
  const functionsRoot = resolve(baseDir, folder(options.functionsFolder ?? 'dist/functions')) + sep;
  const byPath = new Map(routes.functions.map((f) => [f.path, f.filePath]));
  const app = runtime.getApp();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const filePath = byPath.get(new URL(req.url ?? '/', 'http://local').pathname);
    if (filePath && options.live) {
      reloadOwnFiles(functionsRoot);
      res.setHeader('Cache-Control', 'no-store');
    }
    if (filePath && !loadsCleanly(filePath, res)) return;
    app(req, res);
  });
  const paths = (list: { path: string; access: string }[]) => list.map(({ path, access }) => ({ path, access }));
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    functions: paths(routes.functions),
    assets: paths(routes.assets),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Forgets the functions folder's modules (and nothing else), so the next require reads the new build.
 * Each forgotten module is also taken out of its requirers' `children` (the runtime's server module and
 * this one): Node keeps every module ever required there, so a reload per request would keep every old
 * build alive (about 0.8 MB per request).
 */
function reloadOwnFiles(functionsRoot: string): void {
  const forgotten = new Set<NodeModule>();
  for (const [key, mod] of Object.entries(require.cache)) {
    if (!key.startsWith(functionsRoot) || !mod) continue;
    forgotten.add(mod);
    delete require.cache[key];
  }
  if (forgotten.size === 0) return;
  for (const mod of [...Object.values(require.cache), require.main]) {
    if (mod?.children.some((child) => forgotten.has(child)))
      mod.children = mod.children.filter((child) => !forgotten.has(child));
  }
}

/**
 * Loads a built function before the runtime does: a file the build failed to write, or one that throws
 * while loading, is answered with a 503 that says so. The runtime's own answers (404 "Could not find
 * function <path>", a 500 page with the stack) would put this machine's paths in a response.
 */
function loadsCleanly(filePath: string, res: ServerResponse): boolean {
  let reason: string | undefined;
  try {
    const loaded = require(filePath) as { handler?: unknown };
    if (typeof loaded.handler !== 'function') reason = 'it exports no handler function';
  } catch (error) {
    reason =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && !existsSync(filePath)
        ? 'the build did not write it'
        : 'it throws while loading';
    console.error(
      `Could not load ${relative(process.cwd(), filePath)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (reason === undefined) return true;
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`This function is not available: ${reason}. The build probably failed; see the console where it runs.\n`);
  return false;
}

export type SpawnedRuntime = {
  url: string;
  /** Lines the functions printed (stdout and stderr), oldest first. */
  logs: string[];
  /** The log lines that are JSON objects, parsed. */
  jsonLogs(): Record<string, unknown>[];
  /**
   * The first JSON log line matching `predicate`, waiting for it: a function's log line travels through a
   * pipe and may arrive after its HTTP answer. Rejects, with the logs, if none comes within `timeoutMs`.
   */
  waitForJsonLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
};

/** Runs startLocalRuntime in a child process (its own CPU and module cache); resolves once it listens. */
export function spawnLocalRuntime(options: LocalRuntimeOptions, startTimeoutMs = 30_000): Promise<SpawnedRuntime> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOCAL_RUNTIME_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => logs.push(line));
  const jsonLogs = () =>
    logs.flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? [parsed as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
  const waitForJsonLog = async (predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = jsonLogs().find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching log line within ${timeoutMs} ms; logs:\n${logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`local runtime did not start within ${startTimeoutMs} ms:\n${logs.join('\n')}`));
    }, startTimeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!ready && line.startsWith('{"url":')) {
        ready = true;
        clearTimeout(timer);
        resolve({ url: (JSON.parse(line) as { url: string }).url, logs, jsonLogs, waitForJsonLog, stop });
      } else {
        logs.push(line);
      }
    });
    child.once('exit', (code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`local runtime exited with ${code}:\n${logs.join('\n')}`));
    });
  });
}

if (require.main === module) {
  const options = JSON.parse(process.env.LOCAL_RUNTIME_OPTIONS ?? '{"env":{}}') as LocalRuntimeOptions;
  startLocalRuntime(options).then(
    (runtime) => {
      process.stdout.write(`${JSON.stringify({ url: runtime.url })}\n`);
      const stop = () => void runtime.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
