/** A project command (cli/<name>.ts) as a child process, as `npm run <name>` starts it, its output collected. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../dev/paths';

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Starts `node --import tsx cli/<script>.ts ...args` in the repository with only PATH and `env`. */
export function startCommand(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', `${script}.ts`), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}
