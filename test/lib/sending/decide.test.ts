/** decideSend: the rules WhatsApp applies, in their order, on records as the store keeps them. */
import { emptyRecord, type ContactRecord } from '../../../lib/conversation/record';
import { decideSend, type Outgoing } from '../../../lib/sending/decide';

const BOT = 'whatsapp:+14155238886';
const OTHER = 'whatsapp:+15017122661';
const NOW = new Date('2026-12-01T12:00:00Z');
const key = { accountSid: 'AC' + '1'.repeat(32), address: 'whatsapp:+15005550006' };

function record(consent: ContactRecord['consent']['status'], lastInboundHoursAgo?: number): ContactRecord {
  const r = emptyRecord(key);
  const sessions: ContactRecord['sessions'] =
    lastInboundHoursAgo === undefined
      ? {}
      : { [BOT]: { last_inbound_at: new Date(NOW.getTime() - lastInboundHoursAgo * 3_600_000).toISOString() } };
  return { ...r, consent: { status: consent }, sessions };
}
const session: Outgoing = { kind: 'session' };
const approved: Outgoing = { kind: 'template', name: 'order_update', approval: 'approved' };
const pending: Outgoing = { kind: 'template', name: 'order_update', approval: 'pending' };

const outcome = (r: ContactRecord | undefined, o: Outgoing, from = BOT) => {
  const d = decideSend(r, from, o, NOW);
  return d.ok ? d.kind : `${d.refusal.status} ${d.refusal.code} ${d.refusal.reason}`;
};

it.each([
  // consent, hours since the user last wrote (undefined: never), what is sent, expected
  ['opted_out', 1, session, '403 21610 opted-out'],
  ['opted_out', undefined, approved, '403 21610 opted-out'],
  ['unknown', 1, session, 'session'],
  ['unknown', 23.9, pending, 'template'],
  ['unknown', 24, session, '409 63016 window-closed'],
  ['opted_in', 30, session, '409 63016 window-closed'],
  ['opted_in', 30, pending, '409 63016 template-not-approved'],
  ['unknown', 30, approved, '409 null no-consent'],
  ['unknown', undefined, approved, '409 null no-consent'],
  ['opted_in', undefined, approved, 'template'],
] as const)('consent %s, wrote %s h ago, %j -> %s', (consent, hours, outgoing, expected) => {
  expect(outcome(record(consent, hours), outgoing)).toBe(expected);
});

it('a user never seen is outside every window and has no opt-in', () => {
  expect(outcome(undefined, session)).toBe('409 63016 window-closed');
  expect(outcome(undefined, approved)).toBe('409 null no-consent');
});

it('the window is per bot number: writing to the sandbox opens nothing for another sender', () => {
  expect(outcome(record('unknown', 1), session, OTHER)).toBe('409 63016 window-closed');
});
