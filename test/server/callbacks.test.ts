/** POST /whatsapp/status and /whatsapp/fallback through the real local runtime, signed like Twilio. */
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { parseTwiml } from '../support/twiml';
import { postWebhook } from '../support/twilio-request';

const AUTH_TOKEN = 'callbacks-test-token-0123456789abcdef';
const PUBLIC_BASE_URL = 'https://example-tunnel.ngrok.app';
let runtime: RunningRuntime;
let tunneled: RunningRuntime;
let misconfigured: RunningRuntime;

beforeAll(async () => {
  [runtime, tunneled, misconfigured] = await Promise.all([
    startRuntime({ env: { ACCOUNT_SID: 'AC' + 'a'.repeat(32), AUTH_TOKEN } }),
    startRuntime({ env: { ACCOUNT_SID: 'AC' + 'a'.repeat(32), AUTH_TOKEN, PUBLIC_BASE_URL } }),
    startRuntime({ env: { ACCOUNT_SID: 'AC' + 'a'.repeat(32), AUTH_TOKEN, PUBLIC_BASE_URL: 'my-tunnel.example' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([runtime?.stop(), tunneled?.stop(), misconfigured?.stop()]);
});

const sid = (n: number) => 'SM' + n.toString(16).padStart(32, '0');

describe('POST /whatsapp/status', () => {
  it.each([
    ['63015', /join/],
    ['63016', /24-hour/],
  ])('logs one JSON line with a hint for %s and answers 204', async (code, hint) => {
    const MessageSid = sid(Number(code));
    const res = await postWebhook(runtime.url, '/whatsapp/status', { MessageSid, MessageStatus: 'failed', ErrorCode: code, To: 'whatsapp:+14155550123' }, { authToken: AUTH_TOKEN });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    await runtime.waitForJsonLog((l) => l.messageSid === MessageSid);
    const lines = runtime.jsonLogs().filter((l) => l.messageSid === MessageSid);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'message.status', level: 'warn', status: 'failed', errorCode: Number(code), to: 'whatsapp:+…0123' });
    expect(String(lines[0]!.hint)).toMatch(hint);
  });

  it('logs a delivered status without an error, and never the auth token or the full number', async () => {
    const MessageSid = sid(1);
    const res = await postWebhook(runtime.url, '/whatsapp/status', { MessageSid, MessageStatus: 'delivered', To: 'whatsapp:+14155550123', AccountSid: 'AC' + 'a'.repeat(32) }, { authToken: AUTH_TOKEN });
    expect(res.status).toBe(204);
    const line = await runtime.waitForJsonLog((l) => l.messageSid === MessageSid);
    expect(line).toMatchObject({ level: 'info', status: 'delivered' });
    expect(line).not.toHaveProperty('errorCode');
    expect(runtime.logs.join('\n')).not.toContain(AUTH_TOKEN);
    expect(runtime.logs.join('\n')).not.toContain('14155550123');
  });

  it.each([
    [{ MessageSid: 'nope', MessageStatus: 'sent' }, /MessageSid/],
    [{ MessageSid: sid(2), MessageStatus: 'exploded' }, /MessageStatus/],
    [{ MessageStatus: 'sent' }, /MessageSid/],
  ])('answers 400 naming the field for %j', async (params, field) => {
    const res = await postWebhook(runtime.url, '/whatsapp/status', params, { authToken: AUTH_TOKEN });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(field);
  });

  it('refuses a forged or missing signature with 403', async () => {
    const params = { MessageSid: sid(3), MessageStatus: 'sent' };
    expect((await postWebhook(runtime.url, '/whatsapp/status', params, { authToken: 'another-token' })).status).toBe(403);
    expect((await postWebhook(runtime.url, '/whatsapp/status', params, { authToken: AUTH_TOKEN, signature: null })).status).toBe(403);
    // Logs arrive in order: once a later valid callback's line is there, a line for the refused ones would be too.
    await postWebhook(runtime.url, '/whatsapp/status', { MessageSid: sid(7), MessageStatus: 'sent' }, { authToken: AUTH_TOKEN });
    await runtime.waitForJsonLog((l) => l.messageSid === sid(7));
    expect(runtime.jsonLogs().some((l) => l.messageSid === sid(3))).toBe(false);
  });
});

describe('POST /whatsapp/fallback', () => {
  it('logs the error code and URL with a hint, and answers a TwiML apology', async () => {
    const res = await postWebhook(
      runtime.url,
      '/whatsapp/fallback',
      { ErrorCode: '11200', ErrorUrl: 'https://example.twil.io/whatsapp/incoming', MessageSid: sid(4), From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'hi' },
      { authToken: AUTH_TOKEN },
    );
    expect(res.status).toBe(200);
    const messages = parseTwiml(res.body);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toMatch(/Sorry, something went wrong/);
    const line = await runtime.waitForJsonLog((l) => l.event === 'webhook.fallback' && l.messageSid === sid(4));
    expect(line).toMatchObject({ level: 'error', errorCode: 11200, errorUrl: 'https://example.twil.io/whatsapp/incoming' });
    expect(String(line?.hint)).toMatch(/could not fetch/);
  });

  it('answers 400 for a malformed ErrorCode and 403 without a valid signature', async () => {
    expect((await postWebhook(runtime.url, '/whatsapp/fallback', { ErrorCode: 'abc' }, { authToken: AUTH_TOKEN })).status).toBe(400);
    expect((await postWebhook(runtime.url, '/whatsapp/fallback', { ErrorCode: '11200' }, { authToken: AUTH_TOKEN, signature: 'x' })).status).toBe(403);
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('checks signatures against PUBLIC_BASE_URL + path (a tunnel), not the local URL', async () => {
    const params = { MessageSid: sid(5), MessageStatus: 'sent' };
    const viaTunnel = await postWebhook(tunneled.url, '/whatsapp/status', params, { authToken: AUTH_TOKEN, signedUrl: `${PUBLIC_BASE_URL}/whatsapp/status` });
    expect(viaTunnel.status).toBe(204);
    const viaLocal = await postWebhook(tunneled.url, '/whatsapp/status', params, { authToken: AUTH_TOKEN });
    expect(viaLocal.status).toBe(403);
  });

  it('puts the sample media on PUBLIC_BASE_URL', async () => {
    const res = await postWebhook(
      tunneled.url,
      '/whatsapp/incoming',
      { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'media' },
      { authToken: AUTH_TOKEN, signedUrl: `${PUBLIC_BASE_URL}/whatsapp/incoming` },
    );
    expect(parseTwiml(res.body)[0]!.media).toEqual([`${PUBLIC_BASE_URL}/media/whatsapp-sample.png`]);
  });
});

describe('misconfiguration', () => {
  it('answers 503 naming the variable (not 400, not 500) when PUBLIC_BASE_URL is not a URL, and logs it', async () => {
    const res = await postWebhook(misconfigured.url, '/whatsapp/status', { MessageSid: sid(6), MessageStatus: 'sent' }, { authToken: AUTH_TOKEN });
    expect(res.status).toBe(503);
    expect(res.body).toMatch(/PUBLIC_BASE_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(res.body).not.toContain('my-tunnel.example');
    expect(await misconfigured.waitForJsonLog((l) => l.event === 'config.invalid')).toMatchObject({ level: 'error' });
  });
});
