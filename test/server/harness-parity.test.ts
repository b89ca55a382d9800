/**
 * The in-process harness (test/support/harness.ts) answers what the real local runtime answers: the same status,
 * headers and body for the same request, whether it loads the built function or its source. This is what lets the
 * edge cases run in process.
 */
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID } from '../support/admin';
import { captureLogs, functionHarness, type HarnessAnswer, type HarnessRequest } from '../support/harness';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { formBody, signatureFor, type FormParams } from '../support/twilio-request';

const ENV = { ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, WHATSAPP_SANDBOX_KEYWORD: 'join shadow-river' };
const HEADERS = ['content-type', 'location', 'cache-control', 'www-authenticate', 'retry-after'];
let runtime: RunningRuntime;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  logs = captureLogs();
  runtime = await startRuntime({ env: ENV });
});
afterAll(async () => {
  logs?.restore();
  await runtime?.stop();
});

const form = { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'hi', ProfileName: 'Ada' };
const signed = (path: string, params: FormParams) => ({
  'X-Twilio-Signature': signatureFor(AUTH_TOKEN, runtime.url + path, params),
});
const bearer = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const WRONG = `Bearer ${'w'.repeat(40)}`;
type Answer = Pick<HarnessAnswer, 'statusCode' | 'headers' | 'body'>;

/** The request over real HTTP, answered by the runtime, read into the harness's shape. */
async function overHttp(path: string, request: HarnessRequest): Promise<Answer> {
  const query = request.query ? `?${new URLSearchParams(request.query)}` : '';
  const headers: Record<string, string> = { ...request.headers };
  let body: string | undefined;
  if (request.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = formBody(request.form);
  } else if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.json);
  }
  const method = body === undefined ? 'GET' : 'POST';
  const res = await fetch(runtime.url + path + query, { method, headers, body, redirect: 'manual' });
  const picked: Record<string, string> = {};
  for (const name of HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return { statusCode: res.status, headers: picked, body: await res.text() };
}

const pick = (answer: HarnessAnswer): Answer => ({
  statusCode: answer.statusCode,
  headers: Object.fromEntries(HEADERS.flatMap((h) => (h in answer.headers ? [[h, answer.headers[h]!]] : []))),
  body: answer.body,
});

const CASES: [string, string, () => HarnessRequest][] = [
  ['the join redirect', '/sandbox/join', () => ({})],
  ['the join JSON', '/sandbox/join', () => ({ query: { format: 'json' } })],
  ['a bad join format', '/sandbox/join', () => ({ query: { format: 'xml' } })],
  ['an admin call without a token', '/admin/list-senders', () => ({})],
  ['an admin call with a wrong token', '/admin/list-senders', () => ({ headers: { Authorization: WRONG } })],
  [
    'an admin dry run',
    '/admin/register-sender',
    () => ({ json: { sender_id: '+14155550100', profile: { name: 'Acme' }, dry_run: true }, headers: bearer }),
  ],
  ['an invalid admin body', '/admin/register-sender', () => ({ json: { sender_id: 5 }, headers: bearer })],
  ['a signed inbound message', '/whatsapp/incoming', () => ({ form, headers: signed('/whatsapp/incoming', form) })],
  ['an unsigned inbound message', '/whatsapp/incoming', () => ({ form })],
  [
    'a malformed inbound message',
    '/whatsapp/incoming',
    () => ({ form: { ...form, To: 'x' }, headers: signed('/whatsapp/incoming', { ...form, To: 'x' }) }),
  ],
  ['a repeated field', '/whatsapp/incoming', () => {
    const params = { ...form, Body: ['menu', 'hi', 'menu'] };
    return { form: params, headers: signed('/whatsapp/incoming', params) };
  }],
  ['a field named request', '/whatsapp/incoming', () => {
    const params = { ...form, request: 'x' };
    return { form: params, headers: signed('/whatsapp/incoming', params) };
  }],
  ['a status callback', '/whatsapp/status', () => {
    const params = { MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'sent' };
    return { form: params, headers: signed('/whatsapp/status', params) };
  }],
];

describe.each(['dist', 'source'] as const)('the harness loading %s', (from) => {
  it.each(CASES)('answers %s as the runtime does', async (_name, path, request) => {
    const harness = functionHarness({ env: ENV, url: runtime.url, from });
    const [inProcess, real] = await Promise.all([harness.call(path, request()), overHttp(path, request())]);
    expect(pick(inProcess)).toEqual(real);
  });
});
