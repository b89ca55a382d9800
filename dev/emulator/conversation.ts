/**
 * Twilio's side of each WhatsApp conversation: every message both ways, in order, with its statuses; the
 * 24-hour session window and sandbox membership that decide whether a message may go out; and the status
 * callbacks Twilio sends for what the functions send (queued -> sent -> delivered -> read, or failed /
 * undelivered with an error code), signed like every Twilio webhook.
 *
 *   GET  /__emulator/conversations[?user=whatsapp:+…]   one user's messages (or every user, summed up)
 *   GET  /__emulator/config                            where the functions are (the auth token is never shown)
 *   POST /__emulator/config {incomingUrl?, statusUrl?, fallbackUrl?, authToken?, accountSid?, statusStepMs?,
 *                            unknownUsers?, sandboxNumber?, sandboxKeyword?}
 *
 * The window is enforced for the users the emulator has seen write (POST /__emulator/inbound). A user it never
 * saw is let through unless `unknownUsers` is "enforce": tests and `npm run message` also post straight to the
 * function, and the emulator cannot know those users wrote.
 */
import { sandboxSettingsSchema } from '../../lib/config';
import { EMULATOR_ACCOUNT_SID } from '../env';
import { WHATSAPP_ADDRESS_PATTERN } from '../../lib/phone';
import { sidCheck } from '../../lib/sids';
import { TwilioErrorCode } from '../../lib/twilio-errors';
import { describeZodError } from '../../lib/validation';
import * as z from '../../lib/zod';
import { now } from './clock';
import {
  localMediaType,
  newIdempotencyToken,
  postSigned,
  splitOverrides,
  type Attempt,
  type WebhookConfig,
} from './deliver';
import { takeFault, twilioError, type EmulatorReply, type EmulatorRoute, type EmulatorState } from './server';

/** WhatsApp's customer service window: free-form messages only within 24 h of the user's last message. */
export const SESSION_WINDOW_MS = 24 * 60 * 60 * 1000;
const DEFAULT_STATUS_STEP_MS = 200;
const API_VERSION = '2010-04-01';

export const ERRORS = {
  notJoined: {
    code: TwilioErrorCode.NOT_IN_SANDBOX,
    message: 'Channel Sandbox can only send messages to phone numbers that have joined the Sandbox',
  },
  outsideWindow: {
    code: TwilioErrorCode.OUTSIDE_SESSION_WINDOW,
    message:
      'Failed to send freeform message because you are outside the allowed window. ' +
      'If you are using WhatsApp, please use a Message Template.',
  },
  undelivered: { code: 30008, message: 'Unknown error' },
} as const;

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered' | 'received';
export const FINAL_STATUSES: readonly MessageStatus[] = ['read', 'failed', 'undelivered', 'received'];

export type Button = { id: string; title: string };
export type GeoPoint = { latitude: number; longitude: number; address?: string; label?: string };

export type ConversationEntry = {
  sid: string;
  direction: 'inbound' | 'outbound';
  /** inbound: the user wrote; twiml: a <Message> answered by the webhook; api: Messages API; template: ContentSid;
   * system: Twilio itself answered (the sandbox join). */
  kind: 'inbound' | 'twiml' | 'api' | 'template' | 'system';
  user: string;
  bot: string;
  accountSid: string;
  /** Emulator time (ISO 8601). */
  at: string;
  /** Inbound: Twilio's MessageType (text, image, document, audio, video, location, button). */
  messageType?: string;
  body?: string;
  media?: { url: string; contentType?: string }[];
  location?: GeoPoint;
  /** Inbound: the button tapped. */
  button?: { text: string; payload?: string; repliedTo?: string };
  /** Outbound: buttons offered (a quick-reply template, as the Content API emulation renders it). */
  buttons?: Button[];
  contentSid?: string;
  contentVariables?: Record<string, string>;
  /** twiml: the inbound message it answers. */
  inReplyTo?: string;
  status: MessageStatus;
  statuses: { status: MessageStatus; at: string; errorCode?: number }[];
  errorCode?: number;
  errorMessage?: string;
  /** The message's own StatusCallback (or <Message action>); else the configured statusUrl is used. */
  statusCallback?: string;
  callbacks: { status: MessageStatus; url: string; httpStatus?: number; error?: string }[];
  /** Inbound: how the webhook was delivered. */
  delivery?: Delivery;
  /** Nothing more will happen to it: delivered to the functions (inbound), or final status reported (outbound). */
  settled: boolean;
};

export type Delivery = {
  url?: string;
  attempts: Attempt[];
  outcome: 'answered' | 'failed' | 'not-delivered';
  httpStatus?: number;
  errorCode?: number;
  error?: string;
  fallback?: { url: string; attempts: Attempt[]; httpStatus?: number; errorCode?: number };
};

// ---------------------------------------------------------------------------------------------------------------
// Settings: where the functions are. They live in state.options, so POST /__emulator/reset keeps them.

const httpUrl = (fragment: boolean) =>
  z
    .string()
    .check(
      z.regex(
        fragment ? /^https?:\/\/[^\s]+$/ : /^https?:\/\/[^\s#]+$/,
        `must be an http:// or https:// URL${fragment ? '' : ' without a #fragment'}`,
      ),
    );

export const configSchema = z.strictObject({
  incomingUrl: z.optional(httpUrl(true)),
  statusUrl: z.optional(httpUrl(false)),
  fallbackUrl: z.optional(httpUrl(false)),
  authToken: z.optional(z.string().check(z.minLength(1))),
  accountSid: z.optional(z.string().check(sidCheck('account'))),
  statusStepMs: z.optional(z.number().check(z.int(), z.gte(0), z.lte(60_000))),
  unknownUsers: z.optional(z.enum(['allow', 'enforce'])),
  sandboxNumber: z.optional(
    z.string().check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number, e.g. +14155238886')),
  ),
  sandboxKeyword: z.optional(
    z.string().check(z.regex(/^[\w-]+(?: [\w-]+)?$/, 'must be the sandbox keyword, e.g. "bright-sun"')),
  ),
});
export type ConversationConfig = z.infer<typeof configSchema>;

export type Settings = {
  webhooks: WebhookConfig;
  statusStepMs: number;
  unknownUsers: 'allow' | 'enforce';
  sandboxNumber: string;
  sandboxKeyword?: string;
};

/** The default the functions use too (lib/config.ts). */
const DEFAULT_SANDBOX_NUMBER = sandboxSettingsSchema.parse({}).WHATSAPP_SANDBOX_NUMBER;

export function settingsOf(state: EmulatorState): Settings {
  const o = state.options;
  const webhooks = o.webhooks ?? {};
  return {
    webhooks: { ...webhooks, accountSid: webhooks.accountSid ?? EMULATOR_ACCOUNT_SID },
    statusStepMs: o.statusStepMs ?? DEFAULT_STATUS_STEP_MS,
    unknownUsers: o.unknownUsers === 'enforce' ? 'enforce' : 'allow',
    sandboxNumber: typeof o.sandboxNumber === 'string' ? o.sandboxNumber : DEFAULT_SANDBOX_NUMBER,
    sandboxKeyword: typeof o.sandboxKeyword === 'string' ? o.sandboxKeyword : undefined,
  };
}

/** Applies a (validated) configuration change; used by POST /__emulator/config and by cli/start.ts. */
export function configure(state: EmulatorState, change: ConversationConfig): void {
  const { incomingUrl, statusUrl, fallbackUrl, authToken, accountSid, ...rest } = change;
  const hooks = { incomingUrl, statusUrl, fallbackUrl, authToken, accountSid };
  const defined = Object.fromEntries(Object.entries(hooks).filter(([, v]) => v !== undefined));
  state.options.webhooks = { ...state.options.webhooks, ...defined };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) state.options[key] = value;
}

function publicSettings(state: EmulatorState) {
  const { webhooks, ...rest } = settingsOf(state);
  const { authToken, ...hooks } = webhooks;
  return { ...hooks, authToken: authToken ? 'set' : 'unset', ...rest };
}

// ---------------------------------------------------------------------------------------------------------------
// The log.

type Store = {
  entries: ConversationEntry[];
  bySid: Map<string, ConversationEntry>;
  /** `${bot}|${user}` -> emulator time of the user's last message to that number. */
  lastInbound: Map<string, number>;
  /** Users the emulator delivered a message from. */
  known: Set<string>;
  /** Users who joined the sandbox (wrote to it). */
  joined: Set<string>;
};

function storeOf(state: EmulatorState): Store {
  let store = state.stores.get('conversation') as Store | undefined;
  if (!store) {
    store = { entries: [], bySid: new Map(), lastInbound: new Map(), known: new Set(), joined: new Set() };
    state.stores.set('conversation', store);
  }
  return store;
}

/** `+44…` or `whatsapp:+44…` -> `whatsapp:+44…`; other channels' addresses are kept as they are. */
export function whatsappAddress(address: string): string {
  const trimmed = address.trim();
  return /^\+\d+$/.test(trimmed) ? `whatsapp:${trimmed}` : trimmed;
}

const isWhatsApp = (address: string) => WHATSAPP_ADDRESS_PATTERN.test(address);
const iso = (state: EmulatorState) => new Date(now(state)).toISOString();

export function entriesOf(state: EmulatorState, user: string): ConversationEntry[] {
  const address = whatsappAddress(user);
  return storeOf(state).entries.filter((e) => e.user === address);
}

function add(state: EmulatorState, entry: ConversationEntry): ConversationEntry {
  const store = storeOf(state);
  store.entries.push(entry);
  store.bySid.set(entry.sid, entry);
  return entry;
}

/** Records the user's message: it opens (renews) the 24-hour window with `bot`, and joins the sandbox. */
export function recordInbound(
  state: EmulatorState,
  draft: Omit<ConversationEntry, 'direction' | 'kind' | 'at' | 'status' | 'statuses' | 'callbacks' | 'settled'>,
): ConversationEntry {
  const store = storeOf(state);
  const at = now(state);
  store.known.add(draft.user);
  store.lastInbound.set(`${draft.bot}|${draft.user}`, at);
  if (draft.bot === `whatsapp:${settingsOf(state).sandboxNumber}`) store.joined.add(draft.user);
  const stamp = new Date(at).toISOString();
  const statuses = [{ status: 'received' as const, at: stamp }];
  return add(state, {
    ...draft,
    direction: 'inbound',
    kind: 'inbound',
    at: stamp,
    status: 'received',
    statuses,
    callbacks: [],
    settled: false,
  });
}

/** Marks a user as a sandbox participant (the sandbox's own "join <keyword>"). */
export function joinSandbox(state: EmulatorState, user: string): void {
  storeOf(state).joined.add(user);
  storeOf(state).known.add(user);
}

function windowOf(state: EmulatorState, bot: string, user: string) {
  const last = storeOf(state).lastInbound.get(`${bot}|${user}`);
  if (last === undefined) return { bot, lastInbound: null, open: false, closesAt: null };
  return {
    bot,
    lastInbound: new Date(last).toISOString(),
    open: now(state) - last < SESSION_WINDOW_MS,
    closesAt: new Date(last + SESSION_WINDOW_MS).toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The rules a message must pass, and its statuses.

export type Refusal = { code: number; message: string };

/**
 * Whether Twilio would send a message from `bot` to `user` now: 63016 for a free-form message (or a template
 * WhatsApp has not approved) outside the 24-hour window, 63015 from the sandbox to a user who has not joined.
 */
export function checkOutbound(
  state: EmulatorState,
  bot: string,
  user: string,
  template?: { approved: boolean },
): Refusal | undefined {
  if (!isWhatsApp(user)) return undefined;
  const store = storeOf(state);
  const settings = settingsOf(state);
  if (!store.known.has(user) && settings.unknownUsers === 'allow') return undefined;
  const allowedOutside = template?.approved === true;
  if (!allowedOutside && !windowOf(state, bot, user).open) return ERRORS.outsideWindow;
  if (bot === `whatsapp:${settings.sandboxNumber}` && !store.joined.has(user)) return ERRORS.notJoined;
  return undefined;
}

type OutboundDraft = Pick<ConversationEntry, 'sid' | 'kind' | 'user' | 'bot' | 'accountSid'> &
  Partial<
    Pick<
      ConversationEntry,
      'body' | 'media' | 'location' | 'buttons' | 'contentSid' | 'contentVariables' | 'inReplyTo' | 'statusCallback'
    >
  >;

/**
 * Records a message the functions send and starts its statuses: queued now, then (every statusStepMs) sent,
 * delivered, read; or failed with `refusal`'s code; or undelivered when a `messages.delivery` fault is set.
 */
export function recordOutbound(state: EmulatorState, draft: OutboundDraft, refusal?: Refusal): ConversationEntry {
  const at = iso(state);
  const entry = add(state, {
    ...draft,
    direction: 'outbound',
    at,
    status: 'queued',
    statuses: [],
    callbacks: [],
    settled: false,
  });
  void advance(state, entry, 'queued')
    .then(() => learnMediaTypes(state, entry))
    .then(() => progress(state, entry, refusal));
  return entry;
}

/** Notes the type of each media item served on this machine (the bot's own assets), for the log and the chat. */
async function learnMediaTypes(state: EmulatorState, entry: ConversationEntry): Promise<void> {
  for (const item of entry.media ?? []) {
    item.contentType ??= await localMediaType(item.url, state.closing);
  }
}

function progress(state: EmulatorState, entry: ConversationEntry, refusal: Refusal | undefined): void {
  const step = settingsOf(state).statusStepMs;
  if (refusal) {
    state.later(step, () => advance(state, entry, 'failed', refusal));
    return;
  }
  const fault = takeFault(state, 'messages.delivery');
  const chain: MessageStatus[] = fault ? ['sent', 'undelivered'] : ['sent', 'delivered', 'read'];
  const next = (i: number) => {
    const status = chain[i];
    if (!status) return;
    const failure =
      status === 'undelivered'
        ? {
            code: fault?.code ?? ERRORS.undelivered.code,
            message: fault?.code ? `Injected fault (${fault.code})` : ERRORS.undelivered.message,
          }
        : undefined;
    state.later(step, () => advance(state, entry, status, failure).then(() => next(i + 1)));
  };
  next(0);
}

/** Moves a message to `status` and sends its callback; a final status settles the message once that is answered. */
async function advance(
  state: EmulatorState,
  entry: ConversationEntry,
  status: MessageStatus,
  failure?: Refusal,
): Promise<void> {
  await changeStatus(state, entry, status, failure);
  if (FINAL_STATUSES.includes(status)) entry.settled = true;
}

/** Records the status, keeps the Messages API resource in step, and sends the status callback. */
async function changeStatus(
  state: EmulatorState,
  entry: ConversationEntry,
  status: MessageStatus,
  failure?: Refusal,
): Promise<void> {
  entry.status = status;
  entry.statuses.push({ status, at: iso(state), ...(failure ? { errorCode: failure.code } : {}) });
  if (failure) {
    entry.errorCode = failure.code;
    entry.errorMessage = failure.message;
  }
  const resource = (state.stores.get('messages') as Record<string, unknown>[] | undefined)?.find(
    (m) => m.sid === entry.sid,
  );
  if (resource) {
    resource.status = status;
    resource.date_updated = new Date(now(state)).toUTCString().replace('GMT', '+0000');
    if (status === 'sent') resource.date_sent = resource.date_updated;
    if (failure) Object.assign(resource, { error_code: failure.code, error_message: failure.message });
  }
  const { webhooks } = settingsOf(state);
  const url = entry.statusCallback ?? webhooks.statusUrl;
  // Twilio's own answers (the sandbox's) are not the functions' messages: no callback for them.
  if (!url || entry.kind === 'system') return;
  if (!webhooks.authToken) {
    entry.callbacks.push({
      status,
      url,
      error: 'no authToken configured (POST /__emulator/config), so nothing was signed or sent',
    });
    return;
  }
  const params: Record<string, string> = {
    AccountSid: entry.accountSid,
    ApiVersion: API_VERSION,
    From: entry.bot,
    To: entry.user,
    MessageSid: entry.sid,
    SmsSid: entry.sid,
    MessageStatus: status,
    SmsStatus: status,
    ...(isWhatsApp(entry.user)
      ? { ChannelPrefix: 'whatsapp', ChannelToAddress: entry.user.replace(/^whatsapp:/, '') }
      : {}),
    ...(failure ? { ErrorCode: String(failure.code) } : {}),
  };
  const { url: target, overrides } = splitOverrides(url);
  const outcome = await postSigned(target, params, {
    authToken: webhooks.authToken,
    idempotencyToken: newIdempotencyToken(entry.accountSid),
    overrides,
    signal: state.closing,
  });
  const last = outcome.attempts.at(-1);
  entry.callbacks.push({
    status,
    url: target,
    httpStatus: last?.httpStatus,
    ...(last?.error ? { error: last.error } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Control routes.

function conversations(state: EmulatorState, user: string | null): EmulatorReply {
  const store = storeOf(state);
  if (!user) {
    const users = [...new Set(store.entries.map((e) => e.user))].map((u) => ({
      user: u,
      messages: store.entries.filter((e) => e.user === u).length,
      known: store.known.has(u),
    }));
    return { status: 200, body: { users } };
  }
  const address = whatsappAddress(user);
  const messages = entriesOf(state, address);
  const bots = [...new Set(messages.map((e) => e.bot))];
  return {
    status: 200,
    body: {
      user: address,
      now: iso(state),
      joinedSandbox: store.joined.has(address),
      windows: bots.map((bot) => windowOf(state, bot, address)),
      messages,
    },
  };
}

export const conversationRoutes: EmulatorRoute[] = [
  {
    name: 'emulator.conversations',
    method: 'GET',
    control: true,
    pattern: /^\/__emulator\/conversations$/,
    handle: (request, _match, state) => conversations(state, request.query.get('user')),
  },
  {
    name: 'emulator.config',
    method: 'GET',
    control: true,
    pattern: /^\/__emulator\/config$/,
    handle: (_request, _match, state) => ({ status: 200, body: publicSettings(state) }),
  },
  {
    name: 'emulator.config.update',
    method: 'POST',
    control: true,
    pattern: /^\/__emulator\/config$/,
    handle(request, _match, state) {
      const parsed = configSchema.safeParse(request.body ?? {});
      if (!parsed.success)
        return {
          status: 400,
          body: { message: 'The emulator configuration is not valid.', problems: describeZodError(parsed.error) },
        };
      if (parsed.data.incomingUrl) {
        const { problems } = splitOverrides(parsed.data.incomingUrl);
        if (problems.length)
          return { status: 400, body: { message: 'incomingUrl has bad connection overrides.', problems } };
      }
      configure(state, parsed.data);
      return { status: 200, body: publicSettings(state) };
    },
  },
];

/** Twilio's 400 for a message it refuses at the REST call (63016 outside the window). */
export const refusalReply = (refusal: Refusal): EmulatorReply => twilioError(400, refusal.code, refusal.message);
