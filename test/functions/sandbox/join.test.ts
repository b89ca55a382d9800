/**
 * functions/sandbox/join.ts in process: the join link (302 or JSON), a bad format refused naming the field, and a
 * missing keyword answered 503 naming the variable. (The redirect and headers over real HTTP, and the page:
 * test/server/sandbox-join.test.ts.)
 */
import { captureLogs, functionHarness, type FunctionHarness } from '../../support/harness';

let configured: FunctionHarness;
let unconfigured: FunctionHarness;
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  logs = captureLogs();
  configured = functionHarness({ env: { WHATSAPP_SANDBOX_KEYWORD: 'join shadow-river' } });
  // The committed .env's placeholder counts as "not configured".
  unconfigured = functionHarness({ env: { WHATSAPP_SANDBOX_NUMBER: '+1 415 523 8886', WHATSAPP_SANDBOX_KEYWORD: 'your_sandbox_keyword' } });
});
afterAll(() => logs?.restore());

describe('GET /sandbox/join', () => {
  it('redirects (302) to the wa.me join link for the default sandbox number', async () => {
    const res = await configured.call('/sandbox/join');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://wa.me/14155238886?text=join%20shadow-river');
  });

  it('answers the parts as JSON with ?format=json, not cached', async () => {
    const res = await configured.call('/sandbox/join', { query: { format: 'json' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json).toEqual({
      number: '+14155238886',
      keyword: 'shadow-river',
      link: 'https://wa.me/14155238886?text=join%20shadow-river',
      app_link: 'whatsapp://send?phone=14155238886&text=join%20shadow-river',
    });
  });

  it('refuses another format with 400 naming the field and what is expected', async () => {
    const res = await configured.call('/sandbox/join', { query: { format: 'xml' } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.problems).toEqual([expect.objectContaining({ path: 'format', expected: '"json"' })]);
  });

  it.each<Record<string, string>>([{}, { format: 'json' }])('answers 503 naming WHATSAPP_SANDBOX_KEYWORD when no keyword is set (%j)', async (query) => {
    const res = await unconfigured.call('/sandbox/join', { query });
    expect(res.statusCode).toBe(503);
    expect(res.json.error.variable).toBe('WHATSAPP_SANDBOX_KEYWORD');
    expect(res.json.error.message).toContain('WHATSAPP_SANDBOX_KEYWORD');
    expect(logs.jsonLog((l) => l.event === 'sandbox.not_configured')).toMatchObject({ variable: 'WHATSAPP_SANDBOX_KEYWORD' });
  });
});
