/**
 * `npm run senders -- <input> [options]`: bulk WhatsApp sender registration. See USAGE (cli/senders/args.ts)
 * and docs/bulk-senders.md.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTwilioSettings } from '../dev/env';
import { defaultJournalPath, err, EXIT, runMain, stopOnInterrupt } from './bulk/command';
import { createBulkApi } from './senders/api';
import { CliProblem, parseBulkArgs, USAGE } from './senders/args';
import { readInput, problemText } from './senders/input';
import { openJournal, parseJournal } from './senders/journal';
import { describePlan } from './senders/plan';
import { createProgress } from './senders/progress';
import { exitCodeOf, runBulk } from './senders/run';
import { summaryJson, summaryText } from './senders/summary';

/** ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: the environment first, then the .env file. */
function loadSettings(envFile: string | undefined) {
  const loaded = loadTwilioSettings(envFile);
  if (!loaded.ok) throw new CliProblem(loaded.problem);
  return loaded.settings;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBulkArgs(argv);
  if (args.kind === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (args.kind === 'error') {
    for (const p of args.problems)
      err(problemText({ line: 0, field: p.path, message: p.message, expected: p.expected }));
    err('\nrun with --help for the options');
    return EXIT.invalid;
  }
  const options = args.options;
  // `npm run senders x.csv --dry-run` (no `--`): npm takes --dry-run for itself and sets npm_config_dry_run.
  if (!options.dryRun && process.env.npm_config_dry_run === 'true') {
    err('npm took --dry-run for itself (write `npm run senders -- <input> --dry-run`, with `--`): doing a dry run.');
    options.dryRun = true;
  }
  const settings = loadSettings(options.envFile);
  const credentials =
    settings.ACCOUNT_SID && settings.AUTH_TOKEN
      ? { accountSid: settings.ACCOUNT_SID, authToken: settings.AUTH_TOKEN }
      : undefined;
  if (!credentials && !options.dryRun) {
    err(
      'No Twilio credentials: set ACCOUNT_SID and AUTH_TOKEN (the parent account) in the environment or in .env (--env <file>).',
    );
    err('Nothing was sent. --dry-run checks the input without them.');
    return EXIT.invalid;
  }
  if (!existsSync(options.input)) {
    err(`${options.input}: no such file`);
    return EXIT.invalid;
  }
  const input = await readInput(options.input, options.format, credentials?.accountSid ?? '(parent account)');
  for (const warning of input.warnings) err(`warning: line ${warning.line}, ${warning.field}: ${warning.message}`);
  if (input.problems.length) {
    for (const problem of input.problems) err(problemText(problem));
    const lines = new Set(input.problems.map((p) => p.line)).size;
    err(`\n${lines} line${lines === 1 ? '' : 's'} of ${options.input} must be fixed first; nothing was sent.`);
    return EXIT.invalid;
  }
  if (input.rows.length === 0) {
    err(`${options.input} holds no senders; nothing to do.`);
    return EXIT.ok;
  }
  const journalPath = options.journal ?? defaultJournalPath(options.input);
  if (options.dryRun) {
    const records = existsSync(journalPath) ? parseJournal(readFileSync(journalPath, 'utf8')).records : undefined;
    console.log(describePlan(input.rows, records, { ...options, journalPath }));
    return EXIT.ok;
  }

  mkdirSync(resolve(journalPath, '..'), { recursive: true });
  const journal = await openJournal(journalPath, err);
  const progress = createProgress(input.rows.length);
  stopOnInterrupt(journalPath, () => progress.stop(), 'every create');
  try {
    await journal.append({ type: 'run', input: resolve(options.input), pid: process.pid });
    const reports = await runBulk(input.rows, {
      api: createBulkApi({ ...credentials!, apiBaseUrl: settings.TWILIO_API_BASE_URL }),
      journal,
      intervalMs: options.intervalMs,
      pollIntervalMs: options.pollIntervalMs,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      onEvent: (event) => progress.onEvent(event),
    });
    progress.stop();
    const summary = options.json
      ? summaryJson(reports, journalPath)
      : summaryText(reports, journalPath, credentials!.accountSid);
    console.log(summary);
    return exitCodeOf(reports);
  } finally {
    progress.stop();
    await journal.close();
  }
}

runMain(main);
