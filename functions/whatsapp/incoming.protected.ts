/** POST /whatsapp/incoming: the inbound WhatsApp webhook. Answers TwiML; keeps the conversation's state. */
import { idempotencyToken, webhookContactStore, type ConfiguredStore } from '../../edge/conversation';
import { botSettingsFor } from '../../edge/bot-settings';
import { logEvent } from '../../edge/log';
import { twiml } from '../../edge/reply';
import { route, type RouteRequest } from '../../edge/route';
import { sendContent, sendLocation } from '../../edge/twilio';
import { verifyTwilioWebhook, webhookBadRequest } from '../../edge/webhook';
import { replyTo, type BotReply } from '../../lib/bot';
import { FUNCTION_BUDGET_MS } from '../../lib/config';
import { handleInbound, statelessAnswer } from '../../lib/conversation/inbound';
import { parseInbound, type InboundMessage } from '../../lib/inbound';
import { messagingResponse } from '../../lib/twiml';

export const handler = route((request) => {
  const started = Date.now();
  const fields = verifyTwilioWebhook(request);
  const inbound = parseInbound(fields);
  if (!inbound.ok) throw webhookBadRequest(inbound.error);
  const reply = replyTo(inbound.message, botSettingsFor(request));
  const configured = webhookContactStore(request.env, started);
  // No store and nothing to send: answered in this tick (route() then needs no promise).
  const immediate = configured ? undefined : statelessAnswer(reply);
  if (immediate) return twiml(messagingResponse(immediate));
  return answerInbound(request, inbound.message, reply, configured, started);
});

/** Everything else: the conversation store (read, write, replays) and the sends a reply makes. */
async function answerInbound(
  request: RouteRequest,
  message: InboundMessage,
  reply: BotReply,
  configured: ConfiguredStore | undefined,
  started: number,
) {
  const outcome = await handleInbound(
    message,
    { sid: message.messageSid, token: idempotencyToken(request.headers) },
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
}
