/**
 * The command line of `npm run senders`: flags parsed by node:util, then checked with zod so a bad value is
 * answered with the flag, what was wrong and what is expected, like every other input of the project.
 */
import { parseArgs } from 'node:util';
import { $ZodError } from 'zod/v4/core';
import * as z from '../../lib/zod';
import { describeZodError, type FieldProblem } from '../../lib/validation';

export const USAGE = `Usage: npm run senders -- <input.csv|input.jsonl> [options]

Registers WhatsApp senders in bulk through the Senders API, paced per account, and polls each one to a
final state. A journal makes a killed run resume without registering anything twice.

Options:
  --env <file>             .env file with ACCOUNT_SID, AUTH_TOKEN (parent account), TWILIO_API_BASE_URL
                           (default: .env in the current directory, if present; the environment wins)
  --journal <file>         journal of this run (default: journals/<input name>-<hash of its path>.journal.jsonl,
                           ignored by git; a rerun of the same input finds it)
  --format <csv|jsonl>     input format (default: from the extension; .jsonl/.ndjson/.json = JSON lines)
  --interval <duration>    least time between two create requests in one account (default: 5m)
  --concurrency <n>        accounts registering at the same time (default: 10)
  --poll-interval <dur>    time between two status checks of one sender (default: 15s)
  --timeout <duration>     give up waiting for a sender's final state after this long (default: 30m)
  --dry-run                validate the input and show each row's plan; send nothing, write no journal
                           (after \`npm run senders -- \`: without the \`--\`, npm keeps --dry-run, which is noticed)
  --json                   print the summary as JSON instead of a table
  -h, --help               this help

Durations take a unit: 250ms, 20s, 5m, 1h.

Against the local emulator of a running \`npm start\` (it prints this line with its emulator's URL):
  ACCOUNT_SID=AC00000000000000000000000000000000 AUTH_TOKEN=local-emulator-auth-token \\
  TWILIO_API_BASE_URL=http://127.0.0.1:<emulator port> npm run senders -- examples/senders.csv --interval 1s
Exit codes: 0 every sender ONLINE or waiting for its OTP; 1 a sender failed (error, OFFLINE, timeout);
2 invalid input, flags or configuration (nothing was sent).`;

/** A problem the user can fix (flags, configuration, journal): printed as its message, exit code 2. */
export class CliProblem extends Error {}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "250ms" | "20s" | "5m" | "1h" -> milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

const duration = (min: number) =>
  z.pipe(
    z.string().check(z.regex(DURATION, 'must be a number with a unit: 250ms, 20s, 5m or 1h')),
    z.pipe(z.transform((v: string) => parseDuration(v)!), z.number().check(z.gte(min, `must be at least ${min} ms`))),
  );

const optionsSchema = z.strictObject({
  input: z.string().check(z.minLength(1, 'give the input file (CSV or JSON lines)')),
  env: z.optional(z.string()),
  journal: z.optional(z.string()),
  format: z.optional(z.enum(['csv', 'jsonl'])),
  interval: z.prefault(duration(0), '5m'),
  concurrency: z.prefault(
    z.pipe(z.string().check(z.regex(/^\d+$/, 'must be a whole number')), z.pipe(z.transform(Number), z.number().check(z.gte(1), z.lte(1000)))),
    '10',
  ),
  'poll-interval': z.prefault(duration(1), '15s'),
  timeout: z.prefault(duration(1), '30m'),
  'dry-run': z._default(z.boolean(), false),
  json: z._default(z.boolean(), false),
});

export type BulkOptions = {
  input: string;
  envFile?: string;
  journal?: string;
  format?: 'csv' | 'jsonl';
  intervalMs: number;
  concurrency: number;
  pollIntervalMs: number;
  timeoutMs: number;
  dryRun: boolean;
  json: boolean;
};

export type ParsedArgs = { kind: 'help' } | { kind: 'run'; options: BulkOptions } | { kind: 'error'; problems: FieldProblem[] };

/** Parses argv (without node and the script). Never throws: bad flags come back as problems. */
export function parseBulkArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string' },
        journal: { type: 'string' },
        format: { type: 'string' },
        interval: { type: 'string' },
        concurrency: { type: 'string' },
        'poll-interval': { type: 'string' },
        timeout: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { kind: 'error', problems: [{ path: '(flags)', message: error instanceof Error ? error.message : String(error) }] };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 1) {
    return { kind: 'error', problems: [{ path: '(input)', message: `one input file at a time, got ${positionals.length}`, expected: '1 file' }] };
  }
  const result = z.safeParse(optionsSchema, { ...values, input: positionals[0] ?? '' });
  if (!result.success) {
    const problems = describeZodError(result.error as unknown as $ZodError).map((p) => ({
      ...p,
      path: p.path === 'input' ? '(input)' : `--${p.path}`,
    }));
    return { kind: 'error', problems };
  }
  const o = result.data;
  return {
    kind: 'run',
    options: {
      input: o.input,
      envFile: o.env,
      journal: o.journal,
      format: o.format,
      intervalMs: o.interval,
      concurrency: o.concurrency,
      pollIntervalMs: o['poll-interval'],
      timeoutMs: o.timeout,
      dryRun: o['dry-run'],
      json: o.json,
    },
  };
}
