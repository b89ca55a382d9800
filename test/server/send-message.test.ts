/**
 * POST /admin/send-message end to end: the built function in the real local runtime, the emulator on Twilio's
 * side (Content API, Messages with its 24-hour rule, Sync, status callbacks signed back to /whatsapp/status).
 * Every refusal is checked to have reached nothing at the emulator's Messages; every success is observed there
 * with its exact parameters, and its delivery recorded on the contact.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { seedTemplate } from '../../dev/emulator/wiring';
import { configureEmulator, sendInbound, settledConversation } from '../../cli/chat/emulator-client';
import { ADMIN_TOKEN, adminClient } from '../support/admin';
import { injectFault } from '../support/emulator-control';
import { startRuntime, type RunningRuntime } from '../support/runtime';

const AUTH_TOKEN = 'send-message-test-token-0123456789';
const ACCOUNT_SID = 'AC' + '4'.repeat(32);
const SANDBOX = 'whatsapp:+14155238886';
/** A registered sender (not the sandbox): a user need not have joined anything to get its templates. */
const SENDER = 'whatsapp:+15017122661';

let emulator: Emulator;
let runtime: RunningRuntime;
let approvedSid: string;
let unapprovedSid: string;
let users = 0;
/** A user no other test has used, so windows and consent start fresh. */
const newUser = () => `whatsapp:+1500666${String(1000 + ++users).padStart(4, '0')}`;
/** The same number as a person types it. */
const humane = (address: string) => {
  const d = address.replace('whatsapp:+', '');
  return `+${d[0]} (${d.slice(1, 4)}) ${d.slice(4, 7)}-${d.slice(7)}`;
};

beforeAll(async () => {
  emulator = await startEmulator({ statusStepMs: 5 });
  runtime = await startRuntime({
    env: { ACCOUNT_SID, AUTH_TOKEN, ADMIN_TOKEN, TWILIO_API_BASE_URL: emulator.url, WEBHOOK_SYNC_BUDGET_MS: '5000' },
  });
  await configureEmulator(emulator.url, {
    incomingUrl: `${runtime.url}/whatsapp/incoming`,
    statusUrl: `${runtime.url}/whatsapp/status`,
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
  });
  const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
  approvedSid = await seedTemplate(emulator.url, credentials, 'order_update');
  unapprovedSid = await seedTemplate(emulator.url, credentials, 'bot_menu', { approve: false });
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

const admin = () => adminClient(runtime.url);
const send = (body: Record<string, unknown>) => admin().post('/admin/send-message', body);
const sent = () => emulator.requestsFor('messages.create');
const contact = async (address: string) => (await admin().get('/admin/contact', { address })).body;
const optIn = async (address: string) => {
  const res = await admin().post('/admin/consent', { address, status: 'opted_in', source: 'signup_form' });
  expect(res.status).toBe(200);
};
const statusUrl = () => `${runtime.url}/whatsapp/status`;
const orderVariables = { 1: 'Ada', 2: '#10452', 3: 'out for delivery' };

/** Runs `attempt`, then checks it reached nothing at the emulator's Messages create. */
async function nothingSent(attempt: () => Promise<{ status: number; body: Record<string, any> }>) {
  const before = sent().length;
  const res = await attempt();
  expect(sent().length).toBe(before);
  return res;
}

describe('inside the 24-hour window', () => {
  it('free-form text: 201, kind session, exactly From/To/Body/StatusCallback; delivery recorded', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'hi' });
    await settledConversation(emulator.url, user);
    const before = sent().length;
    const res = await send({ to: humane(user), body: 'Your order shipped.' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'session', to: user, from: SANDBOX, content_sid: null, status: 'queued' });
    expect(res.body.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(res.body.contact.last_outbound).toMatchObject({ sid: res.body.sid, status: 'queued' });
    expect(res.body.contact.session).toMatchObject({ from: SANDBOX, window_open: true });
    const created = sent().slice(before);
    expect(created.map((r) => r.body)).toEqual([
      { From: SANDBOX, To: user, Body: 'Your order shipped.', StatusCallback: statusUrl() },
    ]);

    const conversation = await settledConversation(emulator.url, user);
    const message = conversation.messages.find((m) => m.sid === res.body.sid)!;
    expect(message.callbacks.map((c) => [c.url, c.httpStatus])).toEqual(
      message.callbacks.map(() => [statusUrl(), 204]),
    );
    const final = message.statuses.at(-1)!.status;
    expect((await contact(user)).last_outbound).toMatchObject({ sid: res.body.sid, status: final });
    expect(final).toBe('read');
  });

  it('media and a not-yet-approved template are allowed in the window', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'hi' });
    const before = sent().length;
    const media = await send({ to: user, media_url: 'https://example.com/receipt.png', body: 'Your receipt' });
    expect(media.status).toBe(201);
    const menu = await send({ to: user, template: 'bot_menu' });
    expect(menu.status).toBe(201);
    expect(menu.body).toMatchObject({ kind: 'template', content_sid: unapprovedSid });
    expect(
      sent()
        .slice(before)
        .map((r) => r.body),
    ).toEqual([
      {
        From: SANDBOX,
        To: user,
        Body: 'Your receipt',
        MediaUrl: 'https://example.com/receipt.png',
        StatusCallback: statusUrl(),
      },
      { From: SANDBOX, To: user, ContentSid: unapprovedSid, StatusCallback: statusUrl() },
    ]);
  });
});

describe('outside the window', () => {
  it('an approved template to an opted-in user: 201, kind template, exact ContentSid, ContentVariables', async () => {
    const user = newUser();
    await optIn(user);
    const before = sent().length;
    const res = await send({ to: user, from: SENDER, template: 'order_update', variables: orderVariables });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'template', from: SENDER, content_sid: approvedSid });
    expect(res.body.contact.consent.status).toBe('opted_in');
    expect(
      sent()
        .slice(before)
        .map((r) => r.body),
    ).toEqual([
      {
        From: SENDER,
        To: user,
        ContentSid: approvedSid,
        ContentVariables: JSON.stringify({ 1: 'Ada', 2: '#10452', 3: 'out for delivery' }),
        StatusCallback: statusUrl(),
      },
    ]);
    const conversation = await settledConversation(emulator.url, user);
    expect(conversation.messages.find((m) => m.sid === res.body.sid)!.body).toBe(
      'Hello Ada, your order #10452 is out for delivery. Reply STOP to stop these updates.',
    );
    // The same by its SID.
    const bySid = await send({ to: user, from: SENDER, content_sid: approvedSid, variables: orderVariables });
    expect(bySid.status).toBe(201);
    await settledConversation(emulator.url, user);
    expect((await contact(user)).last_outbound).toMatchObject({ sid: bySid.body.sid, status: 'read' });
  });

  it('free-form text: 409 with 63016 and the hint to use a template; nothing sent', async () => {
    const user = newUser();
    await optIn(user);
    const res = await nothingSent(() => send({ to: user, body: 'Hello!' }));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 63016, more_info: 'https://www.twilio.com/docs/errors/63016' });
    expect(res.body.error.hint).toMatch(/approved template/);
  });

  it('a template WhatsApp has not approved: 409 with 63016 naming its approval; nothing sent', async () => {
    const user = newUser();
    await optIn(user);
    const res = await nothingSent(() => send({ to: user, from: SENDER, template: 'bot_menu' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe(63016);
    expect(res.body.error.message).toMatch(/"bot_menu" \(approval: unsubmitted\)/);
  });

  it('an approved template without an opt-in on record: 409, says an opt-in is needed; nothing sent', async () => {
    const user = newUser();
    const res = await nothingSent(() =>
      send({ to: user, from: SENDER, template: 'order_update', variables: orderVariables }),
    );
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBeNull();
    expect(res.body.error.message).toMatch(/No opt-in on record/);
    expect(res.body.error.hint).toMatch(/POST \/admin\/consent/);
  });
});

describe('refused whatever the window', () => {
  it('opted out (STOP, window open): 403 with 21610 and a hint; nothing sent', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'STOP' });
    await settledConversation(emulator.url, user);
    for (const body of [
      { to: user, body: 'Still there?' },
      { to: user, template: 'order_update', variables: orderVariables },
    ]) {
      const res = await nothingSent(() => send(body));
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 21610, more_info: 'https://www.twilio.com/docs/errors/21610' });
      expect(res.body.error.hint).toMatch(/START/);
    }
  });

  it('variables: a missing one and an unknown one are 400s naming them; nothing sent', async () => {
    const user = newUser();
    await optIn(user);
    const missing = await nothingSent(() =>
      send({ to: user, from: SENDER, template: 'order_update', variables: { 1: 'Ada', 2: '#1' } }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.problems).toEqual([
      { path: 'variables.3', message: 'variable "3" is missing: give a value for {{3}}' },
    ]);
    const unknown = await nothingSent(() =>
      send({ to: user, from: SENDER, template: 'order_update', variables: { ...orderVariables, 4: 'x' } }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.problems.map((p: { path: string }) => p.path)).toEqual(['variables.4']);
  });

  it("consent that cannot be read (Sync failing): 503 with Sync's code; nothing sent", async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'hi' });
    await settledConversation(emulator.url, user);
    await injectFault(emulator, { route: 'sync.documents.fetch', status: 503, code: 20503, times: 20 });
    try {
      const res = await nothingSent(() => send({ to: user, body: 'Hello' }));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe(20503);
      expect(res.body.error.message).toMatch(/could not be read from Sync/);
    } finally {
      // Drops what the retries left of the fault (the emulator runs in this process; reset would drop templates).
      emulator.state.faults.splice(0);
    }
  });

  it('bad input names the field; an unknown template is a 404; a missing bearer is 401', async () => {
    const user = newUser();
    const badTo = await nothingSent(() => send({ to: '12', body: 'x' }));
    expect(badTo.status).toBe(400);
    expect(badTo.body.error.problems[0].path).toBe('to');
    const both = await nothingSent(() => send({ to: user, body: 'x', template: 'order_update' }));
    expect(both.status).toBe(400);
    expect(both.body.error.problems[0].path).toBe('body');
    const empty = await nothingSent(() => send({ to: user }));
    expect(empty.status).toBe(400);
    const noSuch = await nothingSent(() => send({ to: user, template: 'no_such_template' }));
    expect(noSuch.status).toBe(404);
    expect(noSuch.body.error.hint).toMatch(/npm run templates/);
    const anonymous = await nothingSent(async () =>
      adminClient(runtime.url, null).post('/admin/send-message', { to: user, body: 'x' }),
    );
    expect(anonymous.status).toBe(401);
  });
});
