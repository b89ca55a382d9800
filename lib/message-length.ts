/**
 * The one rule for how long a WhatsApp message body may be. Twilio refuses a body over 1,600 characters
 * (error 21617) and counts them as UTF-16 code units: an emoji outside the Basic Multilingual Plane counts 2.
 * The bot's TwiML, every Messages API body and the page's counter all use this module.
 */

/** Twilio's limit for one message body, in UTF-16 code units. */
export const MAX_MESSAGE_UNITS = 1600;

/** Length of a body as Twilio counts it against MAX_MESSAGE_UNITS. */
export function messageUnits(text: string): number {
  return text.length;
}

/**
 * Cuts text to at most `max` UTF-16 units, ending with an ellipsis when it was cut. The cut never splits a
 * surrogate pair (that would leave half an emoji, which XML cannot carry).
 */
export function truncateMessage(text: string, max = MAX_MESSAGE_UNITS): string {
  if (text.length <= max) return text;
  let end = max - 1; // room for the ellipsis (one unit)
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair would be cut off
  return `${text.slice(0, end)}…`;
}
