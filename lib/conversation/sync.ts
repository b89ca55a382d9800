/**
 * The conversation store's I/O: contact records as Sync Documents, through the Sync REST API and the project's
 * Twilio client (lib/twilio-client.ts, so TWILIO_API_BASE_URL reaches the emulator). Every write is conditional
 * on the revision read (`If-Match`); a 412 (or a create racing another create, 409) re-reads and re-applies.
 * Every call is bounded by the store's deadline: a slow Sync costs the caller at most that much time.
 *
 * Layout (why it scales): one Document per user, named by a hash (record.ts contactDocumentName). Sync limits
 * each object to about 20 reads/s and 20 writes/s (10 s burst window, error 54009 beyond), so a Map holding every
 * user would cap the whole bot near 20 messages/s; one document per user caps only that user, and an inbound
 * message costs that document one read and one write. Listing pages over the service's documents (Sync's own
 * paging), not over a shared index object that every message would have to touch.
 */
import { TwilioApiError, twilioRequest, type TwilioCall } from '../twilio-api';
import { TwilioErrorCode } from '../twilio-errors';
import type { ContactCache } from './cache';
import {
  CONTACT_NAME_PREFIX,
  contactDocumentName,
  contactRecordSchema,
  ttlFor,
  type ContactKey,
  type ContactRecord,
} from './record';

export const SYNC_API = 'https://sync.twilio.com/v1';

/**
 * Where the records are and how a call is made: a Twilio call (client, deadline, retries, trace; lib/twilio-api)
 * on a Sync service. Failures throw TwilioApiError, like every Twilio call of the project.
 */
export type ContactStore = TwilioCall & {
  /** IS + 32 hex digits, or `default` (the account's default Sync service). */
  serviceSid: string;
  /** The warm container's copies (cache.ts): the inbound webhook writes against them without reading first. */
  cache?: ContactCache;
};

type Response = { status: number; body: Record<string, unknown>; etag?: string };

/** Statuses that are answers here, not failures: none kept (404), a conflict (409, 412). */
const ANSWERS = new Set([404, 409, 412]);

/** One Sync request within the store's deadline (retried on 429/5xx while time is left). */
async function syncRequest(
  store: ContactStore,
  method: 'get' | 'post' | 'delete',
  uri: string,
  options: { form?: Record<string, string | number>; ifMatch?: string } = {},
): Promise<Response> {
  const headers = options.ifMatch !== undefined ? { 'If-Match': options.ifMatch } : undefined;
  try {
    const raw = await twilioRequest(store, method, uri, options.form, { encoding: 'form', headers });
    const body =
      raw.body && typeof raw.body === 'object' && !Array.isArray(raw.body) ? (raw.body as Record<string, unknown>) : {};
    const etag = raw.headers.etag;
    return {
      status: raw.statusCode,
      body,
      etag: typeof etag === 'string' || typeof etag === 'number' ? String(etag) : undefined,
    };
  } catch (error) {
    // A missing service is a failure (SYNC_SERVICE_SID is wrong), not a missing contact.
    const failure = error instanceof TwilioApiError ? error.failure : undefined;
    if (
      failure?.kind === 'twilio' &&
      ANSWERS.has(failure.status) &&
      failure.code !== TwilioErrorCode.SYNC_SERVICE_NOT_FOUND
    ) {
      return { status: failure.status, body: {} };
    }
    throw error;
  }
}

const documentsUrl = (store: ContactStore) => `${SYNC_API}/Services/${encodeURIComponent(store.serviceSid)}/Documents`;
const documentUrl = (store: ContactStore, name: string) => `${documentsUrl(store)}/${encodeURIComponent(name)}`;

/**
 * A contact as read: its record (undefined when none is kept), the revision to write against, and the document's
 * SID (ET...), which writes address: a document forgotten and made again has a new SID, so a write meant for the
 * old one fails (404) instead of landing on the new one at a revision that happens to match.
 */
export type ContactRead = { record: ContactRecord | undefined; revision: string | undefined; sid?: string };

function parseRecord(data: unknown): ContactRecord {
  const parsed = contactRecordSchema.safeParse(data);
  if (!parsed.success) {
    // Never overwrite what cannot be read: it may hold an opt-out.
    const message = 'The contact document in Sync does not hold a contact record this code can read.';
    throw new TwilioApiError({ kind: 'twilio', status: 502, code: null, message, moreInfo: null, attempts: 1 });
  }
  return parsed.data;
}

const revisionOf = (response: Response): string | undefined =>
  typeof response.body.revision === 'string' ? response.body.revision : response.etag;
const sidOf = (response: Response): string | undefined =>
  typeof response.body.sid === 'string' ? response.body.sid : undefined;

/** Reads one contact's record (one Sync call). */
export async function readContact(store: ContactStore, key: ContactKey): Promise<ContactRead> {
  const response = await syncRequest(store, 'get', documentUrl(store, contactDocumentName(key)));
  if (response.status === 404) return { record: undefined, revision: undefined };
  return { record: parseRecord(response.body.data), revision: revisionOf(response), sid: sidOf(response) };
}

/** Writes `record` against `revision` (create when undefined). Resolves false on a conflict (412, 409, 404). */
async function writeContact(
  store: ContactStore,
  key: ContactKey,
  record: ContactRecord,
  read: ContactRead,
): Promise<ContactRead | false> {
  const name = contactDocumentName(key);
  const form = { Data: JSON.stringify(record), Ttl: ttlFor(record) };
  const response =
    read.revision === undefined
      ? await syncRequest(store, 'post', documentsUrl(store), { form: { UniqueName: name, ...form } })
      : await syncRequest(store, 'post', documentUrl(store, read.sid ?? name), { form, ifMatch: read.revision });
  // 412: someone wrote since our read; 409: someone created it first; 404: it was deleted (forget) or expired.
  if (ANSWERS.has(response.status)) return false;
  return { record, revision: revisionOf(response), sid: sidOf(response) ?? read.sid };
}

export type UpdateResult = ContactRead & { wrote: boolean; attempts: number };

/**
 * Read-modify-write with optimistic concurrency: `change` gets the current record (undefined when none) and
 * returns the new one, or undefined to write nothing. On a conflict the document is read again and `change`
 * re-applied, at most `maxAttempts` times. `initial` is a read already made (the hot path's one read).
 */
export async function updateContact(
  store: ContactStore,
  key: ContactKey,
  change: (current: ContactRecord | undefined) => ContactRecord | undefined,
  options: { initial?: ContactRead; remembered?: boolean; maxAttempts?: number } = {},
): Promise<UpdateResult> {
  const maxAttempts = options.maxAttempts ?? 20;
  let current = options.initial ?? (await readContact(store, key));
  for (let attempt = 1; ; attempt++) {
    const next = change(current.record);
    if (next === undefined) return { ...current, wrote: false, attempts: attempt };
    const written = await writeContact(store, key, next, current);
    if (written) return { ...written, wrote: true, attempts: attempt };
    if (attempt >= maxAttempts) {
      const code = TwilioErrorCode.SYNC_REVISION_MISMATCH;
      const message = `The contact changed under ${attempt} attempts in a row.`;
      throw new TwilioApiError({ kind: 'twilio', status: 412, code, message, moreInfo: null, attempts: attempt });
    }
    // Concurrent writers of one contact collide again if they retry in step: a few ms of jitter spreads them.
    // A remembered copy (cache.ts) that went stale is no collision: read again at once.
    if (!(attempt === 1 && options.remembered)) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
    current = await readContact(store, key);
  }
}

/** Deletes a contact's record. Resolves whether there was one. */
export async function deleteContact(store: ContactStore, key: ContactKey): Promise<boolean> {
  const response = await syncRequest(store, 'delete', documentUrl(store, contactDocumentName(key)));
  return response.status !== 404;
}

export type ContactPage = { records: ContactRecord[]; nextPageToken: string | null; scanned: number };

/**
 * One page of the service's documents, keeping the contact records of `accountSid`. Sync pages over documents,
 * so a page may hold fewer records than `pageSize` (other documents, other accounts, a consent filter): follow
 * `nextPageToken` until it is null. A document that is not a readable record is skipped, not fatal.
 */
export async function listContacts(
  store: ContactStore,
  options: { accountSid: string; pageSize: number; pageToken?: string; filter?: (record: ContactRecord) => boolean },
): Promise<ContactPage> {
  const query = new URLSearchParams({
    PageSize: String(options.pageSize),
    ...(options.pageToken ? { PageToken: options.pageToken } : {}),
  });
  const response = await syncRequest(store, 'get', `${documentsUrl(store)}?${query}`);
  const documents = Array.isArray(response.body.documents)
    ? (response.body.documents as Record<string, unknown>[])
    : [];
  const records: ContactRecord[] = [];
  for (const doc of documents) {
    if (typeof doc.unique_name !== 'string' || !doc.unique_name.startsWith(CONTACT_NAME_PREFIX)) continue;
    const parsed = contactRecordSchema.safeParse(doc.data);
    if (!parsed.success || parsed.data.account_sid !== options.accountSid) continue;
    if (!options.filter || options.filter(parsed.data)) records.push(parsed.data);
  }
  const meta = (response.body.meta ?? {}) as { next_page_url?: unknown };
  const next =
    typeof meta.next_page_url === 'string' ? new URL(meta.next_page_url).searchParams.get('PageToken') : null;
  return { records, nextPageToken: next, scanned: documents.length };
}
