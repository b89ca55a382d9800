/** POST /whatsapp/incoming: the inbound WhatsApp webhook. Answers TwiML. */
import { logEvent } from '../../edge/log';
import { twiml } from '../../edge/reply';
import { route } from '../../edge/route';
import { readSettings } from '../../edge/settings';
import { sendContent, sendLocation } from '../../edge/twilio';
import { verifyTwilioWebhook, webhookBadRequest } from '../../edge/webhook';
import { replyTo } from '../../lib/bot';
import {
  botLocationSettingsSchema,
  botMenuSettingsSchema,
  parseSettings,
  webhookSettingsSchema,
} from '../../lib/config';
import { parseInbound } from '../../lib/inbound';
import { botLocation } from '../../lib/location';
import { publicOrigin } from '../../lib/public-url';
import { messagingResponse } from '../../lib/twiml';
import { describeZodError } from '../../lib/validation';

export const handler = route((request) => {
  const fields = verifyTwilioWebhook(request);
  const inbound = parseInbound(fields);
  if (!inbound.ok) throw webhookBadRequest(inbound.error);
  const { PUBLIC_BASE_URL } = readSettings(webhookSettingsSchema, request.env);
  const locationSettings = parseSettings(botLocationSettingsSchema, request.env);
  if (!locationSettings.success) {
    // A bad BOT_LOCATION_* only disables `location`; the rest of the bot keeps answering.
    logEvent({ level: 'error', event: 'config.invalid', problems: describeZodError(locationSettings.error) });
  }
  const menuSettings = parseSettings(botMenuSettingsSchema, request.env);
  // A bad MENU_CONTENT_SID only turns the menu back into text.
  if (!menuSettings.success) {
    logEvent({ level: 'error', event: 'config.invalid', problems: describeZodError(menuSettings.error) });
  }
  const reply = replyTo(inbound.message, {
    origin: publicOrigin(request.domainName, PUBLIC_BASE_URL),
    location: locationSettings.success ? botLocation(locationSettings.data) : undefined,
    menuContentSid: menuSettings.success ? menuSettings.data.MENU_CONTENT_SID : undefined,
  });
  if (reply.kind === 'messages') return twiml(messagingResponse(reply.messages));
  const sent =
    reply.kind === 'send-menu' ? sendContent(request.env, reply.request) : sendLocation(request.env, reply.request);
  return sent.then((sid) => twiml(messagingResponse(sid ? reply.onSent : reply.onFailure)));
});
