/** lib/senders/admin-inputs.ts: the admin routes' inputs, built on the create body. */
import { registerSenderRequestSchema } from '../../../lib/senders';

describe('registerSenderRequestSchema', () => {
  it('register input: account_sid and dry_run are taken off the body', () => {
    const parsed = registerSenderRequestSchema.parse({ sender_id: '+14155550100', profile: { name: 'Acme' }, account_sid: 'AC' + 'f'.repeat(32), dry_run: 'true' });
    expect(parsed).toEqual({ body: { sender_id: 'whatsapp:+14155550100', profile: { name: 'Acme' } }, accountSid: 'AC' + 'f'.repeat(32), dryRun: true });
  });
});
