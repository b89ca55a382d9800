/**
 * Configuration from the environment (.env locally, the service's variables once deployed), validated
 * with zod. Each feature reads only the part it needs, so a missing admin token never breaks the bot.
 */
import { z } from 'zod';

/** Values in the committed .env that mean "not configured yet". */
export function isPlaceholder(value: string | undefined): boolean {
  return value === undefined || value.trim() === '' || /^(your[_-]|<|changeme|placeholder|ACx{32}$)/i.test(value.trim());
}

const optionalSetting = z
  .string()
  .optional()
  .transform((v) => (isPlaceholder(v) ? undefined : v!.trim()));

const httpOrigin = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//.test(v), 'must start with http:// or https://');

/** Credentials and where Twilio's API is (the emulator in development). */
export const twilioSettingsSchema = z.object({
  ACCOUNT_SID: optionalSetting.pipe(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional()),
  AUTH_TOKEN: optionalSetting,
  TWILIO_API_BASE_URL: optionalSetting.pipe(httpOrigin.optional()),
});

/** What the webhook signature check needs. */
export const webhookSettingsSchema = z.object({
  AUTH_TOKEN: optionalSetting,
  DOMAIN_NAME: z.string().default('localhost'),
  PUBLIC_BASE_URL: optionalSetting.pipe(httpOrigin.optional()),
});

/** The bot's own location, sent by the `location` command. */
export const botLocationSchema = z.object({
  BOT_LOCATION_LATITUDE: optionalSetting.pipe(z.coerce.number<string | undefined>().min(-90).max(90).optional()),
  BOT_LOCATION_LONGITUDE: optionalSetting.pipe(z.coerce.number<string | undefined>().min(-180).max(180).optional()),
  BOT_LOCATION_NAME: optionalSetting,
  BOT_LOCATION_LABEL: optionalSetting,
});

export const sandboxSettingsSchema = z.object({
  WHATSAPP_SANDBOX_NUMBER: optionalSetting.transform((v) => v ?? '+14155238886'),
  WHATSAPP_SANDBOX_KEYWORD: optionalSetting,
});

/** Every variable, for tools that check a whole .env (deploy, start). */
export const ENV_VARIABLES = [
  'ACCOUNT_SID',
  'AUTH_TOKEN',
  'ADMIN_TOKEN',
  'WHATSAPP_SANDBOX_NUMBER',
  'WHATSAPP_SANDBOX_KEYWORD',
  'BOT_LOCATION_LATITUDE',
  'BOT_LOCATION_LONGITUDE',
  'BOT_LOCATION_NAME',
  'BOT_LOCATION_LABEL',
  'PUBLIC_BASE_URL',
  'TWILIO_API_BASE_URL',
] as const;
