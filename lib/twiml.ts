/**
 * Messaging TwiML, written directly: the format is two elements, and building it here keeps the webhook
 * free of the ~200 ms `require('twilio')` (MessagingResponse) on a cold start.
 */

/** WhatsApp (and Twilio) refuse bodies longer than this. */
export const MAX_BODY_CHARS = 1600;

export type OutboundMessage = {
  /** Text, at most MAX_BODY_CHARS characters once cleaned; longer text is cut with an ellipsis. */
  body?: string;
  /** Absolute media URL (WhatsApp takes one per message). */
  mediaUrl?: string;
};

// Characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/U+FFFF).
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// A cheap first look (no lookarounds): most text has none of these, and skips the replace.
const MAYBE_XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes characters that cannot appear in an XML document. */
export function stripXmlInvalid(text: string): string {
  return MAYBE_XML_INVALID.test(text) ? text.replace(XML_INVALID, '') : text;
}

/** Escapes text for an XML element or attribute. */
export function escapeXml(text: string): string {
  const clean = stripXmlInvalid(text);
  if (!/[&<>"']/.test(clean)) return clean;
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Cuts text to at most `max` characters (code points), ending with an ellipsis when it was cut. */
export function truncate(text: string, max = MAX_BODY_CHARS): string {
  if (text.length <= max) return text; // UTF-16 units never undercount characters
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** A `<Response>` with one `<Message>` per entry (none: an empty response, Twilio sends nothing). */
export function messagingResponse(messages: readonly OutboundMessage[]): string {
  const parts = messages.map((m) => {
    // Clean before cutting, so removed characters do not count against the limit.
    const body = m.body === undefined ? '' : `<Body>${escapeXml(truncate(stripXmlInvalid(m.body)))}</Body>`;
    const media = m.mediaUrl === undefined ? '' : `<Media>${escapeXml(m.mediaUrl)}</Media>`;
    return `<Message>${body}${media}</Message>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${parts.join('')}</Response>`;
}
