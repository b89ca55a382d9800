/**
 * Twilio misbehaving, on the real runtime: 429s and 5xx retried with backoff (Retry-After honoured), retries
 * that cannot fit the time budget never started, and a slow upstream answered within the budget.
 * The budget is lowered to 1.5 s through ADMIN_REQUEST_BUDGET_MS so the tests stay fast; nothing here measures time.
 */
import { TWILIO_ERROR_HINTS } from '../../lib/twilio-errors';
import { startEmulator, type Emulator, type Fault } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, adminClient, humaneRegistration } from '../support/admin';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { injectFault as injectFaultInto, resetEmulator } from '../support/emulator-control';

let emulator: Emulator;
let runtime: RunningRuntime;
let admin: ReturnType<typeof adminClient>;

beforeAll(async () => {
  emulator = await startEmulator({ senderOnlineDelayMs: 40 });
  runtime = await startRuntime({ env: { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url, ADMIN_REQUEST_BUDGET_MS: '1500' } });
  admin = adminClient(runtime.url);
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});
beforeEach(() => resetEmulator(emulator));

const injectFault = (fault: Fault) => injectFaultInto(emulator, fault);
const statusesOf = (route: string) => emulator.requestsFor(route).map((r) => r.status);

describe('retries', () => {
  it('retries a 429 and answers the success', async () => {
    await injectFault({ route: 'senders.create', status: 429, retryAfter: 0 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550110'));
    expect(res.status).toBe(201);
    expect(statusesOf('senders.create')).toEqual([429, 202]);
    const line = await runtime.waitForJsonLog((l) => l.event === 'admin.register-sender' && l.sid === res.body.sender.sid);
    expect(line.twilio).toEqual(['GET /v2/Channels/Senders 200', expect.stringMatching(/^POST \/v2\/Channels\/Senders 429 retry\+\d+ms$/), 'POST /v2/Channels/Senders 202']);
  });

  it('retries a 503 on the idempotency lookup, then creates', async () => {
    await injectFault({ route: 'senders.list', status: 503 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550111'));
    expect(res.status).toBe(201);
    expect(statusesOf('senders.list')).toEqual([503, 200]);
  });

  it('gives up on persistent 500s with 502 and the hint, after more than one attempt', async () => {
    await injectFault({ route: 'senders.list', status: 500, times: 100 });
    const res = await admin.get('/admin/list-senders');
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({ code: 20500, message: expect.any(String), hint: TWILIO_ERROR_HINTS[20500], more_info: 'https://www.twilio.com/docs/errors/20500' });
    expect(statusesOf('senders.list').length).toBeGreaterThanOrEqual(2);
    expect(statusesOf('senders.list').every((s) => s === 500)).toBe(true);
  });

  it('does not start a retry whose Retry-After would pass the budget: answers 429 at once with Retry-After', async () => {
    await injectFault({ route: 'senders.create', status: 429, retryAfter: 30, times: 5 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550112'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.body.error).toMatchObject({ code: 20429, hint: TWILIO_ERROR_HINTS[20429] });
    expect(statusesOf('senders.create')).toEqual([429]);
  });
});

describe('time budget', () => {
  it('answers a slow upstream that still fits the budget', async () => {
    await injectFault({ route: 'senders.fetch', delayMs: 150 });
    const created = await admin.post('/admin/register-sender', humaneRegistration('+14155550113'));
    const res = await admin.get('/admin/sender-status', { sid: created.body.sender.sid });
    expect(res.status).toBe(200);
    expect(res.body.sender.sid).toBe(created.body.sender.sid);
  });

  it('answers 504 with a clear error when Twilio is slower than the budget', async () => {
    await injectFault({ route: 'senders.list', delayMs: 4000 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550114'));
    expect(res.status).toBe(504);
    expect(res.body.error).toEqual({
      code: null,
      message: 'Twilio did not answer GET /v2/Channels/Senders within the time budget.',
      hint: expect.stringContaining('time budget'),
      more_info: null,
    });
    expect(emulator.requestsFor('senders.create')).toHaveLength(0);
    expect(await runtime.waitForJsonLog((l) => l.event === 'admin.register-sender' && l.status === 504)).toMatchObject({ status: 504 });
  });

  it('a status wait stops polling before the budget and says it did not settle', async () => {
    const slowEmulator = await startEmulator({ senderOnlineDelayMs: 60_000 });
    const slow = await startRuntime({ env: { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: slowEmulator.url, ADMIN_REQUEST_BUDGET_MS: '1200' } });
    try {
      const client = adminClient(slow.url);
      const created = await client.post('/admin/register-sender', humaneRegistration('+14155550115'));
      const res = await client.get('/admin/sender-status', { sid: created.body.sender.sid, wait: 'true' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ waited: true, settled: false, sender: { status: 'CREATING' }, next_step: { action: 'wait' } });
      expect(res.body.polls).toBeGreaterThanOrEqual(2);
      expect(slowEmulator.requestsFor('senders.fetch')).toHaveLength(res.body.polls);
    } finally {
      await slow.stop();
      await slowEmulator.close();
    }
  });
});

describe('a create whose answer was lost', () => {
  it('register-sender answers 201 created: true when Twilio made the sender but the 500 hid it (the retry got 63110)', async () => {
    await injectFault({ route: 'senders.create', status: 500, afterHandling: true });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550116'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ created: true, sender: { sender_id: 'whatsapp:+14155550116', sid: expect.stringMatching(/^XE/) } });
    expect(statusesOf('senders.create')).toEqual([500, 409]);
    // One sender, and a second call answers it as existing.
    const again = await admin.post('/admin/register-sender', humaneRegistration('+14155550116'));
    expect(again).toMatchObject({ status: 200, body: { created: false, sender: { sid: res.body.sender.sid } } });
  });
});
