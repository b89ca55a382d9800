/** POST /whatsapp/incoming: the inbound WhatsApp webhook. Answers TwiML; keeps the conversation's state. */
import { idempotencyToken, webhookContactStore } from '../../edge/conversation';
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
  FUNCTION_BUDGET_MS,
  parseSettings,
  webhookSettingsSchema,
} from '../../lib/config';
import { handleInbound } from '../../lib/conversation/inbound';
import { parseInbound } from '../../lib/inbound';
import { botLocation } from '../../lib/location';
import { publicOrigin } from '../../lib/public-url';
import { messagingResponse } from '../../lib/twiml';
import { describeZodError } from '../../lib/validation';

export const handler = route(async (request) => {
  const started = Date.now();
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
  const configured = webhookContactStore(request.env, started);
  const outcome = await handleInbound(
    inbound.message,
    { sid: inbound.message.messageSid, token: idempotencyToken(request.headers) },
    reply,
    {
      store: configured?.store,
      accountSid: configured?.accountSid ?? '',
      send: (send) =>
        send.kind === 'send-menu' ? sendContent(request.env, send.request) : sendLocation(request.env, send.request),
      log: logEvent,
      now: () => new Date(),
      releaseDeadline: () => Math.min(Date.now() + 1000, started + FUNCTION_BUDGET_MS),
    },
  );
  return twiml(messagingResponse(outcome.messages));
});
