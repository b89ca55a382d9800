/**
 * Hostile requests on every route, through the real local runtime: parameters named `request` (which the
 * runtime spreads over its own `event.request`) in the query and the body, as a string, an object, an array,
 * nested; object- and array-shaped X-Twilio-Signature and Authorization; the same header sent twice.
 * Whatever comes in: never a 5xx, never a 2xx on an admin route without the token in the Authorization header
 * (and no Twilio call made), never a 2xx on a webhook without a valid signature.
 *
 * One limit, by construction: a `request` that copies the runtime's exact shape (`headers` of strings,
 * `cookies` consistent with them) cannot be told apart from the runtime's inside `event`. Such a request is
 * judged on the headers its sender wrote, so it still needs the real token or signature (pinned below).
 */
import { request as httpRequest } from 'node:http';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ROOT } from '../../dev/paths';
import { ADMIN_TOKEN, AUTH_TOKEN, PARENT_SID } from '../support/admin';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { signatureFor } from '../support/twilio-request';

/** Every built function's path (so routes added later are covered too), e.g. /admin/list-senders. */
function routePaths(dir = join(ROOT, 'dist/functions')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return routePaths(full);
    if (!name.endsWith('.js')) return [];
    return [
      `/${relative(join(ROOT, 'dist/functions'), full)
        .replace(/\.js$/, '')
        .replace(/\.protected$/, '')}`,
    ];
  });
}
const ROUTES = routePaths();
const isAdmin = (path: string) => path.startsWith('/admin/');
const isWebhook = (path: string) => path.startsWith('/whatsapp/');

const BEARER = `Bearer ${ADMIN_TOKEN}`;
const q = encodeURIComponent;

/** Query strings as the runtime's parser (qs) reads them: brackets nest, `[]` makes arrays. */
const HOSTILE_QUERIES: Record<string, string> = {
  'request as a string (the token)': `request=${q(BEARER)}`,
  'request as an array': 'request[]=a&request[]=b',
  'request.headers.authorization (the token in the URL)': `request[headers][authorization]=${q(BEARER)}`,
  'the token in the URL, with made-up cookies': `request[headers][authorization]=${q(BEARER)}&request[cookies][a]=b`,
  'the token in the URL, with cookies and headers as the runtime would write them': `request[headers][authorization]=${q(BEARER)}&request[headers][host]=x&request[cookies][sid]=1`,
  'authorization as an object': 'request[headers][authorization][scheme]=Bearer&request[cookies][__proto__]=1',
  'authorization as an array': `request[headers][authorization][]=${q(BEARER)}&request[headers][authorization][]=${q(BEARER)}`,
  'x-twilio-signature as an object': 'request[headers][x-twilio-signature][a]=b&request[cookies][__proto__]=1',
  'x-twilio-signature as an array': 'request[headers][x-twilio-signature][]=a&request[headers][x-twilio-signature][]=b',
  'headers as a string': 'request[headers]=x&request[cookies][__proto__]=1',
  'nested five deep': 'request[a][b][c][d][e]=f',
  'request with extra keys': `request[headers][authorization]=${q(BEARER)}&request[cookies][__proto__]=1&request[url]=/`,
};

/** JSON bodies: `request` as any JSON value. */
const HOSTILE_BODIES: Record<string, unknown> = {
  'request: a string (the token)': { request: BEARER },
  'request: a number': { request: 5 },
  'request: null': { request: null },
  'request: an array': { request: [BEARER, { headers: { authorization: BEARER } }] },
  'request.headers.authorization (the token in the body)': { request: { headers: { authorization: BEARER } } },
  'the token in the body, with cookies but no Cookie header': {
    request: { headers: { authorization: BEARER }, cookies: { a: 'b' } },
  },
  'authorization as an object': { request: { headers: { authorization: { toString: BEARER } }, cookies: {} } },
  'authorization as a one-value array': { request: { headers: { authorization: [BEARER] }, cookies: {} } },
  'authorization as a number': { request: { headers: { authorization: 42 }, cookies: {} } },
  'x-twilio-signature as an object': { request: { headers: { 'x-twilio-signature': { a: 1 } }, cookies: {} } },
  'x-twilio-signature as an array of arrays': {
    request: { headers: { 'x-twilio-signature': [['a'], ['b']] }, cookies: {} },
  },
  'headers as an array': { request: { headers: [BEARER], cookies: {} } },
  'request with an extra key': { request: { headers: { authorization: BEARER }, cookies: {}, url: '/' } },
  'nested deep': { request: { headers: { authorization: { a: { b: { c: { d: BEARER } } } } }, cookies: {} } },
};

type Answer = { status: number; body: string };

/** A raw HTTP request: node:http sends a header given as an array once per value (fetch would join them). */
function send(url: string, method: string, headers: Record<string, string | string[]>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let emulator: Emulator;
let runtime: RunningRuntime;
const answers: { route: string; attack: string; status: number; body: string }[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  runtime = await startRuntime({
    env: {
      ADMIN_TOKEN,
      ACCOUNT_SID: PARENT_SID,
      AUTH_TOKEN,
      TWILIO_API_BASE_URL: emulator.url,
      SYNC_SERVICE_SID: 'IS' + '0'.repeat(32),
      WHATSAPP_SANDBOX_KEYWORD: 'hostile-test',
    },
  });
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

/** What every hostile answer must be, by route family. */
function expectRefused(route: string, attack: string, answer: Answer): void {
  answers.push({ route, attack, ...answer });
  const seen = `${route} (${attack}) -> ${answer.status} ${answer.body.slice(0, 200)}`;
  expect({ seen, server: answer.status >= 500 }).toEqual({ seen, server: false });
  if (isAdmin(route)) expect({ seen, status: [400, 401].includes(answer.status) }).toEqual({ seen, status: true });
  if (isWebhook(route)) expect({ seen, status: answer.status }).toEqual({ seen, status: 403 });
}

it('serves the routes this suite attacks', () => {
  expect(ROUTES).toEqual(
    expect.arrayContaining([
      '/admin/register-sender',
      '/admin/list-senders',
      '/whatsapp/incoming',
      '/whatsapp/status',
      '/whatsapp/fallback',
      '/sandbox/join',
    ]),
  );
});

describe.each(ROUTES)('%s', (route) => {
  it.each(Object.entries(HOSTILE_QUERIES))('GET and POST with a query: %s', async (attack, query) => {
    expectRefused(route, `GET ?${attack}`, await send(`${runtime.url}${route}?${query}`, 'GET', {}));
    const json = JSON.stringify({ sender_id: '+14155550100', profile: { name: 'Acme' } });
    expectRefused(
      route,
      `POST ?${attack}`,
      await send(`${runtime.url}${route}?${query}`, 'POST', { 'Content-Type': 'application/json' }, json),
    );
  });

  it.each(Object.entries(HOSTILE_BODIES))('POST a JSON body: %s', async (attack, body) => {
    expectRefused(
      route,
      attack,
      await send(runtime.url + route, 'POST', { 'Content-Type': 'application/json' }, JSON.stringify(body)),
    );
  });

  it('POST a form body with a `request` field, twice, and with bracketed names', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expectRefused(route, 'form request=', await send(runtime.url + route, 'POST', form, `request=${q(BEARER)}`));
    expectRefused(route, 'form request twice', await send(runtime.url + route, 'POST', form, 'request=a&request=b'));
    expectRefused(
      route,
      'form bracketed',
      await send(runtime.url + route, 'POST', form, `request%5Bheaders%5D%5Bauthorization%5D=${q(BEARER)}`),
    );
  });

  it('the Authorization and X-Twilio-Signature headers sent twice (the runtime makes them arrays)', async () => {
    const headers = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: [BEARER, BEARER],
      'X-Twilio-Signature': ['a', 'b'],
    };
    expectRefused(route, 'repeated headers', await send(runtime.url + route, 'POST', headers, 'Body=hi'));
  });
});

describe('what still gets through', () => {
  it('the header token, with no `request` parameter, on an admin route', async () => {
    const res = await send(`${runtime.url}/admin/list-senders`, 'GET', { Authorization: BEARER });
    expect(res.status).toBe(200);
  });

  it('a webhook Twilio signed, but not one that carries a `request` field even when signed', async () => {
    const url = `${runtime.url}/whatsapp/status`;
    const fields = { MessageSid: 'SM' + 'a'.repeat(32), MessageStatus: 'delivered' };
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const signed = await send(
      url,
      'POST',
      { ...form, 'X-Twilio-Signature': signatureFor(AUTH_TOKEN, url, fields) },
      new URLSearchParams(fields).toString(),
    );
    expect(signed.status).toBe(204);
    const withRequest = { ...fields, request: 'x' };
    const refused = await send(
      url,
      'POST',
      { ...form, 'X-Twilio-Signature': signatureFor(AUTH_TOKEN, url, withRequest) },
      new URLSearchParams(withRequest).toString(),
    );
    expect(refused).toEqual({ status: 403, body: 'Forbidden: a parameter named "request" is not accepted.' });
  });

  it('an exact copy of the runtime’s shape is judged on the headers it carries: a wrong token is a 401', async () => {
    const copy = { request: { headers: { authorization: `Bearer ${'z'.repeat(40)}`, host: 'x' }, cookies: {} } };
    const res = await send(
      `${runtime.url}/admin/list-senders`,
      'POST',
      { 'Content-Type': 'application/json' },
      JSON.stringify(copy),
    );
    expect(res.status).toBe(401);
  });

  it('a `request` parameter on an admin route is named in a 400, and the token is in no answer', async () => {
    const res = await send(`${runtime.url}/admin/list-senders?request[headers][authorization]=${q(BEARER)}`, 'GET', {
      Authorization: BEARER,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.problems).toEqual([{ path: 'request', message: 'not an accepted parameter' }]);
    for (const a of answers) expect(a.body).not.toContain(ADMIN_TOKEN);
  });

  it('no hostile request reached Twilio: the one call made is the header-token list above', () => {
    expect(answers.length).toBeGreaterThan(ROUTES.length * 20);
    expect(emulator.state.requests.map((r) => `${r.method} ${r.route}`)).toEqual(['GET senders.list']);
  });
});
