/**
 * functions/admin/register-sender.ts in process, against the emulator over HTTP: validation answers, the exact
 * snake_case bodies Twilio receives, idempotency, subaccounts, and the answer for each documented Twilio error code.
 */
import { TWILIO_ERROR_HINTS } from '../../../lib/twilio-errors';
import type { Emulator, Fault } from '../../../dev/emulator/server';
import { ADMIN_TOKEN, PARENT_SID, humaneRegistration, startAdminSuite } from '../../support/admin';
import { injectFault as injectFaultInto, resetEmulator } from '../../support/emulator-control';
import { adminCaller, functionHarness } from '../../support/harness';

const SUB_SID = 'AC' + '2'.repeat(32);
const FOREIGN_SUB_SID = 'AC' + '4'.repeat(32);

let emulator: Emulator;
let admin: Awaited<ReturnType<typeof startAdminSuite>>['admin'];
let logs: Awaited<ReturnType<typeof startAdminSuite>>['logs'];
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ emulator, admin, logs, stop } = await startAdminSuite({ senderOnlineDelayMs: 40, subaccounts: { [SUB_SID]: PARENT_SID, [FOREIGN_SUB_SID]: 'AC' + '3'.repeat(32) } }));
});
afterAll(() => stop?.());
beforeEach(() => resetEmulator(emulator));

const injectFault = (fault: Fault) => injectFaultInto(emulator, fault);

describe('validation (400 with every field problem, nothing sent to Twilio)', () => {
  it('names each missing or malformed field with its path, message and what is expected', async () => {
    const res = await admin.post('/admin/register-sender', {
      sender_id: '415 555',
      profile: { name: 'Acme', vertical: 'Shoes', emails: ['not-an-email'], websites: ['https://a.example', 'https://b.example', 'https://c.example'], logo_url: 'ftp://x' },
      webhook: { callback_method: 'GET' },
      configuration: { verification_method: 'fax' },
      account_sid: 'AC123',
    });
    expect(res.statusCode).toBe(400);
    const byPath = Object.fromEntries((res.json.error.problems as { path: string; message: string; expected?: string }[]).map((p) => [p.path, p]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'account_sid',
        'configuration.verification_method',
        'profile.emails.0.email',
        'profile.logo_url',
        'profile.vertical',
        'profile.websites',
        'sender_id',
        'webhook.callback_method',
      ].sort(),
    );
    expect(byPath.sender_id!.message).toMatch(/country code/);
    expect(byPath.sender_id!.expected).toMatch(/whatsapp:\+/);
    expect(byPath['profile.vertical']!.expected).toContain('"Shopping and Retail"');
    expect(byPath['webhook.callback_method']!.expected).toBe('"POST" | "PUT"');
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('refuses camelCase keys with the snake_case name to use, instead of sending them', async () => {
    const res = await admin.post('/admin/register-sender', { senderId: '+14155550100', profile: { name: 'Acme', logoUrl: 'https://a.example/l.png' } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.problems).toEqual(
      expect.arrayContaining([
        { path: 'senderId', message: expect.stringContaining('use "sender_id"'), expected: expect.stringContaining('"sender_id"') },
        { path: 'profile.logoUrl', message: expect.stringContaining('use "logo_url"'), expected: expect.stringContaining('"logo_url"') },
        { path: 'sender_id', message: expect.any(String), expected: 'string' },
      ]),
    );
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('answers 400, never 500, for bodies of the wrong shape', async () => {
    for (const body of [{}, { sender_id: 5, profile: 'Acme' }, { sender_id: ['+14155550100'], profile: { name: '' } }, { profile: { name: 'A', emails: 'x@y.z' } }]) {
      const res = await admin.post('/admin/register-sender', body);
      expect(res.statusCode).toBe(400);
      expect(res.json.error.problems.length).toBeGreaterThan(0);
    }
  });
});

describe('the wire', () => {
  it('sends Twilio the exact snake_case body: whatsapp:+E164 (Argentina +549), label objects, upper-case methods', async () => {
    const res = await admin.post(
      '/admin/register-sender',
      humaneRegistration('+54 11 1234-5678', { configuration: { waba_id: 1234567890, verification_method: 'SMS' } }),
    );
    expect(res.statusCode).toBe(201);
    const [create] = emulator.requestsFor('senders.create');
    expect(create?.contentType).toMatch(/^application\/json/);
    expect(create?.authUser).toBe(PARENT_SID);
    expect(create?.body).toEqual({
      sender_id: 'whatsapp:+5491112345678',
      configuration: { waba_id: '1234567890', verification_method: 'sms' },
      webhook: { callback_url: 'https://acme.example/whatsapp/incoming', callback_method: 'POST' },
      profile: {
        name: 'Acme Shoes',
        about: 'Shoes for every step.',
        vertical: 'Shopping and Retail',
        logo_url: 'https://acme.example/logo.png',
        emails: [{ email: 'support@acme.example', label: 'Email' }],
        websites: [
          { website: 'https://acme.example', label: 'Website' },
          { website: 'https://help.acme.example', label: 'Help' },
        ],
      },
    });
    expect(res.json).toMatchObject({
      created: true,
      sender: { sid: expect.stringMatching(/^XE[0-9a-f]{32}$/), status: 'CREATING', sender_id: 'whatsapp:+5491112345678' },
      next_step: { action: 'wait', route: expect.stringContaining('/admin/sender-status?sid=') },
      warnings: [],
    });
  });

  it('normalizes Mexico to +521', async () => {
    const res = await admin.post('/admin/register-sender', humaneRegistration('whatsapp:+52 55 1234 5678'));
    expect(res.statusCode).toBe(201);
    expect(emulator.requestsFor('senders.create')[0]?.body).toMatchObject({ sender_id: 'whatsapp:+5215512345678' });
  });

  it('dry_run answers the exact body and the display-name warnings, and sends nothing', async () => {
    const res = await admin.post('/admin/register-sender', { ...humaneRegistration('+1 415 555 0100'), profile: { name: 'CUSTOMER SUPPORT 🚀' }, dry_run: true });
    expect(res.statusCode).toBe(200);
    expect(res.json.request).toEqual({ sender_id: 'whatsapp:+14155550100', webhook: { callback_url: 'https://acme.example/whatsapp/incoming', callback_method: 'POST' }, profile: { name: 'CUSTOMER SUPPORT 🚀' } });
    expect(res.json.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['ALL_CAPS', 'EMOJI', 'GENERIC_WORDS']);
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('registers with warnings when the name is risky (the caller decides)', async () => {
    const res = await admin.post('/admin/register-sender', { ...humaneRegistration('+14155550101'), profile: { name: 'ACME SHOES' } });
    expect(res.statusCode).toBe(201);
    expect(res.json.warnings).toEqual([{ field: 'profile.name', code: 'ALL_CAPS', message: expect.stringContaining('capitals') }]);
  });
});

describe('idempotency', () => {
  it('answers the existing sender (200) for the same number written another way, creating only one', async () => {
    const first = await admin.post('/admin/register-sender', humaneRegistration('+1 (415) 555-0100'));
    const second = await admin.post('/admin/register-sender', humaneRegistration('whatsapp:+14155550100'));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json.created).toBe(false);
    expect(second.json.sender.sid).toBe(first.json.sender.sid);
    expect(emulator.requestsFor('senders.create')).toHaveLength(1);
    expect(emulator.requestsFor('senders.list').map((r) => r.query)).toEqual([
      { Channel: 'whatsapp', PageSize: '1000' },
      { Channel: 'whatsapp', PageSize: '1000' },
    ]);
  });
});

describe('subaccounts', () => {
  it('acts on account_sid with the parent credentials: reads its token, then signs the Senders calls as the subaccount', async () => {
    const res = await admin.post('/admin/register-sender', { ...humaneRegistration('+14155550102'), account_sid: SUB_SID });
    expect(res.statusCode).toBe(201);
    expect(emulator.requestsFor('accounts.fetch').map((r) => [r.authUser, r.path])).toEqual([[PARENT_SID, `/2010-04-01/Accounts/${SUB_SID}.json`]]);
    expect(emulator.requestsFor('senders.create').map((r) => r.authUser)).toEqual([SUB_SID]);

    const parentList = await admin.get('/admin/list-senders');
    const subList = await admin.get('/admin/list-senders', { account_sid: SUB_SID });
    expect(parentList.json.senders).toEqual([]);
    expect(subList.json.senders.map((s: { sid: string }) => s.sid)).toEqual([res.json.sender.sid]);
    // The subaccount's token (a secret the parent read) is in no answer and no log line.
    const subToken = (emulator.state.stores.get('senders') as { subaccounts: Map<string, { token: string }> }).subaccounts.get(SUB_SID)?.token;
    expect(subToken).toMatch(/^[0-9a-f]{32}$/);
    // The last request's log line is there, so every earlier line is too (one ordered stream).
    logs.jsonLog((l) => l.event === 'admin.list-senders' && l.status === 200 && l.account === SUB_SID);
    expect(logs.lines.join('\n')).not.toContain(subToken);
    expect(JSON.stringify([res.json, subList.json])).not.toContain(subToken);
  });

  it('answers 404 with a hint for an account that is not a subaccount of ACCOUNT_SID', async () => {
    const res = await admin.post('/admin/register-sender', { ...humaneRegistration('+14155550103'), account_sid: FOREIGN_SUB_SID });
    expect(res.statusCode).toBe(404);
    expect(res.json.error).toMatchObject({ code: 20404, hint: TWILIO_ERROR_HINTS[20404] });
    expect(emulator.requestsFor('senders.create')).toHaveLength(0);
  });

  it('answers 409 63110 when the number is registered on another account', async () => {
    await admin.post('/admin/register-sender', { ...humaneRegistration('+14155550104'), account_sid: SUB_SID });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550104'));
    expect(res.statusCode).toBe(409);
    expect(res.json.error).toEqual({ code: 63110, message: expect.stringContaining('already registered'), hint: TWILIO_ERROR_HINTS[63110], more_info: 'https://www.twilio.com/docs/errors/63110' });
  });
});

describe('Twilio errors', () => {
  const SENDERS_CODES = [63100, 63101, 63104, 63110, 63111, 63112, 63113, 63114, 63116, 63124, 63128];

  it.each(SENDERS_CODES)('answers code %i with its status, message, hint and more_info', async (code) => {
    await injectFault({ route: 'senders.create', status: 400, code });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550105'));
    expect(res.statusCode).toBe(400);
    expect(TWILIO_ERROR_HINTS[code]).toEqual(expect.any(String));
    expect(res.json).toEqual({ error: { code, message: expect.stringContaining('400'), hint: TWILIO_ERROR_HINTS[code], more_info: `https://www.twilio.com/docs/errors/${code}` } });
  });

  it('answers 502, not 401, when Twilio refuses the function credentials (the caller token was fine)', async () => {
    await injectFault({ route: 'senders.list', status: 401, code: 20003 });
    const res = await admin.post('/admin/register-sender', humaneRegistration('+14155550106'));
    expect(res.statusCode).toBe(502);
    expect(res.json.error).toMatchObject({ code: 20003, hint: expect.stringContaining('AUTH_TOKEN') });
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('answers 503 naming the variables when ACCOUNT_SID or AUTH_TOKEN is missing', async () => {
    const bare = adminCaller(functionHarness({ env: { ADMIN_TOKEN, TWILIO_API_BASE_URL: emulator.url } }), ADMIN_TOKEN);
    const res = await bare.post('/admin/register-sender', humaneRegistration('+14155550107'));
    expect(res.statusCode).toBe(503);
    expect(res.json.error.message).toMatch(/ACCOUNT_SID and AUTH_TOKEN/);
  });
});
