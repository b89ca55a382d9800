/**
 * Twilio request signatures (X-Twilio-Signature), computed here rather than with twilio-node so that a
 * webhook function does not pay the ~200 ms cold `require('twilio')` on every container start.
 * The algorithm is Twilio's: HMAC-SHA1 over the full URL followed by every POST parameter, sorted by
 * name, name and value concatenated; base64. A repeated parameter contributes each distinct value once,
 * sorted (twilio-node's getExpectedTwilioSignature drops duplicate values; test/lib/signature.test.ts proves
 * the two equal).
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { isLocalDomain } from './public-url';

export type SignedParams = Record<string, string | string[]>;

const SHA1_BYTES = 20;
/**
 * 20 bytes in canonical base64: 27 characters and one `=`, the last character carrying 2 zero bits. Base64
 * decoding is lenient (it skips what it cannot read), so only this exact form is accepted.
 */
const CANONICAL_SHA1_BASE64 = /^[A-Za-z0-9+/]{26}[AEIMQUYcgkosw048]=$/;
const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = /* @__PURE__ */ (() => {
  const values = new Uint8Array(128);
  for (let i = 0; i < BASE64_DIGITS.length; i += 1) values[BASE64_DIGITS.charCodeAt(i)] = i;
  return values;
})();

/**
 * The 20 bytes of a signature already checked canonical (CANONICAL_SHA1_BASE64): its 27 digits, 6 bits each.
 * Decoded here rather than by Buffer.from(…, 'base64'): in the loaded runtime that call into Node cost about 2 µs
 * per webhook, this loop about 0.2.
 */
function sha1FromCanonicalBase64(signature: string): Uint8Array {
  const bytes = new Uint8Array(SHA1_BYTES);
  let value = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < 27; i += 1) {
    value = (value << 6) | BASE64_VALUE[signature.charCodeAt(i)]!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (value >> bits) & 0xff;
      value &= (1 << bits) - 1;
    }
  }
  return bytes;
}

/** What Twilio signs: the URL, then each parameter's name and value, sorted by name (repeated values sorted). */
function signedPayload(url: string, params: SignedParams): string {
  // A plain loop: this runs on every webhook request, and the reduce/map/join form allocated per key.
  let payload = url;
  for (const key of sortedInPlace(Object.keys(params))) {
    const value = params[key]!;
    if (typeof value === 'string') payload += key + value;
    // Distinct values only, as twilio-node signs them: `a=x&a=x` is signed as one `ax`.
    else for (const v of [...new Set(value)].sort()) payload += key + v;
  }
  return payload;
}

/**
 * `keys` in the order Array.prototype.sort gives strings (UTF-16 code units), by insertion: a webhook has a dozen
 * keys, and V8's sort took about 1 KB of garbage and 0.3 µs for them, against 0.1 KB and 0.1 µs here.
 */
function sortedInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j -= 1) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

const SHA1_BLOCK_BYTES = 64;

/**
 * What HMAC hashes for one key (RFC 2104), kept for every request: the key XOR ipad, put before the payload, and
 * the key XOR opad, followed by room for the inner digest. The ipad block is kept as a string when all its bytes
 * are ASCII (a Twilio auth token is 32 hex digits), so that the inner hash takes `prefix + payload` in one call,
 * UTF-8 encoded by crypto.hash itself.
 */
type KeyedInputs = { token: string; innerPrefix: string | Buffer; outer: Buffer };
let keyed: KeyedInputs | undefined;

function keyedInputs(authToken: string): KeyedInputs {
  if (keyed?.token === authToken) return keyed;
  let key = Buffer.from(authToken, 'utf8');
  if (key.length > SHA1_BLOCK_BYTES) key = hash('sha1', key, 'buffer');
  const block = Buffer.alloc(SHA1_BLOCK_BYTES);
  key.copy(block);
  const inner = Buffer.alloc(SHA1_BLOCK_BYTES);
  const outer = Buffer.alloc(SHA1_BLOCK_BYTES + SHA1_BYTES);
  for (let i = 0; i < SHA1_BLOCK_BYTES; i += 1) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  const ascii = inner.every((byte) => byte < 0x80);
  keyed = { token: authToken, innerPrefix: ascii ? inner.toString('latin1') : inner, outer };
  return keyed;
}

/**
 * HMAC-SHA1 as createHmac computes it (test/lib/signature.test.ts holds the two equal), as two one-shot SHA-1s.
 * createHmac sets OpenSSL's digest up afresh and makes a JS object on every call, which in the loaded runtime
 * (caches cold between requests) cost about 24 µs per webhook; one-shot `crypto.hash` (Node ≥ 20.12) skips both,
 * and every call into Node saved counts (each about 1–2 µs there).
 */
export function hmacSha1(authToken: string, payload: string): Buffer {
  const { innerPrefix, outer } = keyedInputs(authToken);
  const innerInput =
    typeof innerPrefix === 'string'
      ? innerPrefix + payload
      : Buffer.concat([innerPrefix, Buffer.from(payload, 'utf8')]);
  outer.set(hash('sha1', innerInput, 'buffer'), SHA1_BLOCK_BYTES);
  return hash('sha1', outer, 'buffer');
}

/** The signature Twilio sends for a request to `url` with form parameters `params`. */
export function computeSignature(authToken: string, url: string, params: SignedParams): string {
  return hmacSha1(authToken, signedPayload(url, params)).toString('base64');
}

/** Constant-time string comparison (no early exit on the first differing byte). */
export function safeEqual(a: string, b: string): boolean {
  // Callers hand in header values and secrets: anything but two strings is never equal (and never throws).
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Compare equal-length buffers so timingSafeEqual never throws; the length check comes after.
  const same = timingSafeEqual(left.length === right.length ? left : right, right);
  return same && left.length === right.length;
}

/**
 * True when `signature` matches one of the URLs the request may have been signed for.
 * Several URLs: a Functions domain is reachable over https, and locally over http.
 */
export function isValidSignature(
  authToken: string,
  signature: unknown,
  urls: readonly string[],
  params: SignedParams,
): boolean {
  if (typeof authToken !== 'string' || !authToken || typeof signature !== 'string' || !signature) return false;
  // Compared as bytes: the header decoded once, each candidate's digest never base64-encoded. Only the canonical
  // base64 of 20 bytes is read (a lenient decoder would take variants of it).
  if (!CANONICAL_SHA1_BASE64.test(signature)) return false;
  const given = sha1FromCanonicalBase64(signature);
  // Each comparison is constant-time; stopping at the first match only reveals which URL form was used.
  return urls.some((url) => timingSafeEqual(hmacSha1(authToken, signedPayload(url, params)), given));
}

/**
 * The URL with and without its port, as twilio-node's validateRequest tries it: Twilio signs the URL as it was
 * configured, and `https://host/x` and `https://host:443/x` are the same address written two ways.
 */
function withAndWithoutPort(url: string): string[] {
  const match = /^(https?:\/\/)([^/?#]*?)(:\d+)?([/?#].*)?$/i.exec(url);
  if (!match) return [url];
  const [, scheme = '', host = '', port, rest = ''] = match;
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return [url, port ? `${scheme}${host}${rest}` : `${scheme}${host}${defaultPort}${rest}`];
}

/**
 * The URLs Twilio may have signed for `path`: PUBLIC_BASE_URL + path when it is set (a tunnel or custom
 * domain), else https://DOMAIN_NAME + path, plus the http:// form on a local domain; each also with its
 * port written out (or left out, when it is written).
 */
export function signedUrlCandidates(path: string, domainName: string, publicBaseUrl?: string): readonly string[] {
  // The same three values on every request of a function instance: remember the last answer (frozen, shared).
  const key = `${path}\u0000${domainName}\u0000${publicBaseUrl ?? ''}`;
  if (lastCandidates?.key === key) return lastCandidates.urls;
  const urls = Object.freeze(urlCandidates(path, domainName, publicBaseUrl));
  lastCandidates = { key, urls };
  return urls;
}

let lastCandidates: { key: string; urls: readonly string[] } | undefined;

function urlCandidates(path: string, domainName: string, publicBaseUrl?: string): string[] {
  const bases = publicBaseUrl
    ? [publicBaseUrl.replace(/\/+$/, '') + path]
    : // Locally the http:// form is the one in use: try it first.
      isLocalDomain(domainName)
      ? [`http://${domainName}${path}`, `https://${domainName}${path}`]
      : [`https://${domainName}${path}`];
  return [...new Set([...bases, ...bases.flatMap((url) => withAndWithoutPort(url).slice(1))])];
}
