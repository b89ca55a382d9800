/**
 * The command line of `npm run notify`: flags parsed by node:util, checked with zod (a bad value answers with
 * the flag, what was wrong and what is expected). npm swallows a `--dry-run` written without `--` before it
 * (it sets npm_config_dry_run instead): that is honoured as a dry run, never taken as a real one.
 */
import { parseArgs } from 'node:util';
import type { $ZodError } from 'zod/v4/core';
import { senderIdSchema } from '../../lib/senders/fields';
import { describeZodError, type FieldProblem } from '../../lib/validation';
import * as z from '../../lib/zod';
import { parseDuration } from '../senders/args';

export const USAGE = `Usage: npm run notify -- <recipients.csv> --template <name> [options]

Sends an approved WhatsApp template to every recipient of the CSV who may get it (docs/sending.md): opted-out
users and users without an opt-in on record are skipped, each send is paced and journaled, and a killed run
resumes without messaging anyone twice.

CSV: a header row; a "to" column (whatsapp:+E164 or any phone form); optionally one column per template
variable ("1", "2" ... or "var_1"), which wins over --var.

Options:
  --template <name>        the template's friendly name (templates/<name>.json, created by npm run templates)
  --var <name>=<value>     a variable's value for every row (repeat for each variable)
  --from <number>          the sending number (default WHATSAPP_SANDBOX_NUMBER)
  --interval <duration>    least time between two sends (default: 3s from the sandbox, which allows one message
                           every 3 s; 100ms from a registered sender)
  --status-url <url>       StatusCallback of each message (default: PUBLIC_BASE_URL/whatsapp/status when set)
  --env <file>             .env with ACCOUNT_SID, AUTH_TOKEN, SYNC_SERVICE_SID, WHATSAPP_SANDBOX_NUMBER ...
  --journal <file>         journal of this run (default: journals/<recipients>-<hash>-notify-<template>.journal.jsonl)
  --dry-run                check everything and show what each row would get; send nothing, write no journal
  --json                   print the summary as JSON
  -h, --help               this help

Exit codes: 0 every row sent or skipped (opted out, no opt-in); 1 a row was refused, failed or held back by the
sender's messaging limit (rerun to retry it); 2 invalid input, flags or configuration (nothing was sent);
130 interrupted (rerun to resume).`;

const duration = z.pipe(
  z.string().check(z.regex(/^(\d+(?:\.\d+)?)(ms|s|m|h)$/, 'must be a number with a unit: 250ms, 3s, 1m')),
  z.transform((v: string) => parseDuration(v)!),
);
const variable = z.pipe(
  z.string().check(z.regex(/^[^=\s]+=/, 'must be name=value, e.g. 3="out for delivery"')),
  z.transform((v: string) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] as const),
);

const optionsSchema = z.strictObject({
  input: z.string().check(z.minLength(1, 'give the recipients file (CSV)')),
  template: z.string().check(z.regex(/^[a-z0-9_]{1,64}$/, 'must be a template name: a-z, 0-9 and _')),
  var: z._default(z.array(variable), []),
  from: z.optional(senderIdSchema),
  interval: z.optional(duration),
  'status-url': z.optional(z.url({ protocol: /^https?$/ })),
  env: z.optional(z.string()),
  journal: z.optional(z.string()),
  'dry-run': z._default(z.boolean(), false),
  json: z._default(z.boolean(), false),
});

export type NotifyOptions = {
  input: string;
  template: string;
  variables: Record<string, string>;
  from?: string;
  intervalMs?: number;
  statusUrl?: string;
  envFile?: string;
  journal?: string;
  dryRun: boolean;
  /** The dry run came from npm's own --dry-run (npm_config_dry_run), not from ours. */
  dryRunFromNpm: boolean;
  json: boolean;
};

export type ParsedArgs =
  | { kind: 'help' }
  | { kind: 'run'; options: NotifyOptions }
  | { kind: 'error'; problems: FieldProblem[] };

export function parseNotifyArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: 'string' },
        var: { type: 'string', multiple: true },
        from: { type: 'string' },
        interval: { type: 'string' },
        'status-url': { type: 'string' },
        env: { type: 'string' },
        journal: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'error', problems: [{ path: '(flags)', message }] };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 1) {
    const message = `one recipients file at a time, got ${positionals.length}`;
    return { kind: 'error', problems: [{ path: '(input)', message }] };
  }
  const input = positionals[0] ?? '';
  const result = z.safeParse(optionsSchema, { ...values, template: values.template ?? '', input });
  if (!result.success) {
    const problems = describeZodError(result.error as unknown as $ZodError).map((p) => ({
      ...p,
      path: p.path === 'input' ? '(input)' : `--${p.path.replace(/\.\d+$/, '')}`,
    }));
    return { kind: 'error', problems };
  }
  const o = result.data;
  const npmDryRun = env.npm_config_dry_run === 'true' && !o['dry-run'];
  return {
    kind: 'run',
    options: {
      input: o.input,
      template: o.template,
      variables: Object.fromEntries(o.var),
      from: o.from,
      intervalMs: o.interval,
      statusUrl: o['status-url'],
      envFile: o.env,
      journal: o.journal,
      dryRun: o['dry-run'] || npmDryRun,
      dryRunFromNpm: npmDryRun,
      json: o.json,
    },
  };
}
