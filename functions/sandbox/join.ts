/**
 * GET /sandbox/join (public): 302 to the WhatsApp sandbox join link (`join <keyword>` to the sandbox number);
 * `?format=json` answers { number, keyword, link, app_link }. Without a keyword: 503 naming the variable.
 */
import { logEvent } from '../../edge/log';
import { HttpError, json } from '../../edge/reply';
import { route } from '../../edge/route';
import { sandboxSettingsSchema } from '../../lib/config';
import { errorBody } from '../../lib/error-body';
import { sandboxJoin, sandboxJoinQuerySchema } from '../../lib/sandbox';

export const handler = route((request) => {
  const query = sandboxJoinQuerySchema.parse(request.params);
  const result = sandboxJoin(sandboxSettingsSchema.parse(request.env));
  if (!result.ok) {
    logEvent({ level: 'warn', route: request.path, event: 'sandbox.not_configured', variable: result.variable });
    throw new HttpError({
      kind: 'json',
      status: 503,
      body: errorBody({
        message: result.reason,
        variable: result.variable,
        hint: `Set ${result.variable} in the environment of the service.`,
      }),
    });
  }
  // no-store: the page and scripts must see a keyword change at once.
  if (query.format === 'json') return json(result.join, 200, { 'Cache-Control': 'no-store' });
  return { kind: 'redirect', location: result.join.link, status: 302 };
});
