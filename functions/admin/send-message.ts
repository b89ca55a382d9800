/**
 * POST /admin/send-message {to, from?, body?, media_url?, template? | content_sid?, variables?, account_sid?}
 * (Bearer ADMIN_TOKEN): a session or business-initiated message, as WhatsApp allows it (lib/sending,
 * docs/sending.md). 201 with the message SID, its kind and the contact after it; refusals (21610, 63016, no
 * opt-in, variables) are made before anything reaches Twilio.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { json } from '../../edge/reply';
import { parseSettings, sandboxSettingsSchema, webhookSettingsSchema } from '../../lib/config';
import { publicOrigin } from '../../lib/public-url';
import { maskAddress } from '../../lib/redact';
import { senderIdSchema } from '../../lib/senders/fields';
import { resolveTemplate, sendChecked, sendMessageRequestSchema } from '../../lib/sending';

export const handler = adminRoute('send-message', async (admin) => {
  const { request, log } = admin;
  const input = sendMessageRequestSchema.parse(request.params);
  const { store, accountSid } = await adminContactStore(admin);
  const call = await admin.twilio(input.account_sid);
  const from = input.from ?? senderIdSchema.parse(sandboxSettingsSchema.parse(request.env).WHATSAPP_SANDBOX_NUMBER);
  log({ to: maskAddress(input.to), from, template: input.template ?? input.content_sid });
  let template;
  if (input.template || input.content_sid) {
    const resolved = await resolveTemplate(() => call, input, input.variables);
    if (!resolved.ok) return json(resolved.body, resolved.status);
    template = resolved.template;
  }
  const web = parseSettings(webhookSettingsSchema, request.env);
  const origin = publicOrigin(request.domainName, web.success ? web.data.PUBLIC_BASE_URL : undefined);
  const owner = input.account_sid ?? accountSid;
  const result = await sendChecked(
    { store, key: { accountSid: owner, address: input.to }, call, accountSid: owner, now: () => new Date() },
    {
      from,
      to: input.to,
      body: input.body,
      mediaUrl: input.media_url,
      template,
      statusCallback: `${origin}/whatsapp/status`,
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
