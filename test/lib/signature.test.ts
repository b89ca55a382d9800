import fc from 'fast-check';
import twilio from 'twilio';
import { createHmac } from 'node:crypto';
import { computeSignature, hmacSha1, isValidSignature, safeEqual, signedUrlCandidates } from '../../lib/signature';

describe('hmacSha1', () => {
  it('equals node:crypto createHmac for any key (shorter or longer than a block, any characters) and any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 40 }),
          fc.string({ unit: 'binary', minLength: 60, maxLength: 200 }),
        ),
        fc.string({ unit: 'binary', maxLength: 3000 }),
        (key, text) => {
          expect(hmacSha1(key, text).equals(createHmac('sha1', key).update(text, 'utf8').digest())).toBe(true);
          // Twice with the same key, the second payload longer: the kept buffers hold no bytes of the last one.
          expect(hmacSha1(key, `${text}x`).equals(createHmac('sha1', key).update(`${text}x`, 'utf8').digest())).toBe(
            true,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('equals createHmac for a Twilio-like token (hex, kept as a string prefix) and for keys that are not ASCII', () => {
    const expected = (key: string, text: string) => createHmac('sha1', key).update(text, 'utf8').digest();
    const texts = ['', 'hello', '€😀', 'a'.repeat(100_000), '\ud800 lone surrogate'];
    for (const key of ['0123456789abcdef0123456789abcdef', 'clé', 'k'.repeat(65), '😀'.repeat(20)]) {
      for (const text of texts) expect(hmacSha1(key, text).equals(expected(key, text))).toBe(true);
    }
  });
});

describe('computeSignature', () => {
  it('matches twilio-node’s getExpectedTwilioSignature for any URL and form parameters', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 80 }), {
          maxKeys: 8,
        }),
        (token, url, params) => {
          expect(computeSignature(token, url, params)).toBe(twilio.getExpectedTwilioSignature(token, url, params));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('signs repeated keys like Twilio (each value, sorted)', () => {
    const params = { b: '2', a: ['z', 'y'] };
    expect(computeSignature('t', 'https://x.io/p', params)).toBe(
      twilio.getExpectedTwilioSignature('t', 'https://x.io/p', params),
    );
  });

  it('signs a repeated key with identical values as twilio-node does: each distinct value once', () => {
    const params = { Body: ['same', 'same'], To: 'whatsapp:+14155238886' };
    const expected = twilio.getExpectedTwilioSignature('t', 'https://x.io/p', params);
    expect(computeSignature('t', 'https://x.io/p', params)).toBe(expected);
    expect(expected).toBe(
      twilio.getExpectedTwilioSignature('t', 'https://x.io/p', { Body: 'same', To: 'whatsapp:+14155238886' }),
    );
  });

  // Everything a form body can carry once parsed: a value, or a repeated key's values (duplicates, empty
  // strings and the empty list included), under any key, `request`-like ones too.
  const key = fc.oneof(
    fc.string({ minLength: 0, maxLength: 20 }),
    fc.constantFrom('request', 'request[headers][x-twilio-signature]', 'Body', 'body', 'B', 'a', ''),
  );
  const value = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('', ' ', 'x', 'X', '\u0000', '🙂'),
  );
  const values = fc.oneof(
    value,
    fc.array(value, { maxLength: 6 }),
    value.chain((v) => fc.array(fc.constantFrom(v, v, ''), { minLength: 2, maxLength: 5 })),
  );

  it('matches twilio-node for repeated keys, duplicate values, arrays and empty values', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.webUrl(),
        fc.dictionary(key, values, { maxKeys: 8 }),
        (token, url, params) => {
          expect(computeSignature(token, url, params)).toBe(twilio.getExpectedTwilioSignature(token, url, params));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('accepts exactly what twilio-node’s validateRequest accepts for the URLs this project signs', () => {
    const domain = fc.constantFrom('example-1234.twil.io', 'localhost:3000', '127.0.0.1:41234');
    const signedAs = fc.constantFrom('as-is', 'with-port', 'without-port', 'other-path');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }),
        domain,
        signedAs,
        fc.dictionary(key, values, { maxKeys: 5 }),
        (token, host, how, params) => {
          const candidates = signedUrlCandidates('/whatsapp/incoming', host);
          const requested = candidates[0]!;
          const written = {
            'as-is': requested,
            'with-port': host.includes(':') ? requested : requested.replace(host, `${host}:443`),
            'without-port': requested.replace(/:\d+\//, '/'),
            'other-path': requested.replace('incoming', 'status'),
          }[how];
          const signature = twilio.getExpectedTwilioSignature(token, written, params);
          expect(isValidSignature(token, signature, candidates, params)).toBe(
            twilio.validateRequest(token, signature, requested, params),
          );
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('isValidSignature', () => {
  it('accepts a header exactly when it is the canonical base64 of the right digest (variants of it refused)', () => {
    const url = 'https://example.twil.io/whatsapp/incoming';
    const params = { Body: 'hi' };
    const good = computeSignature('token', url, params);
    const bytes = Buffer.from(good, 'base64');
    // The same 20 bytes written leniently: the decoder reads all of these as the good digest.
    const lenient = [good.slice(0, -1), `${good} `, ` ${good}`, good.replace('=', '=='), `${good}\n`];
    const lastData = good.at(-2)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sameBits = alphabet[alphabet.indexOf(lastData) | 1]!; // differs only in the 2 bits the decoder drops
    lenient.push(`${good.slice(0, -2)}${sameBits}=`);
    for (const variant of lenient) {
      expect(Buffer.from(variant, 'base64').equals(bytes)).toBe(true);
      expect(isValidSignature('token', variant, [url], params)).toBe(false);
    }
    expect(isValidSignature('token', good, [url], params)).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (digest) => {
        const written = Buffer.from(digest).toString('base64');
        // A canonical header of any digest gets as far as the comparison: only the right one passes.
        expect(isValidSignature('token', written, [url], params)).toBe(written === good);
      }),
      { numRuns: 300 },
    );
  });

  const url = 'https://example.twil.io/whatsapp/incoming';
  const params = { Body: 'hi', From: 'whatsapp:+15005550006' };
  const good = twilio.getExpectedTwilioSignature('secret-token', url, params);

  it.each([
    ['the right signature', 'secret-token', good, true],
    ['a signature by another token', 'other-token', good, false],
    ['no signature', 'secret-token', undefined, false],
    ['an empty auth token', '', good, false],
    ['a truncated signature', 'secret-token', good.slice(0, -2), false],
    ['an object for a signature', 'secret-token', { toString: () => good }, false],
    ['an array of signatures', 'secret-token', [good, good], false],
  ])('%s -> %s', (_name, token, signature, expected) => {
    expect(isValidSignature(token, signature, [url], params)).toBe(expected);
  });

  it('fails when a parameter was changed', () => {
    expect(isValidSignature('secret-token', good, [url], { ...params, Body: 'hi!' })).toBe(false);
  });
});

describe('signedUrlCandidates', () => {
  it.each([
    [
      '/whatsapp/incoming',
      'example-1234.twil.io',
      undefined,
      ['https://example-1234.twil.io/whatsapp/incoming', 'https://example-1234.twil.io:443/whatsapp/incoming'],
    ],
    [
      '/whatsapp/incoming',
      'localhost:3000',
      undefined,
      [
        'http://localhost:3000/whatsapp/incoming',
        'https://localhost:3000/whatsapp/incoming',
        'http://localhost/whatsapp/incoming',
        'https://localhost/whatsapp/incoming',
      ],
    ],
    [
      '/whatsapp/status',
      'localhost:3000',
      'https://abc.ngrok.app/',
      ['https://abc.ngrok.app/whatsapp/status', 'https://abc.ngrok.app:443/whatsapp/status'],
    ],
    [
      '/whatsapp/status',
      'localhost:3000',
      'http://abc.example:8080',
      ['http://abc.example:8080/whatsapp/status', 'http://abc.example/whatsapp/status'],
    ],
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
