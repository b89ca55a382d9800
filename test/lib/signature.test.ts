import fc from 'fast-check';
import twilio from 'twilio';
import { computeSignature, isValidSignature, safeEqual, signedUrlCandidates } from '../../lib/signature';

describe('computeSignature', () => {
  it('matches twilio-node’s getExpectedTwilioSignature for any URL and form parameters', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 80 }), { maxKeys: 8 }),
        (token, url, params) => {
          expect(computeSignature(token, url, params)).toBe(twilio.getExpectedTwilioSignature(token, url, params));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('signs repeated keys like Twilio (each value, sorted)', () => {
    const params = { b: '2', a: ['z', 'y'] };
    expect(computeSignature('t', 'https://x.io/p', params)).toBe(twilio.getExpectedTwilioSignature('t', 'https://x.io/p', params));
  });
});

describe('isValidSignature', () => {
  const url = 'https://example.twil.io/whatsapp/incoming';
  const params = { Body: 'hi', From: 'whatsapp:+15005550006' };
  const good = twilio.getExpectedTwilioSignature('secret-token', url, params);

  it.each([
    ['the right signature', 'secret-token', good, true],
    ['a signature by another token', 'other-token', good, false],
    ['no signature', 'secret-token', undefined, false],
    ['an empty auth token', '', good, false],
    ['a truncated signature', 'secret-token', good.slice(0, -2), false],
  ])('%s -> %s', (_name, token, signature, expected) => {
    expect(isValidSignature(token, signature, [url], params)).toBe(expected);
  });

  it('fails when a parameter was changed', () => {
    expect(isValidSignature('secret-token', good, [url], { ...params, Body: 'hi!' })).toBe(false);
  });
});

describe('signedUrlCandidates', () => {
  it.each([
    ['/whatsapp/incoming', 'example-1234.twil.io', undefined, ['https://example-1234.twil.io/whatsapp/incoming']],
    ['/whatsapp/incoming', 'localhost:3000', undefined, ['http://localhost:3000/whatsapp/incoming', 'https://localhost:3000/whatsapp/incoming']],
    ['/whatsapp/status', 'localhost:3000', 'https://abc.ngrok.app/', ['https://abc.ngrok.app/whatsapp/status']],
  ])('%s on %s (PUBLIC_BASE_URL %s)', (path, domain, base, expected) => {
    expect(signedUrlCandidates(path, domain, base)).toEqual(expected);
  });
});

describe('safeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['é', 'e\u0301', false],
  ])('%j vs %j -> %s', (a, b, expected) => {
    expect(safeEqual(a, b)).toBe(expected);
  });
});
