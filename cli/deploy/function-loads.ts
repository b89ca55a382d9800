/**
 * Does each built function load on Twilio? Twilio stores every function on its own and installs only
 * package.json `dependencies`, so each file is copied alone into a scratch folder whose node_modules
 * holds links to those dependencies and nothing else, then required in a fresh Node process that
 * checks `typeof handler === 'function'`. A relative require or an unbundled package fails here as it
 * would there. (`twilio` is required lazily by the functions, so loading one costs no twilio import.)
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Problem } from './checks';

export type BuiltFunction = {
  /** Route path, e.g. /whatsapp/incoming (for messages). */
  path: string;
  /** The built file. */
  filePath: string;
};

type LoadResult = { ok: true } | { ok: false; error: string };

/** Runs in the child: require the file given as argument and report on one JSON line. */
const LOADER = `
const file = process.argv[1];
let result;
try {
  const m = require(file);
  const type = m === null || m === undefined ? String(m) : typeof m.handler;
  result = type === 'function' ? { ok: true } : { ok: false, error: 'it exports no handler function (handler is ' + type + ')' };
} catch (error) {
  result = { ok: false, error: 'it throws while loading: ' + String(error && error.message ? error.message : error).split('\\n')[0] };
}
process.stdout.write(JSON.stringify(result) + '\\n', () => process.exit(0));
`;

function loadInChild(file: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<LoadResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', LOADER, file],
      { cwd, env, timeout: timeoutMs, maxBuffer: 1 << 20 },
      (error, stdout) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as LoadResult);
        } catch {
          resolve({
            ok: false,
            error: error?.killed
              ? `it did not finish loading within ${timeoutMs} ms`
              : `its loader exited without a result (${error?.message ?? 'no output'})`,
          });
        }
      },
    );
  });
}

export type LoadCheckOptions = {
  /** The project's node_modules, where the deploy dependencies are installed. */
  nodeModules: string;
  /** package.json `dependencies` names: the only packages the functions may require. */
  dependencies: readonly string[];
  /** Variables the functions see in process.env on Twilio (the uploaded ones). */
  env?: Record<string, string>;
  timeoutMs?: number;
};

/** One problem per function that does not load or has no `handler`. */
export async function checkFunctionsLoad(
  functions: readonly BuiltFunction[],
  options: LoadCheckOptions,
): Promise<Problem[]> {
  if (functions.length === 0) return [];
  const scratch = mkdtempSync(join(tmpdir(), 'deploy-load-check-'));
  try {
    for (const name of options.dependencies) {
      const link = join(scratch, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(options.nodeModules, name), link, 'dir');
    }
    const results = await Promise.all(
      functions.map((fn, i) => {
        const dir = join(scratch, `f${i}`);
        mkdirSync(dir);
        const copy = join(dir, basename(fn.filePath));
        copyFileSync(fn.filePath, copy);
        return loadInChild(copy, dir, options.env ?? {}, options.timeoutMs ?? 20_000);
      }),
    );
    return results.flatMap((result, i): Problem[] => {
      if (result.ok) return [];
      const fn = functions[i]!;
      return [
        {
          id: 'functions.load',
          message: `The built function ${fn.path} would not work on Twilio: ${result.error}.`,
          fix: 'Each route file must `export const handler`, bundle everything it imports (the build does, for files under lib/ and edge/), and require at run time only the packages in package.json dependencies.',
        },
      ];
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
