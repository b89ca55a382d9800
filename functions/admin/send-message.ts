/**
 * POST /admin/send-message {to, from?, body?, media_url?, template? | content_sid?, variables?, account_sid?}
 * (Bearer ADMIN_TOKEN): a session or business-initiated message, as WhatsApp allows it (lib/sending,
 * docs/sending.md). 201 with the message SID, its kind and the contact after it; refusals (21610, 63016, no
 * opt-in, variables) are made before anything reaches Twilio.
 */
import { adminRoute } from '../../edge/admin-route';
import { adminContactStore } from '../../edge/conversation';
import { HttpError, json } from '../../edge/reply';
import { errorBody } from '../../lib/error-body';
import { parseSettings, sandboxSettingsSchema, webhookSettingsSchema } from '../../lib/config';
import { publicOrigin } from '../../lib/public-url';
import { maskAddress } from '../../lib/redact';
import { senderIdSchema } from '../../lib/senders/fields';
import { resolveTemplate, sendChecked, sendMessageRequestSchema, type ResolvedTemplate } from '../../lib/sending';

/** WHATSAPP_SANDBOX_NUMBER as whatsapp:+E164, or 503 naming it (a setting, not the caller's input, is wrong). */
function defaultFrom(env: Record<string, string | undefined>): string {
  const number = senderIdSchema.safeParse(sandboxSettingsSchema.parse(env).WHATSAPP_SANDBOX_NUMBER);
  if (number.success) return number.data;
  const body = errorBody({
    message: 'WHATSAPP_SANDBOX_NUMBER is not a phone number, and no "from" was given.',
    hint: 'Give "from" (the sending number), or set WHATSAPP_SANDBOX_NUMBER (default +14155238886).',
    variable: 'WHATSAPP_SANDBOX_NUMBER',
  });
  throw new HttpError({ kind: 'json', status: 503, body });
}

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
