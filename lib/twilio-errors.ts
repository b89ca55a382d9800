/**
 * Twilio error codes this project meets, each with a hint a person can act on. One table for the
 * Messaging webhooks, the Messages API and the Senders API.
 */
export const TWILIO_ERROR_HINTS: Readonly<Record<number, string>> = {
  // Webhooks (the fallback URL is called with these)
  11200: 'Twilio could not fetch the webhook URL (HTTP error or timeout): check the function is deployed and answers within 15 seconds.',
  11205: 'Twilio could not connect to the webhook URL: check the domain and that the service is deployed.',
  11750: 'The webhook answered more than 64 KB: shorten the TwiML.',
  12100: 'The webhook answered TwiML that is not well-formed XML.',
  12200: 'The webhook answered TwiML that does not match the schema.',
  12300: 'The webhook answered with a Content-Type Twilio cannot read: answer text/xml.',
  // Messages API
  21211: "The 'To' number is not valid: use whatsapp:+ and the E.164 number.",
  21610: 'The recipient has opted out (sent STOP): they must send START before you can message them again.',
  63003: 'WhatsApp could not find the recipient: check the number is on WhatsApp.',
  63007: "The 'From' address is not a WhatsApp sender of this account: use the sandbox number or a registered sender.",
  63015: 'The recipient has not joined the sandbox: they must send "join <keyword>" to the sandbox number first (the join lasts 3 days).',
  63016: 'Outside the 24-hour session window: the user has not messaged you in 24 hours, so only an approved template can be sent.',
  63018: 'Rate limit exceeded for this sender: slow down (the sandbox allows one message every 3 seconds).',
};

/** The hint for a Twilio error code, if this project knows one. */
export function hintFor(code: number | string | undefined | null): string | undefined {
  if (code === undefined || code === null || code === '') return undefined;
  return TWILIO_ERROR_HINTS[Number(code)];
}

/** Twilio's documentation page for an error code. */
export const moreInfoFor = (code: number | string): string => `https://www.twilio.com/docs/errors/${code}`;
