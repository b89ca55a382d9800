/**
 * WhatsApp click-to-chat links, for the page, the sandbox join route and anyone else:
 * `https://wa.me/<digits>?text=...` (opens WhatsApp on any device, or its web page) and
 * `whatsapp://send?phone=<digits>&text=...` (the app directly). Digits carry the country code and no `+`.
 * Twilio's docs show `wa.me/<number>&text=`, which is wrong: the text is a query parameter, after `?`.
 */
import { normalizePhoneNumber } from './phone';

export type DeepLinks = {
  /** The number in WhatsApp's E.164 form, e.g. +5491123456789. */
  e164: string;
  digits: string;
  country?: string;
  /** https://wa.me/... */
  link: string;
  /** whatsapp://send?... */
  appLink: string;
};

export type DeepLinkResult = ({ ok: true } & DeepLinks) | { ok: false; reason: string };

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LINK_DIGITS = /^[1-9]\d{6,14}$/;

/**
 * The text a link will prefill: line breaks as "\n" (CRLF and CR too), and lone UTF-16 surrogates (which
 * `encodeURIComponent` refuses) as U+FFFD.
 */
export function normalizeMessageText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * The `text` parameter's value: encodeURIComponent of the normalized text, so spaces are %20 and line breaks
 * %0A. Never `+` for a space: some WhatsApp clients show it literally.
 */
export function encodeMessageText(text: string): string {
  return encodeURIComponent(normalizeMessageText(text));
}

function checkDigits(digits: string): void {
  if (!LINK_DIGITS.test(digits))
    throw new Error(`a link needs 7 to 15 digits with the country code, got ${JSON.stringify(digits)}`);
}

/** `https://wa.me/<digits>`, with `?text=` when there is text. `digits` come from normalizePhoneNumber. */
export function waMeLink(digits: string, text = ''): string {
  checkDigits(digits);
  return `https://wa.me/${digits}${text === '' ? '' : `?text=${encodeMessageText(text)}`}`;
}

/** `whatsapp://send?phone=<digits>`, with `&text=` when there is text. */
export function whatsappAppLink(digits: string, text = ''): string {
  checkDigits(digits);
  return `whatsapp://send?phone=${digits}${text === '' ? '' : `&text=${encodeMessageText(text)}`}`;
}

/**
 * Both links for a number written any human way (see normalizePhoneNumber: spaces, dashes, parentheses, a
 * leading + or 00, Argentina's and Mexico's WhatsApp forms) and an optional message. An invalid number gets the
 * reason, in words a person can act on.
 */
export function buildDeepLinks(number: string, text = ''): DeepLinkResult {
  const phone = normalizePhoneNumber(number);
  if (!phone.ok) return phone;
  return {
    ok: true,
    e164: phone.e164,
    digits: phone.digits,
    ...(phone.country ? { country: phone.country } : {}),
    link: waMeLink(phone.digits, text),
    appLink: whatsappAppLink(phone.digits, text),
  };
}
