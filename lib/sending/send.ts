/**
 * One business message, end to end, for POST /admin/send-message (and, row by row, `npm run notify`): the
 * template resolved by name through the Content API and its variables checked, the contact read from Sync
 * (fail closed), the decision (decide.ts), the Messages API create with the deployment's status callback, and
 * the outbound recorded on the contact. Every refusal happens before the Messages API is called.
 */
import { contactView, type ContactView } from '../conversation/admin';
import { readContact, recordOutbound, type ContactKey, type ContactRecord, type ContactStore } from '../conversation';
import { errorBody, type ErrorBody } from '../error-body';
import { fillVariables, type ContentTypes } from '../templates';
import { listContents, type RemoteContent } from '../templates/remote';
import { hintFor, TwilioErrorCode } from '../twilio-errors';
import { isTwilioApiError, twilioRequest, type TwilioCall } from '../twilio-api';
import * as z from '../zod';
import { decideSend, type Outgoing, type Refusal, type SendKind } from './decide';

/** Pages of contents read at most to find a template by name (1,000 each) within a Function's 10 s. */
const MAX_CONTENT_PAGES = 3;

export type TemplateRef = { template?: string; content_sid?: string };

export type ResolvedTemplate = {
  sid: string;
  name: string;
  /** WhatsApp's approval status: approved, pending, received, rejected, unsubmitted ... */
  approval: string;
  contentVariables: string;
};

export type Failure = { ok: false; status: number; body: ErrorBody; refusal?: Refusal };

const failure = (status: number, details: Parameters<typeof errorBody>[0], refusal?: Refusal): Failure => ({
  ok: false,
  status,
  body: errorBody(details),
  ...(refusal ? { refusal } : {}),
});

/** The content a send names, by friendly name (the newest of that name) or SID, with its approval. */
export async function findContent(
  call: () => TwilioCall,
  ref: TemplateRef,
): Promise<{ ok: true; content: RemoteContent; name: string; approval: string } | Failure> {
  const matches = (c: RemoteContent) =>
    ref.content_sid ? c.sid === ref.content_sid : c.friendly_name === ref.template;
  const contents = await listContents(call, { maxPages: MAX_CONTENT_PAGES, stop: matches });
  // The newest by creation when a name is on several contents (npm run templates deletes the old after a change).
  const found = contents.filter(matches).sort((a, b) => (b.date_created ?? '').localeCompare(a.date_created ?? ''))[0];
  if (!found) {
    return ref.content_sid
      ? failure(404, {
          code: TwilioErrorCode.CONTENT_SID_INVALID,
          message: `No content ${ref.content_sid} on this account.`,
          hint: hintFor(TwilioErrorCode.CONTENT_SID_INVALID),
        })
      : failure(404, {
          message: `No template named "${ref.template}" on this account.`,
          hint: 'Create it from templates/<name>.json with npm run templates (it prints each name and SID).',
        });
  }
  const approval = found.approval_requests?.status ?? 'unsubmitted';
  return { ok: true, content: found, name: found.friendly_name ?? found.sid, approval };
}

/** The content's types, as the template helpers read them. */
export const typesOf = (content: RemoteContent): ContentTypes => (content.types ?? {}) as ContentTypes;

/** The template by friendly name (or SID) with its approval, and `variables` checked against its own. */
export async function resolveTemplate(
  call: () => TwilioCall,
  ref: TemplateRef,
  variables: unknown,
): Promise<{ ok: true; template: ResolvedTemplate } | Failure> {
  const found = await findContent(call, ref);
  if (!found.ok) return found;
  const { name, approval } = found;
  const filled = fillVariables({ types: typesOf(found.content) }, variables);
  if (!filled.ok) {
    const first = filled.problems[0]!;
    return failure(400, {
      message: `variables do not fit template "${name}": ${first.message}.`,
      hint: 'Give exactly the template\'s variables, each as non-empty text ("variables": {"1": "..."}).',
      problems: filled.problems.map((p) => ({ path: p.field, message: p.message })),
    });
  }
  return { ok: true, template: { sid: found.content.sid, name, approval, contentVariables: filled.contentVariables } };
}

/** The contact, or a 503 with Sync's code: consent that cannot be read is never taken as consent. */
export async function readConsent(
  store: ContactStore,
  key: ContactKey,
): Promise<{ ok: true; record: ContactRecord | undefined } | Failure> {
  try {
    return { ok: true, record: (await readContact(store, key)).record };
  } catch (error) {
    if (!isTwilioApiError(error)) throw error;
    const f = error.failure;
    return failure(503, {
      code: f.code,
      message: `The contact's consent could not be read from Sync (${f.message ?? f.kind}): nothing was sent.`,
      hint: `${hintFor(f.code) ?? 'Retry in a moment.'} Without the consent on record no message is sent.`,
      moreInfo: f.moreInfo,
    });
  }
}

const messageSchema = z.looseObject({ sid: z.string(), status: z.string() });

export type Message = {
  from: string;
  to: string;
  body?: string;
  mediaUrl?: string;
  template?: ResolvedTemplate;
  /** Where Twilio posts the message's statuses (the deployment's /whatsapp/status). */
  statusCallback?: string;
};

/**
 * Messages create, once: a send is not retried on a 5xx or a timeout (Twilio may have accepted it; a second
 * attempt could deliver twice). A Twilio refusal throws TwilioApiError, answered by the admin frame.
 */
export async function createMessage(call: TwilioCall, accountSid: string, message: Message) {
  const form: Record<string, string> = { From: message.from, To: message.to };
  if (message.statusCallback) form.StatusCallback = message.statusCallback;
  if (message.template) {
    form.ContentSid = message.template.sid;
    if (message.template.contentVariables !== '{}') form.ContentVariables = message.template.contentVariables;
  } else {
    if (message.body) form.Body = message.body;
    if (message.mediaUrl) form.MediaUrl = message.mediaUrl;
  }
  const url = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const response = await twilioRequest({ ...call, retry: { maxAttempts: 1 } }, 'post', url, form, {
    encoding: 'form',
  });
  const result = messageSchema.safeParse(response.body);
  if (!result.success) throw new Error('Twilio answered the message create with a body this code cannot read');
  return result.data;
}

export type Sent = {
  ok: true;
  sid: string;
  status: string;
  kind: SendKind;
  /** The contact after the send; null when recording it failed (the message was sent all the same). */
  contact: ContactView | null;
  warning?: string;
};

/** Decides, then sends and records. `message.template` set means a template. */
export async function sendChecked(
  options: {
    store: ContactStore;
    key: ContactKey;
    call: TwilioCall;
    /** The account the message is sent on (a subaccount when the request named one). */
    accountSid: string;
    now: () => Date;
  },
  message: Message,
): Promise<Sent | Failure> {
  const { store, key } = options;
  const consent = await readConsent(store, key);
  if (!consent.ok) return consent;
  const outgoing: Outgoing = message.template
    ? { kind: 'template', name: message.template.name, approval: message.template.approval }
    : { kind: 'session' };
  const decision = decideSend(consent.record, message.from, outgoing, options.now());
  if (!decision.ok) {
    const { status, code, message: text, hint } = decision.refusal;
    return failure(status, { code, message: text, hint }, decision.refusal);
  }
  const created = await createMessage(options.call, options.accountSid, message);
  try {
    const recorded = await recordOutbound(store, key, created.sid, options.now());
    const contact = contactView(key, recorded.record, options.now());
    return { ok: true, sid: created.sid, status: created.status, kind: decision.kind, contact };
  } catch (error) {
    if (!isTwilioApiError(error)) throw error;
    return {
      ok: true,
      sid: created.sid,
      status: created.status,
      kind: decision.kind,
      contact: null,
      warning: `Sent, but not recorded on the contact (Sync: ${error.failure.message ?? error.failure.kind}).`,
    };
  }
}
