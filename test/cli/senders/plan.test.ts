/** The dry run's plan: one line per row from the journal, durations and counts in words. */
import { describePlan, formatDuration, rowActions } from '../../../cli/senders/plan';
import type { JournalRecord } from '../../../cli/senders/journal';

const PARENT = 'AC' + 'a'.repeat(32);
const SUB = 'AC' + 'b'.repeat(32);
const row = (line: number, account: string) => ({
  line,
  account,
  senderId: `whatsapp:+1415555010${line}`,
  key: `${account}|${line}`,
  body: {},
});

describe('formatDuration', () => {
  it.each([
    [300_000, '5 min'],
    [90_000, '1.5 min'],
    [20_000, '20 s'],
    [250, '250 ms'],
    [7_200_000, '2 h'],
    [0, '0 ms'],
  ])('%d ms reads "%s"', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('describePlan', () => {
  it('shows each row, says there is no journal yet, and words the pacing (5 min, 1 account)', () => {
    const text = describePlan([row(2, PARENT), row(3, PARENT)], undefined, {
      intervalMs: 300_000,
      concurrency: 1,
      journalPath: 'journals/x.journal.jsonl',
    });
    expect(text).toContain('dry run: 2 valid senders in 1 account; nothing sent');
    expect(text).toContain('no journal yet (a real run writes journals/x.journal.jsonl)');
    expect(text).toMatch(/^2 +whatsapp:\+14155550102 +ACa{32} +create$/m);
    expect(text).toMatch(/^3 +whatsapp:\+14155550103 +ACa{32} +create$/m);
    expect(text).toContain(
      'pacing: 5 min between creates in one account, 1 account at a time; ' +
        'the busiest account has 2 to create: at least 5 min.',
    );
    expect(text).not.toMatch(/\d{4,} ms|1 accounts/);
  });

  it("reads each row's action from the journal and names it", () => {
    const rows = [row(2, PARENT), row(3, SUB), row(4, SUB), row(5, PARENT)];
    const records = [
      { type: 'final', key: rows[0]!.key, outcome: 'online' },
      { type: 'intent', key: rows[1]!.key },
      { type: 'intent', key: rows[2]!.key },
      { type: 'created', key: rows[2]!.key },
    ] as unknown as JournalRecord[];
    expect(rowActions(rows, records)).toEqual(['skip', 'lookup', 'poll', 'create']);
    const text = describePlan(rows, records, { intervalMs: 1000, concurrency: 10, journalPath: 'j.jsonl' });
    expect(text).toContain('plan from the journal j.jsonl:');
    expect(text).toMatch(/^2 .* skip \(ONLINE in the journal\)$/m);
    expect(text).toMatch(/^3 .* look up, then create if missing/m);
    expect(text).toMatch(/^4 .* poll \(created by an earlier run\)$/m);
    expect(text).toContain('would create 1, look up then create if missing 1, poll 1, skip 1.');
    expect(text).toContain('4 valid senders in 2 accounts');
  });
});
