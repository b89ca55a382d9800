import { startRuntime, type RunningRuntime } from '../support/runtime';
import { postWebhook } from '../support/twilio-request';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
let runtime: RunningRuntime;

beforeAll(async () => {
  runtime = await startRuntime({ env: { ACCOUNT_SID: 'AC' + 'a'.repeat(32), AUTH_TOKEN } });
});
afterAll(() => runtime.stop());

const SID = 'SM' + '0123456789abcdef'.repeat(2);

describe('POST /whatsapp/status', () => {
  it('logs one JSON line with a hint for 63015 and answers 204', async () => {
    const res = await postWebhook(runtime.url, '/whatsapp/status', { MessageSid: SID, MessageStatus: 'failed', ErrorCode: '63015', To: 'whatsapp:+14155550123' }, { authToken: AUTH_TOKEN });
    expect(res.status).toBe(204);
    const line = runtime.jsonLogs().find((l) => l.messageSid === SID);
    expect(line).toMatchObject({ event: 'message.status', status: 'failed', errorCode: 63015, to: 'whatsapp:+…0123' });
    expect(String(line?.hint)).toMatch(/join/);
    expect(runtime.logs.join('\n')).not.toContain(AUTH_TOKEN);
  });

  it('refuses a forged signature with 403', async () => {
    const res = await postWebhook(runtime.url, '/whatsapp/status', { MessageSid: SID, MessageStatus: 'sent' }, { authToken: 'another-token' });
    expect(res.status).toBe(403);
  });
});
