/**
 * What a person sees while a bulk run goes: a progress bar on a terminal (cli-progress), one plain line per
 * event elsewhere (CI logs, files, tests), where a redrawn bar would be noise.
 */
import { SingleBar } from 'cli-progress';
import type { BulkEvent } from './run';

export type Progress = { onEvent(event: BulkEvent): void; stop(): void };

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const counts = { online: 0, 'awaiting-otp': 0, failed: 0, timeout: 0 };
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format:
        'senders [{bar}] {value}/{total} | online {online} | OTP {otp} | failed {failed} | creating {last} | {duration_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    });
    const payload = () => ({
      online: counts.online,
      otp: counts['awaiting-otp'],
      failed: counts.failed + counts.timeout,
    });
    bar.start(total, 0, { ...payload(), last: '-' });
    let done = 0;
    return {
      onEvent(event) {
        if (event.type === 'creating') bar.update({ last: event.senderId });
        if (event.type === 'done') {
          counts[event.report.outcome] += 1;
          done += 1;
          bar.update(done, payload());
        }
      },
      stop: () => bar.stop(),
    };
  }
  let done = 0;
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'creating':
          write(`creating  ${event.senderId} (line ${event.line}, account ${event.account})`);
          break;
        case 'created':
          write(`${event.via === 'create' ? 'created ' : 'found   '}  ${event.senderId} ${event.sid}`);
          break;
        case 'status':
          write(`status    ${event.senderId} ${event.status}`);
          break;
        case 'done': {
          done += 1;
          const r = event.report;
          write(
            `[${done}/${total}] ${r.outcome.padEnd(12)} ${r.senderId} ${r.sid ?? ''}${r.error ? ` ${r.error.code ?? ''} ${r.error.message}` : ''}`.trimEnd(),
          );
          break;
        }
      }
    },
    stop: () => undefined,
  };
}
