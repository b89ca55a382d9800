/**
 * The bot's settings from the environment. A bad BOT_LOCATION_* or MENU_CONTENT_SID only turns that feature off
 * (the location command says none is configured; the menu is sent as text), logged once per request: the rest of
 * the bot keeps answering.
 */
import type { BotSettings } from '../lib/bot';
import { botLocationSettingsSchema, botMenuSettingsSchema, parseSettings, webhookSettingsSchema } from '../lib/config';
import { botLocation } from '../lib/location';
import { publicOrigin } from '../lib/public-url';
import { describeZodError } from '../lib/validation';
import { logEvent } from './log';
import type { RouteRequest } from './route';
import { readSettings } from './settings';

export function botSettingsFor(request: RouteRequest): BotSettings {
  const { PUBLIC_BASE_URL } = readSettings(webhookSettingsSchema, request.env);
  const location = parseSettings(botLocationSettingsSchema, request.env);
  if (!location.success)
    logEvent({ level: 'error', event: 'config.invalid', problems: describeZodError(location.error) });
  const menu = parseSettings(botMenuSettingsSchema, request.env);
  if (!menu.success) logEvent({ level: 'error', event: 'config.invalid', problems: describeZodError(menu.error) });
  return {
    origin: publicOrigin(request.domainName, PUBLIC_BASE_URL),
    location: location.success ? botLocation(location.data) : undefined,
    menuContentSid: menu.success ? menu.data.MENU_CONTENT_SID : undefined,
  };
}
