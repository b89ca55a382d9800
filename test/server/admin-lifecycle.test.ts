/**
 * A sender's life through the admin routes, on the real runtime against the stateful emulator: the OTP flow end
 * to end, wrong codes, display-name review, OFFLINE with reasons, paging, deletion.
 */
import { TWILIO_ERROR_HINTS } from '../../lib/twilio-errors';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, adminClient, humaneRegistration } from '../support/admin';
import { startRuntime, type RunningRuntime } from '../support/runtime';

const CODE = '246810';
let emulator: Emulator;
let runtime: RunningRuntime;
let admin: ReturnType<typeof adminClient>;

beforeAll(async () => {
  emulator = await startEmulator({
    senderOnlineDelayMs: 40,
    senderVerifyDelayMs: 40,
    // Long enough that the second rename surely lands while the first is under review, on a busy machine too.
    senderUpdateDelayMs: 1000,
    senderVerificationCode: CODE,
    senderMaxVerificationAttempts: 2,
  });
  runtime = await startRuntime({ env: { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url } });
  admin = adminClient(runtime.url);
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

const otpRegistration = (number: string) => humaneRegistration(number, { configuration: { waba_id: '1234567890', verification_method: 'sms' } });
const waitFor = (sid: string) => admin.get('/admin/sender-status', { sid, wait: 'true' });

describe('OTP flow', () => {
  it('CREATING -> PENDING_VERIFICATION -> (wrong code 63113) -> right code -> VERIFYING -> ONLINE', async () => {
    const created = await admin.post('/admin/register-sender', otpRegistration('+44 20 7946 0958'));
    expect(created.status).toBe(201);
    expect(created.body.sender.status).toBe('CREATING');
    const sid: string = created.body.sender.sid;

    const pending = await waitFor(sid);
    expect(pending.body).toMatchObject({ settled: true, sender: { status: 'PENDING_VERIFICATION' }, next_step: { action: 'submit_otp', route: '/admin/verify-sender' } });

    const wrong = await admin.post('/admin/verify-sender', { sid, code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 63113, hint: TWILIO_ERROR_HINTS[63113] });
    expect((await admin.get('/admin/sender-status', { sid })).body.sender.status).toBe('PENDING_VERIFICATION');

    const right = await admin.post('/admin/verify-sender', { sid, code: `${CODE.slice(0, 3)} ${CODE.slice(3)}` });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ sender: { status: 'VERIFYING' }, next_step: { action: 'wait' } });
    expect(emulator.requestsFor('senders.update').map((r) => r.body)).toEqual([{ configuration: { verification_code: '000000' } }, { configuration: { verification_code: CODE } }]);

    const online = await waitFor(sid);
    expect(online.body).toMatchObject({ settled: true, sender: { status: 'ONLINE' }, next_step: { action: 'none' } });
  });

  it('answers 63114 once the wrong codes pass the limit, and the sender stays PENDING_VERIFICATION', async () => {
    const created = await admin.post('/admin/register-sender', otpRegistration('+44 20 7946 0959'));
    const sid: string = created.body.sender.sid;
    await waitFor(sid);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await admin.post('/admin/verify-sender', { sid, verification_code: '111111' })).body.error.code);
    expect(codes).toEqual([63113, 63113, 63114]);
    const last = await admin.post('/admin/verify-sender', { sid, code: '111111' });
    expect(last.body.error).toMatchObject({ code: 63114, hint: TWILIO_ERROR_HINTS[63114] });
    expect((await admin.get('/admin/sender-status', { sid })).body.sender.status).toBe('PENDING_VERIFICATION');
  });

  it('verify-sender needs a code and a sender SID', async () => {
    const res = await admin.post('/admin/verify-sender', { sid: 'XE123' });
    expect(res.status).toBe(400);
    expect(res.body.error.problems).toEqual([{ path: 'sid', message: expect.stringContaining('XE followed by 32 hex'), expected: expect.any(String) }]);
    const noCode = await admin.post('/admin/verify-sender', { sid: 'XE' + 'b'.repeat(32) });
    expect(noCode.status).toBe(400);
    expect(noCode.body.error.problems).toEqual([expect.objectContaining({ path: 'code' })]);
  });
});

describe('profile changes', () => {
  it('a display-name change goes through ONLINE:UPDATING; another one meanwhile answers 63128', async () => {
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0120'));
    const sid: string = created.body.sender.sid;
    await waitFor(sid);
    const renamed = await admin.post('/admin/update-sender', { sid, profile: { name: 'Acme Shoes Outlet', about: 'Outlet.' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ sender: { status: 'ONLINE:UPDATING', profile: { name: 'Acme Shoes Outlet', about: 'Outlet.' } }, next_step: { action: 'wait' }, warnings: [] });
    expect(emulator.requestsFor('senders.update').at(-1)?.body).toEqual({ profile: { name: 'Acme Shoes Outlet', about: 'Outlet.' } });

    const again = await admin.post('/admin/update-sender', { sid, profile: { name: 'ACME OUTLET' } });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 63128, hint: TWILIO_ERROR_HINTS[63128] });
  });

  it('update-sender sends only the snake_case parts given, and refuses an empty change', async () => {
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0121'));
    const sid: string = created.body.sender.sid;
    const res = await admin.post('/admin/update-sender', { sid, webhook: { status_callback_url: 'https://acme.example/status', status_callback_method: 'post' } });
    expect(res.status).toBe(200);
    expect(emulator.requestsFor('senders.update').at(-1)?.body).toEqual({ webhook: { status_callback_url: 'https://acme.example/status', status_callback_method: 'POST' } });
    const empty = await admin.post('/admin/update-sender', { sid });
    expect(empty.status).toBe(400);
    expect(empty.body.error.problems[0].message).toMatch(/at least one of configuration, webhook, profile/);
  });

  it('a declined display name leaves the sender OFFLINE with reason 63124 and its hint', async () => {
    const created = await admin.post('/admin/register-sender', { ...humaneRegistration('+1 415 555 0122'), profile: { name: 'Acme WhatsApp Store' } });
    expect(created.body.warnings.map((w: { code: string }) => w.code)).toEqual(['WHATSAPP_BRAND']);
    const res = await waitFor(created.body.sender.sid);
    expect(res.body.sender.status).toBe('OFFLINE');
    expect(res.body.next_step).toEqual({ action: 'fix', message: expect.any(String), reasons: [{ code: '63124', message: expect.any(String), hint: TWILIO_ERROR_HINTS[63124] }] });
  });
});

describe('OFFLINE on demand', () => {
  it('shows the offline reasons with hints', async () => {
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0123'));
    const sid: string = created.body.sender.sid;
    const control = await fetch(`${emulator.url}/__emulator/senders/${sid}/offline`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reasons: [{ code: 63112, message: 'WABA disabled' }] }) });
    expect(control.status).toBe(200);
    const res = await admin.get('/admin/sender-status', { sid });
    expect(res.body.sender).toMatchObject({ status: 'OFFLINE', offline_reasons: [{ code: '63112', message: 'WABA disabled', more_info: 'https://www.twilio.com/docs/errors/63112' }] });
    expect(res.body.next_step.reasons).toEqual([{ code: '63112', message: 'WABA disabled', hint: TWILIO_ERROR_HINTS[63112] }]);
  });
});

describe('list and delete', () => {
  it('pages through the senders with page_size and page_token', async () => {
    const all = (await admin.get('/admin/list-senders', { page_size: '1000' })).body.senders.map((s: { sid: string }) => s.sid);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res = await admin.get('/admin/list-senders', { page_size: '2', ...(token ? { page_token: token } : {}) });
      expect(res.body.senders.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.senders.map((s: { sid: string }) => s.sid));
      token = res.body.next_page_token;
      pages += 1;
    } while (token && pages < 50);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    const bad = await admin.get('/admin/list-senders', { page_size: '0' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems[0].path).toBe('page_size');
  });

  it('deletes a sender; it is then 404 with a hint, and its number can be registered again', async () => {
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0124'));
    const sid: string = created.body.sender.sid;
    const deleted = await admin.post('/admin/delete-sender', { sid });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: true, sid });
    expect(emulator.requestsFor('senders.delete').map((r) => [r.path, r.status])).toEqual([[`/v2/Channels/Senders/${sid}`, 204]]);

    const gone = await admin.get('/admin/sender-status', { sid });
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 20404, hint: TWILIO_ERROR_HINTS[20404] });

    const again = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0124'));
    expect(again.status).toBe(201);
    expect(again.body.sender.sid).not.toBe(sid);
  });
});
