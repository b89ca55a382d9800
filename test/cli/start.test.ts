/**
 * Runs the `npm start` command itself, as a newcomer would, waits for it, drives it with signed webhooks,
 * admin calls and `npm run message`, and stops it (the whole process group).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_AUTH_TOKEN } from '../../dev/env';
import { ROOT } from '../../dev/paths';
import { freePort } from '../support/free-port';
import { parseTwiml } from '../support/twiml';
import { postWebhook } from '../support/twilio-request';

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

type Run = { code: number | null; output: string };

/** A command of this project (`tsx <script> <args>`) run to its end. */
function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

const waitFor = async (read: () => string, text: string, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`${what}: no "${text}" within ${timeoutMs} ms:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('npm start with --env and the environment', () => {
  const adminToken = randomBytes(24).toString('hex');
  let dir: string;
  let envFile: string;
  let port: number;
  let child: ReturnType<typeof spawn>;
  let output = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npm-start-test-'));
    envFile = join(dir, 'local.env');
    writeFileSync(
      envFile,
      [
        'ACCOUNT_SID=',
        'AUTH_TOKEN=',
        'ADMIN_TOKEN=',
        'WHATSAPP_SANDBOX_NUMBER=+1 415',
        'WHATSAPP_SANDBOX_KEYWORD=purple-llama',
        'BOT_LOCATION_LATITUDE=37.7908',
        'BOT_LOCATION_LONGITUDE=-122.3931',
        'BOT_LOCATION_NAME=Twilio HQ',
        '',
      ].join('\n'),
    );
    port = await freePort();
    child = spawn('npm', ['start', '--', '--port', String(port), '--env', envFile], {
      cwd: ROOT,
      detached: true, // its own process group, so the test can stop npm, tsx and node together
      env: { ...process.env, ADMIN_TOKEN: adminToken }, // the environment wins over the file
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await Promise.race([
      waitFor(() => output, 'Ctrl-C stops', 'npm start', 60_000),
      exited.then((code) => Promise.reject(new Error(`npm start exited with ${code}:\n${output}`))),
    ]);
  });

  afterAll(async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    // Stopped: the port is free again.
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  const message = (args: string[]) => runScript('cli/message.ts', ['--port', String(port), ...args]);

  it('says where it runs, with which file, and lists / (not /assets/index.html) and the routes', () => {
    expect(output).toContain(`http://localhost:${port}/whatsapp/incoming`);
    expect(output).toContain(`Variables: ${envFile}`);
    expect(output).toContain('OFFLINE against the local Twilio API emulator');
    expect(output).toContain(`http://localhost:${port}/  (also /index.html)`);
    expect(output).not.toContain('/assets/index.html');
    expect(output).toContain('npm run senders -- examples/senders.csv');
  });

  it('reports each configuration problem at start, naming the variable and never a value', () => {
    expect(output).toMatch(/! WHATSAPP_SANDBOX_NUMBER in .*local\.env would make \/sandbox\/join answer 503/);
    expect(output).not.toContain('+1 415');
    expect(output).not.toContain('ADMIN_TOKEN is not set'); // it came from the environment
    expect(output).not.toContain(adminToken);
  });

  it('takes ADMIN_TOKEN from the environment over the file', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/admin/list-senders`, {
      headers: { Authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
  });

  it('answers a signed message, and logs why a forged one is refused (with the URLs checked)', async () => {
    const params = { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'hi' };
    const signedUrl = `http://localhost:${port}/whatsapp/incoming`;
    const res = await postWebhook(`http://127.0.0.1:${port}`, '/whatsapp/incoming', params, {
      authToken: EMULATOR_AUTH_TOKEN,
      signedUrl,
    });
    expect(res.status).toBe(200);
    expect(parseTwiml(res.body)[0]!.body).toContain('*menu*');

    const forged = await postWebhook(`http://127.0.0.1:${port}`, '/whatsapp/incoming', params, {
      authToken: 'wrong',
      signedUrl,
    });
    expect(forged.status).toBe(403);
    await waitFor(() => output, '"event":"webhook.refused"', 'the refusal log line');
    const line = output.split('\n').find((l) => l.includes('"event":"webhook.refused"'))!;
    expect(JSON.parse(line.slice(line.indexOf('{')))).toMatchObject({
      reason: 'X-Twilio-Signature does not match this AUTH_TOKEN for any URL checked',
      checked_urls: expect.arrayContaining([signedUrl, `https://localhost:${port}/whatsapp/incoming`]),
    });
    expect(line).not.toContain(EMULATOR_AUTH_TOKEN);
  });

  it('npm run message signs with the file npm start read, and shows where the location pin went', async () => {
    const hi = await message(['hi']);
    expect(hi).toMatchObject({ code: 0, output: expect.stringContaining('*menu*') });
    const location = await message(['location']);
    expect(location.code).toBe(0);
    expect(location.output).toMatch(
      /sent through the Messages API \(to the local emulator, http:\/\/127\.0\.0\.1:\d+; answered 201\)/,
    );
    expect(location.output).toContain('PersistentAction=geo:37.7908,-122.3931');
  });

  it('npm run message sends signed status and fallback callbacks', async () => {
    const status = await message(['--status', 'delivered', '--sid', 'SM' + 'ab'.repeat(16)]);
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/^HTTP 2\d\d/m);
    const fallback = await message(['--fallback', '--error-code', '11200']);
    expect(fallback.code).toBe(0);
    await waitFor(() => output, '"event":"webhook.fallback"', 'the fallback log line');
  });

  it('npm run message exits 1 on a refused signature and says why', async () => {
    const otherEnv = join(dir, 'other.env');
    writeFileSync(
      otherEnv,
      `ACCOUNT_SID=AC${'0123456789abcdef'.repeat(2)}\nAUTH_TOKEN=${randomBytes(16).toString('hex')}\n`,
    );
    const refused = await message(['--env', otherEnv, 'hi']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('HTTP 403');
    expect(refused.output).toContain('Refused (403): the signature did not match');
    expect(refused.output).toContain('Start both with the same --env');
  });

  it('announces an edit of the env file with "restart to apply"', async () => {
    appendFileSync(envFile, 'BOT_LOCATION_LABEL=Main entrance\n');
    await waitFor(() => output, 'changed: restart npm start to apply it', 'the env file notice');
  });
});

describe('npm start refusing early', () => {
  it('names a busy port and the next one to try, before building', async () => {
    const server = await listenOn(0);
    const { port } = server.address() as { port: number };
    try {
      const run = await runScript('cli/start.ts', ['--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.output).toContain(`npm start failed: port ${port} is in use; try --port ${port + 1}`);
      expect(run.output).not.toContain('built and served');
      expect(run.output).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses an env file line the deploy would read differently, naming the line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-env-'));
    const secret = randomBytes(20).toString('hex');
    writeFileSync(
      join(dir, 'bad.env'),
      `WHATSAPP_SANDBOX_KEYWORD=purple-llama\nADMIN_TOKEN=${secret} # from the vault\n`,
    );
    try {
      const run = await runScript('cli/start.ts', ['--port', '0', '--env', join(dir, 'bad.env')]);
      expect(run.code).toBe(1);
      expect(run.output).toMatch(/bad\.env:2: ADMIN_TOKEN has a `#` in an unquoted value/);
      expect(run.output).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([['cli/start.ts'], ['cli/message.ts']])('%s --help prints the usage and exits 0', async (script) => {
    const run = await runScript(script, ['--help']);
    expect(run).toMatchObject({ code: 0, output: expect.stringMatching(/^Usage: npm (start|run message)/) });
    expect(run.output).not.toContain('Could not reach');
  });
});
