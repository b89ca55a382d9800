import { startRuntime, type RunningRuntime } from '../support/runtime';

let configured: RunningRuntime;
let unconfigured: RunningRuntime;

beforeAll(async () => {
  [configured, unconfigured] = await Promise.all([
    startRuntime({ env: { WHATSAPP_SANDBOX_KEYWORD: 'join shadow-river' } }),
    // The committed .env's placeholder counts as "not configured".
    startRuntime({ env: { WHATSAPP_SANDBOX_NUMBER: '+1 415 523 8886', WHATSAPP_SANDBOX_KEYWORD: 'your_sandbox_keyword' } }),
  ]);
});
afterAll(() => Promise.all([configured?.stop(), unconfigured?.stop()]));

describe('GET /sandbox/join', () => {
  it('redirects (302) to the wa.me join link for the default sandbox number', async () => {
    const res = await fetch(`${configured.url}/sandbox/join`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://wa.me/14155238886?text=join%20shadow-river');
  });

  it('answers the parts as JSON with ?format=json, not cached', async () => {
    const res = await fetch(`${configured.url}/sandbox/join?format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      number: '+14155238886',
      keyword: 'shadow-river',
      link: 'https://wa.me/14155238886?text=join%20shadow-river',
      app_link: 'whatsapp://send?phone=14155238886&text=join%20shadow-river',
    });
  });

  it('refuses another format with 400 naming the field and what is expected', async () => {
    const res = await fetch(`${configured.url}/sandbox/join?format=xml`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { problems: { path: string; expected?: string }[] } };
    expect(body.error.problems).toEqual([expect.objectContaining({ path: 'format', expected: '"json"' })]);
  });

  it.each(['/sandbox/join', '/sandbox/join?format=json'])('answers 503 naming WHATSAPP_SANDBOX_KEYWORD when no keyword is set (%s)', async (path) => {
    const res = await fetch(`${unconfigured.url}${path}`, { redirect: 'manual' });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { message: string; variable: string } };
    expect(body.error.variable).toBe('WHATSAPP_SANDBOX_KEYWORD');
    expect(body.error.message).toContain('WHATSAPP_SANDBOX_KEYWORD');
    expect(await unconfigured.waitForJsonLog((l) => l.event === 'sandbox.not_configured')).toMatchObject({ variable: 'WHATSAPP_SANDBOX_KEYWORD' });
  });
});

describe('the page', () => {
  it('is served at /index.html and at /, the same document', async () => {
    const [index, root] = await Promise.all([fetch(`${configured.url}/index.html`), fetch(`${configured.url}/`)]);
    expect(index.status).toBe(200);
    expect(root.status).toBe(200);
    const html = await index.text();
    expect(html).toMatch(/<title>[^<]*WhatsApp[^<]*<\/title>/);
    expect(await root.text()).toBe(html);
  });
});
