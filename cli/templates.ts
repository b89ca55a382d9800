/**
 * `npm run templates [-- --dry-run] [--dir templates] [--env .env] [--json]`: makes the account's Content API
 * templates match the templates folder, by friendly name, and submits each for WhatsApp approval. See USAGE and
 * docs/templates.md.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTwilioSettings } from '../dev/env';
import { ROOT } from '../dev/paths';
import { createTwilioClient } from '../lib/twilio-client';
import { hasErrors, lintProblemText, lintTemplates } from '../lib/templates';
import { createContentApi } from './templates/api';
import { rowsJson, rowsText } from './templates/output';
import { applySync, describePlan, planSync, type SyncRow } from './templates/sync';

export const USAGE = `Usage: npm run templates [-- options]

Makes the account's WhatsApp templates (Content API) match the templates folder, by friendly name: creates
what is missing, replaces what changed (creates the new content, then deletes the old), submits each for
WhatsApp approval with its category, and prints name, SID, type and approval status. A rerun with no change
creates nothing. Every file is linted first; any error stops the run before a single call.

Options:
  --dry-run        lint, read the account (when credentials are set) and show the plan; change nothing
  --dir <folder>   the templates folder (default: templates/ of this project)
  --env <file>     .env with ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL (default: .env; the environment wins)
  --json           print the result as JSON
  -h, --help       this help

Exit codes: 0 done; 1 a Twilio call failed; 2 invalid templates, flags or configuration (nothing was changed).`;

const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;
const err = (text: string) => process.stderr.write(`${text}\n`);

/** A file as problems name it: relative to the working folder when inside it, else its absolute path. */
function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : resolve(file);
}

function readFolder(dir: string): { file: string; source: string }[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ file: displayPath(join(dir, name)), source: readFileSync(join(dir, name), 'utf8') }));
}

async function main(argv: readonly string[]): Promise<number> {
  let values: { 'dry-run'?: boolean; dir?: string; env?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        'dry-run': { type: 'boolean' },
        dir: { type: 'string' },
        env: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n\nrun with --help for the options`);
    return EXIT.invalid;
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const dryRun = values['dry-run'] ?? false;
  const dir = resolve(values.dir ?? join(ROOT, 'templates'));
  if (!existsSync(dir)) {
    err(`${values.dir ?? dir}: no such folder`);
    return EXIT.invalid;
  }
  const { templates, problems } = lintTemplates(readFolder(dir));
  for (const problem of problems) err(lintProblemText(problem));
  if (hasErrors(problems)) {
    err(
      `\n${problems.filter((p) => p.severity === 'error').length} problem(s) to fix first; nothing was sent to Twilio.`,
    );
    return EXIT.invalid;
  }
  if (templates.length === 0) {
    err(`${dir} holds no templates (*.json); nothing to do.`);
    return EXIT.ok;
  }
  const loaded = loadTwilioSettings(values.env);
  if (!loaded.ok) {
    err(loaded.problem);
    return EXIT.invalid;
  }
  const { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL } = loaded.settings;
  const print = (rows: SyncRow[]) => console.log(values.json ? rowsJson(rows, dryRun) : rowsText(rows, dryRun));
  if (!ACCOUNT_SID || !AUTH_TOKEN) {
    if (dryRun) {
      err('No Twilio credentials: the account was not read, so every template shows as new.');
      print(describePlan(planSync(templates, [])));
      return EXIT.ok;
    }
    err(
      'No Twilio credentials: set ACCOUNT_SID and AUTH_TOKEN in the environment or in .env (--env <file>). ' +
        'Nothing was sent.',
    );
    return EXIT.invalid;
  }
  const api = createContentApi(
    createTwilioClient({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: TWILIO_API_BASE_URL,
      timeoutMs: 30_000,
    }),
  );
  const plan = planSync(templates, await api.list());
  const rows = dryRun ? describePlan(plan) : await applySync(api, plan);
  print(rows);
  return rows.some((r) => r.action === 'failed') ? EXIT.failed : EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(error instanceof Error ? error.message : String(error));
    process.exitCode = EXIT.failed;
  },
);
