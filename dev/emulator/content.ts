/**
 * The Content API (https://content.twilio.com/v1/...), stateful, checked against the official contract
 * (contracts/content-openapi.json, through content-contract.ts), and what Messages create needs of it
 * (ContentSid + ContentVariables).
 *
 * Behaviour:
 * - POST /v1/Content takes JSON matching `ContentCreateRequest` (every key known, at any depth; types as the
 *   contract defines them) and answers 201 with the Content resource. Content is kept per account (the Basic-auth
 *   username) and is immutable (the contract has a PUT, which this project does not use, so it is not emulated).
 * - GET /v1/Content and /v1/ContentAndApprovals page with PageSize (1..1000, default 50), Page and PageToken,
 *   oldest first; GET and DELETE /v1/Content/{Sid}.
 * - POST /v1/Content/{Sid}/ApprovalRequests/whatsapp {name, category} submits the content for WhatsApp approval:
 *   `received`, then `pending` after `contentPendingDelayMs`, then `approved` after `contentApproveDelayMs` more.
 *   A name outside lowercase letters, digits and underscores, a category WhatsApp does not have, a list picker
 *   (WhatsApp never approves one) or a second request for the same content is refused.
 *   GET /v1/Content/{Sid}/ApprovalRequests answers the status (`unsubmitted` before any request).
 * - Control: POST /__emulator/content/{Sid}/reject {reason?} rejects it as WhatsApp would;
 *   POST /__emulator/content/{Sid}/approve approves it at once.
 * Statuses advance when read (no timers). The Content API's own error codes are not documented in the contract;
 * refusals here answer 400 with 20001 (Twilio's generic invalid-parameter code) and a message naming the field.
 */
import { approvalBodyProblem, createBodyProblem } from './content-contract';
import { sidSource } from '../../lib/sids';
import { TwilioErrorCode } from '../../lib/twilio-errors';
import { isObject } from './contract-check';
import { offsetOf, pageToken } from './page-token';
import {
  twilioError,
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorRoute,
  type EmulatorState,
} from './server';

const CONTENT_BASE = 'https://content.twilio.com/v1';
const SID = `(${sidSource('content')})`;
const WHATSAPP_CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
const PLACEHOLDER = /\{\{([^{}\s]+)\}\}/g;

/** Options of this module (EmulatorOptions fields). */
export type ContentEmulatorOptions = {
  /** received -> pending (default 1000 ms). */
  contentPendingDelayMs?: number;
  /** pending -> approved (default 3000 ms). */
  contentApproveDelayMs?: number;
};

export type ApprovalStatus = 'received' | 'pending' | 'approved' | 'rejected';

type Approval = {
  name: string;
  category: string;
  content_type: string;
  status: ApprovalStatus;
  since: number;
  rejection_reason: string;
};

export type StoredContent = {
  account: string;
  sid: string;
  friendly_name: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
  createdAt: number;
  approval?: Approval;
};

function storeOf(state: EmulatorState): Map<string, StoredContent> {
  let store = state.stores.get('content') as Map<string, StoredContent> | undefined;
  if (!store) state.stores.set('content', (store = new Map()));
  return store;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function advance(content: StoredContent, state: EmulatorState, now = Date.now()): void {
  const o = state.options as ContentEmulatorOptions;
  const pendingAfter = o.contentPendingDelayMs ?? 1000;
  const approvedAfter = o.contentApproveDelayMs ?? 3000;
  const approval = content.approval;
  if (!approval) return;
  if (approval.status === 'received' && now - approval.since >= pendingAfter) {
    Object.assign(approval, { status: 'pending', since: approval.since + pendingAfter });
  }
  if (approval.status === 'pending' && now - approval.since >= approvedAfter) {
    Object.assign(approval, { status: 'approved', since: approval.since + approvedAfter });
  }
}

/** The type WhatsApp reviews and receives: the first rich type, else twilio/text. */
function contentType(content: StoredContent): string {
  const keys = Object.keys(content.types);
  return keys.find((k) => k !== 'twilio/text') ?? keys[0] ?? 'twilio/text';
}

function resource(content: StoredContent): Record<string, unknown> {
  const url = `${CONTENT_BASE}/Content/${content.sid}`;
  return {
    date_created: iso(content.createdAt),
    date_updated: iso(content.createdAt),
    sid: content.sid,
    account_sid: content.account,
    friendly_name: content.friendly_name,
    language: content.language,
    variables: content.variables,
    types: content.types,
    url,
    links: { approval_create: `${url}/ApprovalRequests/whatsapp`, approval_fetch: `${url}/ApprovalRequests` },
  };
}

/** The approval as the API shows it (`approval_create`, and `whatsapp` of `approval_fetch`). */
function approvalView(content: StoredContent): Record<string, unknown> {
  const a = content.approval;
  return {
    name: a?.name ?? '',
    category: a?.category ?? '',
    content_type: a?.content_type ?? '',
    status: a?.status ?? 'unsubmitted',
    rejection_reason: a?.rejection_reason ?? '',
    allow_category_change: true,
  };
}

const invalid = (message: string) =>
  twilioError(400, TwilioErrorCode.INVALID_PARAMETER, `Invalid parameter: ${message}`);
const notFound = (sid: string) =>
  twilioError(404, TwilioErrorCode.NOT_FOUND, `The requested resource /v1/Content/${sid} was not found`);

function ownContent(request: EmulatorRequest, state: EmulatorState, sid: string): StoredContent | undefined {
  const content = storeOf(state).get(sid);
  if (!content || content.account !== request.authUser) return undefined;
  advance(content, state);
  return content;
}

function jsonBody(request: EmulatorRequest): { body?: Record<string, unknown>; error?: EmulatorReply } {
  if (!request.headers['content-type']?.startsWith('application/json')) {
    return { error: invalid('the Content API takes a JSON body (Content-Type: application/json)') };
  }
  if (!isObject(request.body)) return { error: invalid('the body must be a JSON object') };
  return { body: request.body };
}

function create(request: EmulatorRequest, state: EmulatorState): EmulatorReply {
  const { body, error } = jsonBody(request);
  if (error || !body) return error!;
  const problem = createBodyProblem(body);
  if (problem) return invalid(problem);
  const types = body.types as Record<string, unknown>;
  if (Object.keys(types).length === 0) return invalid('types must hold at least one content type');
  const content: StoredContent = {
    account: request.authUser,
    sid: state.newSid('HX'),
    friendly_name: (body.friendly_name as string | undefined) ?? '',
    language: body.language as string,
    variables: (body.variables as Record<string, string> | undefined) ?? {},
    types,
    createdAt: Date.now(),
  };
  storeOf(state).set(content.sid, content);
  return { status: 201, body: resource(content) };
}

/** PageSize / Page / PageToken of a list request, or the refusal. */
function pageOf(request: EmulatorRequest): { offset: number; pageSize: number; page: number } | EmulatorReply {
  const sizeText = request.query.get('PageSize') ?? '50';
  const pageSize = Number(sizeText);
  if (!/^\d+$/.test(sizeText) || pageSize < 1 || pageSize > 1000)
    return invalid('PageSize must be an integer from 1 to 1000');
  const pageText = request.query.get('Page') ?? '0';
  if (!/^\d+$/.test(pageText)) return invalid('Page must be a whole number');
  const token = request.query.get('PageToken');
  const offset = token ? offsetOf(token) : 0;
  if (offset === undefined) return invalid('PageToken is not valid');
  return { offset, pageSize, page: Number(pageText) };
}

function list(
  request: EmulatorRequest,
  state: EmulatorState,
  path: string,
  view: (c: StoredContent) => unknown,
): EmulatorReply {
  const paging = pageOf(request);
  if ('status' in paging) return paging;
  const { offset, pageSize, page } = paging;
  const all = [...storeOf(state).values()]
    .filter((c) => c.account === request.authUser)
    .sort((a, b) => a.createdAt - b.createdAt);
  const items = all.slice(offset, offset + pageSize);
  for (const content of items) advance(content, state);
  const url = (p: number, at?: number) => {
    const u = new URL(`${CONTENT_BASE}${path}`);
    u.searchParams.set('PageSize', String(pageSize));
    u.searchParams.set('Page', String(p));
    if (at) u.searchParams.set('PageToken', pageToken(at));
    return u.toString();
  };
  const hasNext = offset + pageSize < all.length;
  return {
    status: 200,
    body: {
      contents: items.map(view),
      meta: {
        page,
        page_size: pageSize,
        first_page_url: url(0),
        previous_page_url: offset > 0 ? url(Math.max(0, page - 1), Math.max(0, offset - pageSize)) : null,
        url: url(page, offset),
        next_page_url: hasNext ? url(page + 1, offset + pageSize) : null,
        key: 'contents',
      },
    },
  };
}

function submit(request: EmulatorRequest, state: EmulatorState, sid: string): EmulatorReply {
  const content = ownContent(request, state, sid);
  if (!content) return notFound(sid);
  const { body, error } = jsonBody(request);
  if (error || !body) return error!;
  const problem = approvalBodyProblem(body);
  if (problem) return invalid(problem);
  const name = body.name as string;
  const category = body.category as string;
  if (!/^[a-z0-9_]{1,512}$/.test(name))
    return invalid(`name '${name}': WhatsApp template names are lowercase letters, digits and underscores`);
  if (!WHATSAPP_CATEGORIES.includes(category))
    return invalid(`category '${category}': use one of ${WHATSAPP_CATEGORIES.join(', ')}`);
  if ('twilio/list-picker' in content.types)
    return invalid('twilio/list-picker content cannot be submitted for WhatsApp approval');
  // Twilio's answer to a second request is not documented; refusing it keeps a client from relying on it.
  if (content.approval)
    return invalid(`content ${sid} was already submitted for WhatsApp approval (${content.approval.status})`);
  content.approval = {
    name,
    category,
    content_type: contentType(content),
    status: 'received',
    since: Date.now(),
    rejection_reason: '',
  };
  return { status: 201, body: approvalView(content) };
}

function approvalFetch(content: StoredContent): Record<string, unknown> {
  return {
    sid: content.sid,
    account_sid: content.account,
    whatsapp: { type: 'whatsapp', ...approvalView(content) },
    url: `${CONTENT_BASE}/Content/${content.sid}/ApprovalRequests`,
  };
}

/** Control: decide the review now (reject with a reason, or approve). */
function decide(
  request: EmulatorRequest,
  state: EmulatorState,
  sid: string,
  status: 'approved' | 'rejected',
): EmulatorReply {
  const content = storeOf(state).get(sid);
  if (!content?.approval)
    return { status: 404, body: { message: `content ${sid} does not exist or was not submitted for approval` } };
  const given = isObject(request.body) && typeof request.body.reason === 'string' ? request.body.reason : undefined;
  const reason =
    status === 'rejected' ? (given ?? 'INVALID_FORMAT: the template does not follow WhatsApp policy.') : '';
  Object.assign(content.approval, { status, since: Date.now(), rejection_reason: reason });
  return { status: 200, body: approvalFetch(content) };
}

// ---------------------------------------------------------------------------------------------------------------
// Messages create with ContentSid

/**
 * A message's content as sent: the body (variables filled), the variables, the quick-reply buttons, and whether
 * WhatsApp approved it (conversation.ts lets only an approved template out of the 24-hour window).
 */
export type ContentMessage = {
  body: string;
  variables: Record<string, string>;
  buttons?: { id: string; title: string }[];
  approved: boolean;
};

/** What a ContentVariables value may not hold (Twilio answers 21656): an empty value, line breaks, tabs, 5+ spaces. */
const BAD_VALUE = /^\s*$|[\r\n\t]| {5,}/;

/**
 * The ContentSid / ContentVariables part of a Messages create (form fields), as Twilio answers it: 21654 for
 * variables without a ContentSid, 21655 for a SID this account does not have, 21656 for variables that are not
 * a JSON object of strings, name a variable the content does not have, or hold a value WhatsApp refuses.
 * A variable left out takes the content's sample, as the Messages contract says of ContentVariables.
 * A Body or MediaUrl beside a ContentSid is refused: Twilio's documentation says to replace them with the
 * ContentSid, and no error code for the combination was found, so this answers 20001 (invalid parameter).
 * Returns undefined when the message does not use content, the refusal, or the rendered body.
 */
export function contentForMessage(
  state: EmulatorState,
  account: string,
  form: Record<string, string | string[]>,
): undefined | { error: EmulatorReply } | ContentMessage {
  const refuse = (code: number, message: string) => ({ error: twilioError(400, code, message) });
  const { CONTENT_SID_REQUIRED, CONTENT_SID_INVALID, CONTENT_VARIABLES_INVALID, INVALID_PARAMETER } = TwilioErrorCode;
  const invalidVariables = (why: string) =>
    refuse(CONTENT_VARIABLES_INVALID, `The Content Variables parameter is invalid: ${why}.`);
  const sid = typeof form.ContentSid === 'string' ? form.ContentSid : undefined;
  const variablesText = typeof form.ContentVariables === 'string' ? form.ContentVariables : undefined;
  if (!sid) {
    if (variablesText === undefined) return undefined;
    const message = 'A ContentSid must be specified if ContentVariables are provided in the request.';
    return refuse(CONTENT_SID_REQUIRED, message);
  }
  if (form.Body !== undefined || form.MediaUrl !== undefined) {
    const message = 'Invalid parameter: send a template with ContentSid alone, without Body or MediaUrl.';
    return refuse(INVALID_PARAMETER, message);
  }
  const content = storeOf(state).get(sid);
  if (!content || content.account !== account) return refuse(CONTENT_SID_INVALID, 'The ContentSid is Invalid.');
  const placeholders = (type: unknown) => [...JSON.stringify(type).matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const names = new Set(Object.values(content.types).flatMap(placeholders));
  let given: Record<string, unknown> = {};
  if (variablesText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(variablesText);
    } catch {
      return invalidVariables('it is not JSON');
    }
    if (!isObject(parsed)) return invalidVariables('it must be a JSON object');
    given = parsed;
  }
  for (const [name, value] of Object.entries(given)) {
    if (!names.has(name)) return invalidVariables(`the content has no variable '${name}'`);
    if (typeof value !== 'string' || BAD_VALUE.test(value)) {
      return invalidVariables(`variable '${name}' is empty, not text, or holds a line break, tab or 5+ spaces`);
    }
  }
  const values = { ...content.variables, ...(given as Record<string, string>) };
  const main = content.types[contentType(content)] as { body?: unknown; actions?: unknown } | undefined;
  const template = typeof main?.body === 'string' ? main.body : '';
  advance(content, state);
  const actions = Array.isArray(main?.actions) ? (main.actions as { id?: unknown; title?: unknown }[]) : [];
  const buttons = actions.flatMap((a) =>
    typeof a.id === 'string' && typeof a.title === 'string' ? [{ id: a.id, title: a.title }] : [],
  );
  return {
    body: template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole),
    variables: given as Record<string, string>,
    ...(buttons.length ? { buttons } : {}),
    approved: content.approval?.status === 'approved',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Routes

const withSid =
  (handle: (request: EmulatorRequest, state: EmulatorState, sid: string) => EmulatorReply) =>
  (request: EmulatorRequest, match: RegExpMatchArray, state: EmulatorState): EmulatorReply =>
    handle(request, state, match[1] ?? '');

export const contentRoutes: EmulatorRoute[] = [
  {
    name: 'content.create',
    method: 'POST',
    pattern: /^\/v1\/Content\/?$/,
    handle: (req, _m, state) => create(req, state),
  },
  {
    name: 'content.list',
    method: 'GET',
    pattern: /^\/v1\/Content\/?$/,
    handle: (req, _m, state) => list(req, state, '/Content', resource),
  },
  {
    name: 'content.fetch',
    method: 'GET',
    pattern: new RegExp(`^/v1/Content/${SID}$`),
    handle: withSid((req, state, sid) => {
      const content = ownContent(req, state, sid);
      return content ? { status: 200, body: resource(content) } : notFound(sid);
    }),
  },
  {
    name: 'content.delete',
    method: 'DELETE',
    pattern: new RegExp(`^/v1/Content/${SID}$`),
    handle: withSid((req, state, sid) => {
      if (!ownContent(req, state, sid)) return notFound(sid);
      storeOf(state).delete(sid);
      return { status: 204 };
    }),
  },
  {
    name: 'content.approval.create',
    method: 'POST',
    pattern: new RegExp(`^/v1/Content/${SID}/ApprovalRequests/whatsapp$`),
    handle: withSid(submit),
  },
  {
    name: 'content.approval.fetch',
    method: 'GET',
    pattern: new RegExp(`^/v1/Content/${SID}/ApprovalRequests$`),
    handle: withSid((req, state, sid) => {
      const content = ownContent(req, state, sid);
      return content ? { status: 200, body: approvalFetch(content) } : notFound(sid);
    }),
  },
  {
    name: 'content.approvals.list',
    method: 'GET',
    pattern: /^\/v1\/ContentAndApprovals\/?$/,
    handle: (req, _m, state) =>
      list(req, state, '/ContentAndApprovals', (c) => {
        // The contract's content_and_approvals has no url or links, but the approval beside the content.
        const { url: _url, links: _links, ...content } = resource(c);
        return { ...content, approval_requests: approvalView(c) };
      }),
  },
  {
    name: 'content.reject',
    method: 'POST',
    control: true,
    pattern: new RegExp(`^/__emulator/content/${SID}/reject$`),
    handle: withSid((req, state, sid) => decide(req, state, sid, 'rejected')),
  },
  {
    name: 'content.approve',
    method: 'POST',
    control: true,
    pattern: new RegExp(`^/__emulator/content/${SID}/approve$`),
    handle: withSid((req, state, sid) => decide(req, state, sid, 'approved')),
  },
];
