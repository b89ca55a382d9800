/**
 * The admin routes' gate: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. The routes are
 * public functions (a protected one would demand a Twilio signature no admin client has), so the check is here.
 * Without a usable ADMIN_TOKEN (unset, a placeholder, or under 32 characters) every call is refused with 503:
 * a weak or missing secret must never open the routes. The token never appears in an answer or a log line.
 */
import { ADMIN_TOKEN_MIN_LENGTH, adminSettingsSchema } from '../lib/config';
import { errorBody } from '../lib/error-body';
import { isLocalDomain } from '../lib/public-url';
import { safeEqual } from '../lib/signature';
import { logEvent } from './log';
import { HttpError } from './reply';
import { type RouteRequest } from './route';

export type AdminAuthOutcome = 'ok' | 'unconfigured' | 'missing' | 'invalid';

/** Compares the Authorization header with the configured token, in constant time. */
export function checkAdminAuthorization(header: unknown, configuredToken: unknown): AdminAuthOutcome {
  if (typeof configuredToken !== 'string' || configuredToken.length < ADMIN_TOKEN_MIN_LENGTH) return 'unconfigured';
  if (typeof header !== 'string') return 'missing';
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match?.[1]) return 'missing';
  return safeEqual(match[1], configuredToken) ? 'ok' : 'invalid';
}

const error = (message: string, hint: string) => errorBody({ message, hint });

/** Throws the 503 / 401 answer unless the request carries the admin token. */
export function requireAdminToken(request: RouteRequest): void {
  const { ADMIN_TOKEN } = adminSettingsSchema.parse({ ADMIN_TOKEN: request.env.ADMIN_TOKEN });
  const outcome = checkAdminAuthorization(request.headers.authorization, ADMIN_TOKEN);
  if (outcome !== 'unconfigured' && request.requestParamSent) {
    // The runtime spreads query and body over its own `request`: the real headers are gone, and a token
    // from the URL or the body is never taken (URLs end up in access logs).
    logEvent({ level: 'warn', event: 'admin.auth', route: request.path, outcome: 'request_param' });
    throw new HttpError({
      kind: 'json',
      status: 400,
      body: errorBody({
        message: 'A parameter named "request" is not accepted: it would stand in for the request\'s headers.',
        hint: 'Remove the "request" parameter from the query string and the body; send the token as the header Authorization: Bearer <ADMIN_TOKEN>.',
        problems: [{ path: 'request', message: 'not an accepted parameter' }],
      }),
    });
  }
  if (outcome === 'ok') return;
  logEvent({ level: 'warn', event: 'admin.auth', route: request.path, outcome });
  if (outcome === 'unconfigured') {
    throw new HttpError({
      kind: 'json',
      status: 503,
      body: error(
        `ADMIN_TOKEN is not set or is shorter than ${ADMIN_TOKEN_MIN_LENGTH} characters: the admin routes refuse every call until it is.`,
        isLocalDomain(request.domainName)
          ? `Set ADMIN_TOKEN to a random secret of at least ${ADMIN_TOKEN_MIN_LENGTH} characters ` +
              '(e.g. `openssl rand -hex 32`) in your env file and restart: `npm start -- --env .env.local`, ' +
              'or `ADMIN_TOKEN=... npm start`.'
          : 'Set ADMIN_TOKEN in the env file you deploy with (or the service\'s environment variables) to a random ' +
              `secret of at least ${ADMIN_TOKEN_MIN_LENGTH} characters, e.g. \`openssl rand -hex 32\`, and redeploy.`,
      ),
    });
  }
  throw new HttpError({
    kind: 'json',
    status: 401,
    headers: { 'WWW-Authenticate': outcome === 'missing' ? 'Bearer realm="admin"' : 'Bearer realm="admin", error="invalid_token"' },
    body:
      outcome === 'missing'
        ? error('This route needs Authorization: Bearer <ADMIN_TOKEN>.', 'Send the header Authorization: Bearer followed by the ADMIN_TOKEN of the deployment.')
        : error('The bearer token is not valid.', 'Use the ADMIN_TOKEN configured for this deployment.'),
  });
}
