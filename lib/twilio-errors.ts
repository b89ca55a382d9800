/**
 * Twilio error codes this project meets, each with a hint a person can act on. One table for the
 * Messaging webhooks, the Messages API, the Senders API and Sync.
 */

/** The codes the project's code acts on (decides by), by name. Every other code is only explained. */
export const TwilioErrorCode = {
  /** Messages API: the recipient opted out (STOP). */
  RECIPIENT_UNSUBSCRIBED: 21610,
  /** Messages API: the body is over 1,600 characters. */
  BODY_TOO_LONG: 21617,
  /** WhatsApp sandbox: the recipient has not joined. */
  NOT_IN_SANDBOX: 63015,
  /** WhatsApp: outside the 24-hour session window without an approved template. */
  OUTSIDE_SESSION_WINDOW: 63016,
  /** Senders API: the number is already on WhatsApp (on our own account: an earlier create went through). */
  NUMBER_ALREADY_ON_WHATSAPP: 63110,
  /** Sync: too many requests on one object. */
  SYNC_RATE_LIMITED: 54009,
  /** Sync: no such Sync service on this account (HTTP 404). */
  SYNC_SERVICE_NOT_FOUND: 54050,
  /** Sync: the document changed since it was read (If-Match on a stale revision, HTTP 412). */
  SYNC_REVISION_MISMATCH: 54103,
  /** Sync: a document with this unique name exists (a concurrent create, HTTP 409). */
  SYNC_UNIQUE_NAME_EXISTS: 54301,
  /** REST API: no such resource. */
  NOT_FOUND: 20404,
  /** REST API: a parameter is not valid. */
  INVALID_PARAMETER: 20001,
  /** Messages API: ContentVariables without a ContentSid. */
  CONTENT_SID_REQUIRED: 21654,
  /** Messages API: the ContentSid is not a template of this account. */
  CONTENT_SID_INVALID: 21655,
  /** Messages API: ContentVariables is not a JSON object of usable values for the template. */
  CONTENT_VARIABLES_INVALID: 21656,
} as const;
export const TWILIO_ERROR_HINTS: Readonly<Record<number, string>> = {
  // Webhooks (the fallback URL is called with these)
  11200:
    'Twilio could not fetch the webhook URL (HTTP error or timeout): check the function is deployed and answers within 15 seconds.',
  11205: 'Twilio could not connect to the webhook URL: check the domain and that the service is deployed.',
  11750: 'The webhook answered more than 64 KB: shorten the TwiML.',
  12100: 'The webhook answered TwiML that is not well-formed XML.',
  12200: 'The webhook answered TwiML that does not match the schema.',
  12300: 'The webhook answered with a Content-Type Twilio cannot read: answer text/xml.',
  // Messages API
  21211: "The 'To' number is not valid: use whatsapp:+ and the E.164 number.",
  21654: 'ContentVariables was sent without a ContentSid: send the template by its HX... SID.',
  21655:
    'The ContentSid is no template of this account (or was deleted): run npm run templates, use the SID it prints.',
  21656: "ContentVariables must be a JSON object of the template's variables: non-empty text, no line breaks or tabs.",
  21610: 'The recipient has opted out (sent STOP): they must send START before you can message them again.',
  63003: 'WhatsApp could not find the recipient: check the number is on WhatsApp.',
  63007: "The 'From' address is not a WhatsApp sender of this account: use the sandbox number or a registered sender.",
  63015:
    'The recipient has not joined the sandbox: they must send "join <keyword>" to the sandbox number first (the join lasts 3 days).',
  63016:
    'Outside the 24-hour session window: the user has not messaged you in 24 hours, so only an approved template can be sent.',
  63018: 'Rate limit exceeded for this sender: slow down (the sandbox allows one message every 3 seconds).',
  // REST API in general
  20001: 'Twilio refused the request as malformed: check the body is JSON and every field is one the API knows.',
  20003:
    "Twilio refused the function's credentials: check ACCOUNT_SID and AUTH_TOKEN (and that account_sid, if given, is a subaccount of ACCOUNT_SID).",
  20404:
    'Twilio has no such resource on this account: check the SID, and account_sid when the sender belongs to a subaccount.',
  20429:
    'Twilio is rate limiting this account: wait and retry; the Senders API asks for several minutes between requests.',
  20500: 'Twilio had an internal error: retry in a few minutes; if it persists, check status.twilio.com.',
  20503: 'Twilio is temporarily unavailable: retry in a few minutes.',
  // Sync
  54009: 'Sync is rate limiting one object (about 20 reads and 20 writes a second each): retry with backoff.',
  54050: 'The Sync service does not exist on this account: check SYNC_SERVICE_SID (IS + 32 hex digits, or default).',
  54103: 'The Sync document changed since it was read: read it again and re-apply the change.',
  // Senders API (WhatsApp sender registration)
  63100:
    'The Senders API refused the request body: use snake_case fields (sender_id, configuration.waba_id, profile.logo_url ...) and valid values.',
  63101:
    'The WhatsApp Business Account (WABA) id is not valid: use the WABA connected to this account (WhatsApp Manager > Account tools).',
  63104:
    'The WABA has reached its maximum number of phone numbers: remove unused numbers or ask Meta for a higher limit.',
  63110:
    'The number is already registered on WhatsApp (an app or another provider): delete that WhatsApp account, or migrate it, before registering it here.',
  63111:
    'Meta returned "not found" for the number or the WABA: check the number format (whatsapp:+E164, +549 for Argentina, +521 for Mexico) and the waba_id.',
  63112: "Meta has disabled the WhatsApp Business Account: check the WABA's status and messages in WhatsApp Manager.",
  63113:
    'The sender could not be verified: the code is wrong or expired; request a new code (register again) and submit the latest one.',
  63114:
    'Too many verification codes were requested: wait before asking for another one (Meta limits OTP attempts), or try verification_method voice.',
  63116:
    'The one-time code was not received: check the number can receive SMS (or use verification_method voice with a voice_application_sid), then register again.',
  63124:
    "Meta declined the display name: follow Meta's display-name guidelines (the brand name, no all caps, emoji or generic words) and update profile.name.",
  63128:
    'A display-name change is already being reviewed: wait for it to finish (status ONLINE) before changing profile.name again.',
};

/** The hint for a Twilio error code, if this project knows one. */
export function hintFor(code: number | string | undefined | null): string | undefined {
  if (code === undefined || code === null || code === '') return undefined;
  return TWILIO_ERROR_HINTS[Number(code)];
}

/** Twilio's documentation page for an error code. */
export const moreInfoFor = (code: number | string): string => `https://www.twilio.com/docs/errors/${code}`;
