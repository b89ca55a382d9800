/**
 * POST /admin/forget {address, account_sid?} (Bearer ADMIN_TOKEN): deletes everything kept about the user (their
 * one Sync document). Afterwards /admin/contact answers "unknown". `forgotten: false` when nothing was kept.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { json } from '../../edge/reply';
import { forgetContact, forgetRequestSchema } from '../../lib/conversation/admin';
import { maskAddress } from '../../lib/redact';

export const handler = adminRoute('forget', async (admin) => {
  const { request, log } = admin;
  const input = forgetRequestSchema.parse(request.params);
  const { store, accountSid } = await adminContactStore(admin);
  const key = { accountSid: input.account_sid ?? accountSid, address: input.address };
  const forgotten = await forgetContact(store, key);
  log({ address: maskAddress(input.address), forgotten });
  return json({ forgotten, address: input.address, account_sid: key.accountSid });
});
