/**
 * POST /admin/register-sender (Bearer ADMIN_TOKEN): registers a WhatsApp sender, once. Answers 201 with the
 * sender as Twilio returns it, or 200 with the account's existing sender for that sender_id; with the next step
 * and display-name warnings. `dry_run: true` answers the exact Senders API body without sending it.
 */
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/reply';
import { displayNameWarnings, nextStepFor, registerSender, registerSenderRequestSchema } from '../../lib/senders';
import { maskAddress } from '../../lib/redact';

export const handler = adminRoute('register-sender', async ({ request, twilio, log }) => {
  const input = registerSenderRequestSchema.parse(request.params);
  const warnings = displayNameWarnings(input.body.profile.name);
  log({ senderId: maskAddress(input.body.sender_id), dryRun: input.dryRun, warnings: warnings.map((w) => w.code) });
  if (input.dryRun)
    return json({ dry_run: true, account_sid: input.accountSid ?? null, request: input.body, warnings });
  const { created, sender } = await registerSender(await twilio(input.accountSid), input.body);
  log({ sid: sender.sid, created, senderStatus: sender.status });
  return json({ created, sender, next_step: nextStepFor(sender, input.accountSid), warnings }, created ? 201 : 200);
});
