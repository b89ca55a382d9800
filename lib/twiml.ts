/**
 * Messaging TwiML, written directly: the format is two elements, and building it here keeps the webhook
 * free of the ~200 ms `require('twilio')` (MessagingResponse) on a cold start.
 */
import { truncateMessage } from './message-length';

export type OutboundMessage = {
  /** Text, at most MAX_MESSAGE_UNITS (lib/message-length.ts) once cleaned; longer text is cut with an ellipsis. */
  body?: string;
  /** Absolute media URL (WhatsApp takes one per message). */
  mediaUrl?: string;
};

// Characters XML 1.0 does not allow: control characters and U+FFFE/U+FFFF. (Lone surrogates are handled
// by toWellFormed, which is much faster than a regular expression with lookarounds.)
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML cannot hold.
const XML_INVALID_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Removes characters that cannot appear in an XML document; a lone surrogate becomes U+FFFD. */
export function stripXmlInvalid(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  XML_INVALID_CONTROLS.lastIndex = 0;
  return XML_INVALID_CONTROLS.test(wellFormed) ? wellFormed.replace(XML_INVALID_CONTROLS, '') : wellFormed;
}

const XML_SPECIAL = /[&<>"']/;

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  return escapeClean(stripXmlInvalid(text));
}

/** escapeXml for text stripXmlInvalid already cleaned (the reply path cleans once, before cutting). */
function escapeClean(clean: string): string {
  if (!XML_SPECIAL.test(clean)) return clean;
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Bodies already written: a bot answers from a few fixed texts (the menu, help, format), so most replies are one
 * Map lookup instead of the cleaning, cutting and escaping passes. Bounded: cleared when full.
 */
const writtenBodies = new Map<string, string>();
const WRITTEN_BODIES_MAX = 64;
/** Longer bodies are rare and would make the memo hold more than a few hundred KB. */
const WRITTEN_BODY_MAX_LENGTH = 4096;

function bodyElement(text: string): string {
  const known = writtenBodies.get(text);
  if (known !== undefined) return known;
  // Clean before cutting, so removed characters do not count against the limit.
  const element = `<Body>${escapeClean(truncateMessage(stripXmlInvalid(text)))}</Body>`;
  if (text.length <= WRITTEN_BODY_MAX_LENGTH) {
    if (writtenBodies.size >= WRITTEN_BODIES_MAX) writtenBodies.clear();
    writtenBodies.set(text, element);
  }
  return element;
}

/** A `<Response>` with one `<Message>` per entry (none: an empty response, Twilio sends nothing). */
export function messagingResponse(messages: readonly OutboundMessage[]): string {
  let parts = '';
  for (const m of messages) {
    const body = m.body === undefined ? '' : bodyElement(m.body);
    const media = m.mediaUrl === undefined ? '' : `<Media>${escapeXml(m.mediaUrl)}</Media>`;
    parts += `<Message>${body}${media}</Message>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${parts}</Response>`;
}
