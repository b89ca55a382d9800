/**
 * GET /admin/contact?address=<whatsapp:+E164 or any human form>[&account_sid=AC...] (Bearer ADMIN_TOKEN): one
 * user's consent, session window and last outbound message. A user never seen answers consent "unknown", no session.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { json } from '../../edge/reply';
import { contactRequestSchema, getContact } from '../../lib/conversation/admin';
import { maskAddress } from '../../lib/redact';

export const handler = adminRoute('contact', async (admin) => {
  const { request, log } = admin;
  const input = contactRequestSchema.parse(request.params);
  const { store, accountSid } = await adminContactStore(admin);
  log({ address: maskAddress(input.address) });
  return json(
    await getContact(store, { accountSid: input.account_sid ?? accountSid, address: input.address }, new Date()),
  );
});
