/** POST /whatsapp/fallback: called by Twilio when /whatsapp/incoming failed. Logs, answers an apology. */
import { HttpError, logEvent, route, twiml } from '../../edge/handler';
import { verifyTwilioWebhook } from '../../edge/webhook';
import { FALLBACK_REPLY, fallbackLogRecord, fallbackSchema } from '../../lib/status-callback';
import { messagingResponse } from '../../lib/twiml';
import { describeZodError, problemsAsText } from '../../lib/validation';

export const handler = route((request) => {
  const fields = verifyTwilioWebhook(request);
  const parsed = fallbackSchema.safeParse(fields);
  if (!parsed.success) {
    throw new HttpError({ kind: 'text', status: 400, body: problemsAsText(describeZodError(parsed.error)) });
  }
  logEvent(fallbackLogRecord(parsed.data));
  return twiml(messagingResponse([{ body: FALLBACK_REPLY }]));
});
