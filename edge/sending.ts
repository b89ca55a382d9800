/** What a business-initiated send takes from the function's environment: its default sender and callback URL. */
import { errorBody } from '../lib/error-body';
import { parseSettings, sandboxSettingsSchema, webhookSettingsSchema } from '../lib/config';
import { publicOrigin } from '../lib/public-url';
import { senderIdSchema } from '../lib/senders/fields';
import { HttpError } from './reply';
import type { RouteRequest } from './route';

/** WHATSAPP_SANDBOX_NUMBER as whatsapp:+E164, or 503 naming it (a setting, not the caller's input, is wrong). */
export function defaultFrom(env: Record<string, string | undefined>): string {
  const number = senderIdSchema.safeParse(sandboxSettingsSchema.parse(env).WHATSAPP_SANDBOX_NUMBER);
  if (number.success) return number.data;
  const body = errorBody({
    message: 'WHATSAPP_SANDBOX_NUMBER is not a phone number, and no "from" was given.',
    hint: 'Give "from" (the sending number), or set WHATSAPP_SANDBOX_NUMBER (default +14155238886).',
    variable: 'WHATSAPP_SANDBOX_NUMBER',
  });
  throw new HttpError({ kind: 'json', status: 503, body });
}

/** Where Twilio reports the message's delivery: this deployment's /whatsapp/status. */
export function statusCallbackUrl(request: RouteRequest): string {
  const web = parseSettings(webhookSettingsSchema, request.env);
  return `${publicOrigin(request.domainName, web.success ? web.data.PUBLIC_BASE_URL : undefined)}/whatsapp/status`;
}
