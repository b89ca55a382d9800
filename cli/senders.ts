/**
 * `npm run senders -- <input> [options]`: bulk WhatsApp sender registration. See USAGE (cli/senders/args.ts)
 * and the README's "Bulk sender registration" section.
 */
import { err, EXIT, runMain, stopOnInterrupt } from './bulk/command';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTwilioSettings } from '../dev/env';
import { createBulkApi } from './senders/api';
import { CliProblem, parseBulkArgs, USAGE, type BulkOptions } from './senders/args';
import { readInput, problemText, type ValidatedInput } from './senders/input';
import { openJournal, parseJournal } from './senders/journal';
import { createProgress } from './senders/progress';
import { exitCodeOf, runBulk } from './senders/run';
import { summaryJson, summaryText } from './senders/summary';

/** ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: the environment first, then the .env file. */
function loadSettings(envFile: string | undefined) {
  const loaded = loadTwilioSettings(envFile);
  if (!loaded.ok) throw new CliProblem(loaded.problem);
  return loaded.settings;
}

/** What a dry run prints: per account, what would happen to each sender and the least time pacing allows. */
function describePlan(input: ValidatedInput, options: BulkOptions, journalPath: string): string {
  let states: ((key: string) => string) | undefined;
  if (existsSync(journalPath)) {
    const { records } = parseJournal(readFileSync(journalPath, 'utf8'));
    const done = new Set(records.flatMap((r) => (r.type === 'final' && r.outcome === 'online' ? [r.key] : [])));
    const created = new Set(records.flatMap((r) => (r.type === 'created' ? [r.key] : [])));
    const intended = new Set(records.flatMap((r) => (r.type === 'intent' ? [r.key] : [])));
    states = (key) => (done.has(key) ? 'skip' : created.has(key) ? 'poll' : intended.has(key) ? 'lookup' : 'create');
  }
  const accounts = new Map<string, number>();
  const actions = { create: 0, poll: 0, skip: 0, lookup: 0 };
  for (const row of input.rows) {
    const action = (states?.(row.key) ?? 'create') as keyof typeof actions;
    actions[action] += 1;
    if (action === 'create' || action === 'lookup') accounts.set(row.account, (accounts.get(row.account) ?? 0) + 1);
  }
  const most = Math.max(0, ...accounts.values());
  const minutes = ((Math.max(0, most - 1) * options.intervalMs) / 60_000).toFixed(1);
  return [
    `dry run: ${input.rows.length} valid senders in ${new Set(input.rows.map((r) => r.account)).size} accounts; nothing sent, no journal written.`,
    `would create ${actions.create}, look up then create if missing ${actions.lookup}, poll ${actions.poll}, skip ${actions.skip} (ONLINE in ${journalPath}).`,
    `pacing: ${options.intervalMs} ms between creates per account, ${options.concurrency} accounts at a time; the busiest account has ${most} to create: at least ${minutes} min.`,
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBulkArgs(argv);
  if (args.kind === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (args.kind === 'error') {
    for (const p of args.problems) err(problemText({ line: 0, field: p.path, message: p.message, expected: p.expected }));
    err('\nrun with --help for the options');
    return EXIT.invalid;
  }
  const options = args.options;
  const settings = loadSettings(options.envFile);
  const credentials = settings.ACCOUNT_SID && settings.AUTH_TOKEN ? { accountSid: settings.ACCOUNT_SID, authToken: settings.AUTH_TOKEN } : undefined;
  if (!credentials && !options.dryRun) {
    err('No Twilio credentials: set ACCOUNT_SID and AUTH_TOKEN (the parent account) in the environment or in .env (--env <file>).');
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
  const journalPath = options.journal ?? `${options.input}.journal.jsonl`;
  if (options.dryRun) {
    console.log(describePlan(input, options, journalPath));
    return EXIT.ok;
  }

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
    console.log(options.json ? summaryJson(reports, journalPath) : summaryText(reports, journalPath));
    return exitCodeOf(reports);
  } finally {
    progress.stop();
    await journal.close();
  }
}

runMain(main);
