/**
 * The real local runtime (dev/local-runtime.ts) in a child process that reports its own CPU time and clock
 * over IPC: the benchmark's server-side measure, which other load on the machine barely moves (a process's
 * CPU time counts only while it runs). Optionally under `--cpu-prof`, for bench/webhook.bench.ts's profile.
 *
 * As a program (the child): reads LocalRuntimeOptions as JSON from LOCAL_RUNTIME_OPTIONS.
 */
import { spawn } from 'node:child_process';
import { ROOT } from '../dev/paths';
import { startLocalRuntime, type LocalRuntimeOptions } from '../dev/local-runtime';

type Sample = { cpuMicros: number; clockMicros: number };
type ToChild = 'sample' | 'stop';
type FromChild = { url: string } | Sample;

export type MeasuredRuntime = {
  url: string;
  /** The child's CPU time (user + system, µs) and its monotonic clock (µs, the clock of --cpu-prof's timestamps). */
  sample(): Promise<Sample>;
  /** Stops the child; with --cpu-prof it writes the profile first. */
  stop(): Promise<void>;
};

export function startMeasuredRuntime(options: LocalRuntimeOptions, execArgv: string[] = []): Promise<MeasuredRuntime> {
  const child = spawn(process.execPath, [...execArgv, '--import', 'tsx', __filename], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOCAL_RUNTIME_OPTIONS: JSON.stringify(options) },
    // Functions' own output is not the benchmark's; errors from the child still show.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const waiting: ((sample: Sample) => void)[] = [];
  const send = (message: ToChild) => child.send(message);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`measured runtime exited with ${code} before it listened`)));
    child.on('message', (message: FromChild) => {
      if ('url' in message) {
        child.removeAllListeners('exit');
        resolve({
          url: message.url,
          sample: () =>
            new Promise<Sample>((done) => {
              waiting.push(done);
              send('sample');
            }),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              send('stop');
            }),
        });
      } else {
        waiting.shift()?.(message);
      }
    });
  });
}

if (require.main === module) {
  const options = JSON.parse(process.env.LOCAL_RUNTIME_OPTIONS ?? '{"env":{}}') as LocalRuntimeOptions;
  const reply = (message: FromChild) => process.send?.(message);
  startLocalRuntime(options).then(
    (runtime) => {
      process.on('message', (message: ToChild) => {
        if (message === 'sample') {
          const { user, system } = process.cpuUsage();
          reply({ cpuMicros: user + system, clockMicros: Number(process.hrtime.bigint() / 1000n) });
        } else if (message === 'stop') {
          void runtime.close().then(() => process.exit(0));
        }
      });
      reply({ url: runtime.url });
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
