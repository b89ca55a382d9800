/**
 * GET /admin/contact?address=<whatsapp:+E164 or any human form>[&account_sid=AC...] (Bearer ADMIN_TOKEN): one
 * user's consent, session window and last outbound message. A user never seen answers consent "unknown", no session.
 */
import { adminContactStore, syncCall } from '../../edge/conversation';
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/handler';
import { contactRequestSchema, getContact } from '../../lib/conversation/admin';
import { maskAddress } from '../../lib/status-callback';

export const handler = adminRoute('contact', async ({ request, deadline, log }) => {
  const input = contactRequestSchema.parse(request.params);
  const { store, accountSid } = adminContactStore(request.env, deadline);
  log({ address: maskAddress(input.address) });
  return json(await syncCall(() => getContact(store, { accountSid: input.account_sid ?? accountSid, address: input.address }, new Date())));
});
