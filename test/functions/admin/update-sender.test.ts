/** functions/admin/update-sender.ts in process, against the stateful emulator over HTTP: profile and webhook changes. */
import { TWILIO_ERROR_HINTS } from '../../../lib/twilio-errors';
import { humaneRegistration, startAdminSuite } from '../../support/admin';

let suite: Awaited<ReturnType<typeof startAdminSuite>>;

beforeAll(async () => {
  // Long enough that the second rename surely lands while the first is under review, on a busy machine too.
  suite = await startAdminSuite({ senderOnlineDelayMs: 40, senderUpdateDelayMs: 1000 });
});
afterAll(() => suite?.stop());

describe('profile changes', () => {
  it('a display-name change goes through ONLINE:UPDATING; another one meanwhile answers 63128', async () => {
    const { admin, emulator } = suite;
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0120'));
    const sid: string = created.json.sender.sid;
    await admin.get('/admin/sender-status', { sid, wait: 'true' });
    const renamed = await admin.post('/admin/update-sender', { sid, profile: { name: 'Acme Shoes Outlet', about: 'Outlet.' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json).toMatchObject({ sender: { status: 'ONLINE:UPDATING', profile: { name: 'Acme Shoes Outlet', about: 'Outlet.' } }, next_step: { action: 'wait' }, warnings: [] });
    expect(emulator.requestsFor('senders.update').at(-1)?.body).toEqual({ profile: { name: 'Acme Shoes Outlet', about: 'Outlet.' } });

    const again = await admin.post('/admin/update-sender', { sid, profile: { name: 'ACME OUTLET' } });
    expect(again.statusCode).toBe(400);
    expect(again.json.error).toMatchObject({ code: 63128, hint: TWILIO_ERROR_HINTS[63128] });
  });

  it('update-sender sends only the snake_case parts given, and refuses an empty change', async () => {
    const { admin, emulator } = suite;
    const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0121'));
    const sid: string = created.json.sender.sid;
    const res = await admin.post('/admin/update-sender', { sid, webhook: { status_callback_url: 'https://acme.example/status', status_callback_method: 'post' } });
    expect(res.statusCode).toBe(200);
    expect(emulator.requestsFor('senders.update').at(-1)?.body).toEqual({ webhook: { status_callback_url: 'https://acme.example/status', status_callback_method: 'POST' } });
    const empty = await admin.post('/admin/update-sender', { sid });
    expect(empty.statusCode).toBe(400);
    expect(empty.json.error.problems[0].message).toMatch(/at least one of configuration, webhook, profile/);
  });
});
