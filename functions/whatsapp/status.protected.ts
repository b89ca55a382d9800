/** POST /whatsapp/status: the message status callback. Logs one JSON line; answers 204. */
import { HttpError, logEvent, route } from '../../edge/handler';
import { verifyTwilioWebhook } from '../../edge/webhook';
import { statusCallbackSchema, statusLogRecord } from '../../lib/status-callback';
import { describeZodError, problemsAsText } from '../../lib/validation';

export const handler = route((request) => {
  const fields = verifyTwilioWebhook(request);
  const parsed = statusCallbackSchema.safeParse(fields);
  if (!parsed.success) {
    throw new HttpError({ kind: 'text', status: 400, body: problemsAsText(describeZodError(parsed.error)) });
  }
  logEvent(statusLogRecord(parsed.data));
  return { kind: 'empty', status: 204 };
});
