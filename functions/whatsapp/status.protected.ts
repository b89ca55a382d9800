/** POST /whatsapp/status: the message status callback. Logs one JSON line; answers 204. */
import { logEvent } from '../../edge/log';
import { route } from '../../edge/route';
import { parseWebhook } from '../../edge/webhook';
import { statusCallbackSchema, statusLogRecord } from '../../lib/status-callback';

export const handler = route((request) => {
  logEvent(statusLogRecord(parseWebhook(request, statusCallbackSchema)));
  return { kind: 'empty', status: 204 };
});
