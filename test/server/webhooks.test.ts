/**
 * The /whatsapp/* webhooks on the real local runtime, over real HTTP, signed like Twilio: what only the runtime
 * shows (the URL it serves on as the signed URL, form bodies as its parser reads them, headers, the served media,
 * logs from its process) and a tunnel's PUBLIC_BASE_URL. The edge cases run in process: test/edge/webhook.test.ts
 * and test/functions/whatsapp/*.
 */
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { parseTwiml } from '../support/twiml';
import { WHATSAPP_BOT as BOT, WHATSAPP_USER as USER, postWebhook } from '../support/twilio-request';

const AUTH_TOKEN = 'callbacks-test-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
const PUBLIC_BASE_URL = 'https://example-tunnel.ngrok.app';
let runtime: RunningRuntime;
let tunneled: RunningRuntime;

beforeAll(async () => {
  [runtime, tunneled] = await Promise.all([
    startRuntime({ env: { ACCOUNT_SID, AUTH_TOKEN } }),
    startRuntime({ env: { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL } }),
  ]);
});
afterAll(async () => {
  await Promise.all([runtime?.stop(), tunneled?.stop()]);
});

const sid = (n: number) => 'SM' + n.toString(16).padStart(32, '0');
const signed = { authToken: AUTH_TOKEN };
const incoming = (fields: Record<string, string>, signing: Parameters<typeof postWebhook>[3] = signed) =>
  postWebhook(runtime.url, '/whatsapp/incoming', { From: USER, To: BOT, ...fields }, signing);

describe('POST /whatsapp/incoming', () => {
  it('answers a signed message with TwiML as text/xml', async () => {
    const res = await incoming({ Body: 'hi', ProfileName: 'Ada' });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/xml/);
    const messages = parseTwiml(res.body);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain('Hi Ada!');
  });

  it('media answers one <Media> with the bundled image on the function’s own domain, which is served', async () => {
    const res = await incoming({ Body: 'Media' });
    const messages = parseTwiml(res.body);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.media).toEqual([`${runtime.url}/media/whatsapp-sample.png`]);
    const image = await fetch(messages[0]!.media[0]!);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\/png/);
  });

  it.each([
    ['a forged signature', { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
    ['no signature', { signature: null }],
    ['a signature for another URL', { signedUrl: 'https://example.com/whatsapp/incoming' }],
    ['a signature made with another auth token', { authToken: 'not-the-token' }],
  ])('%s gets 403, without TwiML', async (_name, options) => {
    const res = await incoming({ Body: 'hi' }, { authToken: AUTH_TOKEN, ...options });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('<Response>');
  });

  it('answers a malformed field with a plain-text 400', async () => {
    const res = await incoming({ To: 'whatsapp:12345', Body: 'hi' });
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/To: must be "whatsapp:\+"/);
  });
});

describe('POST /whatsapp/status', () => {
  it('answers 204 with no body; its log line reaches the runtime logs without the token or full number', async () => {
    const MessageSid = sid(1);
    const params = { MessageSid, MessageStatus: 'delivered', To: 'whatsapp:+14155550123' };
    const res = await postWebhook(runtime.url, '/whatsapp/status', params, signed);
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    const line = await runtime.waitForJsonLog((l) => l.messageSid === MessageSid);
    expect(line).toMatchObject({ event: 'message.status', status: 'delivered' });
    expect(runtime.logs.join('\n')).not.toContain(AUTH_TOKEN);
    expect(runtime.logs.join('\n')).not.toContain('14155550123');
  });
});

describe('PUBLIC_BASE_URL', () => {
  it('checks signatures against PUBLIC_BASE_URL + path (a tunnel), not the local URL', async () => {
    const params = { MessageSid: sid(5), MessageStatus: 'sent' };
    const signedUrl = `${PUBLIC_BASE_URL}/whatsapp/status`;
    const viaTunnel = await postWebhook(tunneled.url, '/whatsapp/status', params, { authToken: AUTH_TOKEN, signedUrl });
    expect(viaTunnel.status).toBe(204);
    const viaLocal = await postWebhook(tunneled.url, '/whatsapp/status', params, { authToken: AUTH_TOKEN });
    expect(viaLocal.status).toBe(403);
  });

  it('puts the sample media on PUBLIC_BASE_URL', async () => {
    const res = await postWebhook(
      tunneled.url,
      '/whatsapp/incoming',
      { From: USER, To: BOT, Body: 'media' },
      { authToken: AUTH_TOKEN, signedUrl: `${PUBLIC_BASE_URL}/whatsapp/incoming` },
    );
    expect(parseTwiml(res.body)[0]!.media).toEqual([`${PUBLIC_BASE_URL}/media/whatsapp-sample.png`]);
  });
});
