/**
 * functions/admin/verify-sender.ts in process, against the stateful emulator over HTTP: the OTP flow end to end
 * (with sender-status waits), wrong codes, the attempt limit, and its input.
 */
import { TWILIO_ERROR_HINTS } from '../../../lib/twilio-errors';
import { humaneRegistration, startAdminSuite } from '../../support/admin';

const CODE = '246810';
let suite: Awaited<ReturnType<typeof startAdminSuite>>;

beforeAll(async () => {
  suite = await startAdminSuite({ senderOnlineDelayMs: 40, senderVerifyDelayMs: 40, senderVerificationCode: CODE, senderMaxVerificationAttempts: 2 });
});
afterAll(() => suite?.stop());

const otpRegistration = (number: string) => humaneRegistration(number, { configuration: { waba_id: '1234567890', verification_method: 'sms' } });
const waitFor = (sid: string) => suite.admin.get('/admin/sender-status', { sid, wait: 'true' });

describe('OTP flow', () => {
  it('CREATING -> PENDING_VERIFICATION -> (wrong code 63113) -> right code -> VERIFYING -> ONLINE', async () => {
    const { admin, emulator } = suite;
    const created = await admin.post('/admin/register-sender', otpRegistration('+44 20 7946 0958'));
    expect(created.statusCode).toBe(201);
    expect(created.json.sender.status).toBe('CREATING');
    const sid: string = created.json.sender.sid;

    const pending = await waitFor(sid);
    expect(pending.json).toMatchObject({ settled: true, sender: { status: 'PENDING_VERIFICATION' }, next_step: { action: 'submit_otp', route: '/admin/verify-sender' } });

    const wrong = await admin.post('/admin/verify-sender', { sid, code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: 63113, hint: TWILIO_ERROR_HINTS[63113] });
    expect((await admin.get('/admin/sender-status', { sid })).json.sender.status).toBe('PENDING_VERIFICATION');

    const right = await admin.post('/admin/verify-sender', { sid, code: `${CODE.slice(0, 3)} ${CODE.slice(3)}` });
    expect(right.statusCode).toBe(200);
    expect(right.json).toMatchObject({ sender: { status: 'VERIFYING' }, next_step: { action: 'wait' } });
    expect(emulator.requestsFor('senders.update').map((r) => r.body)).toEqual([{ configuration: { verification_code: '000000' } }, { configuration: { verification_code: CODE } }]);

    const online = await waitFor(sid);
    expect(online.json).toMatchObject({ settled: true, sender: { status: 'ONLINE' }, next_step: { action: 'none' } });
  });

  it('answers 63114 once the wrong codes pass the limit, and the sender stays PENDING_VERIFICATION', async () => {
    const { admin } = suite;
    const created = await admin.post('/admin/register-sender', otpRegistration('+44 20 7946 0959'));
    const sid: string = created.json.sender.sid;
    await waitFor(sid);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await admin.post('/admin/verify-sender', { sid, verification_code: '111111' })).json.error.code);
    expect(codes).toEqual([63113, 63113, 63114]);
    const last = await admin.post('/admin/verify-sender', { sid, code: '111111' });
    expect(last.json.error).toMatchObject({ code: 63114, hint: TWILIO_ERROR_HINTS[63114] });
    expect((await admin.get('/admin/sender-status', { sid })).json.sender.status).toBe('PENDING_VERIFICATION');
  });

  it('verify-sender needs a code and a sender SID', async () => {
    const { admin } = suite;
    const res = await admin.post('/admin/verify-sender', { sid: 'XE123' });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.problems).toEqual([{ path: 'sid', message: expect.stringContaining('XE followed by 32 hex'), expected: expect.any(String) }]);
    const noCode = await admin.post('/admin/verify-sender', { sid: 'XE' + 'b'.repeat(32) });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json.error.problems).toEqual([expect.objectContaining({ path: 'code' })]);
  });
});
