/**
 * Starts the built project under the real local Functions runtime in a child process on 127.0.0.1
 * (tools/local-runtime.ts), collects what the functions log, and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LocalRuntimeOptions } from '../../tools/local-runtime';

export const ROOT = join(__dirname, '..', '..');

export type RunningRuntime = {
  url: string;
  /** Lines the functions printed (stdout and stderr), oldest first. */
  logs: string[];
  /** JSON log lines parsed, skipping anything else. */
  jsonLogs(): Record<string, unknown>[];
  stop(): Promise<void>;
};

export function startRuntime(options: LocalRuntimeOptions): Promise<RunningRuntime> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'local-runtime.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOCAL_RUNTIME_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  return new Promise((resolve, reject) => {
    let resolved = false;
    const timer = setTimeout(() => reject(new Error(`runtime did not start in 30 s:\n${logs.join('\n')}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!resolved && line.startsWith('{"url":')) {
        resolved = true;
        clearTimeout(timer);
        const { url } = JSON.parse(line) as { url: string };
        resolve({
          url,
          logs,
          jsonLogs: () =>
            logs.flatMap((l) => {
              try {
                const parsed: unknown = JSON.parse(l);
                return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
              } catch {
                return [];
              }
            }),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      } else {
        logs.push(line);
      }
    });
    child.once('exit', (code) => {
      if (!resolved) {
        clearTimeout(timer);
        reject(new Error(`runtime exited with ${code}:\n${logs.join('\n')}`));
      }
    });
  });
}
