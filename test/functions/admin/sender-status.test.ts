/**
 * functions/admin/sender-status.ts in process, against the stateful emulator over HTTP: a declined display name
 * and an OFFLINE sender, each with its reasons and hints. (Waiting within the budget: test/edge/admin-route.test.ts.)
 */
import { TWILIO_ERROR_HINTS } from '../../../lib/twilio-errors';
import { humaneRegistration, startAdminSuite } from '../../support/admin';

let suite: Awaited<ReturnType<typeof startAdminSuite>>;

beforeAll(async () => {
  suite = await startAdminSuite({ senderOnlineDelayMs: 40 });
});
afterAll(() => suite?.stop());

it('a declined display name leaves the sender OFFLINE with reason 63124 and its hint', async () => {
  const { admin } = suite;
  const created = await admin.post('/admin/register-sender', { ...humaneRegistration('+1 415 555 0122'), profile: { name: 'Acme WhatsApp Store' } });
  expect(created.json.warnings.map((w: { code: string }) => w.code)).toEqual(['WHATSAPP_BRAND']);
  const res = await admin.get('/admin/sender-status', { sid: created.json.sender.sid, wait: 'true' });
  expect(res.json.sender.status).toBe('OFFLINE');
  expect(res.json.next_step).toEqual({ action: 'fix', message: expect.any(String), reasons: [{ code: '63124', message: expect.any(String), hint: TWILIO_ERROR_HINTS[63124] }] });
});

describe('OFFLINE on demand', () => {
  it('shows the offline reasons with hints', async () => {
    const { admin, emulator } = suite;
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0123'));
    const sid: string = created.json.sender.sid;
    const control = await fetch(`${emulator.url}/__emulator/senders/${sid}/offline`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reasons: [{ code: 63112, message: 'WABA disabled' }] }) });
    expect(control.status).toBe(200);
    const res = await admin.get('/admin/sender-status', { sid });
    expect(res.json.sender).toMatchObject({ status: 'OFFLINE', offline_reasons: [{ code: '63112', message: 'WABA disabled', more_info: 'https://www.twilio.com/docs/errors/63112' }] });
    expect(res.json.next_step.reasons).toEqual([{ code: '63112', message: 'WABA disabled', hint: TWILIO_ERROR_HINTS[63112] }]);
  });
});
