/**
 * lib/senders/api.ts with a real twilio-node client over real HTTP to the emulator: budget-aware retries,
 * Retry-After, connection failures, the 63110 race of two registrations, subaccount credentials.
 */
import { createServer } from 'node:net';
import { createTwilioClient } from '../../../lib/twilio-client';
import { fetchSender, listSenders, registerSender } from '../../../lib/senders';
import { TwilioApiError, subaccountAuth, type AttemptTrace, type TwilioCall } from '../../../lib/twilio-api';
import { startEmulator, type Emulator, type Fault } from '../../../dev/emulator/server';
import { injectFault as injectFaultInto, resetEmulator } from '../../support/emulator-control';

const PARENT = 'AC' + 'a'.repeat(32);
const SUB = 'AC' + 'b'.repeat(32);
const body = (n: string) => ({ sender_id: `whatsapp:+1415555${n}`, profile: { name: 'Acme' } });

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ senderOnlineDelayMs: 20 });
});
afterAll(() => emulator.close());
beforeEach(() => resetEmulator(emulator));

const injectFault = (fault: Fault) => injectFaultInto(emulator, fault);

function call(budgetMs: number, baseUrl = emulator.url, traces: AttemptTrace[] = []): TwilioCall {
  return { client: createTwilioClient({ accountSid: PARENT, authToken: 'secret', apiBaseUrl: baseUrl }), deadline: Date.now() + budgetMs, trace: (t) => traces.push(t) };
}

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TwilioApiError);
  return (error as TwilioApiError).failure;
}

describe('retries within the deadline', () => {
  it('waits as long as Retry-After says, then succeeds', async () => {
    await injectFault({ route: 'senders.list', status: 429, retryAfter: 1 });
    const traces: AttemptTrace[] = [];
    const page = await listSenders(call(5000, emulator.url, traces));
    expect(page.senders).toEqual([]);
    expect(traces.map((t) => t.status)).toEqual([429, 200]);
    expect(traces[0]!.retryInMs).toBeGreaterThanOrEqual(1000);
  });

  it('never starts a retry that cannot finish before the deadline', async () => {
    await injectFault({ route: 'senders.list', status: 500, times: 10 });
    const traces: AttemptTrace[] = [];
    const failure = await failureOf(listSenders(call(350, emulator.url, traces)));
    expect(failure).toMatchObject({ kind: 'twilio', status: 500, attempts: 1 });
    expect(traces).toHaveLength(1);
    expect(traces[0]!.retryInMs).toBeUndefined();
  });

  it('does not call Twilio at all once the deadline has passed', async () => {
    const failure = await failureOf(listSenders(call(-1)));
    expect(failure).toMatchObject({ kind: 'timeout', attempts: 0 });
    expect(emulator.state.requests).toHaveLength(0);
  });

  it('does not retry a 4xx other than 429', async () => {
    const failure = await failureOf(fetchSender(call(3000), 'XE' + 'c'.repeat(32)));
    expect(failure).toMatchObject({ kind: 'twilio', status: 404, code: 20404, attempts: 1 });
  });

  it('reports a refused connection as a network failure after retrying', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const traces: AttemptTrace[] = [];
    const failure = await failureOf(listSenders(call(1500, `http://127.0.0.1:${closed}`, traces)));
    expect(failure.kind).toBe('network');
    expect(traces.length).toBeGreaterThanOrEqual(2);
  });
});

describe('registerSender', () => {
  it('two registrations racing for one number: one creates, the other answers that sender after 63110', async () => {
    // Both lookups are held 150 ms, so both see no sender and both create. The first create to arrive is held
    // 400 ms more: the other lands first (202), the held one gets 63110 and finds the other's sender.
    await injectFault({ route: 'senders.list', delayMs: 150, times: 2 });
    await injectFault({ route: 'senders.create', delayMs: 400, times: 1 });
    const [a, b] = await Promise.all([registerSender(call(5000), body('0150')), registerSender(call(5000), body('0150'))]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.sender.sid).toBe(b.sender.sid);
    expect(emulator.requestsFor('senders.create').map((r) => r.status)).toEqual([202, 409]);
  });

  it('a create Twilio carried out but whose answer was lost (500), then 63110 on the retry: created by this call', async () => {
    await injectFault({ route: 'senders.create', status: 500, afterHandling: true });
    const result = await registerSender(call(5000), body('0152'));
    expect(result.created).toBe(true);
    expect(emulator.requestsFor('senders.create').map((r) => r.status)).toEqual([500, 409]);
    const listed = await listSenders(call(3000));
    expect(listed.senders.filter((s) => s.sender_id === result.sender.sender_id).map((s) => s.sid)).toEqual([result.sender.sid]);
  });

  it('a 429 is a refusal before any work: a 63110 after it means someone else created the sender', async () => {
    // This call's create is held 300 ms and then refused with 429 (nothing done); meanwhile a second
    // registration creates the sender, so the retry gets 63110.
    await injectFault({ route: 'senders.create', status: 429, retryAfter: 0, delayMs: 300 });
    const slow = registerSender(call(5000), body('0153'));
    await new Promise((r) => setTimeout(r, 100));
    const other = await registerSender(call(5000), body('0153'));
    const result = await slow;
    expect({ other: other.created, slow: result.created }).toEqual({ other: true, slow: false });
    expect(result.sender.sid).toBe(other.sender.sid);
    expect(emulator.requestsFor('senders.create').map((r) => r.status)).toEqual([202, 429, 409]);
  });
});

describe('subaccountAuth', () => {
  it('is nothing for the parent itself, and the subaccount and its token otherwise', async () => {
    expect(await subaccountAuth(call(3000), undefined, PARENT)).toBeUndefined();
    expect(await subaccountAuth(call(3000), PARENT, PARENT)).toBeUndefined();
    const auth = await subaccountAuth(call(3000), SUB, PARENT);
    expect(auth).toEqual({ username: SUB, password: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const subCall = { ...call(3000), auth };
    await registerSender(subCall, body('0151'));
    expect(emulator.requestsFor('senders.create').map((r) => r.authUser)).toEqual([SUB]);
    // A wrong subaccount token is refused: the emulator checks it like Twilio would.
    const failure = await failureOf(listSenders({ ...subCall, auth: { username: SUB, password: 'wrong' } }));
    expect(failure).toMatchObject({ status: 401, code: 20003 });
  });
});
