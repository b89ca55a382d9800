/** What the bulk commands (`npm run senders`, `npm run notify`) share around their run: exit codes, Ctrl-C, main. */
import { rmSync } from 'node:fs';
import { CliProblem } from '../senders/args';

/** Exit codes (also in each command's USAGE). */
export const EXIT = { ok: 0, failed: 1, invalid: 2, interrupted: 130 } as const;

export const err = (text: string) => process.stderr.write(`${text}\n`);

/**
 * On Ctrl-C or SIGTERM: stop the progress display, release the journal's lock (this run holds it) and exit 130.
 * The journal already holds every record written: a rerun resumes from it.
 */
export function stopOnInterrupt(journalPath: string, stopProgress: () => void, records: string): void {
  const interrupt = () => {
    stopProgress();
    rmSync(`${journalPath}.lock`, { force: true });
    err(`\nstopped. Run the same command again to resume: ${journalPath} records ${records}.`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
}

/** Runs a command's main: its exit code; a CliProblem printed as its message (2), anything else with its stack (1). */
export function runMain(main: (argv: readonly string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof CliProblem) {
        err(error.message);
        process.exitCode = EXIT.invalid;
      } else {
        err(error instanceof Error ? (error.stack ?? error.message) : String(error));
        process.exitCode = EXIT.failed;
      }
    },
  );
}
