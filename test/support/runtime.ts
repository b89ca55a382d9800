/**
 * Starts the built project under the real local Functions runtime in a child process on 127.0.0.1
 * (dev/local-runtime.ts), collects what the functions log, and stops it.
 */
import { spawnLocalRuntime, type LocalRuntimeOptions, type SpawnedRuntime } from '../../dev/local-runtime';

export type RunningRuntime = SpawnedRuntime;

export function startRuntime(options: LocalRuntimeOptions): Promise<RunningRuntime> {
  return spawnLocalRuntime(options);
}
