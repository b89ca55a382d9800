/**
 * GET /admin/contacts[?page_size=50&page_token=...&consent=opted_in|opted_out|unknown&account_sid=AC...] (Bearer
 * ADMIN_TOKEN): one page of the contact records, for export. A page may hold fewer than page_size (it is one page
 * of the Sync service's documents, filtered): follow next_page_token until it is null.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { json } from '../../edge/reply';
import { contactsRequestSchema, pageContacts } from '../../lib/conversation/admin';

export const handler = adminRoute('contacts', async (admin) => {
  const { request, log } = admin;
  const input = contactsRequestSchema.parse(request.params);
  const { store, accountSid } = await adminContactStore(admin);
  const options = {
    accountSid: input.account_sid ?? accountSid,
    pageSize: input.page_size ?? 50,
    pageToken: input.page_token,
    consent: input.consent,
  };
  const page = await pageContacts(store, options, new Date());
  log({ count: page.contacts.length, consent: input.consent });
  return json(page);
});
