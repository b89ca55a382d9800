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
import { parseTwilioErrorBody } from '../senders/errors';
import type { BasicAuth, TwilioRequester } from '../senders/api';
import { TwilioErrorCode } from '../twilio-errors';
import { CONTACT_NAME_PREFIX, contactDocumentName, contactRecordSchema, ttlFor, type ContactKey, type ContactRecord } from './record';

export const SYNC_API = 'https://sync.twilio.com/v1';

/** Where the records are and how a call is made. */
export type ContactStore = {
  client: TwilioRequester;
  /** IS + 32 hex digits, or `default` (the account's default Sync service). */
  serviceSid: string;
  /** Epoch ms by which every Sync call of the operation must be answered. */
  deadline: number;
  /** Sign as this account instead of the client's own credentials. */
  auth?: BasicAuth;
  /** Called after every Sync request (for logs and call counts). */
  trace?: (call: SyncCallTrace) => void;
};

export type SyncCallTrace = { method: string; status: number; durationMs: number; code?: number | null };

/** Why a Sync call failed: Twilio answered an error, did not answer in time, could not be reached, or held bad data. */
export type SyncFailure = {
  kind: 'twilio' | 'timeout' | 'network' | 'invalid-data';
  status: number;
  code: number | null;
  message: string;
};

export class SyncError extends Error {
  constructor(readonly failure: SyncFailure) {
    super(failure.message);
    this.name = 'SyncError';
  }
}

type Response = { status: number; body: Record<string, unknown>; etag?: string };
type Form = Record<string, string | number>;

const TIMED_OUT = Symbol('timed out');

function headerOf(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name && (typeof value === 'string' || typeof value === 'number')) return String(value);
  }
  return undefined;
}

/** One Sync request within the deadline. Resolves with any HTTP answer; throws SyncError when there is none. */
async function syncRequest(
  store: ContactStore,
  method: 'get' | 'post' | 'delete',
  uri: string,
  options: { form?: Form; ifMatch?: string; query?: Record<string, string | number> } = {},
): Promise<Response> {
  const started = Date.now();
  const left = store.deadline - started;
  const fail = (failure: SyncFailure): never => {
    store.trace?.({ method, status: failure.status, durationMs: Date.now() - started, code: failure.code });
    throw new SyncError(failure);
  };
  if (left <= 0) fail({ kind: 'timeout', status: 0, code: null, message: 'No time left to call Sync.' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const request = store.client.request({
      method,
      uri: options.query ? `${uri}?${new URLSearchParams(Object.entries(options.query).map(([k, v]) => [k, String(v)]))}` : uri,
      timeout: left,
      ...(options.form ? { data: options.form } : {}),
      ...(options.ifMatch !== undefined ? { headers: { 'If-Match': options.ifMatch } } : {}),
      ...(store.auth ? { username: store.auth.username, password: store.auth.password } : {}),
    });
    // The client's timeout bounds the socket; this bounds the whole answer.
    const outcome = await Promise.race([request, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), left)))]);
    if (outcome === TIMED_OUT) {
      request.catch(() => undefined);
      return fail({ kind: 'timeout', status: 0, code: null, message: `Sync did not answer ${method.toUpperCase()} within ${left} ms.` });
    }
    const raw = (outcome ?? {}) as { statusCode?: unknown; body?: unknown; headers?: unknown };
    const status = typeof raw.statusCode === 'number' ? raw.statusCode : 0;
    let body = raw.body;
    if (typeof body === 'string' && body.trim().startsWith('{')) {
      try {
        body = JSON.parse(body);
      } catch {
        /* left as text */
      }
    }
    const record = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const code = status >= 400 ? parseTwilioErrorBody(status, body).code : undefined;
    store.trace?.({ method, status, durationMs: Date.now() - started, ...(code !== undefined ? { code } : {}) });
    return { status, body: record, etag: headerOf(raw.headers, 'etag') };
  } catch (error) {
    if (error instanceof SyncError) throw error;
    const code = String((error as { code?: unknown })?.code ?? '');
    const message = error instanceof Error ? error.message : String(error);
    const timeout = /^(ECONNABORTED|ETIMEDOUT|ESOCKETTIMEDOUT)$/.test(code) || /timeout/i.test(message);
    if (timeout) return fail({ kind: 'timeout', status: 0, code: null, message: `Sync did not answer ${method.toUpperCase()} within ${left} ms.` });
    return fail({ kind: 'network', status: 0, code: null, message: `Could not reach Sync (${code || message}).` });
  } finally {
    clearTimeout(timer);
  }
}

function failureOf(response: Response): SyncError {
  const { code, message } = parseTwilioErrorBody(response.status, response.body);
  return new SyncError({ kind: 'twilio', status: response.status, code, message });
}

const documentsUrl = (store: ContactStore) => `${SYNC_API}/Services/${encodeURIComponent(store.serviceSid)}/Documents`;
const documentUrl = (store: ContactStore, name: string) => `${documentsUrl(store)}/${encodeURIComponent(name)}`;

/** A contact as read: its record (undefined when none is kept) and the revision to write against. */
export type ContactRead = { record: ContactRecord | undefined; revision: string | undefined };

function parseRecord(data: unknown): ContactRecord {
  const parsed = contactRecordSchema.safeParse(data);
  if (!parsed.success) {
    // Never overwrite what cannot be read: it may hold an opt-out.
    throw new SyncError({ kind: 'invalid-data', status: 200, code: null, message: 'The contact document does not hold a contact record this code can read.' });
  }
  return parsed.data;
}

const revisionOf = (response: Response): string | undefined =>
  typeof response.body.revision === 'string' ? response.body.revision : response.etag;

/** Reads one contact's record (one Sync call). */
export async function readContact(store: ContactStore, key: ContactKey): Promise<ContactRead> {
  const response = await syncRequest(store, 'get', documentUrl(store, contactDocumentName(key)));
  if (response.status === 404) return { record: undefined, revision: undefined };
  if (response.status !== 200) throw failureOf(response);
  return { record: parseRecord(response.body.data), revision: revisionOf(response) };
}

/** Writes `record` against `revision` (create when undefined). Resolves false on a conflict (412, 409, 404). */
async function writeContact(store: ContactStore, key: ContactKey, record: ContactRecord, revision: string | undefined): Promise<ContactRead | false> {
  const name = contactDocumentName(key);
  const form: Form = { Data: JSON.stringify(record), Ttl: ttlFor(record) };
  const response =
    revision === undefined
      ? await syncRequest(store, 'post', documentsUrl(store), { form: { UniqueName: name, ...form } })
      : await syncRequest(store, 'post', documentUrl(store, name), { form, ifMatch: revision });
  if (response.status === 200 || response.status === 201) return { record, revision: revisionOf(response) };
  // 412: someone wrote since our read; 409: someone created it first; 404: it was deleted (forget) or expired.
  if (response.status === 412 || response.status === 409 || response.status === 404) return false;
  throw failureOf(response);
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
  options: { initial?: ContactRead; maxAttempts?: number } = {},
): Promise<UpdateResult> {
  const maxAttempts = options.maxAttempts ?? 8;
  let current = options.initial ?? (await readContact(store, key));
  for (let attempt = 1; ; attempt++) {
    const next = change(current.record);
    if (next === undefined) return { ...current, wrote: false, attempts: attempt };
    const written = await writeContact(store, key, next, current.revision);
    if (written) return { ...written, wrote: true, attempts: attempt };
    if (attempt >= maxAttempts) {
      const code = TwilioErrorCode.SYNC_REVISION_MISMATCH;
      throw new SyncError({ kind: 'twilio', status: 412, code, message: `The contact changed under ${attempt} attempts in a row.` });
    }
    // Concurrent writers of one contact collide again if they retry in step: a few ms of jitter spreads them.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    current = await readContact(store, key);
  }
}

/** Deletes a contact's record. Resolves whether there was one. */
export async function deleteContact(store: ContactStore, key: ContactKey): Promise<boolean> {
  const response = await syncRequest(store, 'delete', documentUrl(store, contactDocumentName(key)));
  if (response.status === 204 || response.status === 200) return true;
  if (response.status === 404) return false;
  throw failureOf(response);
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
  const query: Record<string, string | number> = { PageSize: options.pageSize };
  if (options.pageToken) query.PageToken = options.pageToken;
  const response = await syncRequest(store, 'get', documentsUrl(store), { query });
  if (response.status !== 200) throw failureOf(response);
  const documents = Array.isArray(response.body.documents) ? (response.body.documents as Record<string, unknown>[]) : [];
  const records: ContactRecord[] = [];
  for (const doc of documents) {
    if (typeof doc.unique_name !== 'string' || !doc.unique_name.startsWith(CONTACT_NAME_PREFIX)) continue;
    const parsed = contactRecordSchema.safeParse(doc.data);
    if (!parsed.success || parsed.data.account_sid !== options.accountSid) continue;
    if (!options.filter || options.filter(parsed.data)) records.push(parsed.data);
  }
  const meta = (response.body.meta ?? {}) as { next_page_url?: unknown };
  const next = typeof meta.next_page_url === 'string' ? new URL(meta.next_page_url).searchParams.get('PageToken') : null;
  return { records, nextPageToken: next, scanned: documents.length };
}

/** A Sync service by SID or unique name: its SID, or undefined when there is none (404). */
export async function fetchSyncService(store: Omit<ContactStore, 'serviceSid'>, ref: string): Promise<string | undefined> {
  const response = await syncRequest({ ...store, serviceSid: ref }, 'get', `${SYNC_API}/Services/${encodeURIComponent(ref)}`);
  if (response.status === 404) return undefined;
  if (response.status !== 200 || typeof response.body.sid !== 'string') throw failureOf(response);
  return response.body.sid;
}
