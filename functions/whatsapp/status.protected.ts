/** POST /whatsapp/status: the message status callback. Logs one JSON line; answers 204. */
import { logEvent, route } from '../../edge/handler';
import { parseWebhook } from '../../edge/webhook';
import { statusCallbackSchema, statusLogRecord } from '../../lib/status-callback';

export const handler = route((request) => {
  logEvent(statusLogRecord(parseWebhook(request, statusCallbackSchema)));
  return { kind: 'empty', status: 204 };
});
