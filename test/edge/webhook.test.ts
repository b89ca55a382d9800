/**
 * edge/webhook.ts through the signed /whatsapp/* functions, in process: X-Twilio-Signature checked against the
 * function's own URL, refusals that send nothing, and bodies Twilio could not have signed.
 * (The same signatures over real HTTP, and through a tunnel's PUBLIC_BASE_URL: test/server/webhooks.test.ts.)
 */
import type { Emulator } from '../../dev/emulator/server';
import { functionHarness, startEmulatedSuite, type CapturedLogs, type FunctionHarness } from '../support/harness';
import { inboundMessage, signatureFor, type FormParams } from '../support/twilio-request';

const AUTH_TOKEN = 'incoming-test-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + '1'.repeat(32);

let emulator: Emulator;
let harness: FunctionHarness;
let logs: CapturedLogs;
let stop: () => Promise<void>;

beforeAll(async () => {
  const location = { BOT_LOCATION_LATITUDE: '37.7908', BOT_LOCATION_LONGITUDE: '-122.3931', BOT_LOCATION_NAME: 'HQ' };
  ({ emulator, harness, logs, stop } = await startEmulatedSuite({ ACCOUNT_SID, AUTH_TOKEN, ...location }));
});
afterAll(() => stop?.());

const inbound = (fields: FormParams) => inboundMessage(ACCOUNT_SID, fields);

describe('the signature', () => {
  it.each([
    ['a forged signature', { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
    ['no signature', { signature: null }],
    ['a signature for another URL', { signedUrl: 'https://example.com/whatsapp/incoming' }],
  ])('%s gets 403 and sends nothing', async (_name, options) => {
    const before = emulator.state.requests.length;
    const signing = { authToken: AUTH_TOKEN, ...options };
    const res = await harness.webhook('/whatsapp/incoming', inbound({ Body: 'location' }), signing);
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('<Response>');
    expect(emulator.state.requests.length).toBe(before);
  });

  it('a signature made with another auth token gets 403', async () => {
    const res = await harness.webhook('/whatsapp/incoming', inbound({ Body: 'hi' }), { authToken: 'not-the-token' });
    expect(res.statusCode).toBe(403);
  });

  it('logs why each refusal happened and which URLs were checked, naming no secret', async () => {
    const cases: [string, { signature?: string | null; authToken: string }, string][] = [
      ['/whatsapp/status', { authToken: AUTH_TOKEN, signature: null }, 'no X-Twilio-Signature header'],
      ['/whatsapp/fallback', { authToken: 'not-the-token' }, 'does not match this AUTH_TOKEN for any URL checked'],
    ];
    for (const [path, signing, reason] of cases) {
      const res = await harness.webhook(path, inbound({ MessageStatus: 'sent', ErrorCode: '11200' }), signing);
      expect(res.statusCode).toBe(403);
      const line = logs.jsonLog((l) => l.event === 'webhook.refused' && l.route === path && l.level === 'warn');
      expect(line).toMatchObject({
        reason: expect.stringContaining(reason),
        checked_urls: expect.arrayContaining([`${harness.url}${path}`]),
      });
      expect(JSON.stringify(line)).not.toContain(AUTH_TOKEN);
    }
  });

  it('is checked against http:// and https:// on a local domain, and https:// only elsewhere', async () => {
    const params = inbound({ Body: 'hi' });
    const signedFor = (origin: string) => ({
      'X-Twilio-Signature': signatureFor(AUTH_TOKEN, `${origin}/whatsapp/incoming`, params),
    });
    const send = (to: FunctionHarness, origin: string) =>
      to.call('/whatsapp/incoming', { form: params, headers: signedFor(origin) }).then((res) => res.statusCode);
    expect(await send(harness, 'https://127.0.0.1:3000')).toBe(200);
    const deployed = functionHarness({ env: { ACCOUNT_SID, AUTH_TOKEN }, url: 'https://example-1234.twil.io' });
    expect(await send(deployed, 'https://example-1234.twil.io')).toBe(200);
    expect(await send(deployed, 'http://example-1234.twil.io')).toBe(403);
  });
});

describe('what Twilio could not have signed', () => {
  it('refuses a JSON body with a nested value with 403, though its signature matches', async () => {
    const fields = inbound({ Body: 'hi' });
    // A nested value enters the HMAC as "[object Object]": the signature matches, only the shape refuses it.
    const url = `${harness.url}/whatsapp/incoming`;
    const signature = signatureFor(AUTH_TOKEN, url, { ...fields, Extra: '[object Object]' });
    const headers = { 'X-Twilio-Signature': signature };
    const flat = await harness.call('/whatsapp/incoming', { json: { ...fields, Extra: '[object Object]' }, headers });
    expect(flat.statusCode).toBe(200);
    const nested = await harness.call('/whatsapp/incoming', { json: { ...fields, Extra: { nested: 'x' } }, headers });
    expect(nested.statusCode).toBe(403);
  });

  it('refuses every webhook with 403 while AUTH_TOKEN is unset, and logs why (naming no secret)', async () => {
    const unsigned = functionHarness({ env: { ACCOUNT_SID } });
    for (const path of ['/whatsapp/incoming', '/whatsapp/status', '/whatsapp/fallback']) {
      const fields = inbound({ Body: 'hi', MessageStatus: 'sent', ErrorCode: '11200' });
      const res = await unsigned.webhook(path, fields, { authToken: '', signature: 'x' });
      expect(res.statusCode).toBe(403);
      expect(res.body).toBe('Forbidden: missing or invalid X-Twilio-Signature.');
      // (other refusals in this file log a warn line with their reason; this one is the missing token's)
      const line = logs.jsonLog((l) => l.event === 'webhook.refused' && l.route === path && l.level === 'error');
      expect(line).toMatchObject({ level: 'error', reason: expect.stringContaining('AUTH_TOKEN is not configured') });
    }
  });
});
