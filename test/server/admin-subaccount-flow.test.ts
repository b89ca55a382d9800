/**
 * The subaccount flow followed as documented: register with account_sid, then call exactly what the answers
 * say (next_step.route, the submit_otp message's fields) without adding anything. Without account_sid in
 * them, a subaccount's sender answers 404 to the parent.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID, adminClient, humaneRegistration } from '../support/admin';
import { startRuntime, type RunningRuntime } from '../support/runtime';

const CODE = '135790';
const SUBACCOUNT = 'AC' + '5'.repeat(32);
let emulator: Emulator;
let runtime: RunningRuntime;
let admin: ReturnType<typeof adminClient>;

beforeAll(async () => {
  emulator = await startEmulator({
    senderOnlineDelayMs: 40,
    senderVerifyDelayMs: 40,
    senderVerificationCode: CODE,
    subaccounts: { [SUBACCOUNT]: PARENT_SID },
  });
  runtime = await startRuntime({
    env: { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url },
  });
  admin = adminClient(runtime.url);
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

/** GET a `next_step.route` (path and query) as given. */
const follow = (route: string) => {
  const url = new URL(route, 'http://x');
  return admin.get(url.pathname, Object.fromEntries(url.searchParams));
};

it('register -> next_step.route -> submit_otp with the fields its message names -> ONLINE, all on the subaccount', async () => {
  const registration = humaneRegistration('+44 20 7946 0960', {
    account_sid: SUBACCOUNT,
    configuration: { waba_id: '1234567890', verification_method: 'sms' },
  });
  const created = await admin.post('/admin/register-sender', registration);
  expect(created.status).toBe(201);
  const sid: string = created.body.sender.sid;
  expect(created.body.next_step.route).toBe(`/admin/sender-status?sid=${sid}&wait=true&account_sid=${SUBACCOUNT}`);

  const pending = await follow(created.body.next_step.route);
  expect(pending.status).toBe(200);
  expect(pending.body.next_step).toMatchObject({ action: 'submit_otp', route: '/admin/verify-sender' });
  // the message names the body to send, account_sid included
  expect(pending.body.next_step.message).toContain(`{"sid", "code", "account_sid": "${SUBACCOUNT}"}`);

  const verified = await admin.post(pending.body.next_step.route, { sid, code: CODE, account_sid: SUBACCOUNT });
  expect(verified.status).toBe(200);
  expect(verified.body.next_step.route).toContain(`account_sid=${SUBACCOUNT}`);
  const online = await follow(verified.body.next_step.route);
  expect(online.body).toMatchObject({ sender: { status: 'ONLINE' }, next_step: { action: 'none' } });

  // the same route without account_sid is the 404 the documented flow used to hit
  expect((await admin.get('/admin/sender-status', { sid })).status).toBe(404);
});
