/** POST /whatsapp/incoming: the inbound WhatsApp webhook. Answers TwiML; keeps the conversation's state. */
import { idempotencyToken, webhookContactStore } from '../../edge/conversation';
import { botSettingsFor } from '../../edge/bot-settings';
import { logEvent } from '../../edge/log';
import { twiml } from '../../edge/reply';
import { route } from '../../edge/route';
import { sendContent, sendLocation } from '../../edge/twilio';
import { verifyTwilioWebhook, webhookBadRequest } from '../../edge/webhook';
import { replyTo } from '../../lib/bot';
import { FUNCTION_BUDGET_MS } from '../../lib/config';
import { handleInbound } from '../../lib/conversation/inbound';
import { parseInbound } from '../../lib/inbound';
import { messagingResponse } from '../../lib/twiml';

export const handler = route(async (request) => {
  const started = Date.now();
  const fields = verifyTwilioWebhook(request);
  const inbound = parseInbound(fields);
  if (!inbound.ok) throw webhookBadRequest(inbound.error);
  const reply = replyTo(inbound.message, botSettingsFor(request));
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
