/**
 * Phone numbers as people write them -> the E.164 form WhatsApp uses.
 * Parsing and validation come from libphonenumber-js (Google's metadata, kept current upstream);
 * the two WhatsApp-specific rewrites Twilio documents are applied on top.
 *
 * The same code runs in the functions and in the page (assets/page.ts). For the page's size budget it uses the
 * library's `core` build with lib/phone-metadata.json: the library's "min" metadata minus the fields only
 * formatting reads (scripts/phone-metadata.ts; ~10 KB gzipped instead of ~19). test/lib/phone.test.ts proves the
 * answers equal those of the untrimmed `libphonenumber-js/min`.
 */
import { parsePhoneNumberFromString, type MetadataJson } from 'libphonenumber-js/core';
import trimmedMetadata from './phone-metadata.json';

const metadata = trimmedMetadata as unknown as MetadataJson;

export type PhoneResult =
  | { ok: true; e164: string; digits: string; country?: string }
  | { ok: false; reason: string };

/** E.164: a plus, a non-zero country code digit, at most 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** `whatsapp:+<E.164>`, the address form of every WhatsApp From/To and sender_id. */
export const WHATSAPP_ADDRESS_PATTERN = /^whatsapp:\+[1-9]\d{6,14}$/;

/**
 * Argentina's geographic numbers (national numbers starting 1, 2 or 3: area code first), where mobiles live:
 * WhatsApp writes those +549. The others (8: 800 toll-free and 810 local-rate; 6: premium rate) are never
 * mobiles and keep +54. A leading-digits rule, since the trimmed metadata cannot tell number types apart;
 * test/lib/phone.test.ts checks it against libphonenumber-js's full metadata, which can.
 */
const ARGENTINE_GEOGRAPHIC = /^\+54[123]/;

/**
 * WhatsApp's numbering for two countries (Twilio, "Register WhatsApp senders"):
 * Argentina +54 -> +549 for geographic numbers (the national "15" mobile prefix dropped), Mexico +52 -> +521.
 */
function applyWhatsAppCountryRules(e164: string): string {
  if (ARGENTINE_GEOGRAPHIC.test(e164)) return `+549${e164.slice(3)}`;
  if (e164.startsWith('+52') && !e164.startsWith('+521')) return `+521${e164.slice(3)}`;
  return e164;
}

/**
 * Normalizes a number written any human way: spaces, dashes, dots, parentheses, a leading `+` or `00`,
 * an optional `whatsapp:` prefix. It must carry its country code. Returns the WhatsApp E.164 form and its
 * digits (for wa.me links), or a reason a person can act on.
 */
export function normalizePhoneNumber(input: string): PhoneResult {
  let text = input.trim().replace(/^whatsapp:/i, '').trim();
  if (text === '') return { ok: false, reason: 'Enter a phone number with its country code, e.g. +1 415 523 8886.' };
  if (/[^\d\s().+\-\u00a0]/.test(text)) {
    return { ok: false, reason: 'Use only digits, spaces, dashes, dots, parentheses and a leading + or 00.' };
  }
  text = text.replace(/[\s().\-\u00a0]/g, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  if (!text.startsWith('+')) {
    return { ok: false, reason: 'Start with the country code: + or 00, then the number (e.g. +44 20 7946 0958).' };
  }
  if (text.indexOf('+', 1) !== -1) return { ok: false, reason: 'Only one + is allowed, at the start.' };
  const digits = text.slice(1);
  if (digits.length < 7 || digits.length > 15) {
    return { ok: false, reason: `A full number has 7 to 15 digits with its country code; this one has ${digits.length}.` };
  }
  // Already in WhatsApp's +549 / +521 form: libphonenumber no longer accepts the Mexican one, so check the rest.
  const rewritten = /^(549|521)/.test(digits);
  const candidate = rewritten ? `+${digits.slice(0, 2)}${digits.slice(3)}` : text;
  const parsed = parsePhoneNumberFromString(candidate, metadata);
  if (!parsed || !parsed.isValid()) {
    return { ok: false, reason: `${input.trim()} is not a valid phone number for its country code.` };
  }
  // From the parsed number, not the input: parsing drops Argentina's national "15" (+549 11 15 ... -> +549 11 ...).
  const e164 = applyWhatsAppCountryRules(parsed.number);
  // The parser drops a written trunk 0 (+49 0 30 ...), which can leave fewer digits than any WhatsApp number has.
  if (!E164_PATTERN.test(e164)) {
    return { ok: false, reason: `${input.trim()} is too short: ${e164} has ${e164.length - 1} digits, a WhatsApp number 7 to 15.` };
  }
  return { ok: true, e164, digits: e164.slice(1), country: parsed.country };
}
