import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { getCountryCallingCode, parsePhoneNumberFromString as parseWithFullMin, type CountryCode, type MetadataJson } from 'libphonenumber-js/min';
import minMetadata from 'libphonenumber-js/metadata.min.json';
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsePhoneNumberFromString as parseWithTypes } from 'libphonenumber-js/max';
import { E164_PATTERN, normalizePhoneNumber, WHATSAPP_ADDRESS_PATTERN } from '../../lib/phone';
import { OUTPUT, trimPhoneMetadata } from '../../scripts/phone-metadata';

/** What normalizePhoneNumber would answer with the library's untrimmed "min" metadata: the reference. */
function referenceAnswer(e164: string): { valid: boolean; number?: string; country?: string } {
  const parsed = parseWithFullMin(e164);
  return parsed ? { valid: parsed.isValid(), number: parsed.number, country: parsed.country } : { valid: false };
}

const exampleE164 = Object.entries(examples as Record<string, string>).map(
  ([country, national]) => `+${getCountryCallingCode(country as CountryCode)}${national}`,
);

describe('lib/phone-metadata.json (trimmed libphonenumber-js metadata)', () => {
  it('matches the installed libphonenumber-js (run `npm run phone-metadata` after an upgrade)', () => {
    const committed: unknown = JSON.parse(readFileSync(OUTPUT, 'utf8'));
    expect(committed).toEqual(trimPhoneMetadata(minMetadata as unknown as MetadataJson));
  });

  it('gives the same answer as the untrimmed library for every country example number', () => {
    expect(exampleE164.length).toBeGreaterThan(200);
    for (const e164 of exampleE164) {
      const ours = normalizePhoneNumber(e164);
      const reference = referenceAnswer(e164);
      // Our answer adds the WhatsApp rewrites for +54/+52; compare validity and country, which they keep.
      expect({ e164, ok: ours.ok, country: ours.ok ? ours.country : undefined }).toEqual({
        e164,
        ok: reference.valid,
        country: reference.valid ? reference.country : undefined,
      });
    }
  });

  it('gives the same answer as the untrimmed library for random numbers under every calling code', () => {
    const callingCodes = [...new Set(exampleE164.map((n) => parseWithFullMin(n)!.countryCallingCode))];
    fc.assert(
      fc.property(fc.constantFrom(...callingCodes), fc.stringMatching(/^[0-9]{4,12}$/), (code, rest) => {
        const e164 = `+${code}${rest}`;
        const ours = normalizePhoneNumber(e164);
        const reference = referenceAnswer(e164);
        const digits = `${code}${rest}`;
        // The 7-to-15-digit rule (before and after a trunk 0 is dropped) and the +549/+521 path are ours,
        // tested below.
        fc.pre(digits.length >= 7 && digits.length <= 15 && !/^(549|521)/.test(digits));
        fc.pre(!reference.number || reference.number.length - 1 >= 7);
        expect(ours.ok).toBe(reference.valid);
        if (ours.ok && reference.valid) expect(ours.country).toBe(reference.country);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('normalizePhoneNumber', () => {
  it.each([
    ['+1 (415) 523-8886', '+14155238886', 'US'],
    ['001 415 523 8886', '+14155238886', 'US'],
    ['whatsapp:+14155238886', '+14155238886', 'US'],
    ['+44 20 7946 0958', '+442079460958', 'GB'],
    ['+49 30 901820', '+4930901820', 'DE'],
    ['+54 11 2345-6789', '+5491123456789', 'AR'], // Argentina: +54 -> +549
    ['+54 9 11 2345-6789', '+5491123456789', 'AR'],
    ['+54 9 11 15 2345-6789', '+5491123456789', 'AR'], // already +549, national "15" still dropped
    ['+54 11 15 2345-6789', '+5491123456789', 'AR'],
    ['+52 55 1234 5678', '+5215512345678', 'MX'], // Mexico: +52 -> +521
    ['+521 55 1234 5678', '+5215512345678', 'MX'],
  ])('%s -> %s', (input, e164, country) => {
    expect(normalizePhoneNumber(input)).toEqual({ ok: true, e164, digits: e164.slice(1), country });
    expect(e164).toMatch(E164_PATTERN);
    expect(`whatsapp:${e164}`).toMatch(WHATSAPP_ADDRESS_PATTERN);
  });

  it.each([
    ['', /country code/],
    ['415 523 8886', /Start with the country code/],
    ['+1 415 CALL NOW', /Use only digits/],
    ['javascript:alert(1)', /Use only digits/],
    ['+1 415 +523', /Only one \+/],
    ['+12345', /7 to 15 digits/],
    ['+1 000 000 0000', /not a valid phone number/],
    ['+4901111', /too short: \+491111 has 6 digits/], // found by the deep-link property test: the trunk 0 is dropped
  ])('refuses %j with a reason', (input, reason) => {
    const result = normalizePhoneNumber(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('Argentina: the mobile 9 only where it belongs', () => {
  it.each([
    ['0800-999-2347 (AFIP, toll-free)', '+54 800 999 2347', '+548009992347'],
    ['0800 toll-free, 11 digits', '+54 800 222 12345', '+5480022212345'],
    ['0810-666-4444 (Banco Nación, 810 local-rate)', '+54 810 666 4444', '+548106664444'],
    ['0600 premium rate', '+54 600 123 4567', '+546001234567'],
    ['a 9 written before a toll-free number is not kept', '+54 9 800 999 2347', '+548009992347'],
    ['Buenos Aires (11)', '+54 11 4321-0000', '+5491143210000'],
    ['Córdoba (351)', '+54 351 456-7890', '+5493514567890'],
    ['La Plata (221)', '+54 221 456-7890', '+5492214567890'],
  ])('%s: %s -> %s', (_name, input, e164) => {
    expect(normalizePhoneNumber(input)).toEqual({ ok: true, e164, digits: e164.slice(1), country: 'AR' });
  });

  // The full metadata knows each number's type. WhatsApp writes an Argentine mobile +549 followed by the
  // number's geographic form, so the 9 belongs exactly where "+549 + national number" is a mobile number;
  // toll-free, local-rate (UAN), premium-rate numbers (and the 670/675 ranges, which have no 9 form) never get it.
  it('agrees with libphonenumber-js/max (number types) for random Argentine numbers', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.constantFrom('11', '2', '3', '6', '670', '675', '8', '800', '810', '600'), fc.stringMatching(/^[0-9]{8,10}$/), (lead, rest) => {
        const national = (lead + rest).slice(0, lead.startsWith('800') ? 10 + (rest.length % 2) : 10);
        const typed = parseWithTypes(`+54${national}`);
        const type = typed?.isValid() ? typed.getType() : undefined;
        fc.pre(type !== undefined);
        seen.set(type!, (seen.get(type!) ?? 0) + 1);
        const mobileForm = parseWithTypes(`+549${national}`);
        const nineBelongs = mobileForm?.isValid() === true && mobileForm.getType() === 'MOBILE';
        const ours = normalizePhoneNumber(`+54${national}`);
        expect({ national, type, ok: ours.ok }).toEqual({ national, type, ok: true });
        if (ours.ok) expect({ national, type, nine: ours.e164.startsWith('+549') }).toEqual({ national, type, nine: nineBelongs });
      }),
      { numRuns: 4000 },
    );
    // The generator reached every kind of number the rule tells apart.
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'UAN', 'PREMIUM_RATE']));
  });
});
