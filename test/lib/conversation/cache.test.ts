/** lib/conversation/cache.ts: a bounded, least-recently-used set of contact copies, holding only writable ones. */
import { ContactCache } from '../../../lib/conversation/cache';
import { emptyRecord } from '../../../lib/conversation';
import type { ContactRead } from '../../../lib/conversation/sync';

const read = (n: number): ContactRead => ({
  record: emptyRecord({ accountSid: `AC${'1'.repeat(32)}`, address: `whatsapp:+1415555${String(n).padStart(4, '0')}` }),
  revision: String(n),
  sid: `ET${String(n).padStart(32, '0')}`,
});

describe('ContactCache', () => {
  it('keeps at most `max` copies, dropping the least recently used', () => {
    const cache = new ContactCache(3);
    for (const n of [1, 2, 3]) cache.set(`c${n}`, read(n));
    expect(cache.get('c1')?.revision).toBe('1'); // c1 is now the most recent
    cache.set('c4', read(4));
    expect(cache.size).toBe(3);
    expect(cache.get('c2')).toBeUndefined();
    expect([1, 3, 4].map((n) => cache.get(`c${n}`)?.revision)).toEqual(['1', '3', '4']);
  });

  it('a newer copy replaces the older one', () => {
    const cache = new ContactCache(3);
    cache.set('c1', read(1));
    cache.set('c1', read(7));
    expect(cache.size).toBe(1);
    expect(cache.get('c1')?.revision).toBe('7');
  });

  it('keeps nothing a conditional write could not be made against (no record, revision or SID), and forgets the old copy', () => {
    const cache = new ContactCache(3);
    cache.set('c1', read(1));
    cache.set('c1', { record: undefined, revision: undefined });
    expect(cache.get('c1')).toBeUndefined();
    cache.set('c2', { ...read(2), sid: undefined });
    cache.set('c3', { ...read(3), revision: undefined });
    expect(cache.size).toBe(0);
    cache.set('c4', read(4));
    cache.delete('c4');
    expect(cache.get('c4')).toBeUndefined();
  });
});
