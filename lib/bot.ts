/**
 * The bot: what to answer to an inbound WhatsApp message. Pure: it decides, the route does the I/O
 * (TwiML out, and the Messages API call for a location or the menu's buttons: TwiML cannot carry either).
 */
import { consentWord } from './conversation/keywords';
import type { InboundMessage, MediaItem } from './inbound';
import { locationMessage, mapsLink, type Location, type LocationMessage } from './location';
import { truncateMessage } from './message-length';
import type { ContentMessage } from './templates/message';
import type { OutboundMessage } from './twiml';

/** The sample image bundled in assets/, served on the function's own domain. */
export const SAMPLE_MEDIA_PATH = '/media/whatsapp-sample.png';
export const SANDBOX_JOIN_PATH = '/sandbox/join';

export type BotSettings = {
  /** Origin the function is reached on (https://<domain>, or PUBLIC_BASE_URL). */
  origin: string;
  /** The bot's location, if configured. */
  location?: Location;
  /**
   * The menu template's Content SID (MENU_CONTENT_SID): the menu is then sent as quick-reply buttons. A reply
   * is always inside the 24-hour session, where a quick reply of up to 3 buttons needs no approval.
   */
  menuContentSid?: string;
};

export type BotReply =
  | { kind: 'messages'; messages: OutboundMessage[] }
  /** Send a location through the Messages API, then answer `onSent` or, if that call failed, `onFailure`. */
  | { kind: 'send-location'; request: LocationMessage; onSent: OutboundMessage[]; onFailure: OutboundMessage[] }
  /** Send the menu template (buttons) through the Messages API: then an empty TwiML, or the text menu if it failed. */
  | { kind: 'send-menu'; request: ContentMessage; onSent: OutboundMessage[]; onFailure: OutboundMessage[] }
  /** Record the user's consent, then answer `onRecorded` or, if it could not be recorded, `onFailure`. */
  | {
      kind: 'consent';
      status: 'opted_in' | 'opted_out';
      keyword: string;
      onRecorded: OutboundMessage[];
      onFailure: OutboundMessage[];
    };

/** Words people use for the menu. The opt-out / opt-in words are in lib/conversation/keywords.ts. */
const MENU_WORDS = new Set(['help', 'menu', 'hi', 'hello', 'info']);

/** Lower-cased, with surrounding spaces, punctuation and symbols (emoji included) removed. */
export function normalizeCommand(body: string): string {
  // Printable ASCII is its own NFKC form: most messages skip the call into ICU.
  return (/^[\x20-\x7e]*$/.test(body) ? body : body.normalize('NFKC'))
    .toLowerCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
}

const text = (body: string): BotReply => ({ kind: 'messages', messages: [{ body }] });

/**
 * A user's text quoted in a reply, cut to `max` UTF-16 units: however long it was, the reply's own words
 * still fit Twilio's 1,600 (the TwiML cut at MAX_MESSAGE_UNITS would otherwise drop them).
 */
const quote = (userText: string, max = 300): string => truncateMessage(userText, max);

const MENU_LINES = [
  '',
  'Send me one of these words:',
  '- *menu* or *help*: this list',
  '- *media*: a sample image',
  '- *location*: where we are, as a map pin',
  '- *format*: the text styles WhatsApp understands',
  '- *stop* / *start*: opt out / back in',
  '',
  'You can also send me a photo, a PDF or your location.',
].join('\n');

function menu(profileName: string | undefined): string {
  const name = profileName
    ? ` ${Array.from(profileName.replace(/[*_~`\r\n]/g, ''))
        .slice(0, 40)
        .join('')
        .trim()}`
    : '';
  return `*Hi${name}!* 👋 I'm a WhatsApp bot running on Twilio Functions.\n${MENU_LINES}`;
}

/** One message showing each WhatsApp style, with the markup that makes it in `inline code`. */
export const FORMAT_SHOWCASE = [
  '*WhatsApp formatting*',
  '',
  '*bold* ← `*bold*`',
  '_italic_ ← `_italic_`',
  '~strikethrough~ ← `~strikethrough~`',
  '`inline code` ← a backtick on each side',
  '*_bold italic_* ← `*_bold italic_*`',
  '',
  '```monospace block```',
  '← three backticks on each side',
  '',
  '- a bullet ← a line starting with `- ` or `* `',
  '1. a numbered item ← a line starting with `1. `',
  '> a quote ← a line starting with `> `',
].join('\n');

const MEDIA_FAMILIES: ReadonlyArray<[RegExp, string]> = [
  [/^image\/(jpeg|jpg|png)$/, 'image'],
  [/^audio\/(ogg|mpeg|mp3|amr|aac|mp4|opus)(;.*)?$/, 'audio clip'],
  [/^video\/(mp4|3gpp)$/, 'video'],
  [/^application\/pdf$/, 'PDF document'],
];

/** The family of a media type WhatsApp carries, or undefined for the ones it does not. */
export function mediaFamily(contentType: string): string | undefined {
  return MEDIA_FAMILIES.find(([pattern]) => pattern.test(contentType))?.[1];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeMedia(items: MediaItem[]): string {
  // Families counted in the order first seen, unsupported types once each. Plain loops and arrays: this runs on
  // every media message, and a Map, a Set and their spreads cost several times as much in the loaded runtime.
  const families: string[] = [];
  const counts: number[] = [];
  const unsupported: string[] = [];
  for (const item of items) {
    const family = mediaFamily(item.contentType);
    if (family === undefined) {
      if (!unsupported.includes(item.contentType)) unsupported.push(item.contentType);
      continue;
    }
    const at = families.indexOf(family);
    if (at === -1) {
      families.push(family);
      counts.push(1);
    } else counts[at] = counts[at]! + 1;
  }
  let text = `Thanks! I received ${plural(items.length, 'item')}.`;
  for (let i = 0; i < families.length; i += 1) text += `\n- ${plural(counts[i]!, families[i]!)}`;
  if (unsupported.length > 0) {
    const types = unsupported.map((t) => quote(t, 80)).join(', ');
    text +=
      `\nI can't use ${unsupported.length === 1 ? 'this type' : 'these types'}, sorry: ${types}. ` +
      'WhatsApp messages here carry JPG and PNG images, audio, MP4 video and PDF documents.';
  }
  return text;
}

function describeLocation(content: Extract<InboundMessage['content'], { kind: 'location' }>): string {
  const place = content.label ?? content.address;
  const lines = [`📍 Got your location${place ? `: ${quote(place)}` : ''}`];
  if (content.label && content.address) lines.push(quote(content.address));
  lines.push(`${content.latitude}, ${content.longitude}`, mapsLink(content.latitude, content.longitude));
  return lines.join('\n');
}

/**
 * The answers to an opt-out or opt-in word: what was recorded and how to undo it, or, when the store could not
 * record it, that nothing changed. The bot only ever answers the user's own messages; business-initiated messages
 * check this consent before sending (docs/conversation-store.md).
 */
export function consentReply(
  status: 'opted_in' | 'opted_out',
  keyword: string,
): Extract<BotReply, { kind: 'consent' }> {
  const word = status === 'opted_out' ? 'stop' : 'start';
  const recorded =
    status === 'opted_out'
      ? "You're unsubscribed: I've recorded your opt-out, so this bot won't send you messages you didn't ask for. " +
        'It still answers when you write to it. Send *start* any time to opt back in.'
      : "Welcome back! You're subscribed again: I've recorded your opt-in to messages from this bot. " +
        'Send *stop* any time to opt out. Send *menu* to see what I can do.';
  const failed =
    `Sorry, I couldn't record your ${status === 'opted_out' ? 'opt-out' : 'opt-in'} just now, so nothing has changed. ` +
    `Please send *${word}* again in a minute.`;
  return { kind: 'consent', status, keyword, onRecorded: [{ body: recorded }], onFailure: [{ body: failed }] };
}

/** Decides the answer to one inbound message. */
export function replyTo(message: InboundMessage, settings: BotSettings): BotReply {
  const { content } = message;
  switch (content.kind) {
    case 'media':
      return text(describeMedia(content.items));
    case 'location':
      return text(describeLocation(content));
    case 'button':
      // A tap answers like the word its button stands for: its id (payload) first, then its title.
      return (
        commandReply(normalizeCommand(content.payload ?? ''), message, settings) ??
        commandReply(normalizeCommand(content.text), message, settings) ??
        text(`You picked “${quote(content.text)}”. Send *menu* to see everything I can do.`)
      );
    case 'unknown':
      return text("I can't read that kind of message yet. Send *help* to see what I understand.");
    case 'text':
      return (
        commandReply(normalizeCommand(content.body), message, settings) ??
        text("I didn't catch that. Send *help* to see what I can do.")
      );
  }
}

/** The answer to a command word (typed, or the id of a tapped button), or undefined for a word it does not know. */
function commandReply(command: string, message: InboundMessage, settings: BotSettings): BotReply | undefined {
  if (MENU_WORDS.has(command)) {
    if (!settings.menuContentSid) return text(menu(message.profileName));
    return {
      kind: 'send-menu',
      request: { from: message.to, to: message.from, contentSid: settings.menuContentSid },
      onSent: [],
      onFailure: [{ body: menu(message.profileName) }],
    };
  }
  if (command === 'media') {
    return {
      kind: 'messages',
      messages: [{ body: 'Here is a sample image 🖼️', mediaUrl: settings.origin + SAMPLE_MEDIA_PATH }],
    };
  }
  if (command === 'format') return text(FORMAT_SHOWCASE);
  if (command === 'location') {
    if (!settings.location)
      return text('This bot has no location configured yet. Send *menu* to see what else I can do.');
    return {
      kind: 'send-location',
      // The bot answers from the number the user wrote to.
      request: locationMessage(settings.location, message.to, message.from),
      onSent: [{ body: truncateMessage(`📍 Here is where to find us: ${settings.location.name}`) }],
      onFailure: [{ body: "Sorry, I couldn't send the location just now. Please try again in a minute." }],
    };
  }
  const consent = consentWord(command);
  if (consent) return consentReply(consent.status, command);
  if (/^join\s+\S+$/.test(command)) {
    return text(
      'Joining the WhatsApp sandbox happens at the sandbox number itself: send "join <your keyword>" there. ' +
        `This link opens WhatsApp with the message ready: ${settings.origin}${SANDBOX_JOIN_PATH}`,
    );
  }
  return undefined;
}
