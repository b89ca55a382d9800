/**
 * Configuration from the environment (.env locally, the service's variables once deployed), validated
 * with zod. Each feature reads only the part it needs, so a missing admin token never breaks the bot.
 *
 * Schemas use zod/mini through lib/zod.ts (see there why).
 */
import { SID_DESCRIPTIONS, SID_PATTERNS, sidCheck } from './sids';
import * as z from './zod';

/** Values in the committed .env that mean "not configured yet". */
export function isPlaceholder(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim();
  return (
    v === '' ||
    /^(your[_-]|<|change[_-]?me|placeholder|replace|xxx)/i.test(v) ||
    /^(todo|tbd|tba|fixme)\b/i.test(v) ||
    /^(none|null|undefined|secret|password|token|test|example)$/i.test(v) ||
    /^AC[xX]{32}$/.test(v) ||
    // one character repeated (aaaaaaaa, 00000000...): typed to fill a field, never a real secret or setting
    (v.length >= 8 && /^(.)\1*$/.test(v))
  );
}

/**
 * Builds a schema at load time, marked free of side effects so that a bundle drops the schemas it does not
 * use: each function bundles this whole file, and zod's own purity marks do not reach across files for
 * esbuild, so every function used to build every settings schema on each cold start (building zod schemas is
 * most of a function's load time; see bench/cold-load.bench.ts). The mark only holds for calls in this file.
 */
/* @__NO_SIDE_EFFECTS__ */
function schema<S>(build: () => S): S {
  return build();
}

/** An optional setting: placeholders and empty strings count as unset. */
const setting = schema(() =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v) => (isPlaceholder(v) ? undefined : v!.trim())),
  ),
);

const httpOrigin = schema(() =>
  z.string().check(z.regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an http:// or https:// URL without query')),
);

const coordinate = (min: number, max: number) =>
  z.pipe(
    setting,
    z.optional(z.pipe(z.pipe(z.string(), z.transform(Number)), z.number().check(z.gte(min), z.lte(max)))),
  );

/** Credentials and where Twilio's API is (the emulator in development). */
export const twilioSettingsSchema = schema(() =>
  z.object({
    ACCOUNT_SID: z.pipe(setting, z.optional(z.string().check(sidCheck('account')))),
    AUTH_TOKEN: setting,
    TWILIO_API_BASE_URL: z.pipe(setting, z.optional(httpOrigin)),
  }),
);
export type TwilioSettings = z.infer<typeof twilioSettingsSchema>;

/** What the webhook signature check needs. */
export const webhookSettingsSchema = schema(() =>
  z.object({
    AUTH_TOKEN: setting,
    DOMAIN_NAME: z._default(z.string(), 'localhost'),
    PUBLIC_BASE_URL: z.pipe(setting, z.optional(httpOrigin)),
  }),
);

/** The bot's own location, sent by the `location` command. */
export const botLocationSettingsSchema = schema(() =>
  z.object({
    BOT_LOCATION_LATITUDE: coordinate(-90, 90),
    BOT_LOCATION_LONGITUDE: coordinate(-180, 180),
    BOT_LOCATION_NAME: setting,
    BOT_LOCATION_LABEL: setting,
  }),
);

/** The bot's menu as buttons: the Content SID `npm run templates` prints for templates/bot_menu.json. */
export const botMenuSettingsSchema = schema(() =>
  z.object({
    MENU_CONTENT_SID: z.pipe(setting, z.optional(z.string().check(sidCheck('content')))),
  }),
);

export const sandboxSettingsSchema = schema(() =>
  z.object({
    WHATSAPP_SANDBOX_NUMBER: z.pipe(
      setting,
      z.transform((v) => v ?? '+14155238886'),
    ),
    WHATSAPP_SANDBOX_KEYWORD: setting,
  }),
);

/** The admin secret's minimum length: /admin/* is public and guarded by this token alone. */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

/**
 * What one function execution may spend, in ms: Twilio stops a function at 10 s, so a second is kept back
 * for answering.
 */
export const FUNCTION_BUDGET_MS = 9000;

/** The time budget of one admin request, in ms (tests lower it through ADMIN_REQUEST_BUDGET_MS). */
export const ADMIN_BUDGET_MS = { default: FUNCTION_BUDGET_MS, min: 200, max: FUNCTION_BUDGET_MS } as const;

/**
 * The admin routes: the bearer secret (checked by edge/admin-auth.ts, which refuses every call while it is
 * unset or shorter than ADMIN_TOKEN_MIN_LENGTH) and the time budget of one request (ADMIN_BUDGET_MS).
 */
export const adminSettingsSchema = schema(() =>
  z.object({
    ADMIN_TOKEN: setting,
    ADMIN_REQUEST_BUDGET_MS: z.pipe(
      setting,
      z.optional(
        z.pipe(
          z.string().check(z.regex(/^\d+$/, 'must be a whole number of milliseconds')),
          z.pipe(z.transform(Number), z.number().check(z.gte(ADMIN_BUDGET_MS.min), z.lte(ADMIN_BUDGET_MS.max))),
        ),
      ),
    ),
  }),
);

/**
 * Twilio's default Sync service: every account has one, addressable by this unique name in place of its SID
 * (Sync REST API and Runtime.getSync). A fresh deploy uses it, so nobody has to create a service by hand.
 */
export const DEFAULT_SYNC_SERVICE = 'default';

/** A value SYNC_SERVICE_SID may hold: a Sync service SID, or `default`. */
export const syncServiceRefSchema = z.string().check(
  z.refine((v) => v === DEFAULT_SYNC_SERVICE || SID_PATTERNS.syncService.test(v), {
    message: `must be ${SID_DESCRIPTIONS.syncService}, or ${DEFAULT_SYNC_SERVICE} (the account's default Sync service)`,
  }),
);

/**
 * How long the Sync calls of one webhook may take in all, in ms (a Sync call takes tens of ms). Twilio waits 15 s
 * for a webhook and stops a function at 10 s; the default, with the location message's own 8 s client timeout
 * after it, keeps the worst case under 10 s. Tests on a busy machine raise it, so slowness is not mistaken for logic.
 */
export const WEBHOOK_SYNC_BUDGET_MS = { default: 1500, min: 200, max: 5000 } as const;

/** The conversation store (lib/conversation): the Sync service holding one document per WhatsApp user. */
export const conversationSettingsSchema = z.object({
  SYNC_SERVICE_SID: z.pipe(
    setting,
    z.pipe(
      z.transform((v: string | undefined) => v ?? DEFAULT_SYNC_SERVICE),
      syncServiceRefSchema,
    ),
  ),
  WEBHOOK_SYNC_BUDGET_MS: z.pipe(
    setting,
    z.pipe(
      z.transform((v: string | undefined) => v ?? String(WEBHOOK_SYNC_BUDGET_MS.default)),
      z.pipe(
        z.string().check(z.regex(/^\d+$/, 'must be a whole number of milliseconds')),
        z.pipe(
          z.transform(Number),
          z.number().check(z.gte(WEBHOOK_SYNC_BUDGET_MS.min), z.lte(WEBHOOK_SYNC_BUDGET_MS.max)),
        ),
      ),
    ),
  ),
});

type SettingsSchema<T> = {
  shape: Record<string, unknown>;
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: z.core.$ZodError };
};

/** The last parse of each settings schema, with the values it was made from, and the names it reads. */
const lastParse = new WeakMap<
  object,
  { names: string[]; env: Record<string, string | undefined>; key: string; result: unknown }
>();

/**
 * `schema.safeParse(env)`, remembered while the variables the schema reads keep their values: every request
 * reads its settings, and they change only with a deploy or restart. The same `env` object (edge/route.ts keeps
 * one while the runtime's variables stay the same; it is frozen) is known unchanged without reading it.
 */
export function parseSettings<T>(
  schema: SettingsSchema<T>,
  env: Record<string, string | undefined>,
): { success: true; data: T } | { success: false; error: z.core.$ZodError } {
  const cached = lastParse.get(schema);
  if (cached?.env === env && Object.isFrozen(env)) return cached.result as ReturnType<SettingsSchema<T>['safeParse']>;
  const names = cached?.names ?? Object.keys(schema.shape);
  // Built with a loop: this runs several times on every request.
  let key = '';
  for (const name of names) key += `${env[name] ?? '\u0000'}\u0001`;
  if (cached?.key === key) {
    cached.env = env;
    return cached.result as ReturnType<SettingsSchema<T>['safeParse']>;
  }
  const result = schema.safeParse(Object.fromEntries(names.map((name) => [name, env[name]])));
  lastParse.set(schema, { names, env, key, result });
  return result;
}
