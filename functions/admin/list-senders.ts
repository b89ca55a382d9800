/**
 * GET /admin/list-senders[?page_size=50&page_token=...] (Bearer ADMIN_TOKEN): one page of the account's WhatsApp
 * senders, as Twilio returns them, and the token of the next page (null on the last).
 */
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/reply';
import { listSenders, listSendersRequestSchema } from '../../lib/senders';

export const handler = adminRoute('list-senders', async ({ request, twilio, log }) => {
  const input = listSendersRequestSchema.parse(request.params);
  const page = await listSenders(await twilio(input.account_sid), {
    pageSize: input.page_size ?? 50,
    pageToken: input.page_token,
  });
  log({ count: page.senders.length });
  return json({ senders: page.senders, next_page_token: page.nextPageToken, page_size: input.page_size ?? 50 });
});
