/**
 * POST /admin/consent {address, status: "opted_in" | "opted_out", source, evidence?, account_sid?} (Bearer
 * ADMIN_TOKEN): records consent gathered elsewhere (a signup form, a checkbox). Answers the contact after it.
 */
import { adminContactStore, syncCall } from '../../edge/conversation';
import { adminRoute } from '../../edge/admin-route';
import { json } from '../../edge/handler';
import { consentRequestSchema, setConsent } from '../../lib/conversation/admin';
import { maskAddress } from '../../lib/status-callback';

export const handler = adminRoute('consent', async ({ request, deadline, log }) => {
  const input = consentRequestSchema.parse(request.params);
  const { store, accountSid } = adminContactStore(request.env, deadline);
  log({ address: maskAddress(input.address), consent: input.status, source: input.source });
  const key = { accountSid: input.account_sid ?? accountSid, address: input.address };
  const consent = { status: input.status, source: input.source, evidence: input.evidence };
  return json(await syncCall(() => setConsent(store, key, consent, new Date())));
});
