/**
 * What a running `npm start` tells the other commands: where its emulator is and which env file it read,
 * in a small file per port under the system's temp folder (no secret in it). `npm run message` reads it to
 * sign with the same file and to show what the functions sent to the emulator.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RunningStart = { emulatorUrl?: string; envFile: string };

const fileFor = (port: number) => join(tmpdir(), 'whatsapp-functions-start', `${port}.json`);

export function recordDevServer(port: number, running: RunningStart): void {
  mkdirSync(join(tmpdir(), 'whatsapp-functions-start'), { recursive: true });
  writeFileSync(fileFor(port), JSON.stringify(running));
}

export function forgetDevServer(port: number): void {
  rmSync(fileFor(port), { force: true });
}

/** The record of the `npm start` on `port`, if one wrote it (and it is well formed). */
export function runningDevServer(port: number): RunningStart | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(fileFor(port), 'utf8'));
    if (!parsed || typeof parsed !== 'object') return undefined;
    const { emulatorUrl, envFile } = parsed as Record<string, unknown>;
    if (typeof envFile !== 'string' || (emulatorUrl !== undefined && typeof emulatorUrl !== 'string')) return undefined;
    return { envFile, ...(typeof emulatorUrl === 'string' ? { emulatorUrl } : {}) };
  } catch {
    return undefined;
  }
}
