/**
 * A WhatsApp user writing to the bot, as Twilio delivers it:
 *   POST /__emulator/inbound {from, to?, body?, profileName?, media?, location?, button?, connection?}
 * builds the form fields Twilio sends for that kind of message, signs them for the configured incoming URL,
 * POSTs them (retrying per the connection overrides, with one I-Twilio-Idempotency-Token), falls back to the
 * fallback URL when the webhook fails, reads the TwiML answer and records each <Message> as sent to the user.
 * It answers once the webhook has answered: {message, delivery, replies}. Statuses of the replies follow.
 *
 * Media the user sends is served by the emulator itself, at the URL Twilio uses:
 *   GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}   (Basic auth, as on Twilio)
 */
import { sidCheck, sidSource } from '../../lib/sids';
import { describeZodError } from '../../lib/validation';
import * as z from '../../lib/zod';
import {
  checkOutbound,
  entriesOf,
  joinSandbox,
  recordInbound,
  recordOutbound,
  settingsOf,
  whatsappAddress,
  type ConversationEntry,
  type Delivery,
} from './conversation';
import {
  newIdempotencyToken,
  parseOverrides,
  postSigned,
  readTwiml,
  splitOverrides,
  type ConnectionOverrides,
} from './deliver';
import type { EmulatorReply, EmulatorRoute, EmulatorState } from './server';

const API_VERSION = '2010-04-01';
/** WhatsApp delivers at most 10 media items with one message (lib/inbound.ts reads as many). */
const MAX_MEDIA = 10;
/** WhatsApp's own limit on the text a user can type in one message. */
const MAX_USER_TEXT = 4096;

const phone = z
  .string()
  .check(z.regex(/^(whatsapp:)?\+[1-9]\d{6,14}$/, 'must be +E.164 or whatsapp:+E.164, e.g. +15005550006'));
const contentType = z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type, e.g. image/jpeg'));

const inboundSchema = z
  .strictObject({
    from: phone,
    to: z.optional(phone),
    body: z.optional(z.string().check(z.maxLength(MAX_USER_TEXT))),
    profileName: z.optional(z.string().check(z.maxLength(256))),
    media: z.optional(
      z.array(z.union([contentType, z.strictObject({ contentType })])).check(z.minLength(1), z.maxLength(MAX_MEDIA)),
    ),
    location: z.optional(
      z.strictObject({
        latitude: z.number().check(z.gte(-90), z.lte(90)),
        longitude: z.number().check(z.gte(-180), z.lte(180)),
        address: z.optional(z.string()),
        label: z.optional(z.string()),
      }),
    ),
    button: z.optional(
      z.strictObject({
        text: z.string().check(z.minLength(1)),
        payload: z.optional(z.string()),
        /** The message whose button was tapped (default: the bot's latest message offering that button). */
        replyTo: z.optional(z.string().check(sidCheck('message'))),
      }),
    ),
    /** Connection overrides for this delivery, as in a webhook URL's fragment: {rt: 1000, rc: 1, rp: "rt"}. */
    connection: z.optional(
      z.strictObject({
        ct: z.optional(z.number()),
        rt: z.optional(z.number()),
        tt: z.optional(z.number()),
        rc: z.optional(z.number()),
        rp: z.optional(z.union([z.string(), z.array(z.string())])),
      }),
    ),
  })
  .check(
    z.refine((v) => [v.media, v.location, v.button].filter(Boolean).length <= 1, {
      message: 'give at most one of media, location and button',
      path: ['(root)'],
    }),
    z.refine((v) => Boolean(v.body || v.media || v.location || v.button), {
      message: 'give body (text), media, location or button',
      path: ['body'],
    }),
  );
type InboundRequest = z.infer<typeof inboundSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Media the emulator serves.

type StoredMedia = { accountSid: string; messageSid: string; contentType: string; bytes: Buffer };

/** Small valid files, so that whatever downloads the media gets the type it was told. */
const SAMPLES: Record<string, Buffer> = {
  'image/png': Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
  'application/pdf': Buffer.from(
    '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n' +
      '2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
  ),
};
const sampleFor = (type: string) =>
  SAMPLES[type] ?? Buffer.from(`Sample ${type} content from the local Twilio emulator.\n`);

function mediaStore(state: EmulatorState): Map<string, StoredMedia> {
  let store = state.stores.get('media') as Map<string, StoredMedia> | undefined;
  if (!store) state.stores.set('media', (store = new Map()));
  return store;
}

/** Twilio's MessageType for a media item. */
function mediaMessageType(type: string): string {
  const family = type.split('/')[0];
  return family === 'image' || family === 'video' || family === 'audio' ? family : 'document';
}

// ---------------------------------------------------------------------------------------------------------------

/** The latest bot message to `user` offering a button with this payload or title. */
function messageWithButton(
  state: EmulatorState,
  user: string,
  bot: string,
  button: { text: string; payload?: string },
) {
  const offering = entriesOf(state, user).filter(
    (e) => e.direction === 'outbound' && e.bot === bot && e.buttons?.length,
  );
  return offering.reverse().find((e) => e.buttons!.some((b) => b.id === button.payload || b.title === button.text));
}

/** The form fields Twilio posts for this message (FACTS: inbound WhatsApp webhook fields). */
function inboundFields(
  state: EmulatorState,
  input: InboundRequest,
  ids: { sid: string; user: string; bot: string; accountSid: string; origin: string },
): {
  fields: Record<string, string>;
  media: { url: string; contentType: string }[];
  messageType: string;
  repliedTo?: string;
} {
  const { sid, user, bot, accountSid } = ids;
  const media = (input.media ?? []).map((m) => {
    const type = typeof m === 'string' ? m : m.contentType;
    const mediaSid = state.newSid('ME');
    mediaStore(state).set(mediaSid, { accountSid, messageSid: sid, contentType: type, bytes: sampleFor(type) });
    return {
      url: `${ids.origin}/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media/${mediaSid}`,
      contentType: type,
    };
  });
  const messageType = input.location
    ? 'location'
    : input.button
      ? 'button'
      : media[0]
        ? mediaMessageType(media[0].contentType)
        : 'text';
  const fields: Record<string, string> = {
    SmsMessageSid: sid,
    NumMedia: String(media.length),
    ProfileName: input.profileName ?? 'WhatsApp User',
    MessageType: messageType,
    SmsSid: sid,
    WaId: user.replace(/^whatsapp:\+/, ''),
    SmsStatus: 'received',
    Body: input.body ?? (input.button ? input.button.text : ''),
    To: bot,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: accountSid,
    From: user,
    ApiVersion: API_VERSION,
  };
  media.forEach((m, i) => {
    fields[`MediaContentType${i}`] = m.contentType;
    fields[`MediaUrl${i}`] = m.url;
  });
  if (input.location) {
    fields.Latitude = String(input.location.latitude);
    fields.Longitude = String(input.location.longitude);
    if (input.location.address) fields.Address = input.location.address;
    if (input.location.label) fields.Label = input.location.label;
  }
  let repliedTo: string | undefined;
  if (input.button) {
    fields.ButtonText = input.button.text;
    fields.ButtonPayload = input.button.payload ?? input.button.text;
    repliedTo = input.button.replyTo ?? messageWithButton(state, user, bot, input.button)?.sid;
    if (repliedTo) {
      fields.OriginalRepliedMessageSid = repliedTo;
      fields.OriginalRepliedMessageSender = bot;
    }
  }
  return { fields, media, messageType, repliedTo };
}

function connectionOverrides(input: InboundRequest['connection']): {
  overrides: Partial<ConnectionOverrides>;
  problems: string[];
} {
  if (!input) return { overrides: {}, problems: [] };
  const pairs = Object.entries(input).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]);
  return parseOverrides(new URLSearchParams(pairs).toString());
}

/** The sandbox answers "join <keyword>" itself; the functions never see it. */
function answerSandboxJoin(state: EmulatorState, entry: ConversationEntry, keyword: string): ConversationEntry {
  const settings = settingsOf(state);
  const ok = !settings.sandboxKeyword || settings.sandboxKeyword.toLowerCase() === keyword.toLowerCase();
  if (ok) joinSandbox(state, entry.user);
  const body = ok
    ? `Twilio Sandbox: ✅ You are all set! The sandbox can now send/receive messages from ${entry.bot}. ` +
      'Reply stop to leave the sandbox any time.'
    : `Twilio Sandbox: "${keyword}" is not this sandbox's keyword. ` +
      'Send join <keyword> with the keyword from the Twilio Console.';
  const draft = {
    sid: state.newSid('SM'),
    kind: 'system' as const,
    user: entry.user,
    bot: entry.bot,
    accountSid: entry.accountSid,
  };
  return recordOutbound(state, { ...draft, body, inReplyTo: entry.sid });
}

async function deliver(state: EmulatorState, input: InboundRequest, origin: string): Promise<EmulatorReply> {
  const settings = settingsOf(state);
  const { incomingUrl, authToken, accountSid, fallbackUrl } = settings.webhooks;
  if (!incomingUrl || !authToken) {
    return {
      status: 409,
      body: {
        message: 'The emulator does not know where the functions are: set incomingUrl and authToken first.',
        hint:
          'POST /__emulator/config ' +
          '{"incomingUrl": "http://localhost:3000/whatsapp/incoming", "authToken": "<AUTH_TOKEN>"}',
      },
    };
  }
  const configured = splitOverrides(incomingUrl);
  const asked = connectionOverrides(input.connection);
  if (asked.problems.length)
    return { status: 400, body: { message: 'connection overrides are not valid.', problems: asked.problems } };

  const user = whatsappAddress(input.from);
  const bot = whatsappAddress(input.to ?? `+${settings.sandboxNumber.replace(/^\+/, '')}`);
  const sid = state.newSid(input.media ? 'MM' : 'SM');
  const built = inboundFields(state, input, { sid, user, bot, accountSid: accountSid!, origin });
  const entry = recordInbound(state, {
    sid,
    user,
    bot,
    accountSid: accountSid!,
    messageType: built.messageType,
    body: built.fields.Body || undefined,
    ...(built.media.length ? { media: built.media } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.button
      ? { button: { text: input.button.text, payload: built.fields.ButtonPayload, repliedTo: built.repliedTo } }
      : {}),
  });

  const join = /^\s*join\s+(\S+)\s*$/i.exec(input.body ?? '');
  if (join && !input.media && bot === `whatsapp:${settings.sandboxNumber}`) {
    const reply = answerSandboxJoin(state, entry, join[1]!);
    entry.delivery = { attempts: [], outcome: 'not-delivered', error: 'the sandbox answers "join <keyword>" itself' };
    entry.settled = true;
    return { status: 200, body: { message: entry, delivery: entry.delivery, replies: [reply] } };
  }

  const outcome = await postSigned(configured.url, built.fields, {
    authToken,
    idempotencyToken: newIdempotencyToken(accountSid!),
    overrides: { ...configured.overrides, ...asked.overrides },
    signal: state.closing,
  });
  const delivery: Delivery = {
    url: configured.url,
    attempts: outcome.attempts,
    outcome: outcome.ok ? 'answered' : 'failed',
    httpStatus: outcome.status,
  };
  let answer = outcome.ok ? readTwiml(outcome.body ?? '') : undefined;
  let answeredUrl = configured.url;
  if (answer && !answer.ok) {
    Object.assign(delivery, { outcome: 'failed', errorCode: 12100, error: `TwiML: ${answer.error}` });
    answer = undefined;
  } else if (!outcome.ok) {
    Object.assign(delivery, {
      errorCode: outcome.errorCode,
      error: outcome.attempts.at(-1)?.error ?? `HTTP ${outcome.status}`,
    });
  }
  if (!answer && fallbackUrl) {
    // Twilio requests the fallback URL with the same fields plus what went wrong.
    const fallbackFields = {
      ...built.fields,
      ErrorCode: String(delivery.errorCode ?? 11200),
      ErrorUrl: configured.url,
    };
    const fallback = await postSigned(fallbackUrl, fallbackFields, {
      authToken,
      idempotencyToken: newIdempotencyToken(accountSid!),
      signal: state.closing,
    });
    delivery.fallback = {
      url: fallbackUrl,
      attempts: fallback.attempts,
      httpStatus: fallback.status,
      errorCode: fallback.errorCode,
    };
    const read = fallback.ok ? readTwiml(fallback.body ?? '') : undefined;
    if (read?.ok) {
      answer = read;
      answeredUrl = fallbackUrl;
    }
  }
  entry.delivery = delivery;
  entry.settled = true;

  const replies = (answer?.ok ? answer.messages : []).map((m) => {
    const to = m.to ? whatsappAddress(m.to) : user;
    const from = m.from ? whatsappAddress(m.from) : bot;
    const draft = {
      sid: state.newSid(m.media.length ? 'MM' : 'SM'),
      kind: 'twiml' as const,
      user: to,
      bot: from,
      accountSid: accountSid!,
      body: m.body,
      ...(m.media.length ? { media: m.media.map((url) => ({ url })) } : {}),
      inReplyTo: sid,
      // A relative <Message action> is resolved against the URL that answered, as Twilio does.
      ...(m.statusCallback ? { statusCallback: new URL(m.statusCallback, answeredUrl).toString() } : {}),
    };
    return recordOutbound(state, draft, checkOutbound(state, from, to));
  });
  return { status: 200, body: { message: entry, delivery, replies } };
}

export const inboundRoutes: EmulatorRoute[] = [
  {
    name: 'emulator.inbound',
    method: 'POST',
    control: true,
    pattern: /^\/__emulator\/inbound$/,
    handle(request, _match, state) {
      const parsed = inboundSchema.safeParse(request.body);
      if (!parsed.success) {
        return {
          status: 400,
          body: { message: 'The inbound message is not valid.', problems: describeZodError(parsed.error) },
        };
      }
      return deliver(state, parsed.data, `http://${request.headers.host ?? '127.0.0.1'}`);
    },
  },
  {
    name: 'media.fetch',
    method: 'GET',
    pattern: new RegExp(
      `^/2010-04-01/Accounts/(${sidSource('account')})/Messages/(${sidSource('message')})/Media/(ME[0-9a-fA-F]{32})$`,
    ),
    handle(_request, match, state) {
      const media = mediaStore(state).get(match[3]!);
      if (!media || media.accountSid !== match[1] || media.messageSid !== match[2]) {
        return {
          status: 404,
          body: { code: 20404, message: `The requested resource ${match[0]} was not found`, status: 404 },
        };
      }
      return { status: 200, body: media.bytes, headers: { 'Content-Type': media.contentType } };
    },
  },
];
