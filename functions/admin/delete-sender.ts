/**
 * POST /admin/delete-sender {sid} (Bearer ADMIN_TOKEN): deletes a sender (Twilio answers 204). To register the
 * same number again later, turn off two-step verification for it in WhatsApp Manager first.
 */
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/reply';
import { deleteSender, deleteSenderRequestSchema } from '../../lib/senders';

export const handler = adminRoute('delete-sender', async ({ request, twilio, log }) => {
  const input = deleteSenderRequestSchema.parse(request.params);
  await deleteSender(await twilio(input.account_sid), input.sid);
  log({ sid: input.sid });
  return json({ deleted: true, sid: input.sid });
});
