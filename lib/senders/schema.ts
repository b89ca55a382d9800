/**
 * What a WhatsApp sender registration may contain, as zod schemas: humane input in, the exact snake_case body
 * of Twilio's Senders API out (contracts/senders-openapi.json, `requests.create` / `requests.update`).
 *
 * Humane: a sender_id may be `whatsapp:+E164`, `+E164` or a number written with spaces and dashes; emails and
 * websites may be plain strings; methods and verification methods any case; a WABA id a number.
 * Exact: the output is always `whatsapp:+E164` (with WhatsApp's +549 / +521 rules), `{email, label}` and
 * `{website, label}` objects, upper-case methods, and only keys the Senders API knows. An unknown key is refused
 * with its path (a camelCase key with the snake_case name it should have), never silently dropped.
 *
 * Cold start: constructing a zod schema costs tens of microseconds in a fresh process, and these are a few
 * hundred; every admin function loads this file but each uses one or two schemas. So the exported schemas are
 * `z.lazy` (built on first parse, once) and the phone-number library is loaded when a number is first parsed:
 * loading the module costs next to nothing, and a function pays only for what it parses.
 */
import { sidCheck } from '../sids';
import type { SenderStatus } from './status';
import * as z from '../zod';



/** The `profile.vertical` values the spec allows (its description lists them; a unit test keeps this in sync). */
export const SENDER_VERTICALS = [
  'Alcohol',
  'Automotive',
  'Beauty, Spa and Salon',
  'Clothing and Apparel',
  'Education',
  'Entertainment',
  'Event Planning and Service',
  'Finance and Banking',
  'Food and Grocery',
  'Hotel and Lodging',
  'Matrimony Service',
  'Medical and Health',
  'Non-profit',
  'Online Gambling',
  'OTC Drugs',
  'Other',
  'Physical Gambling',
  'Professional Services',
  'Public Service',
  'Restaurant',
  'Shopping and Retail',
  'Travel and Transportation',
] as const;
export type SenderVertical = (typeof SENDER_VERTICALS)[number];

/** Meta's WhatsApp business-profile limits (characters), checked here so Twilio never has to refuse them. */
export const PROFILE_LIMITS = { about: 139, address: 256, description: 512, email: 128, website: 256, websites: 2, name: 256 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** Builds a value on first call, then answers the same one. */
const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

/** lib/phone.ts (libphonenumber-js and its metadata), loaded when a number is first parsed. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const phone = once(() => require('../phone') as typeof import('../phone'));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const snakeCase = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();

/**
 * An object that refuses keys outside `shape`, one problem per unknown key at its own path (zod's strictObject
 * reports them all at the parent), suggesting the snake_case name when the key is a camelCase known one.
 * The output holds only the known keys that were given.
 */
function exactObject<S extends z.core.$ZodShape>(shape: S) {
  const known = Object.keys(shape);
  return z.pipe(
    z.looseObject(shape).check(
      z.superRefine(
        (value, ctx) => {
          for (const key of Object.keys(value)) {
            if (known.includes(key)) continue;
            const snake = snakeCase(key);
            const message = known.includes(snake)
              ? `Unknown field "${key}": the Senders API takes snake_case, use "${snake}".`
              : `Unknown field "${key}".`;
            ctx.issues.push({ code: 'invalid_value', values: known, input: key, path: [key], message });
          }
        },
        { when: (payload) => isPlainObject(payload.value) },
      ),
    ),
    z.transform((value) => {
      const out: Record<string, unknown> = {};
      for (const key of known) if (value[key] !== undefined) out[key] = value[key];
      return out as { [K in keyof z.output<z.ZodMiniObject<S>>]: z.output<z.ZodMiniObject<S>>[K] };
    }),
  );
}

/** `input`, then `fix` (humane -> exact), then checked against `output`. */
const normalized = <A extends z.ZodMiniType, O, B extends z.ZodMiniType<unknown, Awaited<O>>>(input: A, fix: (value: z.output<A>) => O, output: B) =>
  z.pipe(z.pipe(input, z.transform(fix)), output);

const trimmed = (max: number) => z.pipe(z.string(), z.transform((v) => v.trim())).check(z.minLength(1, 'must not be empty'), z.maxLength(max));

const httpUrl = () =>
  z.string().check(z.trim(), z.maxLength(2048), z.regex(/^https?:\/\/[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$/, 'must be an http:// or https:// URL'));

/** `POST`, `post`, ... -> `POST`. */
const method = <const M extends readonly [string, ...string[]]>(methods: M) =>
  normalized(z.string(), (v) => v.trim().toUpperCase(), z.enum(methods));

/** A one-time code as digits (spaces and dashes people type are dropped). */
const otpCode = once(() =>
  normalized(
    z.union([z.string(), z.number().check(z.int(), z.nonnegative())]),
    (v) => String(v).replace(/[\s-]/g, ''),
    z.string().check(z.regex(/^\d{4,8}$/, 'must be the code received by SMS or voice call (4 to 8 digits)')),
  ),
);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Each email as a string or `{email, label}`; out: `{email, label}` (label "Email" when none is given). */
const emailEntry = () =>
  normalized(
    z.union([z.string(), exactObject({ email: z.string(), label: z.optional(trimmed(100)) })]),
    (entry) => (typeof entry === 'string' ? { email: entry.trim(), label: 'Email' } : { email: entry.email.trim(), label: entry.label ?? 'Email' }),
    z.object({
      email: z.string().check(z.maxLength(PROFILE_LIMITS.email), z.regex(EMAIL, 'must be an email address')),
      label: z.string(),
    }),
  );

/** Each website as a string or `{website, label}`; out: `{website, label}` (label "Website" when none is given). */
const websiteEntry = () =>
  normalized(
    z.union([z.string(), exactObject({ website: z.string(), label: z.optional(trimmed(100)) })]),
    (entry) => (typeof entry === 'string' ? { website: entry.trim(), label: 'Website' } : { website: entry.website.trim(), label: entry.label ?? 'Website' }),
    z.object({ website: httpUrl().check(z.maxLength(PROFILE_LIMITS.website)), label: z.string() }),
  );

/** Each phone number (RCS profiles) as a string or `{phone_number, label}`. */
const phoneEntry = () =>
  z.pipe(
    z.union([z.string(), exactObject({ phone_number: z.string(), label: z.optional(trimmed(100)) })]),
    z.transform((entry: string | { phone_number: string; label?: string }) =>
      typeof entry === 'string' ? { phone_number: entry.trim(), label: 'Phone' } : { phone_number: entry.phone_number.trim(), label: entry.label ?? 'Phone' },
    ),
  );

/**
 * A phone number written any human way -> `whatsapp:+E164`, WhatsApp's Argentina (+549) and Mexico (+521)
 * forms included (lib/phone.ts).
 */
export const senderIdSchema = z.pipe(
  z.string(),
  z.transform((input, ctx) => {
    const result = phone().normalizePhoneNumber(input);
    if (result.ok) return `whatsapp:${result.e164}`;
    ctx.issues.push({ code: 'invalid_format', format: 'whatsapp:+E.164 number, e.g. whatsapp:+15017122661', input, message: result.reason });
    return z.NEVER;
  }),
);

export const senderSidSchema = z.string().check(z.trim(), sidCheck('sender'));
export const accountSidSchema = z.string().check(z.trim(), sidCheck('account'));

// ---------------------------------------------------------------------------------------------------------------
// The three parts of a sender (spec: channels_sender.configuration / .webhook / .profile)

/** `configuration`: WABA, how the OTP is delivered, the OTP itself, the Voice application for voice OTPs. */
export const senderConfigurationSchema = z.lazy(() =>
  exactObject({
    waba_id: z.optional(
      normalized(
        z.union([z.string(), z.number().check(z.int(), z.positive())]),
        (v) => String(v).trim(),
        z.string().check(z.regex(/^\d{5,20}$/, 'must be the WhatsApp Business Account ID (digits)')),
      ),
    ),
    verification_method: z.optional(normalized(z.string(), (v) => v.trim().toLowerCase(), z.enum(['sms', 'voice']))),
    verification_code: z.optional(otpCode()),
    voice_application_sid: z.optional(z.string().check(z.trim(), sidCheck('twimlApp'))),
    account_type: z.optional(z.enum(['ISV', 'ISVSubAccount'])),
  }),
);

/** `webhook`: where messages for the sender go (callback, fallback) and where statuses go. */
export const senderWebhookSchema = z.lazy(() =>
  exactObject({
    callback_url: z.optional(httpUrl()),
    callback_method: z.optional(method(['POST', 'PUT'])),
    fallback_url: z.optional(httpUrl()),
    fallback_method: z.optional(method(['POST', 'PUT'])),
    status_callback_url: z.optional(httpUrl()),
    // The spec gives no enum here; Twilio sends status callbacks with POST (GET accepted for old setups).
    status_callback_method: z.optional(method(['POST', 'PUT', 'GET'])),
  }),
);

const profileShape = () => ({
  name: z.optional(trimmed(PROFILE_LIMITS.name)),
  about: z.optional(trimmed(PROFILE_LIMITS.about)),
  address: z.optional(trimmed(PROFILE_LIMITS.address)),
  description: z.optional(trimmed(PROFILE_LIMITS.description)),
  logo_url: z.optional(httpUrl()),
  banner_url: z.optional(httpUrl()),
  privacy_url: z.optional(httpUrl()),
  terms_of_service_url: z.optional(httpUrl()),
  accent_color: z.optional(z.string().check(z.trim(), z.regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex color like #1A2B3C'))),
  vertical: z.optional(z.enum(SENDER_VERTICALS)),
  emails: z.optional(z.array(emailEntry()).check(z.maxLength(10))),
  websites: z.optional(z.array(websiteEntry()).check(z.maxLength(PROFILE_LIMITS.websites, `WhatsApp shows at most ${PROFILE_LIMITS.websites} websites`))),
  phone_numbers: z.optional(z.array(phoneEntry()).check(z.maxLength(10))),
});

/** `profile`: what WhatsApp users see (display name, about, address, ...). */
export const senderProfileSchema = z.lazy(() => exactObject(profileShape()));

/** The create body's profile: a WhatsApp sender needs its display name (`profile.name`). */
const createProfileSchema = z.lazy(() => exactObject({ ...profileShape(), name: trimmed(PROFILE_LIMITS.name) }));

// ---------------------------------------------------------------------------------------------------------------
// Bodies

/** Body of `POST /v2/Channels/Senders`: humane input -> the exact snake_case wire body. */
export const senderCreateSchema = z.lazy(() =>
  exactObject({
    sender_id: senderIdSchema,
    configuration: z.optional(senderConfigurationSchema),
    webhook: z.optional(senderWebhookSchema),
    profile: createProfileSchema,
  }),
);
export type SenderCreateBody = z.output<typeof senderCreateSchema>;
export type SenderCreateInput = z.input<typeof senderCreateSchema>;

/** Body of `POST /v2/Channels/Senders/{Sid}`: at least one part to change. */
export const senderUpdateSchema = z.lazy(() =>
  exactObject({
    configuration: z.optional(senderConfigurationSchema),
    webhook: z.optional(senderWebhookSchema),
    profile: z.optional(senderProfileSchema),
  }).check(z.refine((body) => Object.keys(body).length > 0, { message: 'Give at least one of configuration, webhook, profile.' })),
);
export type SenderUpdateBody = z.output<typeof senderUpdateSchema>;
export type SenderUpdateInput = z.input<typeof senderUpdateSchema>;

export type SenderConfiguration = z.output<typeof senderConfigurationSchema>;
export type SenderWebhook = z.output<typeof senderWebhookSchema>;
export type SenderProfile = z.output<typeof senderProfileSchema>;

/**
 * A sender as the Senders API answers it (spec: channels_sender_response). Read loosely: Twilio adds fields
 * over time, and an answer is passed on as Twilio gave it.
 */
export type Sender = {
  sid: string;
  status: SenderStatus | (string & {});
  sender_id: string;
  configuration?: Record<string, unknown> | null;
  webhook?: Record<string, unknown> | null;
  profile?: Record<string, unknown> | null;
  properties?: Record<string, unknown> | null;
  offline_reasons?: { code?: string | null; message?: string | null; more_info?: string | null }[] | null;
  compliance?: unknown;
  url?: string | null;
  [field: string]: unknown;
};

// ---------------------------------------------------------------------------------------------------------------
// The admin routes' inputs (also what the bulk tool validates a row against)

const booleanFlag = () =>
  z.pipe(
    z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', ''])]),
    z.transform((v) => v === true || v === 'true' || v === '1' || v === 'yes'),
  );

/** POST /admin/register-sender: a create body, plus `account_sid` (a subaccount) and `dry_run`. */
export const registerSenderRequestSchema = z.lazy(() =>
  z.pipe(
    exactObject({
      sender_id: senderIdSchema,
      configuration: z.optional(senderConfigurationSchema),
      webhook: z.optional(senderWebhookSchema),
      profile: createProfileSchema,
      account_sid: z.optional(accountSidSchema),
      dry_run: z.optional(booleanFlag()),
    }),
    z.transform(({ account_sid, dry_run, ...body }) => ({ body: body as SenderCreateBody, accountSid: account_sid, dryRun: dry_run ?? false })),
  ),
);
export type RegisterSenderRequest = z.output<typeof registerSenderRequestSchema>;

/** GET|POST /admin/sender-status: `sid`, optional `wait` (poll while CREATING or VERIFYING), `account_sid`. */
export const senderStatusRequestSchema = z.lazy(() =>
  exactObject({
    sid: senderSidSchema,
    wait: z.optional(booleanFlag()),
    account_sid: z.optional(accountSidSchema),
  }),
);

/** POST /admin/verify-sender: `sid` and the OTP as `code` (or `verification_code`). */
export const verifySenderRequestSchema = z.lazy(() =>
  z.pipe(
    exactObject({
      sid: senderSidSchema,
      code: z.optional(otpCode()),
      verification_code: z.optional(otpCode()),
      account_sid: z.optional(accountSidSchema),
    }),
    z.transform(({ sid, account_sid, code, verification_code }, ctx) => {
      const otp = verification_code ?? code;
      if (otp === undefined) {
        ctx.issues.push({ code: 'invalid_type', expected: 'string', input: undefined, path: ['code'], message: 'The code received by SMS or voice call is required.' });
        return z.NEVER;
      }
      return { sid, accountSid: account_sid, code: otp };
    }),
  ),
);

/** GET /admin/list-senders: `page_size` (1..1000, default 50), `page_token`, `account_sid`. */
export const listSendersRequestSchema = z.lazy(() =>
  exactObject({
    page_size: z.optional(
      normalized(
        z.union([z.number(), z.string().check(z.regex(/^\d+$/, 'must be a whole number'))]),
        Number,
        z.number().check(z.int(), z.gte(1), z.lte(1000)),
      ),
    ),
    page_token: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
    account_sid: z.optional(accountSidSchema),
  }),
);

/** POST /admin/update-sender: `sid` and at least one of configuration, webhook, profile. */
export const updateSenderRequestSchema = z.lazy(() =>
  z.pipe(
    exactObject({
      sid: senderSidSchema,
      configuration: z.optional(senderConfigurationSchema),
      webhook: z.optional(senderWebhookSchema),
      profile: z.optional(senderProfileSchema),
      account_sid: z.optional(accountSidSchema),
    }),
    z.transform(({ sid, account_sid, ...body }, ctx) => {
      if (Object.keys(body).length === 0) {
        ctx.issues.push({ code: 'custom', input: body, path: [], message: 'Give at least one of configuration, webhook, profile to change.' });
        return z.NEVER;
      }
      return { sid, accountSid: account_sid, body: body as SenderUpdateBody };
    }),
  ),
);

/** POST /admin/delete-sender: `sid`. */
export const deleteSenderRequestSchema = z.lazy(() =>
  exactObject({
    sid: senderSidSchema,
    account_sid: z.optional(accountSidSchema),
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// Display-name checks (Meta reviews the name after registration; a declined name limits the number to 250
// business-initiated conversations a day and may get the sender disconnected: seed 000)

export type DisplayNameWarning = {
  field: 'profile.name';
  code: 'ALL_CAPS' | 'EMOJI' | 'GENERIC_WORDS' | 'WHATSAPP_BRAND' | 'TOO_SHORT' | 'PUNCTUATION' | 'URL';
  message: string;
};

/** Words that alone do not identify a business (Meta declines names made only of generic terms). */
const GENERIC_WORDS = new Set(
  (
    'a an and the of for to my our your online official shop store business company co corp inc ltd llc services ' +
    'service support customer care help desk info information team sales marketing notifications alerts news ' +
    'test testing demo sample example bot chat chatbot whatsapp sms messages message hello hi'
  ).split(' '),
);

/**
 * Display-name problems Meta is known to reject, found before anything is sent: all capitals (beyond a short
 * acronym), emoji, only generic words, WhatsApp's own brand, too short, decorative punctuation, a URL.
 * Returned as warnings: the caller decides (the name may still be accepted).
 */
export function displayNameWarnings(name: string): DisplayNameWarning[] {
  const warnings: DisplayNameWarning[] = [];
  const add = (code: DisplayNameWarning['code'], message: string) => warnings.push({ field: 'profile.name', code, message });
  const text = name.trim();
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length > 4 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) {
    add('ALL_CAPS', 'All capitals: Meta allows capitals only for acronyms; write "Acme Shoes", not "ACME SHOES".');
  }
  if (/\p{Extended_Pictographic}/u.test(text)) add('EMOJI', 'Emoji are not allowed in a display name.');
  if (/whats\s*app|\bmeta\b|facebook/i.test(text)) add('WHATSAPP_BRAND', 'The name must not use WhatsApp, Meta or Facebook brands.');
  if (/https?:\/\/|www\.|\.(com|net|org|io)\b/i.test(text)) add('URL', 'A URL is allowed only when it matches the business website exactly; prefer the brand name.');
  if (/([!?.*~_#@$%^&+=|\\/<>-])\1|[!?*~#@$%^|\\<>]{2,}/.test(text)) add('PUNCTUATION', 'Repeated or decorative punctuation is not allowed.');
  if (letters.length < 3) add('TOO_SHORT', 'Use at least 3 letters: the name must identify the business.');
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length > 0 && words.every((w) => GENERIC_WORDS.has(w))) {
    add('GENERIC_WORDS', 'Only generic words: the name must include the business or brand name (e.g. "Acme Support", not "Customer Support").');
  }
  return warnings;
}
