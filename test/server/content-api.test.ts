/**
 * The emulator's Content API over real HTTP, against the official contract (contracts/content-openapi.json):
 * requests the contract refuses are refused, and every answer matches the contract's response schema (no key it
 * does not name). twilio-node's own Content client reads the answers, so the wire format is the one Twilio's SDK
 * expects. Then Messages create with ContentSid + ContentVariables.
 */
import contract from '../../contracts/content-openapi.json';
import { contractChecker, type Schema } from '../../dev/emulator/contract-check';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { createTwilioClient } from '../../lib/twilio-client';
import { resetEmulator } from '../support/emulator-control';

const ACCOUNT = 'AC' + 'c'.repeat(32);
const OTHER = 'AC' + 'd'.repeat(32);
const TOKEN = 'content-test-token';
const PENDING_MS = 60;
const APPROVE_MS = 120;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ contentPendingDelayMs: PENDING_MS, contentApproveDelayMs: APPROVE_MS });
});
afterAll(() => emulator.close());
beforeEach(() => resetEmulator(emulator));

const check = contractChecker(contract.components.schemas as unknown as Record<string, Schema>);
type Paths = Record<
  string,
  Record<string, { responses: Record<string, { content?: { 'application/json': { schema: Schema } } }> }>
>;
/** The contract's response schema of an operation. */
const responseSchema = (path: string, method: string, status: string) =>
  (contract.paths as unknown as Paths)[path]![method]!.responses[status]!.content!['application/json'].schema;

async function api(method: string, path: string, body?: unknown, account = ACCOUNT, contentType = 'application/json') {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${account}:${TOKEN}`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { code?: number; message?: string },
  };
}

const ORDER = {
  friendly_name: 'order_update',
  language: 'en',
  variables: { '1': 'Maria', '2': '#10452' },
  types: { 'twilio/text': { body: 'Hello {{1}}, your order {{2}} is on its way.' } },
};
const MENU = {
  friendly_name: 'bot_menu',
  language: 'en',
  types: {
    'twilio/quick-reply': { body: 'Pick one.', actions: [{ title: 'Sample image', id: 'media' }] },
    'twilio/text': { body: 'Reply media.' },
  },
};

async function created(body: unknown = ORDER, account = ACCOUNT): Promise<string> {
  const res = await api('POST', '/v1/Content', body, account);
  expect(res.status).toBe(201);
  return res.body.sid as string;
}

function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  return (async () => {
    while (!(await check())) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
}

describe('Content resource', () => {
  it('create answers 201 with the Content resource, as the contract describes it', async () => {
    const res = await api('POST', '/v1/Content', ORDER);
    expect(res.status).toBe(201);
    expect(check(res.body, responseSchema('/v1/Content', 'post', '201'))).toBeUndefined();
    expect(res.body).toMatchObject({ ...ORDER, account_sid: ACCOUNT, sid: expect.stringMatching(/^HX[0-9a-f]{32}$/) });
    expect(res.body.links).toEqual({
      approval_create: `https://content.twilio.com/v1/Content/${res.body.sid as string}/ApprovalRequests/whatsapp`,
      approval_fetch: `https://content.twilio.com/v1/Content/${res.body.sid as string}/ApprovalRequests`,
    });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an unknown key in a type',
      { ...ORDER, types: { 'twilio/text': { body: 'Hi', footer: 'x' } } },
      /Unknown field 'types.twilio\/text.footer'/,
    ],
    [
      'a button without its title',
      { ...MENU, types: { 'twilio/quick-reply': { body: 'Pick', actions: [{ id: 'a' }] } } },
      /Missing required field 'types.twilio\/quick-reply.actions\[0\].title'/,
    ],
    [
      'a call-to-action type the contract has not',
      { ...ORDER, types: { 'twilio/call-to-action': { body: 'Go', actions: [{ type: 'EMAIL', title: 'Mail' }] } } },
      /must be one of URL/,
    ],
    ['no language', { types: ORDER.types }, /Missing required field 'language'/],
    ['a variable sample that is not text', { ...ORDER, variables: { '1': 5 } }, /variables.1 must be a string/],
    [
      'camelCase keys, as twilio-node’s typed create sends them',
      { friendlyName: 'x', language: 'en', types: ORDER.types },
      /Unknown field 'friendlyName'/,
    ],
  ])('refuses %s with 400, naming the field', async (_, body, message) => {
    const res = await api('POST', '/v1/Content', body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(20001);
    expect(res.body.message).toMatch(message);
    expect(emulator.state.stores.get('content')).toBeUndefined();
  });

  it('refuses a form-encoded create', async () => {
    const res = await api('POST', '/v1/Content', 'language=en', ACCOUNT, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/JSON body/);
  });

  it('twilio-node reads fetch, list (following pages), and delete', async () => {
    const sids = [];
    for (let i = 0; i < 5; i++) sids.push(await created({ ...ORDER, friendly_name: `order_${i}` }));
    const client = createTwilioClient({ accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: emulator.url });
    const fetched = await client.content.v1.contents(sids[0]!).fetch();
    expect(fetched).toMatchObject({
      sid: sids[0],
      friendlyName: 'order_0',
      language: 'en',
      variables: ORDER.variables,
      types: ORDER.types,
    });
    const listed = await client.content.v1.contents.list({ pageSize: 2 });
    expect(listed.map((c) => c.sid)).toEqual(sids);
    expect(emulator.requestsFor('content.list').map((r) => r.query.PageSize)).toEqual(['2', '2', '2']);
    await client.content.v1.contents(sids[1]!).remove();
    expect((await api('GET', `/v1/Content/${sids[1]!}`)).status).toBe(404);
  });

  it('a page answers the contract’s list shape; a bad PageSize is refused', async () => {
    await created();
    const page = await api('GET', '/v1/Content?PageSize=1');
    expect(check(page.body, responseSchema('/v1/Content', 'get', '200'))).toBeUndefined();
    expect(page.body.meta).toMatchObject({
      page: 0,
      page_size: 1,
      key: 'contents',
      next_page_url: null,
      previous_page_url: null,
    });
    expect((await api('GET', '/v1/Content?PageSize=1001')).status).toBe(400);
  });

  it('keeps each account’s content to itself', async () => {
    const sid = await created();
    expect((await api('GET', `/v1/Content/${sid}`, undefined, OTHER)).status).toBe(404);
    expect((await api('DELETE', `/v1/Content/${sid}`, undefined, OTHER)).status).toBe(404);
    expect(((await api('GET', '/v1/Content', undefined, OTHER)).body.contents as unknown[]).length).toBe(0);
  });
});

describe('WhatsApp approval', () => {
  it('received, then pending, then approved, with time; each answer as the contract describes it', async () => {
    const sid = await created();
    const submitted = await api('POST', `/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      name: 'order_update',
      category: 'UTILITY',
    });
    expect(submitted.status).toBe(201);
    expect(
      check(submitted.body, responseSchema('/v1/Content/{ContentSid}/ApprovalRequests/whatsapp', 'post', '201')),
    ).toBeUndefined();
    expect(submitted.body).toMatchObject({
      name: 'order_update',
      category: 'UTILITY',
      content_type: 'twilio/text',
      status: 'received',
      rejection_reason: '',
    });

    const status = async () => {
      const res = await api('GET', `/v1/Content/${sid}/ApprovalRequests`);
      expect(check(res.body, responseSchema('/v1/Content/{Sid}/ApprovalRequests', 'get', '200'))).toBeUndefined();
      return (res.body.whatsapp as { status: string }).status;
    };
    const seen = new Set<string>([await status()]);
    await waitFor(async () => {
      seen.add(await status());
      return seen.has('approved');
    }, 'approval');
    // Read as fast as the machine allows: every status seen is one of the three, in order, ending approved.
    const order = ['received', 'pending', 'approved'];
    expect([...seen].map((st) => order.indexOf(st))).toEqual([...seen].map((st) => order.indexOf(st)).sort());
    expect([...seen].every((st) => order.includes(st))).toBe(true);
    expect([...seen].at(-1)).toBe('approved');

    const list = await api('GET', '/v1/ContentAndApprovals');
    expect(check(list.body, responseSchema('/v1/ContentAndApprovals', 'get', '200'))).toBeUndefined();
    expect(list.body.contents).toEqual([
      expect.objectContaining({
        sid,
        approval_requests: expect.objectContaining({ status: 'approved', category: 'UTILITY' }),
      }),
    ]);
  });

  it('twilio-node submits and reads the approval; unsubmitted before that', async () => {
    const sid = await created(MENU);
    const client = createTwilioClient({ accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: emulator.url });
    expect((await client.content.v1.contents(sid).approvalFetch().fetch()).whatsapp).toMatchObject({
      status: 'unsubmitted',
    });
    const approval = await client.content.v1
      .contents(sid)
      .approvalCreate.create({ name: 'bot_menu', category: 'UTILITY' });
    expect(approval).toMatchObject({
      name: 'bot_menu',
      category: 'UTILITY',
      contentType: 'twilio/quick-reply',
      status: 'received',
    });
    const listed = await client.content.v1.contentAndApprovals.list();
    expect(listed[0]).toMatchObject({
      sid,
      friendlyName: 'bot_menu',
      approvalRequests: expect.objectContaining({ status: 'received' }),
    });
  });

  it('is rejected on demand, with the reason', async () => {
    const sid = await created();
    await api('POST', `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'order_update', category: 'MARKETING' });
    const control = await fetch(`${emulator.url}/__emulator/content/${sid}/reject`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'INVALID_FORMAT: variables at the end' }),
    });
    expect(control.status).toBe(200);
    await new Promise((r) => setTimeout(r, PENDING_MS + APPROVE_MS + 50));
    const res = await api('GET', `/v1/Content/${sid}/ApprovalRequests`);
    expect(res.body.whatsapp).toMatchObject({
      status: 'rejected',
      rejection_reason: 'INVALID_FORMAT: variables at the end',
      category: 'MARKETING',
    });
  });

  it.each<[string, unknown, RegExp, unknown]>([
    ['a name WhatsApp does not take', { name: 'Order Update', category: 'UTILITY' }, /lowercase/, undefined],
    ['a category WhatsApp does not have', { name: 'order_update', category: 'TRANSACTIONAL' }, /category/, undefined],
    ['a missing category', { name: 'order_update' }, /Missing required field 'category'/, undefined],
    [
      'a list picker',
      { name: 'pick', category: 'UTILITY' },
      /list-picker/,
      {
        language: 'en',
        types: { 'twilio/list-picker': { body: 'Pick', button: 'Open', items: [{ id: 'a', item: 'A' }] } },
      },
    ],
  ])('refuses %s', async (_, body, message, content) => {
    const sid = await created(content ?? ORDER);
    const res = await api('POST', `/v1/Content/${sid}/ApprovalRequests/whatsapp`, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('refuses a second request for the same content', async () => {
    const sid = await created();
    expect(
      (await api('POST', `/v1/Content/${sid}/ApprovalRequests/whatsapp`, { name: 'order_update', category: 'UTILITY' }))
        .status,
    ).toBe(201);
    const again = await api('POST', `/v1/Content/${sid}/ApprovalRequests/whatsapp`, {
      name: 'order_update',
      category: 'UTILITY',
    });
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/already submitted/);
  });
});

describe('Messages create with ContentSid', () => {
  const send = (form: Record<string, string>) =>
    api(
      'POST',
      `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`,
      new URLSearchParams({ From: 'whatsapp:+14155238886', To: 'whatsapp:+15005550006', ...form }).toString(),
      ACCOUNT,
      'application/x-www-form-urlencoded',
    );

  it('sends the content with its variables filled', async () => {
    const sid = await created();
    const res = await send({ ContentSid: sid, ContentVariables: JSON.stringify({ 1: 'Ana', 2: '#7' }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'queued', body: 'Hello Ana, your order #7 is on its way.' });
    expect(emulator.requestsFor('messages.create')[0]!.body).toMatchObject({
      ContentSid: sid,
      ContentVariables: '{"1":"Ana","2":"#7"}',
    });
  });

  it('a variable left out takes the sample, as the Messages contract says', async () => {
    const sid = await created();
    const res = await send({ ContentSid: sid, ContentVariables: JSON.stringify({ 1: 'Ana' }) });
    expect(res.status).toBe(201);
    expect(res.body.body).toBe('Hello Ana, your order #10452 is on its way.');
  });

  it.each<[string, (sid: string) => Record<string, string>, number]>([
    ['an unknown variable', (sid) => ({ ContentSid: sid, ContentVariables: '{"1":"Ana","9":"x"}' }), 21656],
    ['ContentVariables that are not JSON', (sid) => ({ ContentSid: sid, ContentVariables: "{1:'Ana'}" }), 21656],
    ['a value with a line break', (sid) => ({ ContentSid: sid, ContentVariables: '{"1":"Ana\\nB"}' }), 21656],
    ['an empty value', (sid) => ({ ContentSid: sid, ContentVariables: '{"1":""}' }), 21656],
    ['ContentVariables without a ContentSid', () => ({ Body: 'Hi', ContentVariables: '{"1":"Ana"}' }), 21654],
    ['a ContentSid the account does not have', () => ({ ContentSid: 'HX' + '0'.repeat(32) }), 21655],
    ['a Body beside the ContentSid', (sid) => ({ ContentSid: sid, Body: 'Hello' }), 20001],
    ['a MediaUrl beside the ContentSid', (sid) => ({ ContentSid: sid, MediaUrl: 'https://example.com/a.png' }), 20001],
  ])('refuses %s (%#)', async (_, form, code) => {
    const sid = await created();
    const res = await send(form(sid));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(emulator.state.stores.get('messages')).toBeUndefined();
  });

  it('refuses another account’s ContentSid', async () => {
    const sid = await created(ORDER, OTHER);
    expect((await send({ ContentSid: sid })).body.code).toBe(21655);
  });
});
