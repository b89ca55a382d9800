/**
 * GET /sandbox/join and the page on the real local runtime, over real HTTP: the redirect and headers on the wire,
 * and the assets. A bad format and a missing keyword: test/functions/sandbox/join.test.ts (in process).
 */
import { startRuntime, type RunningRuntime } from '../support/runtime';

let configured: RunningRuntime;

beforeAll(async () => {
  configured = await startRuntime({ env: { WHATSAPP_SANDBOX_KEYWORD: 'join shadow-river' } });
});
afterAll(() => configured?.stop());

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
