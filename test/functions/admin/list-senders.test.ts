/** functions/admin/list-senders.ts in process, against the stateful emulator over HTTP: paging and its input. */
import { humaneRegistration, startAdminSuite } from '../../support/admin';

let suite: Awaited<ReturnType<typeof startAdminSuite>>;

beforeAll(async () => {
  suite = await startAdminSuite();
});
afterAll(() => suite?.stop());

it('pages through the senders with page_size and page_token', async () => {
  const { admin } = suite;
  for (const n of ['0130', '0131', '0132', '0133', '0134']) expect((await admin.post('/admin/register-sender', humaneRegistration(`+1 415 555 ${n}`))).statusCode).toBe(201);
  const all = (await admin.get('/admin/list-senders', { page_size: '1000' })).json.senders.map((s: { sid: string }) => s.sid);
  expect(all.length).toBeGreaterThanOrEqual(3);
  const seen: string[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const res = await admin.get('/admin/list-senders', { page_size: '2', ...(token ? { page_token: token } : {}) });
    expect(res.json.senders.length).toBeLessThanOrEqual(2);
    seen.push(...res.json.senders.map((s: { sid: string }) => s.sid));
    token = res.json.next_page_token;
    pages += 1;
  } while (token && pages < 50);
  expect(seen).toEqual(all);
  expect(pages).toBe(Math.ceil(all.length / 2));
  const bad = await admin.get('/admin/list-senders', { page_size: '0' });
  expect(bad.statusCode).toBe(400);
  expect(bad.json.error.problems[0].path).toBe('page_size');
});
