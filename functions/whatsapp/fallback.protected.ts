/** POST /whatsapp/fallback: called by Twilio when /whatsapp/incoming failed. Logs, answers an apology. */
import { logEvent } from '../../edge/log';
import { twiml } from '../../edge/reply';
import { route } from '../../edge/route';
import { parseWebhook } from '../../edge/webhook';
import { FALLBACK_REPLY, fallbackLogRecord, fallbackSchema } from '../../lib/status-callback';
import { messagingResponse } from '../../lib/twiml';

export const handler = route((request) => {
  logEvent(fallbackLogRecord(parseWebhook(request, fallbackSchema)));
  return twiml(messagingResponse([{ body: FALLBACK_REPLY }]));
});
