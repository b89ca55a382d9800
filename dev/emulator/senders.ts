/**
 * The Senders API (https://messaging.twilio.com/v2/Channels/Senders), stateful, checked against the official
 * contract (contracts/senders-openapi.json), plus the 2010 Accounts fetch that hands a parent its subaccounts'
 * credentials.
 *
 * Behaviour:
 * - Bodies are JSON and must match the spec's request schemas: an unknown key at any depth (camelCase included),
 *   a wrong type or a value outside an enum is refused with 400 and code 63100, like the real API.
 * - Senders are kept per account: the account is the Basic-auth username (the Senders API has no account in its
 *   path). A subaccount signs with its own token, which its parent reads from GET /2010-04-01/Accounts/{Sid}.json.
 * - Create answers 202 CREATING. After `senderOnlineDelayMs` the sender is ONLINE (a Twilio number, verified by
 *   Twilio), or PENDING_VERIFICATION when it was created with `configuration.verification_method` (a number that
 *   receives its one-time code by SMS or voice; numbers listed in `twilioNumbers` skip it). The right code
 *   (`senderVerificationCode`) moves it to VERIFYING, then ONLINE after `senderVerifyDelayMs`; a wrong one answers
 *   63113 and, past `senderMaxVerificationAttempts`, 63114; the status stays PENDING_VERIFICATION.
 * - A display name with "WhatsApp" in it is declined by "Meta": the sender goes OFFLINE with reason 63124.
 *   A display-name change puts an ONLINE sender in ONLINE:UPDATING for `senderUpdateDelayMs`; another change
 *   meanwhile answers 63128.
 * - A sender_id registered on any account answers 409 with 63110; a non-numeric waba_id 63101; more than
 *   `senderMaxPerWaba` senders on one WABA 63104.
 * - Control: POST /__emulator/senders/{Sid}/offline `{reasons?: [{code, message}]}` turns a sender OFFLINE.
 * Statuses advance when read (no timers), so a stopped emulator leaves nothing running.
 */
import { randomBytes } from 'node:crypto';
import { WHATSAPP_ADDRESS_PATTERN } from '../../lib/phone';
import { senderStatusFacts } from '../../lib/senders/status';
import { sidSource } from '../../lib/sids';
import { TwilioErrorCode } from '../../lib/twilio-errors';
import { CREATE_SCHEMA, LIST_ITEM_KEYS, UPDATE_SCHEMA, contractProblem, isObject } from './senders-contract';
import { offsetOf, pageToken } from './page-token';
import {
  twilioError,
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorRoute,
  type EmulatorState,
} from './server';

const SENDERS_BASE = 'https://messaging.twilio.com/v2/Channels/Senders';

const SID = `(${sidSource('sender')})`;

/** Options of this module (EmulatorOptions fields). */
export type SenderEmulatorOptions = {
  /** CREATING -> ONLINE / PENDING_VERIFICATION (default 3000 ms). */
  senderOnlineDelayMs?: number;
  /** VERIFYING -> ONLINE (default 2000 ms). */
  senderVerifyDelayMs?: number;
  /** ONLINE:UPDATING -> ONLINE (default 2000 ms). */
  senderUpdateDelayMs?: number;
  /** The one-time code "Meta" sends (default 123456). */
  senderVerificationCode?: string;
  /** Wrong codes answered 63113 before 63114 (default 3). */
  senderMaxVerificationAttempts?: number;
  /** Senders per WABA before 63104 (default 20). */
  senderMaxPerWaba?: number;
  /** Numbers (E.164) Twilio owns: verified without a code even with a verification_method. */
  twilioNumbers?: string[];
  /** Subaccount SID -> parent SID. Undeclared subaccounts belong to the first parent that reads them. */
  subaccounts?: Record<string, string>;
};

// ---------------------------------------------------------------------------------------------------------------
// State

type OfflineReason = { code: string; message: string; more_info: string };

type StoredSender = {
  account: string;
  sid: string;
  sender_id: string;
  status: string;
  /** When the current status began (ms). */
  since: number;
  needsOtp: boolean;
  wrongCodes: number;
  declined: boolean;
  configuration: Record<string, unknown>;
  webhook: Record<string, unknown>;
  profile: Record<string, unknown>;
  offline_reasons: OfflineReason[] | null;
  createdAt: number;
};

type SubaccountRecord = { owner: string; token: string; status: 'active' | 'suspended' | 'closed' };

type SenderStore = {
  senders: Map<string, StoredSender>;
  /** sender_id -> sid, across accounts (a number is on WhatsApp once). */
  bySenderId: Map<string, string>;
  subaccounts: Map<string, SubaccountRecord>;
};

function storeOf(state: EmulatorState): SenderStore {
  let store = state.stores.get('senders') as SenderStore | undefined;
  if (!store) {
    store = { senders: new Map(), bySenderId: new Map(), subaccounts: new Map() };
    state.stores.set('senders', store);
  }
  return store;
}

function optionsOf(
  state: EmulatorState,
): Required<Omit<SenderEmulatorOptions, 'subaccounts'>> & Pick<SenderEmulatorOptions, 'subaccounts'> {
  const o = state.options as SenderEmulatorOptions;
  return {
    senderOnlineDelayMs: o.senderOnlineDelayMs ?? 3000,
    senderVerifyDelayMs: o.senderVerifyDelayMs ?? 2000,
    senderUpdateDelayMs: o.senderUpdateDelayMs ?? 2000,
    senderVerificationCode: o.senderVerificationCode ?? '123456',
    senderMaxVerificationAttempts: o.senderMaxVerificationAttempts ?? 3,
    senderMaxPerWaba: o.senderMaxPerWaba ?? 20,
    twilioNumbers: o.twilioNumbers ?? [],
    subaccounts: o.subaccounts,
  };
}

const reason = (code: number, message: string): OfflineReason => ({
  code: String(code),
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
});

/** Moves a sender along its timeline up to now. */
function advance(sender: StoredSender, state: EmulatorState, now = Date.now()): void {
  const o = optionsOf(state);
  for (;;) {
    const elapsed = now - sender.since;
    if (sender.status === 'CREATING' && elapsed >= o.senderOnlineDelayMs) {
      const at = sender.since + o.senderOnlineDelayMs;
      if (sender.declined) {
        Object.assign(sender, {
          status: 'OFFLINE',
          since: at,
          offline_reasons: [reason(63124, 'The display name was declined by Meta.')],
        });
      } else {
        Object.assign(sender, { status: sender.needsOtp ? 'PENDING_VERIFICATION' : 'ONLINE', since: at });
      }
    } else if (sender.status === 'VERIFYING' && elapsed >= o.senderVerifyDelayMs) {
      Object.assign(sender, { status: 'ONLINE', since: sender.since + o.senderVerifyDelayMs });
    } else if (sender.status === 'ONLINE:UPDATING' && elapsed >= o.senderUpdateDelayMs) {
      Object.assign(sender, { status: 'ONLINE', since: sender.since + o.senderUpdateDelayMs });
    } else {
      return;
    }
  }
}

/** The sender as the API answers it (spec: channels_sender_response). */
function resource(sender: StoredSender): Record<string, unknown> {
  const online = senderStatusFacts(sender.status)?.online === true;
  return {
    sid: sender.sid,
    status: sender.status,
    sender_id: sender.sender_id,
    configuration: {
      waba_id: null,
      verification_method: null,
      verification_code: null,
      voice_application_sid: null,
      account_type: null,
      ...sender.configuration,
    },
    webhook: {
      callback_url: null,
      callback_method: null,
      fallback_url: null,
      fallback_method: null,
      status_callback_url: null,
      status_callback_method: null,
      ...sender.webhook,
    },
    profile: {
      name: null,
      about: null,
      address: null,
      description: null,
      emails: null,
      logo_url: null,
      vertical: null,
      websites: null,
      banner_url: null,
      privacy_url: null,
      terms_of_service_url: null,
      accent_color: null,
      phone_numbers: null,
      ...sender.profile,
    },
    compliance: null,
    properties: online ? { quality_rating: 'HIGH', messaging_limit: '1K Customers/24hr' } : null,
    offline_reasons: sender.offline_reasons,
    url: `${SENDERS_BASE}/${sender.sid}`,
  };
}

/** Strings in emails/websites/phone_numbers become {<name>, label}, as the API answers them. */
function normalizeProfile(profile: Record<string, unknown>): Record<string, unknown> {
  const out = { ...profile };
  for (const [key, name] of Object.entries(LIST_ITEM_KEYS)) {
    const list = out[key];
    if (!Array.isArray(list)) continue;
    const label = name === 'email' ? 'Email' : name === 'website' ? 'Website' : 'Phone';
    out[key] = list.map((item: unknown) =>
      typeof item === 'string'
        ? { [name]: item, label }
        : { ...(item as object), label: (item as { label?: string }).label ?? label },
    );
  }
  return out;
}

/** Basic credentials of a request (the server has checked the username's form). */
function basicPassword(request: EmulatorRequest): string {
  const match = /^Basic\s+(.+)$/i.exec(request.headers.authorization ?? '');
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  return decoded.slice(decoded.indexOf(':') + 1);
}

/** A subaccount must sign with its own token; any other account is taken at its word (the emulator has no users). */
function authProblem(request: EmulatorRequest, state: EmulatorState): EmulatorReply | undefined {
  const sub = storeOf(state).subaccounts.get(request.authUser);
  if (sub && sub.token !== basicPassword(request))
    return twilioError(401, 20003, 'Authentication Error - invalid username or password');
  if (sub && sub.status !== 'active') return twilioError(401, 20003, `Authentication Error - account is ${sub.status}`);
  return undefined;
}

function validationError(message: string): EmulatorReply {
  return twilioError(400, 63100, `Validation error: ${message}`);
}

function jsonBody(request: EmulatorRequest): { body?: Record<string, unknown>; error?: EmulatorReply } {
  if (!request.headers['content-type']?.startsWith('application/json')) {
    return { error: validationError('the Senders API takes a JSON body (Content-Type: application/json)') };
  }
  if (!isObject(request.body)) return { error: validationError('the body must be a JSON object') };
  return { body: request.body };
}

function ownSender(request: EmulatorRequest, state: EmulatorState, sid: string): StoredSender | undefined {
  const sender = storeOf(state).senders.get(sid);
  if (!sender || sender.account !== request.authUser) return undefined;
  advance(sender, state);
  return sender;
}

const notFound = (sid: string) =>
  twilioError(404, 20404, `The requested resource /v2/Channels/Senders/${sid} was not found`);

const defaultWaba = (account: string) => String(100000000000 + (parseInt(account.slice(2, 12), 16) % 899999999999));

// ---------------------------------------------------------------------------------------------------------------
// Handlers

function create(request: EmulatorRequest, state: EmulatorState): EmulatorReply {
  const { body, error } = jsonBody(request);
  if (error || !body) return error!;
  const problem = contractProblem(body, CREATE_SCHEMA);
  if (problem) return validationError(problem);
  const senderId = body.sender_id as string;
  if (!WHATSAPP_ADDRESS_PATTERN.test(senderId))
    return validationError(`sender_id must be whatsapp:+E.164, got '${senderId}'`);
  const profile = normalizeProfile((body.profile as Record<string, unknown> | undefined) ?? {});
  if (typeof profile.name !== 'string' || !profile.name.trim())
    return validationError('profile.name is required for a WhatsApp sender');
  const configuration = { ...((body.configuration as Record<string, unknown> | undefined) ?? {}) };
  const o = optionsOf(state);
  const store = storeOf(state);
  if (
    configuration.waba_id !== undefined &&
    configuration.waba_id !== null &&
    !/^\d+$/.test(String(configuration.waba_id))
  ) {
    return twilioError(400, 63101, `The WhatsApp Business Account ID '${String(configuration.waba_id)}' is invalid.`);
  }
  configuration.waba_id ??= defaultWaba(request.authUser);
  if (store.bySenderId.has(senderId))
    return twilioError(
      409,
      TwilioErrorCode.NUMBER_ALREADY_ON_WHATSAPP,
      `The phone number ${senderId.slice(9)} is already registered on WhatsApp.`,
    );
  const onWaba = [...store.senders.values()].filter((s) => s.configuration.waba_id === configuration.waba_id).length;
  if (onWaba >= o.senderMaxPerWaba)
    return twilioError(
      400,
      63104,
      `The WhatsApp Business Account has reached its maximum of ${o.senderMaxPerWaba} phone numbers.`,
    );
  delete configuration.verification_code;
  const now = Date.now();
  const sender: StoredSender = {
    account: request.authUser,
    sid: state.newSid('XE'),
    sender_id: senderId,
    status: 'CREATING',
    since: now,
    needsOtp: typeof configuration.verification_method === 'string' && !o.twilioNumbers.includes(senderId.slice(9)),
    wrongCodes: 0,
    declined: /whats\s*app/i.test(profile.name),
    configuration,
    webhook: { ...((body.webhook as Record<string, unknown> | undefined) ?? {}) },
    profile,
    offline_reasons: null,
    createdAt: now,
  };
  store.senders.set(sender.sid, sender);
  store.bySenderId.set(senderId, sender.sid);
  return { status: 202, body: resource(sender) };
}

function update(request: EmulatorRequest, state: EmulatorState, sid: string): EmulatorReply {
  const sender = ownSender(request, state, sid);
  if (!sender) return notFound(sid);
  const { body, error } = jsonBody(request);
  if (error || !body) return error!;
  const problem = contractProblem(body, UPDATE_SCHEMA);
  if (problem) return validationError(problem);
  const o = optionsOf(state);
  const configuration = { ...((body.configuration as Record<string, unknown> | null | undefined) ?? {}) };
  const code = configuration.verification_code;
  delete configuration.verification_code;
  if (code !== undefined && code !== null) {
    if (sender.status !== 'PENDING_VERIFICATION') {
      return validationError(`the sender is ${sender.status}, not PENDING_VERIFICATION: there is no code to verify`);
    }
    if (code !== o.senderVerificationCode) {
      sender.wrongCodes += 1;
      if (sender.wrongCodes > o.senderMaxVerificationAttempts)
        return twilioError(400, 63114, 'Too many verification codes: wait before trying again.');
      return twilioError(400, 63113, 'The sender cannot be verified: the verification code is not valid.');
    }
  }
  const profile = body.profile ? normalizeProfile(body.profile as Record<string, unknown>) : undefined;
  const renaming = profile && typeof profile.name === 'string' && profile.name !== sender.profile.name;
  if (renaming && sender.status === 'ONLINE:UPDATING') {
    return twilioError(400, 63128, 'A display name change is already in progress for this sender.');
  }
  Object.assign(sender.configuration, configuration);
  if (body.webhook) Object.assign(sender.webhook, body.webhook);
  if (profile) Object.assign(sender.profile, profile);
  const now = Date.now();
  if (code !== undefined && code !== null) {
    Object.assign(sender, { status: 'VERIFYING', since: now });
  } else if (renaming && (sender.status === 'ONLINE' || sender.status === 'OFFLINE')) {
    Object.assign(sender, { status: 'ONLINE:UPDATING', since: now, offline_reasons: null, declined: false });
  }
  return { status: 202, body: resource(sender) };
}

function list(request: EmulatorRequest, state: EmulatorState): EmulatorReply {
  const channel = request.query.get('Channel');
  if (!channel) return twilioError(400, 20001, "Missing required parameter 'Channel' (whatsapp or rcs).");
  const pageSizeText = request.query.get('PageSize') ?? '20';
  const pageSize = Number(pageSizeText);
  if (!/^\d+$/.test(pageSizeText) || pageSize < 1 || pageSize > 1000)
    return twilioError(400, 20001, 'PageSize must be an integer from 1 to 1000.');
  const token = request.query.get('PageToken');
  const offset = token ? offsetOf(token) : 0;
  if (offset === undefined) return twilioError(400, 20001, 'PageToken is not valid.');
  const all =
    channel.toLowerCase() === 'whatsapp'
      ? [...storeOf(state).senders.values()]
          .filter((s) => s.account === request.authUser)
          .sort((a, b) => a.createdAt - b.createdAt)
      : [];
  const page = all.slice(offset, offset + pageSize);
  for (const sender of page) advance(sender, state);
  const pageUrl = (tokenValue?: string) => {
    const url = new URL(SENDERS_BASE);
    url.searchParams.set('Channel', channel);
    url.searchParams.set('PageSize', String(pageSize));
    if (tokenValue) url.searchParams.set('PageToken', tokenValue);
    return url.toString();
  };
  const next = offset + pageSize < all.length ? pageToken(offset + pageSize) : undefined;
  const previous = offset > 0 ? pageToken(Math.max(0, offset - pageSize)) : undefined;
  return {
    status: 200,
    body: {
      senders: page.map(resource),
      meta: {
        page: Math.floor(offset / pageSize),
        page_size: pageSize,
        first_page_url: pageUrl(),
        previous_page_url: previous ? pageUrl(previous) : null,
        url: pageUrl(token ?? undefined),
        next_page_url: next ? pageUrl(next) : null,
        key: 'senders',
      },
    },
  };
}

/** GET /2010-04-01/Accounts/{Sid}.json: the account itself or one of its subaccounts (with its auth token). */
function fetchAccount(request: EmulatorRequest, state: EmulatorState, sid: string): EmulatorReply {
  const store = storeOf(state);
  const declared = optionsOf(state).subaccounts;
  let record = store.subaccounts.get(sid);
  if (!record && sid !== request.authUser && !store.subaccounts.has(request.authUser)) {
    const owner = declared?.[sid] ?? (declared ? undefined : request.authUser);
    if (owner) {
      record = { owner, token: randomBytes(16).toString('hex'), status: 'active' };
      store.subaccounts.set(sid, record);
    }
  }
  const own = sid === request.authUser;
  if (!own && record?.owner !== request.authUser) {
    return twilioError(404, 20404, `The requested resource /2010-04-01/Accounts/${sid}.json was not found`);
  }
  return {
    status: 200,
    body: {
      sid,
      owner_account_sid: record?.owner ?? sid,
      friendly_name: own ? 'Emulated account' : `Emulated subaccount of ${record!.owner}`,
      status: record?.status ?? 'active',
      type: 'Full',
      auth_token: own ? basicPassword(request) : record!.token,
      uri: `/2010-04-01/Accounts/${sid}.json`,
    },
  };
}

function goOffline(request: EmulatorRequest, state: EmulatorState, sid: string): EmulatorReply {
  const sender = storeOf(state).senders.get(sid);
  if (!sender) return notFound(sid);
  const given =
    isObject(request.body) && Array.isArray(request.body.reasons)
      ? (request.body.reasons as { code?: unknown; message?: unknown }[])
      : undefined;
  const reasons = given?.length
    ? given.map((r) => reason(Number(r.code) || 63112, typeof r.message === 'string' ? r.message : 'Offline.'))
    : [reason(63112, 'The WhatsApp Business Account was disabled by Meta.')];
  Object.assign(sender, { status: 'OFFLINE', since: Date.now(), offline_reasons: reasons });
  return { status: 200, body: resource(sender) };
}

const withAuth =
  (handle: (request: EmulatorRequest, state: EmulatorState, sid: string) => EmulatorReply) =>
  (request: EmulatorRequest, match: RegExpMatchArray, state: EmulatorState): EmulatorReply =>
    authProblem(request, state) ?? handle(request, state, match[1] ?? '');

export const senderRoutes: EmulatorRoute[] = [
  {
    name: 'senders.create',
    method: 'POST',
    pattern: /^\/v2\/Channels\/Senders\/?$/,
    handle: withAuth((req, state) => create(req, state)),
  },
  {
    name: 'senders.list',
    method: 'GET',
    pattern: /^\/v2\/Channels\/Senders\/?$/,
    handle: withAuth((req, state) => list(req, state)),
  },
  {
    name: 'senders.fetch',
    method: 'GET',
    pattern: new RegExp(`^/v2/Channels/Senders/${SID}$`),
    handle: withAuth((req, state, sid) => {
      const sender = ownSender(req, state, sid);
      return sender ? { status: 200, body: resource(sender) } : notFound(sid);
    }),
  },
  {
    name: 'senders.update',
    method: 'POST',
    pattern: new RegExp(`^/v2/Channels/Senders/${SID}$`),
    handle: withAuth(update),
  },
  {
    name: 'senders.delete',
    method: 'DELETE',
    pattern: new RegExp(`^/v2/Channels/Senders/${SID}$`),
    handle: withAuth((req, state, sid) => {
      const sender = ownSender(req, state, sid);
      if (!sender) return notFound(sid);
      const store = storeOf(state);
      store.senders.delete(sid);
      store.bySenderId.delete(sender.sender_id);
      return { status: 204 };
    }),
  },
  {
    name: 'accounts.fetch',
    method: 'GET',
    pattern: new RegExp(`^/2010-04-01/Accounts/(${sidSource('account')})\\.json$`),
    handle: withAuth(fetchAccount),
  },
  {
    name: 'senders.offline',
    method: 'POST',
    control: true,
    pattern: new RegExp(`^/__emulator/senders/${SID}/offline$`),
    handle: (req, match, state) => goOffline(req, state, match[1] ?? ''),
  },
];
