/**
 * The conversation store end to end: the built functions in the real local runtime, signed webhooks, the
 * emulator's Sync (contract-checked, rate-limited) on the other side, and the admin routes reading it back.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ADMIN_TOKEN, adminClient } from '../support/admin';
import { BOT, nextMessageSid, sendInbound, storedContact, syncDump } from '../support/conversation';
import { advanceClock, injectFault, resetEmulator } from '../support/emulator-control';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { postWebhook } from '../support/twilio-request';

const AUTH_TOKEN = 'conversation-test-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + '3'.repeat(32);
const DAY_MS = 24 * 60 * 60 * 1000;

let emulator: Emulator;
let runtime: RunningRuntime;
let second: RunningRuntime;

const env = () => ({
  // Generous, so that this busy machine's slowness is not taken for the store's logic (the default is 1.5 s).
  WEBHOOK_SYNC_BUDGET_MS: '5000',
  ACCOUNT_SID,
  AUTH_TOKEN,
  ADMIN_TOKEN,
  TWILIO_API_BASE_URL: emulator.url,
  BOT_LOCATION_LATITUDE: '37.7908',
  BOT_LOCATION_LONGITUDE: '-122.3931',
  BOT_LOCATION_NAME: 'Twilio HQ',
});

beforeAll(async () => {
  emulator = await startEmulator();
  [runtime, second] = await Promise.all([startRuntime({ env: env() }), startRuntime({ env: env() })]);
});
afterAll(async () => {
  await Promise.all([runtime?.stop(), second?.stop()]);
  await emulator?.close();
});

let userCounter = 0;
/** A WhatsApp user no other test has used. */
function newUser(): string {
  userCounter += 1;
  return `whatsapp:+1415555${String(1000 + userCounter).slice(-4)}`;
}

const contact = (address: string, base = runtime.url) => adminClient(base).get('/admin/contact', { address });

describe('consent keywords', () => {
  it('STOP records opted_out, kept across a runtime restart; START flips it back', async () => {
    const user = newUser();
    const stop = await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'STOP' });
    expect(stop.status).toBe(200);
    expect(stop.messages[0]!.body).toMatch(/recorded your opt-out/);
    expect(stop.messages[0]!.body).toMatch(/\*start\*/);

    const after = await contact(user);
    expect(after.status).toBe(200);
    expect(after.body.consent).toMatchObject({
      status: 'opted_out',
      source: 'whatsapp_keyword',
      via: 'keyword',
      keyword: 'stop',
    });
    expect(after.body.consent.message_sid).toMatch(/^SM[0-9a-f]{32}$/);

    await runtime.stop();
    runtime = await startRuntime({ env: env() });
    expect((await contact(user)).body.consent.status).toBe('opted_out');

    const start = await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'Start' });
    expect(start.messages[0]!.body).toMatch(/recorded your opt-in/);
    expect((await contact(user)).body.consent).toMatchObject({ status: 'opted_in', keyword: 'start' });
  });

  it.each([
    ['BAJA', 'opted_out'],
    ['Cancelar.', 'opted_out'],
    ['sair', 'opted_out'],
    ['Alta', 'opted_in'],
    ['começar', 'opted_in'],
  ])('%j records %s', async (word, status) => {
    const user = newUser();
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: word });
    expect((await contact(user)).body.consent.status).toBe(status);
  });

  it('consent set through POST /admin/consent shows the same way, with source and evidence', async () => {
    const user = newUser();
    const digits = user.replace('whatsapp:+', '');
    const set = await adminClient(runtime.url).post('/admin/consent', {
      address: `+${digits.slice(0, 1)} ${digits.slice(1, 4)} ${digits.slice(4)}`,
      status: 'opted_in',
      source: 'signup_form',
      evidence: 'form #42',
    });
    expect(set.status).toBe(200);
    expect(set.body.address).toBe(user);
    const read = await contact(user, second.url);
    expect(read.body.consent).toMatchObject({
      status: 'opted_in',
      source: 'signup_form',
      evidence: 'form #42',
      via: 'admin',
    });
    expect(read.body.session).toBeNull();
    // A STOP afterwards wins over the admin opt-in.
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'stop' });
    expect((await contact(user)).body.consent.status).toBe('opted_out');
  });
});

describe('GET /admin/contact', () => {
  it('an address never seen answers 200, consent unknown and no session', async () => {
    const res = await contact(newUser());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      consent: { status: 'unknown' },
      session: null,
      last_outbound: null,
      account_sid: ACCOUNT_SID,
    });
  });

  it('every inbound message opens the 24-hour window with the number written to', async () => {
    const user = newUser();
    const before = Date.now();
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi' });
    const { body } = await contact(user);
    expect(body.session).toMatchObject({ from: BOT, window_open: true });
    const last = Date.parse(body.session.last_inbound_at);
    expect(last).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(body.session.window_closes_at) - last).toBe(DAY_MS);
  });

  it.each([
    [{}, 'address'],
    [{ address: 'not a number' }, 'address'],
    [{ address: '+14155550100', account_sid: 'AC123' }, 'account_sid'],
    [{ address: '+14155550100', surprise: '1' }, 'surprise'],
  ])('answers 400 naming the field for %j', async (query, field) => {
    const res = await adminClient(runtime.url).get('/admin/contact', query as Record<string, string>);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.problems)).toContain(field);
  });

  it('refuses a call without the bearer token', async () => {
    const res = await adminClient(runtime.url, null).get('/admin/contact', { address: '+14155550100' });
    expect(res.status).toBe(401);
    expect(res.body.error).toHaveProperty('message');
  });
});

describe('POST /admin/consent input', () => {
  it.each([
    [{ address: '+14155550100', status: 'maybe', source: 'x' }, 'status'],
    [{ address: '+14155550100', status: 'opted_in' }, 'source'],
    [{ address: '+14155550100', status: 'opted_in', source: '   ' }, 'source'],
    [{ status: 'opted_in', source: 'form' }, 'address'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const res = await adminClient(runtime.url).post('/admin/consent', body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.problems)).toContain(field);
  });
});

describe('retried webhooks', () => {
  it('the same webhook twice with the same idempotency token: one location message, the same reply', async () => {
    const user = newUser();
    const before = emulator.requestsFor('messages.create').length;
    const fields = { Body: 'location', MessageSid: nextMessageSid() };
    const headers = { 'I-Twilio-Idempotency-Token': `token-${Date.now()}` };
    const first = await sendInbound(runtime.url, AUTH_TOKEN, user, fields, { headers });
    const retry = await sendInbound(second.url, AUTH_TOKEN, user, fields, { headers });
    expect(first.messages[0]!.body).toContain('Here is where to find us');
    expect(retry.body).toBe(first.body);
    expect(emulator.requestsFor('messages.create').length - before).toBe(1);
  });

  it('the same MessageSid twice (no token): one consent change, the same reply', async () => {
    const user = newUser();
    const fields = { Body: 'stop', MessageSid: nextMessageSid() };
    const first = await sendInbound(runtime.url, AUTH_TOKEN, user, fields);
    const read = await contact(user);
    const retry = await sendInbound(runtime.url, AUTH_TOKEN, user, fields);
    expect(retry.body).toBe(first.body);
    expect((await contact(user)).body.consent.at).toBe(read.body.consent.at);
  });

  it('a location send that failed is withdrawn: the retried delivery sends it and says so', async () => {
    const user = newUser();
    const fields = { Body: 'location', MessageSid: nextMessageSid() };
    const before = emulator.requestsFor('messages.create').filter((r) => r.status === 201).length;
    await injectFault(emulator, { route: 'messages.create', status: 500, code: 20500 });
    const first = await sendInbound(runtime.url, AUTH_TOKEN, user, fields);
    expect(first.messages[0]!.body).toMatch(/couldn't send the location/);
    const retry = await sendInbound(runtime.url, AUTH_TOKEN, user, fields);
    expect(retry.messages[0]!.body).toContain('Here is where to find us');
    expect(emulator.requestsFor('messages.create').filter((r) => r.status === 201).length - before).toBe(1);
  });

  it('two deliveries at the same time on two runtimes: one location message', async () => {
    const user = newUser();
    const before = emulator.requestsFor('messages.create').length;
    const fields = { Body: 'location', MessageSid: nextMessageSid() };
    const [a, b] = await Promise.all([
      sendInbound(runtime.url, AUTH_TOKEN, user, fields),
      sendInbound(second.url, AUTH_TOKEN, user, fields),
    ]);
    expect(a.body).toBe(b.body);
    expect(emulator.requestsFor('messages.create').length - before).toBe(1);
  });
});

describe("a user's next message in a warm container", () => {
  const syncCalls = () => emulator.state.requests.filter((r) => r.route.startsWith('sync.'));
  const callsDuring = async (send: () => Promise<unknown>) => {
    const before = syncCalls().length;
    await send();
    return syncCalls()
      .slice(before)
      .map((r) => `${r.route} ${r.status}`);
  };

  it('costs one Sync call: the conditional write, addressed by the document SID', async () => {
    const user = newUser();
    expect(await callsDuring(() => sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi' }))).toEqual([
      'sync.documents.fetch 404',
      'sync.documents.create 201',
    ]);
    expect(await callsDuring(() => sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'menu' }))).toEqual([
      'sync.documents.update 200',
    ]);
    expect(syncCalls().at(-1)?.path).toMatch(/\/Documents\/ET[0-9a-f]{32}$/);
  });

  it('a copy gone stale (another runtime and an admin route wrote) is refused by Sync, read afresh, nothing lost', async () => {
    const user = newUser();
    const sids: string[] = [nextMessageSid(), nextMessageSid(), nextMessageSid()];
    const [first, later, last] = sids as [string, string, string];
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi', MessageSid: first });
    await sendInbound(second.url, AUTH_TOKEN, user, { Body: 'hi', MessageSid: later });
    await adminClient(runtime.url).post('/admin/consent', { address: user, status: 'opted_in', source: 'crm_import' });
    expect(
      await callsDuring(() => sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi', MessageSid: last })),
    ).toEqual(['sync.documents.update 412', 'sync.documents.fetch 200', 'sync.documents.update 200']);
    const stored = (await storedContact(emulator, user))!;
    expect(stored.handled.map((h) => h.sid).sort()).toEqual([...sids].sort());
    expect(stored.consent.status).toBe('opted_in');
  });

  it('after forget, a copy of the old document never lands on the new one, even at the same revision', async () => {
    const user = newUser();
    // The first runtime creates the document (revision 0) with an opt-in and remembers it.
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'start' });
    expect((await contact(user)).body.consent.status).toBe('opted_in');
    expect((await adminClient(second.url).post('/admin/forget', { address: user })).body.forgotten).toBe(true);
    // The second runtime makes a new document for the user: also revision 0.
    await sendInbound(second.url, AUTH_TOKEN, user, { Body: 'hi' });
    expect(await callsDuring(() => sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi' }))).toEqual([
      'sync.documents.update 404',
      'sync.documents.fetch 200',
      'sync.documents.update 200',
    ]);
    // The forgotten opt-in did not come back.
    expect((await contact(user)).body.consent.status).toBe('unknown');
  });
});

describe('concurrent updates of one contact', () => {
  it('16 messages at once through two runtimes, plus an admin opt-in: no update lost', async () => {
    const user = newUser();
    const sids = Array.from({ length: 16 }, () => nextMessageSid());
    const answers = await Promise.all([
      ...sids.map((MessageSid, i) =>
        sendInbound(i % 2 ? second.url : runtime.url, AUTH_TOKEN, user, { Body: 'hi', MessageSid }),
      ),
      adminClient(runtime.url).post('/admin/consent', { address: user, status: 'opted_in', source: 'crm_import' }),
    ]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const stored = (await storedContact(emulator, user))!;
    expect(stored.handled.map((h) => h.sid).sort()).toEqual([...sids].sort());
    expect(stored.consent.status).toBe('opted_in');
    // No answer went without state: every message was stored, none degraded.
    expect(
      runtime
        .jsonLogs()
        .concat(second.jsonLogs())
        .filter((l) => l.event === 'conversation.unavailable' && l.stage !== 'read'),
    ).toEqual([]);
  });
});

describe('Sync failing', () => {
  afterEach(() => resetEmulator(emulator));

  it.each<[string, { status?: number; code?: number; delayMs?: number }]>([
    ['429 (54009)', { status: 429, code: 54009 }],
    ['500', { status: 500, code: 20500 }],
    ['slow (6 s, past the 5 s budget)', { delayMs: 6000 }],
  ])(
    'Sync %s: every inbound still gets well-formed TwiML, a STOP says it was not recorded, one log line',
    async (_name, fault) => {
      const user = newUser();
      await injectFault(emulator, { route: 'sync.*', times: 100, ...fault });
      const started = Date.now();
      const [hi, stop] = await Promise.all([
        sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi' }),
        sendInbound(runtime.url, AUTH_TOKEN, newUser(), { Body: 'stop' }),
      ]);
      expect(Date.now() - started).toBeLessThan(15_000); // Twilio's webhook timeout, not a speed check
      expect(hi.status).toBe(200);
      expect(hi.contentType).toMatch(/^text\/xml/);
      expect(hi.messages[0]!.body).toContain('*media*');
      expect(stop.messages[0]!.body).toMatch(/couldn't record your opt-out/);
      const line = await runtime.waitForJsonLog(
        (l) =>
          l.event === 'conversation.unavailable' &&
          l.stage === 'read' &&
          (fault.code === undefined ? l.kind === 'timeout' : l.twilioCode === fault.code),
      );
      expect(line).toMatchObject({ level: 'warn' });
    },
  );

  it('admin routes answer the one error body with Sync’s code: 429/54009, 502 for 500, 504 when slow', async () => {
    // The admin frame retries 429 and 5xx with backoff while its budget lasts: every attempt fails here.
    await injectFault(emulator, { route: 'sync.documents.fetch', status: 429, code: 54009, times: 10 });
    const limited = await contact(newUser());
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({
      code: 54009,
      hint: expect.stringMatching(/20 reads/),
      more_info: expect.stringContaining('54009'),
    });
    await resetEmulator(emulator);
    await injectFault(emulator, { route: 'sync.documents.fetch', status: 500, code: 20500, times: 10 });
    expect((await contact(newUser())).status).toBe(502);
    await resetEmulator(emulator);
    const slow = await startRuntime({ env: { ...env(), ADMIN_REQUEST_BUDGET_MS: '500' } });
    try {
      await injectFault(emulator, { route: 'sync.documents.fetch', delayMs: 2000 });
      const res = await contact(newUser(), slow.url);
      expect(res.status).toBe(504);
      expect(res.body.error.message).toMatch(/did not answer/);
    } finally {
      await slow.stop();
    }
  });

  it('one 429 is retried once within the webhook budget: the message is stored', async () => {
    const user = newUser();
    await injectFault(emulator, { route: 'sync.documents.create', status: 429, code: 54009 });
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi' });
    expect((await contact(user)).body.session).not.toBeNull();
  });

  it('Sync answering 429 to the write only (retry included): the reply comes, the log names 54009', async () => {
    await injectFault(emulator, { route: 'sync.documents.create', status: 429, code: 54009, times: 2 });
    const res = await sendInbound(runtime.url, AUTH_TOKEN, newUser(), { Body: 'format' });
    expect(res.messages[0]!.body).toContain('WhatsApp formatting');
    await runtime.waitForJsonLog(
      (l) => l.event === 'conversation.unavailable' && l.stage === 'write' && l.twilioCode === 54009,
    );
  });
});

describe('a SYNC_SERVICE_SID that does not exist', () => {
  it('is a failure, never an empty store: the bot answers and logs 54050, admin answers 404', async () => {
    const wrong = await startRuntime({ env: { ...env(), SYNC_SERVICE_SID: 'IS' + 'f'.repeat(32) } });
    try {
      const res = await sendInbound(wrong.url, AUTH_TOKEN, newUser(), { Body: 'stop' });
      expect(res.messages[0]!.body).toMatch(/couldn't record/);
      await wrong.waitForJsonLog((l) => l.event === 'conversation.unavailable' && l.twilioCode === 54050);
      const read = await contact(newUser(), wrong.url);
      expect(read.status).toBe(404);
      expect(read.body.error).toMatchObject({ code: 54050, hint: expect.stringMatching(/SYNC_SERVICE_SID/) });
    } finally {
      await wrong.stop();
    }
  });
});

describe('status callbacks', () => {
  const status = (to: string, MessageSid: string, MessageStatus: string, extra: Record<string, string> = {}) =>
    postWebhook(
      runtime.url,
      '/whatsapp/status',
      { MessageSid, MessageStatus, To: to, From: BOT, AccountSid: ACCOUNT_SID, ...extra },
      { authToken: AUTH_TOKEN },
    );

  it('record the delivery status and error code on the contact; a late "sent" never overwrites "read"', async () => {
    const user = newUser();
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'hi' });
    const sid = nextMessageSid();
    expect((await status(user, sid, 'read')).status).toBe(204);
    expect((await status(user, sid, 'sent')).status).toBe(204);
    expect((await contact(user)).body.last_outbound).toMatchObject({ sid, status: 'read', error_code: null });
    const failed = nextMessageSid();
    await status(user, failed, 'failed', { ErrorCode: '63016' });
    expect((await contact(user)).body.last_outbound).toMatchObject({
      sid: failed,
      status: 'failed',
      error_code: 63016,
      hint: expect.stringMatching(/24-hour/),
    });
  });
});

describe('POST /admin/forget', () => {
  // Afterwards the emulator holds nothing with the number, contact answers unknown, a late callback stores nothing.
  it('deletes everything kept about the user', async () => {
    const user = newUser();
    const digits = user.replace('whatsapp:+', '');
    await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: 'stop' });
    expect(await syncDump(emulator)).toContain(digits);
    const forget = await adminClient(runtime.url).post('/admin/forget', { address: user });
    expect(forget.status).toBe(200);
    expect(forget.body.forgotten).toBe(true);
    expect(await syncDump(emulator)).not.toContain(digits);
    expect((await contact(user)).body).toMatchObject({ consent: { status: 'unknown' }, session: null });
    await postWebhook(
      runtime.url,
      '/whatsapp/status',
      { MessageSid: nextMessageSid(), MessageStatus: 'delivered', To: user },
      { authToken: AUTH_TOKEN },
    );
    expect(await syncDump(emulator)).not.toContain(digits);
    expect((await adminClient(runtime.url).post('/admin/forget', { address: user })).body.forgotten).toBe(false);
    // Sync request URLs never carry the number (unique names are hashes).
    expect(emulator.state.requests.some((r) => r.path.includes(digits))).toBe(false);
  });
});

describe('records expire when idle, consent does not', () => {
  afterAll(() => resetEmulator(emulator));

  it('a record without consent is gone after 30 idle days; an opt-out is kept after 400', async () => {
    const idle = newUser();
    const optedOut = newUser();
    await sendInbound(runtime.url, AUTH_TOKEN, idle, { Body: 'hi' });
    await sendInbound(runtime.url, AUTH_TOKEN, optedOut, { Body: 'stop' });
    await advanceClock(emulator, '31d');
    expect((await contact(idle)).body).toMatchObject({ consent: { status: 'unknown' }, session: null });
    await advanceClock(emulator, '370d');
    expect((await contact(optedOut)).body.consent.status).toBe('opted_out');
  });
});

describe('GET /admin/contacts', () => {
  it('pages through every record, filtered by consent', async () => {
    const users = [newUser(), newUser(), newUser(), newUser(), newUser()];
    for (const [i, user] of users.entries())
      await sendInbound(runtime.url, AUTH_TOKEN, user, { Body: i % 2 ? 'stop' : 'hi' });
    const seen: Record<string, unknown>[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await adminClient(runtime.url).get('/admin/contacts', {
        page_size: '2',
        consent: 'opted_out',
        ...(token ? { page_token: token } : {}),
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.contacts);
      token = res.body.next_page_token ?? undefined;
      pages += 1;
    } while (token && pages < 100);
    const addresses = seen.map((c) => c.address);
    expect(addresses).toEqual(expect.arrayContaining([users[1], users[3]]));
    expect(addresses).not.toContain(users[0]);
    expect(seen.every((c) => (c.consent as { status: string }).status === 'opted_out')).toBe(true);
    expect(pages).toBeGreaterThan(1);
  });

  it.each([
    [{ page_size: '0' }, 'page_size'],
    [{ page_size: '101' }, 'page_size'],
    [{ consent: 'maybe' }, 'consent'],
    [{ page_token: 'not a token!' }, 'page_token'],
  ])('answers 400 naming the field for %j', async (query, field) => {
    const res = await adminClient(runtime.url).get('/admin/contacts', query);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.problems)).toContain(field);
  });
});
