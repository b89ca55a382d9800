/**
 * The conversation record of one WhatsApp user: its shape (the JSON kept in one Sync Document) and the pure
 * transitions every route applies to it. No I/O here; lib/conversation/sync.ts reads and writes the document.
 *
 * One document per user and account, holding: consent (per account: a user opts in to, or out of, the
 * business, whichever of its numbers they wrote to), one session per bot number (the 24-hour window is
 * between a user and a number), the last outbound message and its delivery status, and the inbound messages
 * handled recently (for retried webhooks).
 */
import { createHash } from 'node:crypto';
import * as z from '../zod';

export const CONSENT_STATUSES = ['opted_in', 'opted_out', 'unknown'] as const;

/** WhatsApp's customer service window: free-form messages up to 24 hours after the user's last message. */
export const SESSION_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * A record with no consent decision expires after this long without a write (Sync TTL, refreshed by every write).
 * A record holding a decision (opted_in or opted_out) never expires: an opt-out must hold until the user opts in
 * again or is forgotten, and an opt-in is the business's evidence for as long as it messages the user.
 */
export const IDLE_RECORD_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Inbound messages remembered for retried webhooks (Twilio retries within minutes, not hours). */
export const MAX_HANDLED = 20;
/** Bot numbers a record keeps a session for; the oldest is dropped beyond. */
export const MAX_SESSIONS = 10;
/** Sync Document unique names of contact records start with this; listing skips every other document. */
export const CONTACT_NAME_PREFIX = 'wa-contact-';

const iso = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'must be an ISO 8601 UTC time'));

const consentSchema = z.object({
  status: z.enum(CONSENT_STATUSES),
  /** Where it came from: "whatsapp_keyword", or the admin caller's source (e.g. "signup_form"). */
  source: z.optional(z.string()),
  at: z.optional(iso),
  /** The inbound message that set it (keyword), or the admin request's evidence. */
  message_sid: z.optional(z.string()),
  keyword: z.optional(z.string()),
  evidence: z.optional(z.string()),
  via: z.optional(z.enum(['keyword', 'admin'])),
});

const handledSchema = z.object({
  sid: z.optional(z.string()),
  token: z.optional(z.string()),
  at: iso,
  /** A side effect the first delivery performed (or claimed): a retry must not repeat it. */
  effect: z.optional(z.enum(['location', 'menu'])),
});

const outboundSchema = z.object({
  sid: z.string(),
  status: z.string(),
  error_code: z.nullable(z.number()),
  at: iso,
});

/** The JSON kept in the Sync Document (`Data`). Read back through this schema: Sync data is outside input. */
export const contactRecordSchema = z.object({
  v: z.literal(1),
  account_sid: z.string(),
  address: z.string(),
  consent: consentSchema,
  sessions: z.record(z.string(), z.object({ last_inbound_at: iso })),
  last_outbound: z.optional(outboundSchema),
  handled: z.array(handledSchema),
});
export type ContactRecord = z.infer<typeof contactRecordSchema>;
export type Consent = z.infer<typeof consentSchema>;
export type HandledMessage = z.infer<typeof handledSchema>;

/** Which record: the account it belongs to and the user's `whatsapp:+E164` address. */
export type ContactKey = { accountSid: string; address: string };

/**
 * The Sync Document unique name of a contact: a SHA-256 of account and address, so no phone number appears in a
 * URL, a unique name or Twilio's request logs. Not a secret: phone numbers are few enough to enumerate, and the
 * record's data holds the address anyway (export needs it); forgetting deletes the document.
 */
/** Names already hashed: a webhook names its user's document two or three times per message. Cleared when full. */
const knownNames = new Map<string, string>();
const KNOWN_NAMES_MAX = 1000;

export function contactDocumentName(key: ContactKey): string {
  const id = `${key.accountSid}|${key.address}`;
  let name = knownNames.get(id);
  if (name === undefined) {
    name = CONTACT_NAME_PREFIX + createHash('sha256').update(id).digest('hex').slice(0, 40);
    if (knownNames.size >= KNOWN_NAMES_MAX) knownNames.clear();
    knownNames.set(id, name);
  }
  return name;
}

export function emptyRecord(key: ContactKey): ContactRecord {
  return {
    v: 1,
    account_sid: key.accountSid,
    address: key.address,
    consent: { status: 'unknown' },
    sessions: {},
    handled: [],
  };
}

/** The TTL a record is written with: none (0) once it holds a consent decision. */
export const ttlFor = (record: ContactRecord): number =>
  record.consent.status === 'unknown' ? IDLE_RECORD_TTL_SECONDS : 0;

/** Identifies one delivery of an inbound webhook: its MessageSid and/or Twilio's I-Twilio-Idempotency-Token. */
export type DeliveryId = { sid?: string; token?: string };

/** The earlier handling of this delivery, if the record remembers one (same MessageSid or same token). */
export function findHandled(record: ContactRecord | undefined, id: DeliveryId): HandledMessage | undefined {
  if (!record || (!id.sid && !id.token)) return undefined;
  return record.handled.find(
    (h) => (id.sid !== undefined && h.sid === id.sid) || (id.token !== undefined && h.token === id.token),
  );
}

export type InboundChange = {
  bot: string;
  id: DeliveryId;
  at: Date;
  /** A consent keyword in the message. */
  consent?: { status: 'opted_in' | 'opted_out'; keyword: string };
  /** A side effect this delivery claims (performed once). */
  effect?: HandledMessage['effect'];
};

/** The record after an inbound message: session refreshed, consent changed by a keyword, delivery remembered. */
export function applyInbound(record: ContactRecord, change: InboundChange): ContactRecord {
  const at = change.at.toISOString();
  const sessions = { ...record.sessions, [change.bot]: { last_inbound_at: at } };
  const bots = Object.keys(sessions).sort((a, b) =>
    sessions[b]!.last_inbound_at.localeCompare(sessions[a]!.last_inbound_at),
  );
  const kept = Object.fromEntries(bots.slice(0, MAX_SESSIONS).map((bot) => [bot, sessions[bot]!]));
  const consent: Consent = change.consent
    ? {
        status: change.consent.status,
        source: 'whatsapp_keyword',
        at,
        via: 'keyword',
        keyword: change.consent.keyword,
        ...(change.id.sid ? { message_sid: change.id.sid } : {}),
      }
    : record.consent;
  const handled: HandledMessage = {
    at,
    ...(change.id.sid ? { sid: change.id.sid } : {}),
    ...(change.id.token ? { token: change.id.token } : {}),
    ...(change.effect ? { effect: change.effect } : {}),
  };
  const remembered =
    change.id.sid || change.id.token ? [handled, ...record.handled].slice(0, MAX_HANDLED) : record.handled;
  return { ...record, sessions: kept, consent, handled: remembered };
}

/** The record with a delivery's claimed side effect withdrawn (it failed, so a retry may try again). */
export function releaseEffect(record: ContactRecord, id: DeliveryId): ContactRecord {
  const match = findHandled(record, id);
  return match ? { ...record, handled: record.handled.filter((h) => h !== match) } : record;
}

/** The record with consent gathered elsewhere (POST /admin/consent). */
export function applyAdminConsent(
  record: ContactRecord,
  consent: { status: 'opted_in' | 'opted_out'; source: string; evidence?: string },
  at: Date,
): ContactRecord {
  return {
    ...record,
    consent: {
      status: consent.status,
      source: consent.source,
      at: at.toISOString(),
      via: 'admin',
      ...(consent.evidence ? { evidence: consent.evidence } : {}),
    },
  };
}

/** Delivery order of a message's statuses; failed and undelivered are final. */
const STATUS_RANK: Record<string, number> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
  undelivered: 6,
  canceled: 6,
};

/**
 * The record after a status callback. The same message only moves forward (callbacks may arrive out of order:
 * a late "sent" never overwrites "read"); a message with another SID is a newer one and replaces it.
 */
export function applyStatus(
  record: ContactRecord,
  status: { sid: string; status: string; errorCode?: number },
  at: Date,
): ContactRecord {
  const last = record.last_outbound;
  if (last && last.sid === status.sid && (STATUS_RANK[status.status] ?? 0) < (STATUS_RANK[last.status] ?? 0))
    return record;
  return {
    ...record,
    last_outbound: {
      sid: status.sid,
      status: status.status,
      error_code: status.errorCode ?? null,
      at: at.toISOString(),
    },
  };
}

/** The record after the business sent a message (for the send path): queued, no error yet. */
export function applyOutbound(record: ContactRecord, sid: string, at: Date): ContactRecord {
  return { ...record, last_outbound: { sid, status: 'queued', error_code: null, at: at.toISOString() } };
}

export type WindowState = { open: boolean; lastInboundAt: string | null; closesAt: string | null };

/** The 24-hour window between the user and `bot` at `now` (closed when the user never wrote to it). */
export function windowState(record: ContactRecord | undefined, bot: string, now: Date): WindowState {
  const last = record?.sessions[bot]?.last_inbound_at;
  if (!last) return { open: false, lastInboundAt: null, closesAt: null };
  const closes = Date.parse(last) + SESSION_WINDOW_MS;
  return { open: now.getTime() < closes, lastInboundAt: last, closesAt: new Date(closes).toISOString() };
}

/** The bot number the user wrote to last, if any. */
export function latestBot(record: ContactRecord | undefined): string | undefined {
  if (!record) return undefined;
  return Object.entries(record.sessions).sort(([, a], [, b]) =>
    b.last_inbound_at.localeCompare(a.last_inbound_at),
  )[0]?.[0];
}

/** Whether a business may start a conversation with this user: only with an opt-in on record. */
export const mayMessageFirst = (record: ContactRecord | undefined): boolean => record?.consent.status === 'opted_in';
