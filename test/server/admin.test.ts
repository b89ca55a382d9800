/**
 * The admin routes on the real local runtime, over real HTTP, against the emulator: what only the runtime shows
 * (response headers on the wire, JSON bodies as its parser reads them, logs from its process). The many outcomes
 * run in process: test/edge/admin-auth.test.ts, test/edge/admin-route.test.ts and test/functions/admin/*.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, adminClient, humaneRegistration } from '../support/admin';
import { injectFault, resetEmulator } from '../support/emulator-control';
import { startRuntime, type RunningRuntime } from '../support/runtime';

let emulator: Emulator;
let runtime: RunningRuntime;

beforeAll(async () => {
  emulator = await startEmulator({ senderOnlineDelayMs: 40 });
  const twilio = { ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url };
  runtime = await startRuntime({ env: { ADMIN_TOKEN, ...twilio } });
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});
beforeEach(() => resetEmulator(emulator));

it('answers 401 with WWW-Authenticate when the header is missing or the token wrong', async () => {
  const res = await adminClient(runtime.url, null).post('/admin/register-sender', humaneRegistration('+14155550100'));
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body.error.message).toMatch(/Authorization: Bearer/);
  const wrong = await adminClient(runtime.url, 'w'.repeat(ADMIN_TOKEN.length)).get('/admin/list-senders');
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="admin", error="invalid_token"');
  expect(emulator.state.requests).toHaveLength(0);
});

it('registers a sender end to end: 201, the body Twilio received, one log line without secrets', async () => {
  const res = await adminClient(runtime.url).post('/admin/register-sender', humaneRegistration('+1 (415) 555-0101'));
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({
    created: true,
    sender: { sid: expect.stringMatching(/^XE[0-9a-f]{32}$/), status: 'CREATING', sender_id: 'whatsapp:+14155550101' },
  });
  const [create] = emulator.requestsFor('senders.create');
  expect(create?.authUser).toBe(PARENT_SID);
  expect(create?.body).toMatchObject({ sender_id: 'whatsapp:+14155550101', webhook: { callback_method: 'POST' } });
  const sid: string = res.body.sender.sid;
  const line = await runtime.waitForJsonLog((l) => l.event === 'admin.register-sender' && l.sid === sid);
  const calls = ['GET /v2/Channels/Senders 200', 'POST /v2/Channels/Senders 202'];
  expect(line).toMatchObject({ status: 201, twilio: calls });
  const logs = runtime.logs.join('\n');
  expect(logs).not.toContain(ADMIN_TOKEN);
  expect(logs).not.toContain(AUTH_TOKEN);
});

it('passes a Retry-After Twilio sent that the budget (9 s) cannot wait for through as a header', async () => {
  await injectFault(emulator, { route: 'senders.create', status: 429, retryAfter: 30, times: 5 });
  const res = await adminClient(runtime.url).post('/admin/register-sender', humaneRegistration('+14155550112'));
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('30');
  expect(res.body.error).toMatchObject({ code: 20429 });
});
