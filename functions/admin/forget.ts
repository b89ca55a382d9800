/**
 * POST /admin/forget {address, account_sid?} (Bearer ADMIN_TOKEN): deletes everything kept about the user (their
 * one Sync document). Afterwards /admin/contact answers "unknown". `forgotten: false` when nothing was kept.
 */
import { adminContactStore, syncCall } from '../../edge/conversation';
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/handler';
import { forgetContact, forgetRequestSchema } from '../../lib/conversation/admin';
import { maskAddress } from '../../lib/status-callback';

export const handler = adminRoute('forget', async ({ request, deadline, log }) => {
  const input = forgetRequestSchema.parse(request.params);
  const { store, accountSid } = adminContactStore(request.env, deadline);
  const key = { accountSid: input.account_sid ?? accountSid, address: input.address };
  const forgotten = await syncCall(() => forgetContact(store, key));
  log({ address: maskAddress(input.address), forgotten });
  return json({ forgotten, address: input.address, account_sid: key.accountSid });
});
