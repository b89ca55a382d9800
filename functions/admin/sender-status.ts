/**
 * GET|POST /admin/sender-status?sid=XE...[&wait=true] (Bearer ADMIN_TOKEN): the sender as Twilio returns it and
 * the next step. With `wait`, polls while the status is CREATING or VERIFYING, within the request's time budget.
 */
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/reply';
import { fetchSender, nextStepFor, senderStatusRequestSchema, waitForSender } from '../../lib/senders';

export const handler = adminRoute('sender-status', async ({ request, twilio, log }) => {
  const input = senderStatusRequestSchema.parse(request.params);
  const call = await twilio(input.account_sid);
  const { sender, polls, settled } = input.wait
    ? await waitForSender(call, input.sid)
    : { sender: await fetchSender(call, input.sid), polls: 1, settled: true };
  log({ sid: input.sid, senderStatus: sender.status, polls });
  return json({
    sender,
    next_step: nextStepFor(sender, input.account_sid),
    waited: input.wait === true,
    settled,
    polls,
  });
});
