/**
 * POST /admin/send-message {to, from?, body?, media_url?, template? | content_sid?, variables?, account_sid?}
 * (Bearer ADMIN_TOKEN): a session or business-initiated message, as WhatsApp allows it (lib/sending,
 * docs/sending.md). 201 with the message SID, its kind and the contact after it; refusals (21610, 63016, no
 * opt-in, variables) are made before anything reaches Twilio.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { json } from '../../edge/reply';
import { defaultFrom, statusCallbackUrl } from '../../edge/sending';
import { maskAddress } from '../../lib/redact';
import { resolveTemplate, sendChecked, sendMessageRequestSchema, type ResolvedTemplate } from '../../lib/sending';

export const handler = adminRoute('send-message', async (admin) => {
  const { request, log } = admin;
  const input = sendMessageRequestSchema.parse(request.params);
  const { store, accountSid } = await adminContactStore(admin);
  const call = await admin.twilio(input.account_sid);
  const from = input.from ?? defaultFrom(request.env);
  log({ to: maskAddress(input.to), from, template: input.template ?? input.content_sid });
  let template: ResolvedTemplate | undefined;
  if (input.template || input.content_sid) {
    const resolved = await resolveTemplate(() => call, input, input.variables);
    if (!resolved.ok) return json(resolved.body, resolved.status);
    template = resolved.template;
  }
  const owner = input.account_sid ?? accountSid;
  const result = await sendChecked(
    { store, key: { accountSid: owner, address: input.to }, call, accountSid: owner, now: () => new Date() },
    {
      from,
      to: input.to,
      body: input.body,
      mediaUrl: input.media_url,
      template,
      statusCallback: statusCallbackUrl(request),
    },
  );
  if (!result.ok) {
    log({ refused: result.refusal?.reason ?? result.body.error.code });
    return json(result.body, result.status);
  }
  log({ sid: result.sid, kind: result.kind });
  const { ok: _ok, ...answer } = result;
  return json({ ...answer, to: input.to, from, content_sid: template?.sid ?? null }, 201);
});
