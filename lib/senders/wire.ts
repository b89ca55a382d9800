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
 * The building blocks are in fields.ts (see there why every schema is lazy); the admin routes' inputs, built
 * on these bodies, are in admin-inputs.ts.
 */
import { sidCheck } from '../sids';
import * as z from '../zod';
import {
  emailEntry,
  exactObject,
  httpUrl,
  method,
  normalized,
  otpCode,
  phoneEntry,
  PROFILE_LIMITS,
  senderIdSchema,
  trimmed,
  websiteEntry,
} from './fields';
import type { SenderStatus } from './status';

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
  accent_color: z.optional(
    z.string().check(z.trim(), z.regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex color like #1A2B3C')),
  ),
  vertical: z.optional(z.enum(SENDER_VERTICALS)),
  emails: z.optional(z.array(emailEntry()).check(z.maxLength(10))),
  websites: z.optional(
    z
      .array(websiteEntry())
      .check(z.maxLength(PROFILE_LIMITS.websites, `WhatsApp shows at most ${PROFILE_LIMITS.websites} websites`)),
  ),
  phone_numbers: z.optional(z.array(phoneEntry()).check(z.maxLength(10))),
});

/** `profile`: what WhatsApp users see (display name, about, address, ...). */
export const senderProfileSchema = z.lazy(() => exactObject(profileShape()));

/** The create body's profile: a WhatsApp sender needs its display name (`profile.name`). */
const createProfileSchema = z.lazy(() => exactObject({ ...profileShape(), name: trimmed(PROFILE_LIMITS.name) }));

/** The fields of a create body (the admin input extends them). */
export const senderCreateShape = () => ({
  sender_id: senderIdSchema,
  configuration: z.optional(senderConfigurationSchema),
  webhook: z.optional(senderWebhookSchema),
  profile: createProfileSchema,
});

/** The fields of an update body, all optional (the admin input extends them). */
export const senderUpdateShape = () => ({
  configuration: z.optional(senderConfigurationSchema),
  webhook: z.optional(senderWebhookSchema),
  profile: z.optional(senderProfileSchema),
});

/** Body of `POST /v2/Channels/Senders`: humane input -> the exact snake_case wire body. */
export const senderCreateSchema = z.lazy(() => exactObject(senderCreateShape()));
export type SenderCreateBody = z.output<typeof senderCreateSchema>;

/** Body of `POST /v2/Channels/Senders/{Sid}`: at least one part to change. */
export const senderUpdateSchema = z.lazy(() =>
  exactObject(senderUpdateShape()).check(
    z.refine((body) => Object.keys(body).length > 0, {
      message: 'Give at least one of configuration, webhook, profile.',
    }),
  ),
);
export type SenderUpdateBody = z.output<typeof senderUpdateSchema>;

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
