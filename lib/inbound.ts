/**
 * An inbound WhatsApp webhook (Twilio's form fields:
 * https://www.twilio.com/docs/messaging/guides/webhook-request) parsed into one typed message.
 * Only From and To are required: Body is empty for media and locations, and every other field may be
 * missing, malformed or odd; such fields are ignored rather than refused, so Twilio's message still gets
 * an answer.
 */
import { WHATSAPP_ADDRESS_PATTERN } from './phone';
import * as z from './zod';

/** WhatsApp delivers at most 10 media items with one message. */
export const MAX_INBOUND_MEDIA = 10;

export type MediaItem = { url: string; contentType: string };

export type InboundContent =
  | { kind: 'text'; body: string }
  | { kind: 'media'; items: MediaItem[]; caption: string }
  | { kind: 'location'; latitude: number; longitude: number; address?: string; label?: string }
  | { kind: 'button'; text: string; payload?: string }
  | { kind: 'unknown'; messageType?: string };

export type InboundMessage = {
  from: string;
  to: string;
  messageSid?: string;
  profileName?: string;
  waId?: string;
  content: InboundContent;
};

const whatsappAddress = z
  .string()
  .check(
    z.regex(WHATSAPP_ADDRESS_PATTERN, 'must be "whatsapp:+" followed by an E.164 number, e.g. whatsapp:+14155238886'),
  );

/** The fields this project reads (MediaUrl{N}/MediaContentType{N} are read by index from the raw fields). */
export const inboundFieldsSchema = z.compiledObject({
  From: whatsappAddress,
  To: whatsappAddress,
  MessageSid: z.optional(z.string()),
  Body: z.optional(z.string()),
  NumMedia: z.optional(z.string()),
  ProfileName: z.optional(z.string()),
  WaId: z.optional(z.string()),
  Latitude: z.optional(z.string()),
  Longitude: z.optional(z.string()),
  Address: z.optional(z.string()),
  Label: z.optional(z.string()),
  MessageType: z.optional(z.string()),
  ButtonText: z.optional(z.string()),
  ButtonPayload: z.optional(z.string()),
  // A list-picker choice: its item's title and id (names as Twilio's list-picker replies are read here; not
  // confirmed in Twilio's webhook reference, so a tap carrying ButtonText/ButtonPayload works as well).
  ListTitle: z.optional(z.string()),
  ListId: z.optional(z.string()),
});

type InboundFields = z.infer<typeof inboundFieldsSchema>;
/** The raw form fields, for the numbered media fields. */
type RawFields = Record<string, string>;

const nonEmpty = (value: string | undefined): string | undefined => (value && value.trim() !== '' ? value : undefined);

/** A decimal coordinate within ±limit, or undefined. */
function coordinate(value: string | undefined, limit: number): number | undefined {
  if (!value || !/^\s*[-+]?\d{1,3}(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Math.abs(n) <= limit ? n : undefined;
}

/** The numbered media field names, made once (a name built per request is a new string to look up). */
const MEDIA_URL_FIELDS = Array.from({ length: MAX_INBOUND_MEDIA }, (_, i) => `MediaUrl${i}`);
const MEDIA_TYPE_FIELDS = Array.from({ length: MAX_INBOUND_MEDIA }, (_, i) => `MediaContentType${i}`);

function mediaItems(fields: InboundFields, raw: RawFields): MediaItem[] {
  const declared = /^\d{1,2}$/.test(fields.NumMedia ?? '') ? Number(fields.NumMedia) : 0;
  const items: MediaItem[] = [];
  for (let i = 0; i < Math.min(declared, MAX_INBOUND_MEDIA); i++) {
    const url = raw[MEDIA_URL_FIELDS[i]!];
    const type = raw[MEDIA_TYPE_FIELDS[i]!];
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) continue;
    items.push({
      url,
      contentType: typeof type === 'string' && type.trim() ? type.trim().toLowerCase() : 'application/octet-stream',
    });
  }
  return items;
}

function contentOf(fields: InboundFields, raw: RawFields): InboundContent {
  const latitude = coordinate(fields.Latitude, 90);
  const longitude = coordinate(fields.Longitude, 180);
  if (latitude !== undefined && longitude !== undefined) {
    return { kind: 'location', latitude, longitude, address: nonEmpty(fields.Address), label: nonEmpty(fields.Label) };
  }
  const items = mediaItems(fields, raw);
  if (items.length > 0) return { kind: 'media', items, caption: fields.Body ?? '' };
  const buttonText = nonEmpty(fields.ButtonText) ?? nonEmpty(fields.ListTitle);
  const payload = nonEmpty(fields.ButtonPayload) ?? nonEmpty(fields.ListId);
  if (buttonText) return { kind: 'button', text: buttonText, payload };
  if (nonEmpty(fields.Body)) return { kind: 'text', body: fields.Body! };
  return { kind: 'unknown', messageType: nonEmpty(fields.MessageType) };
}

export type InboundParseResult = { ok: true; message: InboundMessage } | { ok: false; error: z.core.$ZodError };

/** Parses the webhook's form fields. Fails only when From or To is missing or not a WhatsApp address. */
export function parseInbound(fields: Record<string, string>): InboundParseResult {
  const parsed = inboundFieldsSchema.safeParse(fields);
  if (!parsed.success) return { ok: false, error: parsed.error };
  const data = parsed.data;
  return {
    ok: true,
    message: {
      from: data.From,
      to: data.To,
      messageSid: nonEmpty(data.MessageSid),
      profileName: nonEmpty(data.ProfileName),
      waId: nonEmpty(data.WaId),
      content: contentOf(data, fields),
    },
  };
}
