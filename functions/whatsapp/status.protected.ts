/**
 * POST /whatsapp/status: the message status callback. Records the delivery status and error code on the
 * contact the message went to, logs one JSON line, answers 204 (also when Sync fails: logged, not retried).
 */
import { webhookContactStore } from '../../edge/conversation';
import { logEvent } from '../../edge/log';
import { route } from '../../edge/route';
import { parseWebhook } from '../../edge/webhook';
import { recordDeliveryStatus } from '../../lib/conversation';
import { WHATSAPP_ADDRESS_PATTERN } from '../../lib/phone';
import { statusCallbackSchema, statusLogRecord } from '../../lib/status-callback';
import { isTwilioApiError } from '../../lib/twilio-api';

export const handler = route(async (request) => {
  const callback = parseWebhook(request, statusCallbackSchema);
  const record = statusLogRecord(callback);
  const configured = webhookContactStore(request.env, Date.now());
  if (configured && callback.To && WHATSAPP_ADDRESS_PATTERN.test(callback.To)) {
    const errorCode = callback.ErrorCode && callback.ErrorCode !== '0' ? Number(callback.ErrorCode) : undefined;
    try {
      const result = await recordDeliveryStatus(
        configured.store,
        { accountSid: configured.accountSid, address: callback.To },
        { sid: callback.MessageSid, status: callback.MessageStatus, errorCode },
      );
      record.recorded = result.wrote;
    } catch (error) {
      const failure = isTwilioApiError(error) ? error.failure : undefined;
      Object.assign(record, {
        recorded: false,
        syncKind: failure?.kind ?? 'error',
        syncStatus: failure?.status,
        syncCode: failure?.code ?? undefined,
      });
    }
  }
  logEvent(record);
  return { kind: 'empty', status: 204 };
});
