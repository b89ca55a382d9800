/** lib/senders/display-name.ts: warnings for display names Meta tends to decline. */
import { displayNameWarnings } from '../../../lib/senders';

describe('displayNameWarnings', () => {
  it.each([
    ['Acme Shoes', []],
    ['IBM', []],
    ['Example Profile Name', []],
    ['ACME SHOES', ['ALL_CAPS']],
    ['Acme 🚀', ['EMOJI']],
    ['Customer Support', ['GENERIC_WORDS']],
    ['The Online Shop', ['GENERIC_WORDS']],
    ['Acme for WhatsApp', ['WHATSAPP_BRAND']],
    ['acme.com', ['URL']],
    ['Acme!!!', ['PUNCTUATION']],
    ['AB', ['TOO_SHORT']],
    ['SUPPORT TEAM 😀', ['ALL_CAPS', 'EMOJI', 'GENERIC_WORDS']],
  ])('%s -> %j', (name, codes) => {
    const warnings = displayNameWarnings(name);
    expect(warnings.map((w) => w.code)).toEqual(codes);
    for (const w of warnings) expect(w).toEqual({ field: 'profile.name', code: w.code, message: expect.stringMatching(/^[A-Z].{20,}\.$/) });
  });
});
