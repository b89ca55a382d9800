/**
 * The zod building blocks of the Senders schemas: humane in, exact out. An object that refuses unknown keys one
 * by one (suggesting snake_case for camelCase), trimmed strings, URLs, methods in any case, OTP codes, email and
 * website entries as strings or objects, and humane phone numbers -> `whatsapp:+E164`.
 *
 * Cold start: building a zod schema costs tens of microseconds in a fresh process, and the Senders schemas are a
 * few hundred; each admin function uses one or two. So the exported schemas are `z.lazy` (built on first parse)
 * and the phone-number library is loaded when a number is first parsed.
 */
import { sidCheck } from '../sids';
import * as z from '../zod';

/** Meta's WhatsApp business-profile limits (characters), checked here so Twilio never has to refuse them. */
export const PROFILE_LIMITS = {
  about: 139,
  address: 256,
  description: 512,
  email: 128,
  website: 256,
  websites: 2,
  name: 256,
} as const;

/** Builds a value on first call, then answers the same one. */
/* @__NO_SIDE_EFFECTS__ */
export const once = <T>(build: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= build());
};

/** lib/phone.ts (libphonenumber-js and its metadata), loaded when a number is first parsed. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const phone = once(() => require('../phone') as typeof import('../phone'));

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const snakeCase = (key: string) =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

/**
 * An object that refuses keys outside `shape`, one problem per unknown key at its own path (zod's strictObject
 * reports them all at the parent), suggesting the snake_case name when the key is a camelCase known one.
 * The output holds only the known keys that were given.
 */
/* @__NO_SIDE_EFFECTS__ */
export function exactObject<S extends z.core.$ZodShape>(shape: S) {
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
/* @__NO_SIDE_EFFECTS__ */
export const normalized = <A extends z.ZodMiniType, O, B extends z.ZodMiniType<unknown, Awaited<O>>>(
  input: A,
  fix: (value: z.output<A>) => O,
  output: B,
) => z.pipe(z.pipe(input, z.transform(fix)), output);

/* @__NO_SIDE_EFFECTS__ */
export const trimmed = (max: number) =>
  z
    .pipe(
      z.string(),
      z.transform((v) => v.trim()),
    )
    .check(z.minLength(1, 'must not be empty'), z.maxLength(max));

/* @__NO_SIDE_EFFECTS__ */
export const httpUrl = () =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(2048),
      z.regex(/^https?:\/\/[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$/, 'must be an http:// or https:// URL'),
    );

/** `POST`, `post`, ... -> `POST`. */
/* @__NO_SIDE_EFFECTS__ */
export const method = <const M extends readonly [string, ...string[]]>(methods: M) =>
  normalized(z.string(), (v) => v.trim().toUpperCase(), z.enum(methods));

/** A one-time code as digits (spaces and dashes people type are dropped). */
export const otpCode = once(() =>
  normalized(
    z.union([z.string(), z.number().check(z.int(), z.nonnegative())]),
    (v) => String(v).replace(/[\s-]/g, ''),
    z.string().check(z.regex(/^\d{4,8}$/, 'must be the code received by SMS or voice call (4 to 8 digits)')),
  ),
);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Each email as a string or `{email, label}`; out: `{email, label}` (label "Email" when none is given). */
/* @__NO_SIDE_EFFECTS__ */
export const emailEntry = () =>
  normalized(
    z.union([z.string(), exactObject({ email: z.string(), label: z.optional(trimmed(100)) })]),
    (entry) =>
      typeof entry === 'string'
        ? { email: entry.trim(), label: 'Email' }
        : { email: entry.email.trim(), label: entry.label ?? 'Email' },
    z.object({
      email: z.string().check(z.maxLength(PROFILE_LIMITS.email), z.regex(EMAIL, 'must be an email address')),
      label: z.string(),
    }),
  );

/** Each website as a string or `{website, label}`; out: `{website, label}` (label "Website" when none is given). */
/* @__NO_SIDE_EFFECTS__ */
export const websiteEntry = () =>
  normalized(
    z.union([z.string(), exactObject({ website: z.string(), label: z.optional(trimmed(100)) })]),
    (entry) =>
      typeof entry === 'string'
        ? { website: entry.trim(), label: 'Website' }
        : { website: entry.website.trim(), label: entry.label ?? 'Website' },
    z.object({ website: httpUrl().check(z.maxLength(PROFILE_LIMITS.website)), label: z.string() }),
  );

/** Each phone number (RCS profiles) as a string or `{phone_number, label}`. */
/* @__NO_SIDE_EFFECTS__ */
export const phoneEntry = () =>
  z.pipe(
    z.union([z.string(), exactObject({ phone_number: z.string(), label: z.optional(trimmed(100)) })]),
    z.transform((entry: string | { phone_number: string; label?: string }) =>
      typeof entry === 'string'
        ? { phone_number: entry.trim(), label: 'Phone' }
        : { phone_number: entry.phone_number.trim(), label: entry.label ?? 'Phone' },
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
    ctx.issues.push({
      code: 'invalid_format',
      format: 'whatsapp:+E.164 number, e.g. whatsapp:+15017122661',
      input,
      message: result.reason,
    });
    return z.NEVER;
  }),
);

export const senderSidSchema = z.string().check(z.trim(), sidCheck('sender'));
export const accountSidSchema = z.string().check(z.trim(), sidCheck('account'));

/** `true`, `"true"`, `"1"`, `"yes"` -> true; `false`, `"false"`, `"0"`, `"no"`, `""` -> false. */
/* @__NO_SIDE_EFFECTS__ */
export const booleanFlag = () =>
  z.pipe(
    z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', ''])]),
    z.transform((v) => v === true || v === 'true' || v === '1' || v === 'yes'),
  );
