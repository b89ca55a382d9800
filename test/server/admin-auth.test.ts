/** The admin gate: Bearer ADMIN_TOKEN on every /admin route, 401 / 503 answers, and the token kept secret. */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, adminClient, humaneRegistration, type AdminAnswer } from '../support/admin';
import { startRuntime, type RunningRuntime } from '../support/runtime';

const ROUTES = ['/admin/register-sender', '/admin/sender-status', '/admin/verify-sender', '/admin/list-senders', '/admin/update-sender', '/admin/delete-sender'];
const SHORT_TOKEN = 'x'.repeat(31);

let emulator: Emulator;
let configured: RunningRuntime;
let unset: RunningRuntime;
let short: RunningRuntime;
const answers: AdminAnswer[] = [];
const keep = (a: AdminAnswer) => (answers.push(a), a);

beforeAll(async () => {
  emulator = await startEmulator();
  const env = { ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url };
  [configured, unset, short] = await Promise.all([
    startRuntime({ env: { ...env, ADMIN_TOKEN } }),
    startRuntime({ env }),
    startRuntime({ env: { ...env, ADMIN_TOKEN: SHORT_TOKEN } }),
  ]);
});
afterAll(async () => {
  await Promise.all([configured?.stop(), unset?.stop(), short?.stop()]);
  await emulator?.close();
});

describe('admin routes without the right bearer token', () => {
  it.each(ROUTES)('%s answers 401 with WWW-Authenticate when the header is missing, and calls no Twilio API', async (path) => {
    const res = keep(await adminClient(configured.url, null).post(path, { sid: 'XE' + 'a'.repeat(32) }));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
    expect(res.body.error.message).toMatch(/Authorization: Bearer/);
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('answers 401 invalid_token for a wrong token of the same length, and for another scheme', async () => {
    const wrong = ADMIN_TOKEN.slice(0, -1) + (ADMIN_TOKEN.endsWith('9') ? '8' : '9');
    const res = keep(await adminClient(configured.url, wrong).post('/admin/register-sender', humaneRegistration('+14155550100')));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin", error="invalid_token"');
    expect(res.body.error).toEqual({ code: null, message: 'The bearer token is not valid.', hint: expect.any(String), more_info: null });

    const basic = keep(
      await fetch(configured.url + '/admin/list-senders', { headers: { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } }).then(async (r) => ({
        status: r.status,
        headers: r.headers,
        text: await r.text(),
        body: {},
      })),
    );
    expect(basic.status).toBe(401);
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('lets the right token through, whatever the case of "Bearer"', async () => {
    const res = await fetch(configured.url + '/admin/register-sender', {
      method: 'POST',
      headers: { Authorization: `bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...humaneRegistration('+14155550100'), dry_run: true }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { dry_run: boolean }).dry_run).toBe(true);
  });
});

describe('admin routes without a usable ADMIN_TOKEN', () => {
  it.each(ROUTES)('%s answers 503 naming ADMIN_TOKEN when it is unset', async (path) => {
    const res = keep(await adminClient(unset.url, ADMIN_TOKEN).post(path, {}));
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/ADMIN_TOKEN/);
  });

  it('answers 503 when ADMIN_TOKEN is under 32 characters, even to a caller sending exactly it', async () => {
    const res = keep(await adminClient(short.url, SHORT_TOKEN).post('/admin/list-senders', {}));
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/ADMIN_TOKEN.*32 characters/);
    expect(emulator.state.requests).toHaveLength(0);
  });
});

describe('the admin token stays secret', () => {
  it('appears in no answer and no log line', async () => {
    expect(answers.length).toBeGreaterThan(10);
    for (const a of answers) {
      expect(a.text).not.toContain(ADMIN_TOKEN);
      expect(a.text).not.toContain(SHORT_TOKEN);
    }
    // Wait for a line the requests above produce, so the lines checked below have all arrived.
    expect(await configured.waitForJsonLog((l) => l.event === 'admin.auth' && l.outcome === 'invalid')).toMatchObject({ outcome: 'invalid' });
    const logs = [...configured.logs, ...unset.logs, ...short.logs].join('\n');
    expect(logs).not.toContain(ADMIN_TOKEN);
    expect(logs).not.toContain(SHORT_TOKEN);
    expect(logs).not.toContain(AUTH_TOKEN);
  });
});
