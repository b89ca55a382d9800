/** What the bulk commands (`npm run senders`, `npm run notify`) share around their run: exit codes, Ctrl-C, main. */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
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

/**
 * Where a run's journal goes unless --journal says: journals/ in the current folder (ignored by git), named
 * after the input and its full path (and `suffix`, e.g. the template), so a rerun of the same file finds it and
 * examples/ stays clean.
 */
export function defaultJournalPath(input: string, suffix = ''): string {
  const full = resolve(input);
  const tag = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return join('journals', `${basename(full).replace(/\.[^.]+$/, '')}-${tag}${suffix}.journal.jsonl`);
}
