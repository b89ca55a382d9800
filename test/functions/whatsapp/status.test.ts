/**
 * functions/whatsapp/status.protected.ts in process, signed like Twilio: one JSON log line per callback (with a
 * hint for known error codes, never a secret or a full number), 400s naming the field, 403s that log nothing, and a
 * misconfigured PUBLIC_BASE_URL answered 503. (204 over real HTTP, and through a tunnel: test/server/webhooks.test.ts.)
 */
import { captureLogs, functionHarness, type FunctionHarness } from '../../support/harness';

const AUTH_TOKEN = 'callbacks-test-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
let harness: FunctionHarness;
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  logs = captureLogs();
  harness = functionHarness({ env: { ACCOUNT_SID, AUTH_TOKEN } });
});
afterAll(() => logs?.restore());

const sid = (n: number) => 'SM' + n.toString(16).padStart(32, '0');

describe('POST /whatsapp/status', () => {
  it.each([
    ['63015', /join/],
    ['63016', /24-hour/],
  ])('logs one JSON line with a hint for %s and answers 204', async (code, hint) => {
    const MessageSid = sid(Number(code));
    const res = await harness.webhook('/whatsapp/status', { MessageSid, MessageStatus: 'failed', ErrorCode: code, To: 'whatsapp:+14155550123' }, { authToken: AUTH_TOKEN });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const lines = logs.jsonLogs().filter((l) => l.messageSid === MessageSid);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: 'message.status', level: 'warn', status: 'failed', errorCode: Number(code), to: 'whatsapp:+…0123' });
    expect(String(lines[0]!.hint)).toMatch(hint);
  });

  it('logs a delivered status without an error, and never the auth token or the full number', async () => {
    const MessageSid = sid(1);
    const res = await harness.webhook('/whatsapp/status', { MessageSid, MessageStatus: 'delivered', To: 'whatsapp:+14155550123', AccountSid: ACCOUNT_SID }, { authToken: AUTH_TOKEN });
    expect(res.statusCode).toBe(204);
    const line = logs.jsonLog((l) => l.messageSid === MessageSid);
    expect(line).toMatchObject({ level: 'info', status: 'delivered' });
    expect(line).not.toHaveProperty('errorCode');
    expect(logs.lines.join('\n')).not.toContain(AUTH_TOKEN);
    expect(logs.lines.join('\n')).not.toContain('14155550123');
  });

  it.each([
    [{ MessageSid: 'nope', MessageStatus: 'sent' }, /MessageSid/],
    [{ MessageSid: sid(2), MessageStatus: 'exploded' }, /MessageStatus/],
    [{ MessageStatus: 'sent' }, /MessageSid/],
  ])('answers 400 naming the field for %j', async (params, field) => {
    const res = await harness.webhook('/whatsapp/status', params, { authToken: AUTH_TOKEN });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(field);
  });

  it('refuses a forged or missing signature with 403, and logs nothing for it', async () => {
    const params = { MessageSid: sid(3), MessageStatus: 'sent' };
    expect((await harness.webhook('/whatsapp/status', params, { authToken: 'another-token' })).statusCode).toBe(403);
    expect((await harness.webhook('/whatsapp/status', params, { authToken: AUTH_TOKEN, signature: null })).statusCode).toBe(403);
    // A later valid callback is logged, so the refused ones would have been too.
    await harness.webhook('/whatsapp/status', { MessageSid: sid(7), MessageStatus: 'sent' }, { authToken: AUTH_TOKEN });
    logs.jsonLog((l) => l.messageSid === sid(7));
    expect(logs.jsonLogs().some((l) => l.messageSid === sid(3))).toBe(false);
  });
});

describe('misconfiguration', () => {
  it('answers 503 naming the variable (not 400, not 500) when PUBLIC_BASE_URL is not a URL, and logs it', async () => {
    const misconfigured = functionHarness({ env: { ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL: 'my-tunnel.example' } });
    const res = await misconfigured.webhook('/whatsapp/status', { MessageSid: sid(6), MessageStatus: 'sent' }, { authToken: AUTH_TOKEN });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/PUBLIC_BASE_URL must be an http:\/\/ or https:\/\/ URL/);
    expect(res.body).not.toContain('my-tunnel.example');
    expect(logs.jsonLog((l) => l.event === 'config.invalid')).toMatchObject({ level: 'error' });
  });
});
