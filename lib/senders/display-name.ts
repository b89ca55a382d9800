/**
 * Display-name checks. Meta reviews the name after registration; a declined name limits the number to 250
 * business-initiated conversations a day and may get the sender disconnected.
 */
export type DisplayNameWarning = {
  field: 'profile.name';
  code: 'ALL_CAPS' | 'EMOJI' | 'GENERIC_WORDS' | 'WHATSAPP_BRAND' | 'TOO_SHORT' | 'PUNCTUATION' | 'URL';
  message: string;
};

/** Words that alone do not identify a business (Meta declines names made only of generic terms). */
const GENERIC_WORDS = new Set(
  (
    'a an and the of for to my our your online official shop store business company co corp inc ltd llc services ' +
    'service support customer care help desk info information team sales marketing notifications alerts news ' +
    'test testing demo sample example bot chat chatbot whatsapp sms messages message hello hi'
  ).split(' '),
);

/**
 * Display-name problems Meta is known to reject, found before anything is sent: all capitals (beyond a short
 * acronym), emoji, only generic words, WhatsApp's own brand, too short, decorative punctuation, a URL.
 * Returned as warnings: the caller decides (the name may still be accepted).
 */
export function displayNameWarnings(name: string): DisplayNameWarning[] {
  const warnings: DisplayNameWarning[] = [];
  const add = (code: DisplayNameWarning['code'], message: string) =>
    warnings.push({ field: 'profile.name', code, message });
  const text = name.trim();
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length > 4 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) {
    add('ALL_CAPS', 'All capitals: Meta allows capitals only for acronyms; write "Acme Shoes", not "ACME SHOES".');
  }
  if (/\p{Extended_Pictographic}/u.test(text)) add('EMOJI', 'Emoji are not allowed in a display name.');
  if (/whats\s*app|\bmeta\b|facebook/i.test(text))
    add('WHATSAPP_BRAND', 'The name must not use WhatsApp, Meta or Facebook brands.');
  if (/https?:\/\/|www\.|\.(com|net|org|io)\b/i.test(text))
    add('URL', 'A URL is allowed only when it matches the business website exactly; prefer the brand name.');
  if (/([!?.*~_#@$%^&+=|\\/<>-])\1|[!?*~#@$%^|\\<>]{2,}/.test(text))
    add('PUNCTUATION', 'Repeated or decorative punctuation is not allowed.');
  if (letters.length < 3) add('TOO_SHORT', 'Use at least 3 letters: the name must identify the business.');
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (words.length > 0 && words.every((w) => GENERIC_WORDS.has(w))) {
    add(
      'GENERIC_WORDS',
      'Only generic words: the name must include the business or brand name (e.g. "Acme Support", not "Customer Support").',
    );
  }
  return warnings;
}
