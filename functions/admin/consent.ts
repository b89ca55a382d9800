/**
 * POST /admin/consent {address, status: "opted_in" | "opted_out", source, evidence?, account_sid?} (Bearer
 * ADMIN_TOKEN): records consent gathered elsewhere (a signup form, a checkbox). Answers the contact after it.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { json } from '../../edge/reply';
import { consentRequestSchema, setConsent } from '../../lib/conversation/admin';
import { maskAddress } from '../../lib/redact';

export const handler = adminRoute('consent', async (admin) => {
  const { request, log } = admin;
  const input = consentRequestSchema.parse(request.params);
  const { store, accountSid } = await adminContactStore(admin);
  log({ address: maskAddress(input.address), consent: input.status, source: input.source });
  const key = { accountSid: input.account_sid ?? accountSid, address: input.address };
  const consent = { status: input.status, source: input.source, evidence: input.evidence };
  return json(await setConsent(store, key, consent, new Date()));
});
