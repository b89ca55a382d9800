/**
 * POST /admin/verify-sender {sid, code} (Bearer ADMIN_TOKEN): submits the one-time code the number received
 * (Twilio: an update with configuration.verification_code). Answers the sender (VERIFYING) and the next step.
 */
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/handler';
import { nextStepFor, verifySender, verifySenderRequestSchema } from '../../lib/senders';

export const handler = adminRoute('verify-sender', async ({ request, senders, log }) => {
  const input = verifySenderRequestSchema.parse(request.params);
  const sender = await verifySender(await senders(input.accountSid), input.sid, input.code);
  log({ sid: input.sid, senderStatus: sender.status });
  return json({ sender, next_step: nextStepFor(sender, input.accountSid) });
});
