/** functions/whatsapp/fallback.protected.ts in process, signed like Twilio: logged with a hint, a TwiML apology. */
import { captureLogs, functionHarness, type FunctionHarness } from '../../support/harness';
import { parseTwiml } from '../../support/twiml';

const AUTH_TOKEN = 'callbacks-test-token-0123456789abcdef';
let harness: FunctionHarness;
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  logs = captureLogs();
  harness = functionHarness({ env: { ACCOUNT_SID: 'AC' + 'a'.repeat(32), AUTH_TOKEN } });
});
afterAll(() => logs?.restore());

const sid = (n: number) => 'SM' + n.toString(16).padStart(32, '0');

describe('POST /whatsapp/fallback', () => {
  it('logs the error code and URL with a hint, and answers a TwiML apology', async () => {
    const res = await harness.webhook(
      '/whatsapp/fallback',
      { ErrorCode: '11200', ErrorUrl: 'https://example.twil.io/whatsapp/incoming', MessageSid: sid(4), From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'hi' },
      { authToken: AUTH_TOKEN },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    const messages = parseTwiml(res.body);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toMatch(/Sorry, something went wrong/);
    const line = logs.jsonLog((l) => l.event === 'webhook.fallback' && l.messageSid === sid(4));
    expect(line).toMatchObject({ level: 'error', errorCode: 11200, errorUrl: 'https://example.twil.io/whatsapp/incoming' });
    expect(String(line?.hint)).toMatch(/could not fetch/);
  });

  it('answers 400 for a malformed ErrorCode and 403 without a valid signature', async () => {
    expect((await harness.webhook('/whatsapp/fallback', { ErrorCode: 'abc' }, { authToken: AUTH_TOKEN })).statusCode).toBe(400);
    expect((await harness.webhook('/whatsapp/fallback', { ErrorCode: '11200' }, { authToken: AUTH_TOKEN, signature: 'x' })).statusCode).toBe(403);
  });
});
