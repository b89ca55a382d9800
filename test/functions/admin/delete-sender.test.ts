/** functions/admin/delete-sender.ts in process, against the stateful emulator over HTTP. */
import { TWILIO_ERROR_HINTS } from '../../../lib/twilio-errors';
import { humaneRegistration, startAdminSuite } from '../../support/admin';

let suite: Awaited<ReturnType<typeof startAdminSuite>>;

beforeAll(async () => {
  suite = await startAdminSuite();
});
afterAll(() => suite?.stop());

it('deletes a sender; it is then 404 with a hint, and its number can be registered again', async () => {
  const { admin, emulator } = suite;
  const created = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0124'));
  const sid: string = created.json.sender.sid;
  const deleted = await admin.post('/admin/delete-sender', { sid });
  expect(deleted.statusCode).toBe(200);
  expect(deleted.json).toEqual({ deleted: true, sid });
  expect(emulator.requestsFor('senders.delete').map((r) => [r.path, r.status])).toEqual([[`/v2/Channels/Senders/${sid}`, 204]]);

  const gone = await admin.get('/admin/sender-status', { sid });
  expect(gone.statusCode).toBe(404);
  expect(gone.json.error).toMatchObject({ code: 20404, hint: TWILIO_ERROR_HINTS[20404] });

  const again = await admin.post('/admin/register-sender', humaneRegistration('+1 415 555 0124'));
  expect(again.statusCode).toBe(201);
  expect(again.json.sender.sid).not.toBe(sid);
});
