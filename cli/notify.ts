/**
 * `npm run notify -- <recipients.csv> --template <name> [--var 1=...] [--dry-run]`: an approved template to many
 * recipients, each checked for consent and the 24-hour window like POST /admin/send-message (docs/sending.md).
 */
import { defaultJournalPath, err, EXIT, runMain, stopOnInterrupt } from './bulk/command';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTwilioSettings, readEnvFile } from '../dev/env';
import { conversationSettingsSchema, parseSettings, sandboxSettingsSchema, webhookSettingsSchema } from '../lib/config';
import { readContact, type ContactStore } from '../lib/conversation';
import { decideSend } from '../lib/sending/decide';
import { findContent, typesOf } from '../lib/sending/send';
import { senderIdSchema } from '../lib/senders/fields';
import { templateVariables } from '../lib/templates';
import type { TwilioCall } from '../lib/twilio-api';
import { createTwilioClient } from '../lib/twilio-client';
import { describeZodError } from '../lib/validation';
import { parseNotifyArgs, USAGE } from './notify/args';
import { readRecipients, type NotifyRow } from './notify/input';
import { openNotifyJournal } from './notify/journal';
import { createRowProgress, summaryJson, summaryText } from './notify/output';
import { exitCodeOf, runNotify } from './notify/run';
import { senderLimits } from './notify/sender';
import { CliProblem } from './senders/args';
import { problemText } from './senders/input';
import { commandCall } from './twilio-call';

function settingsOf(envFile: string | undefined) {
  const twilio = loadTwilioSettings(envFile);
  if (!twilio.ok) throw new CliProblem(twilio.problem);
  const env = { ...readEnvFile(resolve(envFile ?? '.env')), ...process.env };
  const parse = <T>(schema: Parameters<typeof parseSettings<T>>[0]): T => {
    const result = parseSettings(schema, env);
    if (!result.success) {
      const p = describeZodError(result.error)[0];
      throw new CliProblem(`configuration: ${p?.path}: ${p?.message}`);
    }
    return result.data;
  };
  return {
    twilio: twilio.settings,
    sync: parse(conversationSettingsSchema),
    sandbox: parse(sandboxSettingsSchema),
    web: parse(webhookSettingsSchema),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseNotifyArgs(argv);
  if (args.kind === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (args.kind === 'error') {
    for (const p of args.problems) {
      err(problemText({ line: 0, field: p.path, message: p.message, expected: p.expected }));
    }
    err('\nrun with --help for the options');
    return EXIT.invalid;
  }
  const options = args.options;
  if (options.dryRunFromNpm) {
    err('npm took --dry-run for itself (npm_config_dry_run): honoured, this is a dry run. Nothing will be sent.');
  }
  const settings = settingsOf(options.envFile);
  const { ACCOUNT_SID: accountSid, AUTH_TOKEN: authToken } = settings.twilio;
  if (!accountSid || !authToken) {
    err('No Twilio credentials: set ACCOUNT_SID and AUTH_TOKEN in the environment or in .env (--env <file>).');
    err('Nothing was sent. Consent, the template and the sender are read from the account: --dry-run needs them too.');
    return EXIT.invalid;
  }
  if (!existsSync(options.input)) {
    err(`${options.input}: no such file`);
    return EXIT.invalid;
  }
  const apiBaseUrl = settings.twilio.TWILIO_API_BASE_URL;
  const client = createTwilioClient({ accountSid, authToken, apiBaseUrl, timeoutMs: 30_000 });
  // Reads are retried on 429/5xx (twilio-call.ts); the send itself is made once (createMessage).
  const call = (): TwilioCall => commandCall(client);
  const store = (): ContactStore => ({ ...call(), serviceSid: settings.sync.SYNC_SERVICE_SID });

  const found = await findContent(call, { template: options.template });
  if (!found.ok) {
    err(`${found.body.error.message} ${found.body.error.hint ?? ''}`);
    return EXIT.invalid;
  }
  const types = typesOf(found.content);
  const template = { name: found.name, types, variables: templateVariables(types) };
  const input = await readRecipients(options.input, template, options.variables);
  if (input.problems.length) {
    for (const problem of input.problems) err(problemText(problem));
    const lines = new Set(input.problems.map((p) => p.line)).size;
    err(`\n${lines} line${lines === 1 ? '' : 's'} of ${options.input} must be fixed first; nothing was sent.`);
    return EXIT.invalid;
  }
  const sandboxNumber = senderIdSchema.parse(settings.sandbox.WHATSAPP_SANDBOX_NUMBER);
  const from = options.from ?? sandboxNumber;
  const limits = await senderLimits(call(), from, sandboxNumber);
  if (!limits.ok) {
    err(`${limits.problem}; nothing was sent.`);
    return EXIT.invalid;
  }
  const intervalMs = options.intervalMs ?? limits.intervalMs;
  if (limits.kind === 'sandbox' && intervalMs < limits.intervalMs) {
    err(`warning: --interval ${intervalMs} ms from the sandbox, which allows one message every 3 s (else 63018).`);
  }
  const origin = options.statusUrl ? undefined : settings.web.PUBLIC_BASE_URL;
  const statusCallback = options.statusUrl ?? (origin ? `${origin.replace(/\/+$/, '')}/whatsapp/status` : undefined);
  const resolved = { sid: found.content.sid, name: found.name, approval: found.approval, contentVariables: '{}' };
  const journalPath = options.journal ?? defaultJournalPath(options.input, `-notify-${options.template}`);
  const pacing =
    `${intervalMs} ms between sends from ${from}` +
    (limits.kind === 'sender' ? `; limit ${limits.limitText} (${limits.dailyLimit} per 24 h)` : ' (the sandbox)');

  if (options.dryRun) {
    console.log(await describePlan(input.rows, { store: store(), accountSid, from, template: resolved, pacing }));
    return EXIT.ok;
  }

  mkdirSync(resolve(journalPath, '..'), { recursive: true });
  const journal = await openNotifyJournal(journalPath, err);
  const progress = createRowProgress(input.rows.length);
  stopOnInterrupt(journalPath, () => progress.stop(), 'every send');
  try {
    err(`template ${found.name} (${found.content.sid}, ${found.approval}); ${pacing}`);
    await journal.append({ type: 'run', input: resolve(options.input), template: found.name, from, pid: process.pid });
    const reports = await runNotify(input.rows, {
      journal,
      store: store(),
      accountSid,
      call,
      template: resolved,
      from,
      statusCallback,
      intervalMs,
      dailyLimit: limits.kind === 'sender' ? limits.dailyLimit : undefined,
      onReport: (r) => progress.onReport(r),
    });
    progress.stop();
    console.log(options.json ? summaryJson(reports, journalPath) : summaryText(reports, journalPath));
    return exitCodeOf(reports);
  } finally {
    progress.stop();
    await journal.close();
  }
}

/** The dry run: each row's decision from its contact as Sync has it now, and the journal's record of it. */
async function describePlan(
  rows: readonly NotifyRow[],
  s: {
    store: ContactStore;
    accountSid: string;
    from: string;
    template: { name: string; approval: string };
    pacing: string;
  },
): Promise<string> {
  const { name, approval } = s.template;
  const lines = [`dry run: ${rows.length} recipients, template ${name} (${approval}); ${s.pacing}.`];
  let sends = 0;
  for (const row of rows) {
    const { record } = await readContact(s.store, { accountSid: s.accountSid, address: row.to });
    const decision = decideSend(record, s.from, { kind: 'template', ...s.template }, new Date());
    if (decision.ok) sends += 1;
    lines.push(`line ${row.line}  ${row.to}  ${decision.ok ? 'would send' : `would skip: ${decision.refusal.reason}`}`);
  }
  lines.push(`would send ${sends}; nothing sent, no journal written.`);
  return lines.join('\n');
}

runMain(main);
