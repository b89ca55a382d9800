/**
 * edge/admin-auth.ts through the admin functions, in process: Bearer ADMIN_TOKEN on every /admin route, the 401
 * and 503 answers, and the token kept out of every answer and log line. (test/server/admin.test.ts checks the
 * 401's WWW-Authenticate header over real HTTP.)
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, humaneRegistration } from '../support/admin';
import { captureLogs, functionHarness, type FunctionHarness, type HarnessAnswer } from '../support/harness';

const ROUTES = ['/admin/register-sender', '/admin/sender-status', '/admin/verify-sender', '/admin/list-senders', '/admin/update-sender', '/admin/delete-sender'];
const SHORT_TOKEN = 'x'.repeat(31);

let emulator: Emulator;
let configured: FunctionHarness;
let unset: FunctionHarness;
let short: FunctionHarness;
let logs: ReturnType<typeof captureLogs>;
const answers: HarnessAnswer[] = [];
const keep = (a: HarnessAnswer) => (answers.push(a), a);

beforeAll(async () => {
  logs = captureLogs();
  emulator = await startEmulator();
  const env = { ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url };
  configured = functionHarness({ env: { ...env, ADMIN_TOKEN } });
  unset = functionHarness({ env });
  short = functionHarness({ env: { ...env, ADMIN_TOKEN: SHORT_TOKEN } });
});
afterAll(async () => {
  logs?.restore();
  await emulator?.close();
});

describe('admin routes without the right bearer token', () => {
  it.each(ROUTES)('%s answers 401 with WWW-Authenticate when the header is missing, and calls no Twilio API', async (path) => {
    const res = keep(await configured.adminPost(path, { sid: 'XE' + 'a'.repeat(32) }, null));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="admin"');
    expect(res.json.error.message).toMatch(/Authorization: Bearer/);
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('answers 401 invalid_token for a wrong token of the same length, and for another scheme', async () => {
    const wrong = ADMIN_TOKEN.slice(0, -1) + (ADMIN_TOKEN.endsWith('9') ? '8' : '9');
    const res = keep(await configured.adminPost('/admin/register-sender', humaneRegistration('+14155550100'), wrong));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="admin", error="invalid_token"');
    expect(res.json.error).toEqual({ code: null, message: 'The bearer token is not valid.', hint: expect.any(String), more_info: null });

    const basic = keep(
      await configured.call('/admin/list-senders', { headers: { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } }),
    );
    expect(basic.statusCode).toBe(401);
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('lets the right token through, whatever the case of "Bearer"', async () => {
    const res = await configured.call('/admin/register-sender', {
      json: { ...humaneRegistration('+14155550100'), dry_run: true },
      headers: { Authorization: `bearer ${ADMIN_TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json.dry_run).toBe(true);
  });
});

describe('admin routes without a usable ADMIN_TOKEN', () => {
  it.each(ROUTES)('%s answers 503 naming ADMIN_TOKEN when it is unset', async (path) => {
    const res = keep(await unset.adminPost(path, {}, ADMIN_TOKEN));
    expect(res.statusCode).toBe(503);
    expect(res.json.error.message).toMatch(/ADMIN_TOKEN/);
  });

  it('answers 503 when ADMIN_TOKEN is under 32 characters, even to a caller sending exactly it', async () => {
    const res = keep(await short.adminPost('/admin/list-senders', {}, SHORT_TOKEN));
    expect(res.statusCode).toBe(503);
    expect(res.json.error.message).toMatch(/ADMIN_TOKEN.*32 characters/);
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('hints at restarting npm start when served locally, and at redeploying when deployed', async () => {
    const local = (await unset.adminPost('/admin/list-senders', {}, ADMIN_TOKEN)).json.error.hint as string;
    expect(local).toContain('npm start -- --env .env.local');
    expect(local).toContain('ADMIN_TOKEN=... npm start');
    expect(local).not.toContain('redeploy');
    const env = { ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url };
    const deployed = functionHarness({ env, url: 'https://whatsapp-functions-1234-dev.twil.io' });
    const hint = (await deployed.adminPost('/admin/list-senders', {}, ADMIN_TOKEN)).json.error.hint as string;
    expect(hint).toMatch(/and redeploy\.$/);
    expect(hint).not.toContain('npm start');
  });
});

describe('the admin token stays secret', () => {
  it('appears in no answer and no log line', () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const a of answers) {
      expect(a.body).not.toContain(ADMIN_TOKEN);
      expect(a.body).not.toContain(SHORT_TOKEN);
      expect(JSON.stringify(a.headers)).not.toContain(ADMIN_TOKEN);
    }
    expect(logs.jsonLog((l) => l.event === 'admin.auth' && l.outcome === 'invalid')).toMatchObject({ outcome: 'invalid' });
    const text = logs.lines.join('\n');
    expect(text).not.toContain(ADMIN_TOKEN);
    expect(text).not.toContain(SHORT_TOKEN);
    expect(text).not.toContain(AUTH_TOKEN);
  });
});
