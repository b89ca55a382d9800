/**
 * POST /admin/update-sender {sid, configuration?, webhook?, profile?} (Bearer ADMIN_TOKEN): changes a sender.
 * Answers the sender as Twilio returns it, the next step, and display-name warnings when the name changes.
 */
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/handler';
import { displayNameWarnings, nextStepFor, updateSender, updateSenderRequestSchema } from '../../lib/senders';

export const handler = adminRoute('update-sender', async ({ request, senders, log }) => {
  const input = updateSenderRequestSchema.parse(request.params);
  const warnings = input.body.profile?.name ? displayNameWarnings(input.body.profile.name) : [];
  const sender = await updateSender(await senders(input.accountSid), input.sid, input.body);
  log({ sid: input.sid, senderStatus: sender.status, fields: Object.keys(input.body) });
  return json({ sender, next_step: nextStepFor(sender, input.accountSid), warnings });
});
