/**
 * The admin routes on the conversation store: their inputs (zod), the contact as JSON, and the operations
 * (GET /admin/contact, POST /admin/consent, POST /admin/forget, GET /admin/contacts).
 */
import { accountSidSchema, exactObject, senderIdSchema } from '../senders/fields';
import { hintFor } from '../twilio-errors';
import * as z from '../zod';
import { applyAdminConsent, emptyRecord, latestBot, windowState, type ContactKey, type ContactRecord } from './record';
import { deleteContact, listContacts, readContact, updateContact, type ContactStore } from './sync';

/** `address`: a WhatsApp address or a number written any human way (+1 415 523 8886, 0044 20 ...). */
const address = senderIdSchema;
const text = (max: number) =>
  z
    .pipe(
      z.string(),
      z.transform((v) => v.trim()),
    )
    .check(z.minLength(1, 'must not be empty'), z.maxLength(max));

export const contactRequestSchema = exactObject({ address, account_sid: z.optional(accountSidSchema) });

export const consentRequestSchema = exactObject({
  address,
  status: z.enum(['opted_in', 'opted_out']),
  /** Where the consent was gathered, e.g. "signup_form", "checkout_checkbox". */
  source: text(100),
  /** What proves it: a form submission id, a URL, a note (kept with the record, at most 1000 characters). */
  evidence: z.optional(text(1000)),
  account_sid: z.optional(accountSidSchema),
});

export const forgetRequestSchema = contactRequestSchema;

/** Sync pages documents 1..100 at a time. */
export const MAX_CONTACTS_PAGE_SIZE = 100;

export const contactsRequestSchema = exactObject({
  page_size: z.optional(
    z.pipe(
      z.pipe(z.union([z.number(), z.string().check(z.regex(/^\d+$/, 'must be a whole number'))]), z.transform(Number)),
      z.number().check(z.int(), z.gte(1), z.lte(MAX_CONTACTS_PAGE_SIZE)),
    ),
  ),
  page_token: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_\-=.~+/%]{1,512}$/, 'must be a next_page_token this route answered')),
  ),
  consent: z.optional(z.enum(['opted_in', 'opted_out', 'unknown'])),
  account_sid: z.optional(accountSidSchema),
});

/** The contact as the admin routes answer it. `now` decides whether the window is open. */
export function contactView(key: ContactKey, record: ContactRecord | undefined, now: Date) {
  const sessions = Object.keys(record?.sessions ?? {}).map((bot) => {
    const window = windowState(record, bot, now);
    return {
      from: bot,
      last_inbound_at: window.lastInboundAt,
      window_open: window.open,
      window_closes_at: window.closesAt,
    };
  });
  const latest = latestBot(record);
  const last = record?.last_outbound;
  const { status, ...consentDetails } = record?.consent ?? { status: 'unknown' as const };
  return {
    address: key.address,
    account_sid: key.accountSid,
    consent: { status, source: null, at: null, ...consentDetails },
    /** The session with the bot number the user wrote to last (null: never wrote); `sessions` lists every number. */
    session: sessions.find((s) => s.from === latest) ?? null,
    sessions,
    last_outbound: last
      ? {
          sid: last.sid,
          status: last.status,
          error_code: last.error_code,
          hint: last.error_code ? (hintFor(last.error_code) ?? null) : null,
          at: last.at,
        }
      : null,
  };
}

export type ContactView = ReturnType<typeof contactView>;

/** GET /admin/contact. */
export async function getContact(store: ContactStore, key: ContactKey, now: Date): Promise<ContactView> {
  return contactView(key, (await readContact(store, key)).record, now);
}

/** POST /admin/consent: records consent gathered elsewhere; answers the contact after it. */
export async function setConsent(
  store: ContactStore,
  key: ContactKey,
  consent: { status: 'opted_in' | 'opted_out'; source: string; evidence?: string },
  now: Date,
): Promise<ContactView> {
  const result = await updateContact(store, key, (current) =>
    applyAdminConsent(current ?? emptyRecord(key), consent, now),
  );
  return contactView(key, result.record, now);
}

/** POST /admin/forget: deletes the user's record. Resolves whether there was one. */
export const forgetContact = (store: ContactStore, key: ContactKey): Promise<boolean> => deleteContact(store, key);

/** GET /admin/contacts: one page of the account's records, filtered by consent. */
export async function pageContacts(
  store: ContactStore,
  options: { accountSid: string; pageSize: number; pageToken?: string; consent?: ContactRecord['consent']['status'] },
  now: Date,
) {
  const page = await listContacts(store, {
    accountSid: options.accountSid,
    pageSize: options.pageSize,
    pageToken: options.pageToken,
    filter: options.consent ? (record) => record.consent.status === options.consent : undefined,
  });
  return {
    contacts: page.records.map((record) =>
      contactView({ accountSid: record.account_sid, address: record.address }, record, now),
    ),
    next_page_token: page.nextPageToken,
    page_size: options.pageSize,
  };
}
