/**
 * Twilio Sync v1: Services and Documents, as the official contract describes them (contracts/sync-openapi.json,
 * checked by sync-contract.ts): form-encoded `Data` (JSON text, at most 16 KiB), `Ttl` (seconds, 0 = never),
 * `UniqueName` (usable in place of the SID), revisions with `If-Match` (412, code 54103, on a stale one), TTL
 * expiry computed when read, and Sync's per-object rate limit: 20 reads/s and 20 writes/s per object averaged
 * over a 10 s burst window, 429 with code 54009 beyond it (option `syncRateLimit`; `false` turns it off).
 * Every account has a service addressable as `default` (Twilio's default Sync service), created on first use.
 *
 * Control endpoints (no auth): GET /__emulator/sync/stats (per-object operation counts and peak rates),
 * GET /__emulator/sync/dump (every stored service and document, expired ones dropped). TTLs are read against the
 * emulator's clock (clock.ts), which tests move forward.
 */
import { now } from './clock';
import { syncAcceptsHeader, syncFormProblem, syncQueryProblem } from './sync-contract';
import {
  twilioError,
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorRoute,
  type EmulatorState,
} from './server';

const SYNC_BASE = 'https://sync.twilio.com/v1';
/** Sync's documented payload limit for a Document. */
export const MAX_DOCUMENT_BYTES = 16 * 1024;
/** Sync's documented maximum TTL (one year, in seconds). */
export const MAX_TTL_SECONDS = 31_536_000;

export type SyncRateLimit = { perSecond: number; windowMs: number };
/** Sync Limits: 20 reads/s and 20 writes/s per object, 10 s burst window. */
export const DEFAULT_SYNC_RATE_LIMIT: SyncRateLimit = { perSecond: 20, windowMs: 10_000 };

type SyncDocument = {
  sid: string;
  uniqueName: string | null;
  data: unknown;
  revision: number;
  created: number;
  updated: number;
  expires: number | null;
  /** Creation order, for stable list paging. */
  seq: number;
};

type SyncService = {
  sid: string;
  accountSid: string;
  uniqueName: string | null;
  friendlyName: string | null;
  created: number;
  documents: Map<string, SyncDocument>;
};

/** Operation counts of one object (a document), for the rate limit and the load report. */
type ObjectTraffic = {
  reads: number[];
  writes: number[];
  totals: { reads: number; writes: number; rejected: number };
  /** Per whole second: operations, for peak rates. */
  perSecond: Map<number, { reads: number; writes: number }>;
};

type SyncStore = {
  services: Map<string, SyncService>;
  traffic: Map<string, ObjectTraffic>;
  seq: number;
};

function storeOf(state: EmulatorState): SyncStore {
  let store = state.stores.get('sync') as SyncStore | undefined;
  if (!store) state.stores.set('sync', (store = { services: new Map(), traffic: new Map(), seq: 0 }));
  return store;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function rateLimitOf(state: EmulatorState): SyncRateLimit | false {
  const option = state.options.syncRateLimit as SyncRateLimit | false | undefined;
  return option === undefined ? DEFAULT_SYNC_RATE_LIMIT : option;
}

/**
 * Counts one operation on an object; answers the 429 Sync would give when the object is past its rate, averaged
 * over the burst window. Rejected operations are not counted toward the rate (Twilio did not perform them).
 */
function admit(state: EmulatorState, objectKey: string, kind: 'read' | 'write'): EmulatorReply | undefined {
  const store = storeOf(state);
  let traffic = store.traffic.get(objectKey);
  if (!traffic)
    store.traffic.set(
      objectKey,
      (traffic = { reads: [], writes: [], totals: { reads: 0, writes: 0, rejected: 0 }, perSecond: new Map() }),
    );
  const at = Date.now();
  const limit = rateLimitOf(state);
  const times = kind === 'read' ? traffic.reads : traffic.writes;
  if (limit) {
    while (times.length > 0 && times[0]! <= at - limit.windowMs) times.shift();
    if (times.length >= (limit.perSecond * limit.windowMs) / 1000) {
      traffic.totals.rejected += 1;
      return twilioError(
        429,
        54009,
        `Rate limit exceeded for this Sync object: more than ${limit.perSecond} ${kind}s/s.`,
      );
    }
  }
  times.push(at);
  if (kind === 'read') traffic.totals.reads += 1;
  else traffic.totals.writes += 1;
  const second = Math.floor(at / 1000);
  const bucket = traffic.perSecond.get(second) ?? { reads: 0, writes: 0 };
  if (kind === 'read') bucket.reads += 1;
  else bucket.writes += 1;
  traffic.perSecond.set(second, bucket);
  return undefined;
}

function serviceJson(service: SyncService) {
  const url = `${SYNC_BASE}/Services/${service.sid}`;
  return {
    sid: service.sid,
    unique_name: service.uniqueName,
    account_sid: service.accountSid,
    friendly_name: service.friendlyName,
    date_created: iso(service.created),
    date_updated: iso(service.created),
    url,
    webhook_url: null,
    webhooks_from_rest_enabled: false,
    reachability_webhooks_enabled: false,
    acl_enabled: false,
    reachability_debouncing_enabled: false,
    reachability_debouncing_window: 5000,
    links: { documents: `${url}/Documents`, lists: `${url}/Lists`, maps: `${url}/Maps`, streams: `${url}/Streams` },
  };
}

function documentJson(service: SyncService, doc: SyncDocument) {
  const url = `${SYNC_BASE}/Services/${service.sid}/Documents/${doc.sid}`;
  return {
    sid: doc.sid,
    unique_name: doc.uniqueName,
    account_sid: service.accountSid,
    service_sid: service.sid,
    url,
    links: { permissions: `${url}/Permissions` },
    revision: String(doc.revision),
    data: doc.data,
    date_expires: doc.expires === null ? null : iso(doc.expires),
    date_created: iso(doc.created),
    date_updated: iso(doc.updated),
    created_by: 'system',
  };
}

const documentReply = (status: number, service: SyncService, doc: SyncDocument): EmulatorReply => ({
  status,
  body: documentJson(service, doc),
  headers: { ETag: String(doc.revision) },
});

/** The account's service named by SID or unique name; `default` always exists (created on first use). */
function findService(state: EmulatorState, accountSid: string, ref: string): SyncService | undefined {
  const store = storeOf(state);
  for (const service of store.services.values()) {
    if (
      service.accountSid === accountSid &&
      (service.sid === ref || (service.uniqueName !== null && service.uniqueName === ref))
    )
      return service;
  }
  if (ref !== 'default') return undefined;
  const service: SyncService = {
    sid: state.newSid('IS'),
    accountSid,
    uniqueName: 'default',
    friendlyName: 'Default Service',
    created: now(state),
    documents: new Map(),
  };
  store.services.set(service.sid, service);
  return service;
}

const serviceNotFound = (ref: string) => twilioError(404, 54050, `Service Instance not found: /Services/${ref}`);

/** The live document named by SID or unique name; an expired one is deleted here, as Sync would have. */
function findDocument(state: EmulatorState, service: SyncService, ref: string): SyncDocument | undefined {
  const at = now(state);
  for (const doc of service.documents.values()) {
    if (doc.sid !== ref && doc.uniqueName !== ref) continue;
    if (doc.expires !== null && doc.expires <= at) {
      service.documents.delete(doc.sid);
      return undefined;
    }
    return doc;
  }
  return undefined;
}

function liveDocuments(state: EmulatorState, service: SyncService): SyncDocument[] {
  const at = now(state);
  for (const doc of [...service.documents.values()])
    if (doc.expires !== null && doc.expires <= at) service.documents.delete(doc.sid);
  return [...service.documents.values()].sort((a, b) => a.seq - b.seq);
}

const documentNotFound = (service: SyncService, ref: string) =>
  twilioError(404, 20404, `The requested resource /Services/${service.sid}/Documents/${ref} was not found`);

function formOf(request: EmulatorRequest): Record<string, string | string[]> | EmulatorReply {
  if (request.rawBody && !request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
    return twilioError(400, 20001, 'Sync takes a form-encoded body (application/x-www-form-urlencoded).');
  }
  return (request.body ?? {}) as Record<string, string | string[]>;
}

const isReply = (value: unknown): value is EmulatorReply =>
  typeof value === 'object' && value !== null && 'status' in value && typeof value.status === 'number';

/** `Data` as Sync reads it: JSON text of an object, at most 16 KiB. */
function parseData(text: string | undefined): { data: unknown } | EmulatorReply {
  if (text === undefined) return { data: {} };
  if (Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) {
    return twilioError(
      413,
      54006,
      `Data is ${Buffer.byteLength(text, 'utf8')} bytes: a Sync Document holds at most 16 KiB.`,
    );
  }
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      return twilioError(400, 54008, 'Data must be a JSON object.');
    return { data };
  } catch {
    return twilioError(400, 54008, 'Data is not valid JSON.');
  }
}

/** Expiry for a `Ttl` form value: null when 0 (never). Undefined `ttl` keeps `current`. */
function expiryOf(ttl: string | undefined, at: number, current: number | null): number | null | EmulatorReply {
  if (ttl === undefined) return current;
  const seconds = Number(ttl);
  if (seconds < 0 || seconds > MAX_TTL_SECONDS)
    return twilioError(400, 54011, `Ttl must be 0..${MAX_TTL_SECONDS} seconds.`);
  return seconds === 0 ? null : at + seconds * 1000;
}

function withService(
  run: (request: EmulatorRequest, service: SyncService, match: RegExpMatchArray, state: EmulatorState) => EmulatorReply,
): EmulatorRoute['handle'] {
  return (request, match, state) => {
    const service = findService(state, request.authUser, decodeURIComponent(match[1]!));
    return service ? run(request, service, match, state) : serviceNotFound(match[1]!);
  };
}

const objectKey = (service: SyncService, doc: SyncDocument) => `${service.sid}/Documents/${doc.sid}`;

const SERVICE = '([^/]+)';
const DOCUMENT = '([^/]+)';

export const syncRoutes: EmulatorRoute[] = [
  {
    name: 'sync.services.create',
    method: 'POST',
    pattern: /^\/v1\/Services$/,
    handle(request, _match, state) {
      const form = formOf(request);
      if (isReply(form)) return form;
      const problem = syncFormProblem('CreateService', form);
      if (problem) return twilioError(400, 20001, problem);
      const store = storeOf(state);
      const friendlyName = typeof form.FriendlyName === 'string' ? form.FriendlyName : null;
      const service: SyncService = {
        sid: state.newSid('IS'),
        accountSid: request.authUser,
        uniqueName: null,
        friendlyName,
        created: now(state),
        documents: new Map(),
      };
      store.services.set(service.sid, service);
      return { status: 201, body: serviceJson(service) };
    },
  },
  {
    name: 'sync.services.list',
    method: 'GET',
    pattern: /^\/v1\/Services$/,
    handle(request, _match, state) {
      const problem = syncQueryProblem('ListService', request.query);
      if (problem) return twilioError(400, 20001, problem);
      const services = [...storeOf(state).services.values()].filter((s) => s.accountSid === request.authUser);
      const url = `${SYNC_BASE}/Services`;
      return {
        status: 200,
        body: {
          services: services.map(serviceJson),
          meta: {
            first_page_url: url,
            key: 'services',
            next_page_url: null,
            page: 0,
            page_size: services.length,
            previous_page_url: null,
            url,
          },
        },
      };
    },
  },
  {
    name: 'sync.services.fetch',
    method: 'GET',
    pattern: new RegExp(`^/v1/Services/${SERVICE}$`),
    handle: withService((_request, service) => ({ status: 200, body: serviceJson(service) })),
  },
  {
    name: 'sync.documents.create',
    method: 'POST',
    pattern: new RegExp(`^/v1/Services/${SERVICE}/Documents$`),
    handle: withService((request, service, _match, state) => {
      const form = formOf(request);
      if (isReply(form)) return form;
      const problem = syncFormProblem('CreateDocument', form);
      if (problem) return twilioError(400, 20001, problem);
      const uniqueName = typeof form.UniqueName === 'string' ? form.UniqueName : null;
      if (uniqueName !== null && (uniqueName.length > 320 || /^ET[0-9a-fA-F]{32}$/.test(uniqueName))) {
        return twilioError(400, 54302, 'UniqueName must be at most 320 characters and not look like a Document SID.');
      }
      if (uniqueName !== null && findDocument(state, service, uniqueName)) {
        return twilioError(409, 54301, `Unique name already exists: ${uniqueName}`);
      }
      const parsed = parseData(form.Data as string | undefined);
      if (isReply(parsed)) return parsed;
      const store = storeOf(state);
      const at = now(state);
      const expires = expiryOf(form.Ttl as string | undefined, at, null);
      if (isReply(expires)) return expires;
      const doc: SyncDocument = {
        sid: state.newSid('ET'),
        uniqueName,
        data: parsed.data,
        revision: 0,
        created: at,
        updated: at,
        expires,
        seq: (store.seq += 1),
      };
      const limited = admit(state, objectKey(service, doc), 'write');
      if (limited) return limited;
      service.documents.set(doc.sid, doc);
      return documentReply(201, service, doc);
    }),
  },
  {
    name: 'sync.documents.list',
    method: 'GET',
    pattern: new RegExp(`^/v1/Services/${SERVICE}/Documents$`),
    handle: withService((request, service, _match, state) => {
      const problem = syncQueryProblem('ListDocument', request.query);
      if (problem) return twilioError(400, 20001, problem);
      const pageSize = Number(request.query.get('PageSize') ?? 50);
      // The token names the last document served (its creation sequence), not an offset (page-token.ts): documents
      // expire and are deleted between pages, and an offset would then skip live ones.
      const token = request.query.get('PageToken');
      const after = token ? /^PT(\d+)$/.exec(token) : null;
      if (token && !after) return twilioError(400, 20001, `PageToken '${token}' is not one this API gave.`);
      const page = Number(request.query.get('Page') ?? 0);
      const docs = liveDocuments(state, service).filter((d) => !after || d.seq > Number(after[1]));
      const items = docs.slice(0, pageSize);
      const url = `${SYNC_BASE}/Services/${service.sid}/Documents`;
      const last = items[items.length - 1];
      const next =
        docs.length > pageSize && last ? `${url}?PageSize=${pageSize}&Page=${page + 1}&PageToken=PT${last.seq}` : null;
      return {
        status: 200,
        body: {
          documents: items.map((d) => documentJson(service, d)),
          meta: {
            first_page_url: `${url}?PageSize=${pageSize}&Page=0`,
            key: 'documents',
            next_page_url: next,
            page,
            page_size: pageSize,
            previous_page_url: null,
            url: `${url}?PageSize=${pageSize}&Page=${page}`,
          },
        },
      };
    }),
  },
  {
    name: 'sync.documents.fetch',
    method: 'GET',
    pattern: new RegExp(`^/v1/Services/${SERVICE}/Documents/${DOCUMENT}$`),
    handle: withService((_request, service, match, state) => {
      const ref = decodeURIComponent(match[2]!);
      const doc = findDocument(state, service, ref);
      if (!doc) return documentNotFound(service, ref);
      return admit(state, objectKey(service, doc), 'read') ?? documentReply(200, service, doc);
    }),
  },
  {
    name: 'sync.documents.update',
    method: 'POST',
    pattern: new RegExp(`^/v1/Services/${SERVICE}/Documents/${DOCUMENT}$`),
    handle: withService((request, service, match, state) => {
      const form = formOf(request);
      if (isReply(form)) return form;
      const problem = syncFormProblem('UpdateDocument', form);
      if (problem) return twilioError(400, 20001, problem);
      if (!syncAcceptsHeader('UpdateDocument', 'If-Match')) throw new Error('contract lost If-Match on UpdateDocument');
      const ref = decodeURIComponent(match[2]!);
      const doc = findDocument(state, service, ref);
      if (!doc) return documentNotFound(service, ref);
      const limited = admit(state, objectKey(service, doc), 'write');
      if (limited) return limited;
      const ifMatch = request.headers['if-match'];
      if (typeof ifMatch === 'string' && ifMatch.replace(/^W\/|"/g, '') !== String(doc.revision)) {
        return twilioError(
          412,
          54103,
          `The revision of the Document does not match the expected revision (If-Match: ${ifMatch}).`,
        );
      }
      const parsed = form.Data === undefined ? { data: doc.data } : parseData(form.Data as string);
      if (isReply(parsed)) return parsed;
      const at = now(state);
      const expires = expiryOf(form.Ttl as string | undefined, at, doc.expires);
      if (isReply(expires)) return expires;
      Object.assign(doc, { data: parsed.data, revision: doc.revision + 1, updated: at, expires });
      return documentReply(200, service, doc);
    }),
  },
  {
    name: 'sync.documents.delete',
    method: 'DELETE',
    pattern: new RegExp(`^/v1/Services/${SERVICE}/Documents/${DOCUMENT}$`),
    handle: withService((_request, service, match, state) => {
      const ref = decodeURIComponent(match[2]!);
      const doc = findDocument(state, service, ref);
      if (!doc) return documentNotFound(service, ref);
      const limited = admit(state, objectKey(service, doc), 'write');
      if (limited) return limited;
      service.documents.delete(doc.sid);
      return { status: 204 };
    }),
  },
  {
    name: 'sync.stats',
    method: 'GET',
    pattern: /^\/__emulator\/sync\/stats$/,
    control: true,
    handle(_request, _match, state) {
      const objects = [...storeOf(state).traffic].map(([object, t]) => {
        const buckets = [...t.perSecond.values()];
        return {
          object,
          ...t.totals,
          peak_reads_per_second: Math.max(0, ...buckets.map((b) => b.reads)),
          peak_writes_per_second: Math.max(0, ...buckets.map((b) => b.writes)),
        };
      });
      return { status: 200, body: { rate_limit: rateLimitOf(state), objects } };
    },
  },
  {
    name: 'sync.dump',
    method: 'GET',
    pattern: /^\/__emulator\/sync\/dump$/,
    control: true,
    handle(_request, _match, state) {
      const services = [...storeOf(state).services.values()].map((service) => ({
        ...serviceJson(service),
        documents: liveDocuments(state, service).map((d) => documentJson(service, d)),
      }));
      return { status: 200, body: { services } };
    },
  },
];
