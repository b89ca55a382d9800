import fc from 'fast-check';
import { buildDeepLinks, encodeMessageText, normalizeMessageText, waMeLink, whatsappAppLink } from '../../lib/deeplink';

describe('buildDeepLinks', () => {
  it.each([
    ['+1 (415) 523-8886', '14155238886'],
    ['+1-415-523-8886', '14155238886'],
    ['001 415 523 8886', '14155238886'],
    ['  +44 (0)20 7946 0958 ', '442079460958'],
    ['+54 11 2345-6789', '5491123456789'], // Argentina: WhatsApp's +549 form
    ['+54 9 11 15 2345-6789', '5491123456789'], // ... without the national "15"
    ['+54 800 999 2347', '548009992347'], // ... but not for a toll-free number, which is never a mobile
    ['+54 810 666 4444', '548106664444'], // ... nor a local-rate (810) one
    ['+52 55 1234 5678', '5215512345678'], // Mexico: +521
  ])('%s -> wa.me/%s', (number, digits) => {
    const result = buildDeepLinks(number, 'Hi');
    expect(result).toMatchObject({ ok: true, digits, e164: `+${digits}` });
    if (result.ok) {
      expect(result.link).toBe(`https://wa.me/${digits}?text=Hi`);
      expect(result.appLink).toBe(`whatsapp://send?phone=${digits}&text=Hi`);
    }
  });

  it('leaves out the text parameter when there is no text', () => {
    expect(buildDeepLinks('+14155238886')).toMatchObject({ ok: true, link: 'https://wa.me/14155238886', appLink: 'whatsapp://send?phone=14155238886' });
  });

  it.each([
    ['', /country code/],
    ['4155238886', /Start with the country code/],
    ['javascript:alert(1)', /Use only digits/],
    ['<img src=x onerror=alert(1)>', /Use only digits/],
    ['+1 555', /7 to 15 digits/],
    ['+999 1234 5678', /not a valid phone number/],
  ])('refuses %j with a reason', (number, reason) => {
    const result = buildDeepLinks(number, 'x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('message text in links', () => {
  it.each([
    ['Hello world', 'Hello%20world'],
    ['line 1\nline 2', 'line%201%0Aline%202'],
    ['line 1\r\nline 2\rline 3', 'line%201%0Aline%202%0Aline%203'],
    ['a+b & c=d?#/', 'a%2Bb%20%26%20c%3Dd%3F%23%2F'],
    ['join shadow-river', 'join%20shadow-river'],
    ['olá 😀', 'ol%C3%A1%20%F0%9F%98%80'],
    ['\ud800 lone', '%EF%BF%BD%20lone'],
  ])('%j -> %s', (text, encoded) => {
    expect(encodeMessageText(text)).toBe(encoded);
    expect(waMeLink('14155238886', text)).toBe(`https://wa.me/14155238886?text=${encoded}`);
    expect(whatsappAppLink('14155238886', text)).toBe(`whatsapp://send?phone=14155238886&text=${encoded}`);
  });

  it('any text round-trips through both links, with no raw space or +', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        fc.pre(text !== '');
        const expected = normalizeMessageText(text);
        for (const link of [waMeLink('14155238886', text), whatsappAppLink('14155238886', text)]) {
          const raw = link.slice(link.indexOf('text=') + 5);
          expect(raw).toMatch(/^[A-Za-z0-9%\-_.!~*'()]*$/);
          expect(decodeURIComponent(raw)).toBe(expected);
          expect(new URL(link).searchParams.get('text')).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses to build a link from anything but 7 to 15 digits', () => {
    expect(() => waMeLink('+14155238886')).toThrow(/7 to 15 digits/);
    expect(() => whatsappAppLink('javascript:alert(1)//')).toThrow(/7 to 15 digits/);
  });

  it('any input gives either links built from digits or a reason, never an exception', () => {
    const humanNumber = fc
      .tuple(fc.constantFrom('+', '00', ''), fc.array(fc.constantFrom('1', '4', '5', '9', '0', ' ', '-', '(', ')', '.'), { maxLength: 20 }))
      .map(([prefix, parts]) => prefix + parts.join(''));
    fc.assert(
      fc.property(fc.oneof(humanNumber, fc.string()), fc.string(), (number, text) => {
        const result = buildDeepLinks(number, text);
        if (result.ok) {
          expect(result.link.startsWith(`https://wa.me/${result.digits}`)).toBe(true);
          expect(result.appLink.startsWith(`whatsapp://send?phone=${result.digits}`)).toBe(true);
          expect(result.e164).toBe(`+${result.digits}`);
        } else {
          expect(result.reason.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
