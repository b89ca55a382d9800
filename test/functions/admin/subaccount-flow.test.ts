/**
 * The subaccount flow followed as documented, in process against the emulator: register with account_sid, then
 * call exactly what the answers say (next_step.route, the submit_otp message's fields) without adding anything.
 * Without account_sid in them, a subaccount's sender answers 404 to the parent.
 */
import { humaneRegistration, PARENT_SID, startAdminSuite } from '../../support/admin';

const CODE = '135790';
const SUBACCOUNT = 'AC' + '5'.repeat(32);
let suite: Awaited<ReturnType<typeof startAdminSuite>>;

beforeAll(async () => {
  suite = await startAdminSuite({
    senderOnlineDelayMs: 40,
    senderVerifyDelayMs: 40,
    senderVerificationCode: CODE,
    subaccounts: { [SUBACCOUNT]: PARENT_SID },
  });
});
afterAll(() => suite?.stop());

/** GET a `next_step.route` (path and query) as given. */
const follow = (route: string) => {
  const url = new URL(route, 'http://x');
  return suite.admin.get(url.pathname, Object.fromEntries(url.searchParams));
};

it('register -> next_step.route -> submit_otp with the fields it names -> ONLINE, on the subaccount', async () => {
  const { admin } = suite;
  const registration = humaneRegistration('+44 20 7946 0960', {
    account_sid: SUBACCOUNT,
    configuration: { waba_id: '1234567890', verification_method: 'sms' },
  });
  const created = await admin.post('/admin/register-sender', registration);
  expect(created.statusCode).toBe(201);
  const sid: string = created.json.sender.sid;
  expect(created.json.next_step.route).toBe(`/admin/sender-status?sid=${sid}&wait=true&account_sid=${SUBACCOUNT}`);

  const pending = await follow(created.json.next_step.route);
  expect(pending.statusCode).toBe(200);
  expect(pending.json.next_step).toMatchObject({ action: 'submit_otp', route: '/admin/verify-sender' });
  // the message names the body to send, account_sid included
  expect(pending.json.next_step.message).toContain(`{"sid", "code", "account_sid": "${SUBACCOUNT}"}`);

  const verified = await admin.post(pending.json.next_step.route, { sid, code: CODE, account_sid: SUBACCOUNT });
  expect(verified.statusCode).toBe(200);
  expect(verified.json.next_step.route).toContain(`account_sid=${SUBACCOUNT}`);
  const online = await follow(verified.json.next_step.route);
  expect(online.json).toMatchObject({ sender: { status: 'ONLINE' }, next_step: { action: 'none' } });

  // the same route without account_sid is the 404 the documented flow used to hit
  expect((await admin.get('/admin/sender-status', { sid })).statusCode).toBe(404);
});
