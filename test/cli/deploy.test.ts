/**
 * `npm run deploy` end to end, offline: cli/deploy.ts builds, checks, and runs the real
 * `twilio-run deploy` (whose @twilio-labs/serverless-api `deployLocalProject` does the uploads) against
 * the fake Serverless API on 127.0.0.1 (see test/support/fake-serverless-api.ts for how its requests get
 * there). Then what the fake recorded is checked against the route contract and the build in dist/.
 * One deploy run; plus one refused run of the same CLI.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../dev/paths';
import {
  API_HOST,
  UPLOAD_HOST,
  startFakeServerlessApi,
  type FakeServerlessApi,
  type LiveDeployment,
} from '../support/fake-serverless-api';

const DEPLOY_INFO = join(ROOT, '.twiliodeployinfo');

const accountSid = 'AC' + randomBytes(16).toString('hex');
const authToken = randomBytes(16).toString('hex');
const adminToken = randomBytes(24).toString('hex');
const apiKey = { sid: 'SK' + randomBytes(16).toString('hex'), secret: randomBytes(16).toString('hex') };

let fake: FakeServerlessApi;
let dir: string;
let deployInfoBefore: string | undefined;

type Run = { code: number | null; stdout: string; stderr: string };

/** `tsx cli/deploy.ts <args>` in the project root, its Serverless API calls sent to the fake. */
function runDeployCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'deploy.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...fake.clientEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (run.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ ...run, code })));
}

/** Files under `folder`, relative, with forward slashes. */
function listFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(folder, f)).isFile())
    .map((f) => f.split('\\').join('/'));
}

beforeAll(async () => {
  fake = await startFakeServerlessApi({ accountSid, authToken, apiKeys: [apiKey], buildPolls: 1 });
  dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  deployInfoBefore = existsSync(DEPLOY_INFO) ? readFileSync(DEPLOY_INFO, 'utf8') : undefined;
});

afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
  // twilio-run records the deploy in .twiliodeployinfo: put back what was there.
  if (deployInfoBefore === undefined) rmSync(DEPLOY_INFO, { force: true });
  else writeFileSync(DEPLOY_INFO, deployInfoBefore);
});

describe('npm run deploy against a fake Serverless API', () => {
  let run: Run;
  let live: LiveDeployment;

  beforeAll(async () => {
    const envFile = join(dir, 'deploy.env');
    writeFileSync(
      envFile,
      [
        `ACCOUNT_SID=${accountSid}`,
        `AUTH_TOKEN=${authToken}`,
        `ADMIN_TOKEN=${adminToken}`,
        'WHATSAPP_SANDBOX_NUMBER=+14155238886',
        'WHATSAPP_SANDBOX_KEYWORD=purple-llama',
        'BOT_LOCATION_LATITUDE=37.7908',
        'BOT_LOCATION_LONGITUDE=-122.3931',
        'BOT_LOCATION_NAME=Twilio HQ',
        'PUBLIC_BASE_URL=',
        'TWILIO_API_BASE_URL=',
        '',
      ].join('\n'),
    );
    run = await runDeployCli(['--env', envFile, '--service-name', 'wa-deploy-test', '--environment', 'stage']);
    const environment = fake.state.environments[0];
    const deployed = environment && fake.live(environment.sid);
    if (run.code !== 0 || !deployed) throw new Error(`deploy failed (exit ${run.code}):\n${run.stderr}\n${run.stdout}`);
    live = deployed;
  });

  it('exits 0 after talking only to the Serverless API hosts, authenticated as the account', () => {
    expect(run.code).toBe(0);
    expect(fake.calls.length).toBeGreaterThan(10);
    for (const call of fake.calls) {
      expect({ route: call.route, status: call.status, authUser: call.authUser }).toEqual({
        route: expect.not.stringMatching(/^(unknown|connect\.refused|proxy\.plain-http)$/),
        status: expect.any(Number),
        authUser: accountSid,
      });
      expect(call.status).toBeLessThan(400);
    }
  });

  it('uploads to serverless-upload.twilio.com and calls everything else on serverless.twilio.com', () => {
    const uploads = fake.calls.filter((c) => c.route.endsWith('.versions.create'));
    expect(uploads.length).toBe(live.functions.length + live.assets.length);
    expect(new Set(uploads.map((c) => c.host))).toEqual(new Set([UPLOAD_HOST]));
    expect(new Set(fake.calls.filter((c) => !uploads.includes(c)).map((c) => c.host))).toEqual(new Set([API_HOST]));
  });

  it('creates the service and environment named by the passed-through flags', () => {
    expect(live.service.unique_name).toBe('wa-deploy-test');
    expect(live.service.include_credentials).toBe(true);
    expect(live.environment.domain_suffix).toBe('stage');
  });

  it('waits for the build to complete before activating it', () => {
    const names = fake.calls.map((c) => c.route);
    expect(names.filter((n) => n === 'builds.status').length).toBe(2); // "building" once, then "completed"
    expect(names.indexOf('deployments.create')).toBeGreaterThan(names.lastIndexOf('builds.status'));
    expect(fake.state.builds.map((b) => b.status)).toEqual(['completed']);
    expect(live.environment.build_sid).toBe(live.buildSid);
  });

  it('deploys every built function, byte for byte, with the route contract visibilities', () => {
    const folder = join(ROOT, 'dist', 'functions');
    const built = listFiles(folder).filter((f) => f.endsWith('.js'));
    const expected = built.map((f) => ({
      path: '/' + f.replace(/\.js$/, '').replace(/\.(protected|private)$/, ''),
      visibility: /\.protected\.js$/.test(f) ? 'protected' : /\.private\.js$/.test(f) ? 'private' : 'public',
      content: readFileSync(join(folder, f)).toString('utf8'),
    }));
    const deployed = live.functions.map((f) => ({
      path: f.path,
      visibility: f.visibility,
      content: f.content.toString('utf8'),
    }));
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect(deployed.sort(byPath)).toEqual(expected.sort(byPath));

    for (const fn of live.functions) {
      if (fn.path.startsWith('/whatsapp/'))
        expect({ path: fn.path, visibility: fn.visibility }).toEqual({ path: fn.path, visibility: 'protected' });
      if (fn.path.startsWith('/admin/') || fn.path === '/sandbox/join')
        expect({ path: fn.path, visibility: fn.visibility }).toEqual({ path: fn.path, visibility: 'public' });
    }
    const visibility = Object.fromEntries(live.functions.map((f) => [f.path, f.visibility]));
    expect(visibility).toMatchObject({
      '/whatsapp/incoming': 'protected',
      '/whatsapp/status': 'protected',
      '/whatsapp/fallback': 'protected',
      '/sandbox/join': 'public',
      '/admin/register-sender': 'public',
    });
  });

  it('deploys the page, its bundled JS and CSS and the sample media, and no source map or TypeScript', () => {
    const folder = join(ROOT, 'dist', 'assets');
    const paths = live.assets.map((a) => a.path).sort();
    expect(paths).toEqual(
      listFiles(folder)
        .map((f) => `/${f}`)
        .sort(),
    );
    expect(paths).toContain('/index.html');
    expect(live.assets.find((a) => a.path === '/index.html')?.contentType).toBe('text/html');
    expect(paths.some((p) => /^\/[^/]+\.js$/.test(p))).toBe(true);
    expect(paths.some((p) => /^\/[^/]+\.css$/.test(p))).toBe(true);
    expect(paths.some((p) => p.startsWith('/media/'))).toBe(true);
    expect(paths.filter((p) => /\.(map|[cm]?tsx?)$/.test(p))).toEqual([]);
    for (const asset of live.assets) expect(asset.visibility).toBe('public');
    for (const asset of live.assets.filter((a) => /\.(js|css)$/.test(a.path))) {
      expect(asset.content.toString('utf8')).not.toMatch(/sourceMappingURL/);
    }
  });

  it('has Twilio install only the runtime handler 2.0.1 and twilio, on node22', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect([...live.dependencies].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: '@twilio/runtime-handler', version: '2.0.1' },
      { name: 'twilio', version: pkg.dependencies.twilio },
    ]);
    expect(live.runtime).toBe('node22');
  });

  it('sets the variables of the env file without credentials, empty values or TWILIO_API_BASE_URL', () => {
    expect(live.variables).toEqual({
      ADMIN_TOKEN: adminToken,
      WHATSAPP_SANDBOX_NUMBER: '+14155238886',
      WHATSAPP_SANDBOX_KEYWORD: 'purple-llama',
      BOT_LOCATION_LATITUDE: '37.7908',
      BOT_LOCATION_LONGITUDE: '-122.3931',
      BOT_LOCATION_NAME: 'Twilio HQ',
    });
    for (const key of ['ACCOUNT_SID', 'AUTH_TOKEN', 'TWILIO_API_BASE_URL', 'PUBLIC_BASE_URL'])
      expect(Object.keys(live.variables)).not.toContain(key);
  });

  it('prints the three webhook URLs and the page URL on the deployed domain', () => {
    const origin = `https://${live.environment.domain_name}`;
    expect(live.environment.domain_name).toMatch(/^wa-deploy-test-\d+-stage\.twil\.io$/);
    expect(run.stdout).toContain(`When a message comes in:  ${origin}/whatsapp/incoming`);
    expect(run.stdout).toContain(`Status callback URL:      ${origin}/whatsapp/status`);
    expect(run.stdout).toContain(`Fallback URL:             ${origin}/whatsapp/fallback`);
    expect(run.stdout).toContain(`The page: ${origin}/index.html`);
  });

  it('keeps the secrets out of its output', () => {
    for (const secret of [authToken, adminToken]) {
      expect(run.stdout).not.toContain(secret);
      expect(run.stderr).not.toContain(secret);
    }
  });

  it('records the service for the account in .twiliodeployinfo, as twilio-run does', () => {
    const info = JSON.parse(readFileSync(DEPLOY_INFO, 'utf8')) as Record<
      string,
      { serviceSid: string; latestBuild: string }
    >;
    expect(info[`${accountSid}:us1`]).toEqual({ serviceSid: live.service.sid, latestBuild: live.buildSid });
  });
});

describe('a redeploy, driven by .twiliodeployinfo, with the credentials in the environment', () => {
  let first: LiveDeployment;
  let run: Run;
  let live: LiveDeployment;
  const newAdminToken = randomBytes(24).toString('hex');

  beforeAll(async () => {
    first = fake.live(fake.state.environments[0]!.sid)!;
    const envFile = join(dir, 'redeploy.env');
    // no credentials in the file: ACCOUNT_SID/AUTH_TOKEN come from the environment, as for the bulk tool
    writeFileSync(
      envFile,
      [
        `ADMIN_TOKEN=${newAdminToken}`,
        'WHATSAPP_SANDBOX_KEYWORD=green-owl',
        'BOT_LOCATION_LATITUDE=37.7908',
        'BOT_LOCATION_LONGITUDE=-122.3931',
        'BOT_LOCATION_NAME=',
        '',
      ].join('\n'),
    );
    // --no-build: dist/ is the build the first deploy made
    run = await runDeployCli(['--no-build', '--env', envFile, '--environment', 'stage'], {
      ACCOUNT_SID: accountSid,
      AUTH_TOKEN: authToken,
    });
    if (run.code !== 0) throw new Error(`redeploy failed (exit ${run.code}):\n${run.stderr}\n${run.stdout}`);
    live = fake.live(first.environment.sid)!;
  });

  it('deploys a new build to the same service and environment', () => {
    expect(fake.state.services).toHaveLength(1);
    expect(live.service.sid).toBe(first.service.sid);
    expect(live.environment.sid).toBe(first.environment.sid);
    expect(live.buildSid).not.toBe(first.buildSid);
    expect(fake.state.builds.map((b) => b.status)).toEqual(['completed', 'completed']);
    expect(fake.calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it('updates changed variables and removes the one emptied in the env file', () => {
    expect(live.variables).toEqual({
      ADMIN_TOKEN: newAdminToken,
      WHATSAPP_SANDBOX_NUMBER: '+14155238886', // not in this file: twilio-run leaves it as it was
      WHATSAPP_SANDBOX_KEYWORD: 'green-owl',
      BOT_LOCATION_LATITUDE: '37.7908',
      BOT_LOCATION_LONGITUDE: '-122.3931',
    });
    expect(run.stderr).toContain('Removed from the environment, since');
    expect(run.stderr).toContain('empties them: BOT_LOCATION_NAME');
    for (const secret of [newAdminToken, authToken]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('records the new build in .twiliodeployinfo', () => {
    const info = JSON.parse(readFileSync(DEPLOY_INFO, 'utf8')) as Record<
      string,
      { serviceSid: string; latestBuild: string }
    >;
    expect(info[`${accountSid}:us1`]).toEqual({ serviceSid: first.service.sid, latestBuild: live.buildSid });
  });
});

describe('deploying with an API key (SK...)', () => {
  it('records the deploy under the account, so the second deploy updates the same service', async () => {
    rmSync(DEPLOY_INFO, { force: true }); // a project deployed only with the key
    const envFile = join(dir, 'key.env');
    writeFileSync(
      envFile,
      [
        `ACCOUNT_SID=${accountSid}`,
        'AUTH_TOKEN=',
        `ADMIN_TOKEN=${adminToken}`,
        'WHATSAPP_SANDBOX_KEYWORD=purple-llama',
        '',
      ].join('\n'),
    );
    const args = [
      '--no-build',
      '--env',
      envFile,
      '--service-name',
      'wa-key-test',
      '--username',
      apiKey.sid,
      '--password',
      apiKey.secret,
    ];
    const once = await runDeployCli(args);
    expect({ code: once.code, stderr: once.code === 0 ? '' : once.stderr }).toEqual({ code: 0, stderr: '' });
    const service = fake.state.services.find((s) => s.unique_name === 'wa-key-test')!;
    const info = JSON.parse(readFileSync(DEPLOY_INFO, 'utf8')) as Record<string, { serviceSid: string }>;
    expect(info[`${accountSid}:us1`]?.serviceSid).toBe(service.sid);

    const twice = await runDeployCli(args);
    expect({ code: twice.code, stderr: twice.code === 0 ? '' : twice.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fake.state.services.filter((s) => s.unique_name === 'wa-key-test')).toHaveLength(1);
    const keyCalls = fake.calls.filter((c) => c.authUser === apiKey.sid);
    expect(keyCalls.length).toBeGreaterThan(10);
    expect(keyCalls.filter((c) => c.status >= 400)).toEqual([]);
    expect(once.stdout + once.stderr + twice.stdout + twice.stderr).not.toContain(apiKey.secret);
  });

  it('refuses a key whose account is unknown, before contacting Twilio', async () => {
    const envFile = join(dir, 'key-only.env');
    writeFileSync(envFile, [`ADMIN_TOKEN=${adminToken}`, 'WHATSAPP_SANDBOX_KEYWORD=purple-llama', ''].join('\n'));
    const callsBefore = fake.calls.length;
    const run = await runDeployCli([
      '--no-build',
      '--env',
      envFile,
      '--username',
      apiKey.sid,
      '--password',
      apiKey.secret,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Deploying with an API key, but the account it belongs to is unknown');
    expect(fake.calls.length).toBe(callsBefore);
  });
});

describe('npm run deploy refusing', () => {
  it('exits 1 listing every problem, without contacting Twilio or printing secrets', async () => {
    const envFile = join(dir, 'refused.env');
    const shortToken = 'short-admin-secret-42';
    writeFileSync(
      envFile,
      [
        `ACCOUNT_SID=${accountSid}`,
        `AUTH_TOKEN=${authToken}`,
        `ADMIN_TOKEN=${shortToken}`,
        'WHATSAPP_SANDBOX_KEYWORD=your-sandbox-keyword',
        'TWILIO_API_BASE_URL=http://127.0.0.1:3001',
        '',
      ].join('\n'),
    );
    const callsBefore = fake.calls.length;
    // --no-build: the deploy above built dist/ a moment ago
    const run = await runDeployCli(['--no-build', '--env', envFile, '--service-name', 'wa-refused']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Deploy refused: 3 problems to fix first\./m);
    expect(run.stderr).toMatch(/TWILIO_API_BASE_URL is set in .*refused\.env/);
    expect(run.stderr).toContain(`ADMIN_TOKEN in ${envFile} has ${shortToken.length} characters; at least 32`);
    expect(run.stderr).toMatch(/WHATSAPP_SANDBOX_KEYWORD in .* is still a placeholder/);
    expect(run.stderr.match(/^ {3}Fix: /gm)).toHaveLength(3);
    expect(fake.calls.length).toBe(callsBefore);
    for (const secret of [shortToken, authToken]) expect(run.stderr + run.stdout).not.toContain(secret);
  });
});
