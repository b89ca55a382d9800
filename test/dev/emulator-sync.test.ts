/**
 * The emulator's Sync as the contract describes it, driven over HTTP the way twilio-node sends requests:
 * form-encoded Data, UniqueName, Ttl, revisions with If-Match, TTL expiry, the per-object rate limit, paging.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { advanceClock } from '../support/emulator-control';

const ACCOUNT = 'AC' + '7'.repeat(32);
const auth = `Basic ${Buffer.from(`${ACCOUNT}:token`).toString('base64')}`;
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

async function sync(
  method: string,
  path: string,
  form?: Record<string, string>,
  headers: Record<string, string> = {},
  target = emulator,
) {
  const res = await fetch(`${target.url}/v1/Services/default${path}`, {
    method,
    headers: {
      Authorization: auth,
      ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    body: text ? (JSON.parse(text) as Record<string, any>) : {},
  };
}

describe('emulator Sync Documents', () => {
  it('creates from form-encoded Data, answers the document with its revision, fetches by unique name', async () => {
    const created = await sync('POST', '/Documents', { UniqueName: 'doc-a', Data: JSON.stringify({ n: 1 }), Ttl: '0' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      unique_name: 'doc-a',
      data: { n: 1 },
      revision: '0',
      date_expires: null,
      created_by: 'system',
    });
    expect(created.body.sid).toMatch(/^ET[0-9a-f]{32}$/);
    expect(created.body.service_sid).toMatch(/^IS[0-9a-f]{32}$/);
    const fetched = await sync('GET', '/Documents/doc-a');
    expect(fetched.body.data).toEqual({ n: 1 });
    expect(fetched.etag).toBe('0');
    expect((await sync('POST', '/Documents', { UniqueName: 'doc-a', Data: '{}' })).body.code).toBe(54301);
  });

  it('updates only with the current revision: a stale If-Match answers 412 with 54103', async () => {
    await sync('POST', '/Documents', { UniqueName: 'doc-b', Data: '{"v":1}' });
    const ok = await sync('POST', '/Documents/doc-b', { Data: '{"v":2}' }, { 'If-Match': '0' });
    expect(ok.status).toBe(200);
    expect(ok.body.revision).toBe('1');
    const stale = await sync('POST', '/Documents/doc-b', { Data: '{"v":3}' }, { 'If-Match': '0' });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe(54103);
    expect((await sync('GET', '/Documents/doc-b')).body.data).toEqual({ v: 2 });
  });

  // Unknown parameters, a non-integer Ttl, Data that is not a JSON object or over 16 KiB, JSON bodies.
  it('refuses what the contract does not describe', async () => {
    expect((await sync('POST', '/Documents', { UniqueName: 'x1', Data: '{}', Colour: 'red' })).body.message).toMatch(
      /Unknown parameter 'Colour'/,
    );
    expect((await sync('POST', '/Documents', { UniqueName: 'x2', Data: '{}', Ttl: 'soon' })).status).toBe(400);
    expect((await sync('POST', '/Documents', { UniqueName: 'x3', Data: 'not json' })).body.code).toBe(54008);
    expect((await sync('POST', '/Documents', { UniqueName: 'x4', Data: '[1,2]' })).body.code).toBe(54008);
    const big = await sync('POST', '/Documents', {
      UniqueName: 'x5',
      Data: JSON.stringify({ s: 'x'.repeat(16 * 1024) }),
    });
    expect(big.status).toBe(413);
    const json = await fetch(`${emulator.url}/v1/Services/default/Documents`, {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: '{"Data":"{}"}',
    });
    expect(json.status).toBe(400);
    expect((await sync('GET', '/Documents?PageSize=101')).status).toBe(400);
  });

  it('expires a document when its TTL has passed, computed when read; Ttl 0 never expires', async () => {
    await sync('POST', '/Documents', { UniqueName: 'ttl-short', Data: '{}', Ttl: '60' });
    await sync('POST', '/Documents', { UniqueName: 'ttl-none', Data: '{}', Ttl: '0' });
    expect((await sync('GET', '/Documents/ttl-short')).body.date_expires).toMatch(/Z$/);
    await advanceClock(emulator, '61s');
    expect((await sync('GET', '/Documents/ttl-short')).status).toBe(404);
    expect((await sync('GET', '/Documents/ttl-none')).status).toBe(200);
  });

  it('rate-limits one object past its rate over the burst window (429, 54009), not other objects', async () => {
    // 2 reads/s over a 1 s window here, so the test needs only a few requests; the default is 20/s over 10 s.
    const limited = await startEmulator({ syncRateLimit: { perSecond: 2, windowMs: 1000 } });
    try {
      await sync('POST', '/Documents', { UniqueName: 'hot', Data: '{}' }, {}, limited);
      await sync('POST', '/Documents', { UniqueName: 'cold', Data: '{}' }, {}, limited);
      const reads = [];
      for (let i = 0; i < 4; i++) reads.push(await sync('GET', '/Documents/hot', undefined, {}, limited));
      expect(reads.map((r) => r.status)).toEqual([200, 200, 429, 429]);
      expect(reads[2]!.body.code).toBe(54009);
      expect((await sync('GET', '/Documents/cold', undefined, {}, limited)).status).toBe(200);
      const stats = (await (await fetch(`${limited.url}/__emulator/sync/stats`)).json()) as {
        objects: { rejected: number; peak_reads_per_second: number }[];
      };
      expect(stats.objects.some((o) => o.rejected === 2 && o.peak_reads_per_second === 2)).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('limits by default at 20 operations/s over a 10 s window: the 201st read within it is refused', async () => {
    await sync('POST', '/Documents', { UniqueName: 'burst', Data: '{}' });
    const statuses = await Promise.all(
      Array.from({ length: 201 }, () => sync('GET', '/Documents/burst').then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it('pages the documents list with a PageToken taken from next_page_url', async () => {
    const names: string[] = [];
    let url: string | null = `${emulator.url}/v1/Services/default/Documents?PageSize=2`;
    while (url) {
      const res: Response = await fetch(url.replace('https://sync.twilio.com', emulator.url), {
        headers: { Authorization: auth },
      });
      const body = (await res.json()) as {
        documents: { unique_name: string }[];
        meta: { next_page_url: string | null };
      };
      names.push(...body.documents.map((d) => d.unique_name));
      url = body.meta.next_page_url;
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['doc-a', 'doc-b', 'ttl-none', 'burst']));
    expect(names).not.toContain('ttl-short');
  });

  it('keeps each account to its own services: its own default, no reading by SID', async () => {
    const mine = await sync('GET', '');
    const other = `Basic ${Buffer.from(`AC${'8'.repeat(32)}:token`).toString('base64')}`;
    const theirs = await fetch(`${emulator.url}/v1/Services/default`, { headers: { Authorization: other } });
    expect(((await theirs.json()) as { sid: string }).sid).not.toBe(mine.body.sid);
    const byMySid = await fetch(`${emulator.url}/v1/Services/${mine.body.sid}`, { headers: { Authorization: other } });
    expect(byMySid.status).toBe(404);
  });
});
