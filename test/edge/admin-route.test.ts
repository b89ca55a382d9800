/**
 * edge/admin-route.ts (the admin frame) in process, against the emulator over HTTP: 429s and 5xx retried with
 * backoff (Retry-After honoured), retries that cannot fit the time budget never started, a slow upstream answered
 * within the budget, and one log line per request. The budget is lowered to 1.5 s through ADMIN_REQUEST_BUDGET_MS
 * so the tests stay fast; nothing here measures time.
 */
import { TWILIO_ERROR_HINTS } from '../../lib/twilio-errors';
import { startEmulator, type Emulator, type Fault } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, humaneRegistration, startAdminSuite } from '../support/admin';
import { injectFault as injectFaultInto, resetEmulator } from '../support/emulator-control';
import { adminCaller, functionHarness } from '../support/harness';

let emulator: Emulator;
let admin: Awaited<ReturnType<typeof startAdminSuite>>['admin'];
let logs: Awaited<ReturnType<typeof startAdminSuite>>['logs'];
let stop: () => Promise<void>;

beforeAll(async () => {
  const budget = { ADMIN_REQUEST_BUDGET_MS: '1500' };
  ({ emulator, admin, logs, stop } = await startAdminSuite({ senderOnlineDelayMs: 40 }, budget));
  // One call with the default budget first: the first Twilio call of a fresh process loads twilio-node's lazy
  // parts, which on a busy machine can take most of 1.5 s. These tests are about retries and the budget, not that.
  const env = { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url };
  const warm = adminCaller(functionHarness({ env }), ADMIN_TOKEN);
  expect((await warm.get('/admin/list-senders')).statusCode).toBe(200);
  const dryRun = { ...humaneRegistration('+14155550119'), dry_run: true };
  expect((await warm.post('/admin/register-sender', dryRun)).statusCode).toBe(200);
});
afterAll(() => stop?.());
beforeEach(() => resetEmulator(emulator));

const injectFault = (fault: Fault) => injectFaultInto(emulator, fault);
const statusesOf = (route: string) => emulator.requestsFor(route).map((r) => r.status);

describe('retries', () => {
  it('retries a 429 and answers the success', async () => {
    await injectFault({ route: 'senders.create', status: 429, retryAfter: 0 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550110'));
    expect(res.statusCode).toBe(201);
    expect(statusesOf('senders.create')).toEqual([429, 202]);
    const line = logs.jsonLog((l) => l.event === 'admin.register-sender' && l.sid === res.json.sender.sid);
    expect(line.twilio).toEqual(['GET /v2/Channels/Senders 200', expect.stringMatching(/^POST \/v2\/Channels\/Senders 429 retry\+\d+ms$/), 'POST /v2/Channels/Senders 202']);
  });

  it('retries a 503 on the idempotency lookup, then creates', async () => {
    await injectFault({ route: 'senders.list', status: 503 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550111'));
    expect(res.statusCode).toBe(201);
    expect(statusesOf('senders.list')).toEqual([503, 200]);
  });

  it('gives up on persistent 500s with 502 and the hint, after more than one attempt', async () => {
    await injectFault({ route: 'senders.list', status: 500, times: 100 });
    const res = await admin.get('/admin/list-senders');
    expect(res.statusCode).toBe(502);
    expect(res.json.error).toEqual({ code: 20500, message: expect.any(String), hint: TWILIO_ERROR_HINTS[20500], more_info: 'https://www.twilio.com/docs/errors/20500' });
    expect(statusesOf('senders.list').length).toBeGreaterThanOrEqual(2);
    expect(statusesOf('senders.list').every((s) => s === 500)).toBe(true);
  });

  it('does not start a retry whose Retry-After would pass the budget: answers 429 at once with Retry-After', async () => {
    await injectFault({ route: 'senders.create', status: 429, retryAfter: 30, times: 5 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550112'));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.json.error).toMatchObject({ code: 20429, hint: TWILIO_ERROR_HINTS[20429] });
    expect(statusesOf('senders.create')).toEqual([429]);
  });
});

describe('a create whose answer was lost', () => {
  it('register-sender answers 201 created: true when Twilio made the sender but a 500 hid it (the retry got 63110)', async () => {
    await injectFault({ route: 'senders.create', status: 500, afterHandling: true });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550116'));
    expect(res.statusCode).toBe(201);
    const sender = { sender_id: 'whatsapp:+14155550116', sid: expect.stringMatching(/^XE/) };
    expect(res.json).toMatchObject({ created: true, sender });
    expect(statusesOf('senders.create')).toEqual([500, 409]);
    // One sender, and a second call answers it as existing.
    const again = await admin.post('/admin/register-sender', humaneRegistration('+14155550116'));
    expect(again).toMatchObject({ statusCode: 200, json: { created: false, sender: { sid: res.json.sender.sid } } });
  });
});

describe('time budget', () => {
  it('answers a slow upstream that still fits the budget', async () => {
    await injectFault({ route: 'senders.fetch', delayMs: 150 });
    const created = await admin.post('/admin/register-sender', humaneRegistration('+14155550113'));
    const res = await admin.get('/admin/sender-status', { sid: created.json.sender.sid });
    expect(res.statusCode).toBe(200);
    expect(res.json.sender.sid).toBe(created.json.sender.sid);
  });

  it('answers 504 with a clear error when Twilio is slower than the budget', async () => {
    await injectFault({ route: 'senders.list', delayMs: 2500 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550114'));
    expect(res.statusCode).toBe(504);
    expect(res.json.error).toEqual({
      code: null,
      message: 'Twilio did not answer GET /v2/Channels/Senders within the time budget.',
      hint: expect.stringContaining('time budget'),
      more_info: null,
    });
    expect(emulator.requestsFor('senders.create')).toHaveLength(0);
    expect(logs.jsonLog((l) => l.event === 'admin.register-sender' && l.status === 504)).toMatchObject({ status: 504 });
    // The emulator still answers the abandoned request once its delay is over: wait for that (it is recorded
    // then), so no timer outlives the suite and nothing lands in a later test's recordings.
    for (let i = 0; i < 500 && emulator.requestsFor('senders.list').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(emulator.requestsFor('senders.list')).toHaveLength(1);
  });

  it('a status wait stops polling before the budget and says it did not settle', async () => {
    const slowEmulator = await startEmulator({ senderOnlineDelayMs: 60_000 });
    try {
      const env = { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: slowEmulator.url, ADMIN_REQUEST_BUDGET_MS: '1200' };
      const client = adminCaller(functionHarness({ env }), ADMIN_TOKEN);
      const created = await client.post('/admin/register-sender', humaneRegistration('+14155550115'));
      const res = await client.get('/admin/sender-status', { sid: created.json.sender.sid, wait: 'true' });
      expect(res.statusCode).toBe(200);
      expect(res.json).toMatchObject({ waited: true, settled: false, sender: { status: 'CREATING' }, next_step: { action: 'wait' } });
      expect(res.json.polls).toBeGreaterThanOrEqual(2);
      expect(slowEmulator.requestsFor('senders.fetch')).toHaveLength(res.json.polls);
    } finally {
      await slowEmulator.close();
    }
  });
});
