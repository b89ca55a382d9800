/**
 * `npm run templates` end to end: `node --import tsx cli/templates.ts` as a child process against the emulator
 * over real HTTP. What the account holds is read back from the emulator's Content API and its recordings, never
 * from the tool's own word alone.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../dev/paths';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { injectFault, resetEmulator } from '../support/emulator-control';

const ACCOUNT = 'AC' + 'e'.repeat(32);
const AUTH_TOKEN = 'templates-cli-token';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ contentPendingDelayMs: 40, contentApproveDelayMs: 80 });
});
afterAll(() => emulator.close());
beforeEach(() => resetEmulator(emulator));

/** A copy of the project's templates folder, and an empty .env so the repository's is not read. */
function workDir(): { dir: string; env: string } {
  const dir = mkdtempSync(join(tmpdir(), 'templates-cli-'));
  for (const name of ['bot_menu.json', 'order_update.json'])
    copyFileSync(join(ROOT, 'templates', name), join(dir, name));
  const env = join(dir, 'empty.env');
  writeFileSync(env, '');
  return { dir, env };
}

type CliResult = { code: number | null; stdout: string; stderr: string };
function runCli(
  args: string[],
  env: Record<string, string> = { ACCOUNT_SID: ACCOUNT, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url },
): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'templates.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

type Row = {
  name: string;
  sid?: string;
  type: string;
  approval: string;
  rejectionReason?: string;
  action: string;
  deleted: string[];
};
type Output = { dryRun: boolean; menuContentSid: string | null; templates: Row[] };
const outputOf = (r: CliResult): Output => JSON.parse(r.stdout) as Output;
const count = (route: string) => emulator.requestsFor(route).length;

/** The account's contents as the emulator's Content API lists them. */
async function accountContents(): Promise<
  {
    sid: string;
    friendly_name: string;
    types: Record<string, { body?: string }>;
    approval_requests: { status: string };
  }[]
> {
  const res = await fetch(`${emulator.url}/v1/ContentAndApprovals?PageSize=1000`, {
    headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT}:${AUTH_TOKEN}`).toString('base64')}` },
  });
  return ((await res.json()) as { contents: never[] }).contents;
}

describe('npm run templates', () => {
  it('creates and submits what is missing; a rerun creates nothing; a change replaces that template', async () => {
    const { dir, env } = workDir();
    const args = ['--dir', dir, '--env', env, '--json'];

    const first = await runCli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = outputOf(first).templates;
    expect(created.map(({ name, type, approval, action }) => ({ name, type, approval, action }))).toEqual([
      { name: 'bot_menu', type: 'twilio/quick-reply', approval: 'received', action: 'created' },
      { name: 'order_update', type: 'twilio/text', approval: 'received', action: 'created' },
    ]);
    const remote = await accountContents();
    expect(remote.map((c) => c.friendly_name).sort()).toEqual(['bot_menu', 'order_update']);
    expect(created.map((r) => r.sid).sort()).toEqual(remote.map((c) => c.sid).sort());
    expect(outputOf(first).menuContentSid).toBe(remote.find((c) => c.friendly_name === 'bot_menu')!.sid);
    // Each submitted with its file's name and category.
    expect(emulator.requestsFor('content.approval.create').map((r) => r.body)).toEqual([
      { name: 'bot_menu', category: 'UTILITY' },
      { name: 'order_update', category: 'UTILITY' },
    ]);
    // What was created is the file minus its category, exactly.
    const file = JSON.parse(readFileSync(join(dir, 'order_update.json'), 'utf8')) as Record<string, unknown>;
    const { category: _category, ...createBody } = file;
    expect(
      emulator
        .requestsFor('content.create')
        .find((r) => (r.body as { friendly_name: string }).friendly_name === 'order_update')!.body,
    ).toEqual(createBody);

    await new Promise((r) => setTimeout(r, 150));
    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(outputOf(second).templates.map(({ sid, approval, action }) => ({ sid, approval, action }))).toEqual(
      created.map(({ sid }) => ({ sid, approval: 'approved', action: 'unchanged' })),
    );
    expect([count('content.create'), count('content.approval.create'), count('content.delete')]).toEqual([2, 2, 0]);

    file.types = { 'twilio/text': { body: 'Hello {{1}}, your order {{2}} is {{3}}. Reply STOP to opt out.' } };
    writeFileSync(join(dir, 'order_update.json'), JSON.stringify(file, null, 2));
    const third = await runCli(args);
    expect(third.code).toBe(0);
    const [menu, order] = outputOf(third).templates;
    const oldOrder = created[1]!.sid!;
    expect(menu).toMatchObject({ name: 'bot_menu', sid: created[0]!.sid, action: 'unchanged', deleted: [] });
    expect(order).toMatchObject({
      name: 'order_update',
      action: 'replaced',
      approval: 'received',
      deleted: [oldOrder],
    });
    expect(order!.sid).not.toBe(oldOrder);
    expect([count('content.create'), count('content.approval.create'), count('content.delete')]).toEqual([3, 3, 1]);
    // The new content was created before the old one was deleted.
    const createdAt = emulator.requestsFor('content.create')[2]!.at;
    expect(emulator.requestsFor('content.delete')[0]).toMatchObject({ path: `/v1/Content/${oldOrder}` });
    expect(emulator.requestsFor('content.delete')[0]!.at).toBeGreaterThanOrEqual(createdAt);
    const after = await accountContents();
    expect(after.map((c) => c.sid).sort()).toEqual([menu!.sid, order!.sid].sort());
    expect(after.find((c) => c.friendly_name === 'order_update')!.types['twilio/text']!.body).toMatch(
      /Reply STOP to opt out\.$/,
    );
  });

  it('prints a table with the rejection reason, and the variable to set for the menu', async () => {
    const { dir, env } = workDir();
    const first = outputOf(await runCli(['--dir', dir, '--env', env, '--json']));
    const order = first.templates.find((r) => r.name === 'order_update')!.sid!;
    const reject = await fetch(`${emulator.url}/__emulator/content/${order}/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'INVALID_FORMAT: too many variables for its length' }),
    });
    expect(reject.status).toBe(200);
    const table = await runCli(['--dir', dir, '--env', env]);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^name\s+sid\s+type\s+approval\s+action/);
    expect(lines.find((l) => l.startsWith('order_update'))).toMatch(
      new RegExp(
        `^order_update\\s+${order}\\s+twilio/text\\s+` +
          'rejected: INVALID_FORMAT: too many variables for its length\\s+unchanged',
      ),
    );
    expect(table.stdout).toContain(`MENU_CONTENT_SID=${first.menuContentSid!}`);
    expect(count('content.create')).toBe(2);
  });

  it('--dry-run reads the account and writes nothing', async () => {
    const { dir, env } = workDir();
    await runCli(['--dir', dir, '--env', env]);
    writeFileSync(
      join(dir, 'order_update.json'),
      readFileSync(join(dir, 'order_update.json'), 'utf8').replace('is {{3}}.', 'is now {{3}}.'),
    );
    const before = emulator.state.requests.length;
    const dry = await runCli(['--dir', dir, '--env', env, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(outputOf(dry).templates.map((r) => r.action)).toEqual(['unchanged (dry run)', 'would replace']);
    expect(emulator.state.requests.slice(before).map((r) => r.route)).toEqual(['content.approvals.list']);
  });

  it('a lint error stops it before any call, naming file, field and rule', async () => {
    const { dir, env } = workDir();
    writeFileSync(
      join(dir, 'shipping.json'),
      JSON.stringify({
        friendly_name: 'shipping',
        language: 'en',
        category: 'UTILITY',
        variables: { 1: 'Maria' },
        types: { 'twilio/text': { body: '{{1}}, it shipped.' } },
      }),
    );
    const result = await runCli(['--dir', dir, '--env', env]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${join(dir, 'shipping.json').replace(`${ROOT}/`, '')}: types.twilio/text.body: starts with a variable`,
    );
    expect(result.stderr).toMatch(/\[variable-at-start\]/);
    expect(result.stderr).toMatch(/nothing was sent to Twilio/);
    expect(emulator.state.requests).toEqual([]);
  });

  it('without credentials it refuses (exit 2), but a dry run still lints and plans', async () => {
    const { dir, env } = workDir();
    const none = { TWILIO_API_BASE_URL: emulator.url };
    const refused = await runCli(['--dir', dir, '--env', env], none);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/No Twilio credentials/);
    const dry = await runCli(['--dir', dir, '--env', env, '--dry-run', '--json'], none);
    expect(dry.code).toBe(0);
    expect(outputOf(dry).templates.map((r) => r.action)).toEqual(['would create', 'would create']);
    expect(emulator.state.requests).toEqual([]);
  });

  it('a failed call is reported on its template (exit 1); the rerun completes it', async () => {
    const { dir, env } = workDir();
    await injectFault(emulator, { route: 'content.create', status: 400, code: 20001 });
    const failed = await runCli(['--dir', dir, '--env', env, '--json']);
    expect(failed.code).toBe(1);
    expect(outputOf(failed).templates.map((r) => r.action)).toEqual(['failed', 'created']);
    const rerun = await runCli(['--dir', dir, '--env', env, '--json']);
    expect(rerun.code).toBe(0);
    expect(outputOf(rerun).templates.map((r) => r.action)).toEqual(['created', 'unchanged']);
    expect((await accountContents()).map((c) => c.friendly_name).sort()).toEqual(['bot_menu', 'order_update']);
  });
});
