/**
 * GET /sandbox/join (public): 302 to the WhatsApp sandbox join link (`join <keyword>` to the sandbox number);
 * `?format=json` answers { number, keyword, link, app_link }. Without a keyword: 503 naming the variable.
 */
import { HttpError, json, logEvent, route } from '../../edge/handler';
import { sandboxSettingsSchema } from '../../lib/config';
import { sandboxJoin, sandboxJoinQuerySchema } from '../../lib/sandbox';

export const handler = route((request) => {
  const query = sandboxJoinQuerySchema.parse(request.params);
  const result = sandboxJoin(sandboxSettingsSchema.parse(request.env));
  if (!result.ok) {
    logEvent({ level: 'warn', route: request.path, event: 'sandbox.not_configured', variable: result.variable });
    throw new HttpError({ kind: 'json', status: 503, body: { error: { message: result.reason, variable: result.variable } } });
  }
  // no-store: the page and scripts must see a keyword change at once.
  if (query.format === 'json') return json(result.join, 200, { 'Cache-Control': 'no-store' });
  return { kind: 'redirect', location: result.join.link, status: 302 };
});
