/**
 * Property of functions/whatsapp/incoming.protected.ts: whatever Twilio (or anyone) posts — random fields,
 * missing fields, odd unicode, huge bodies, repeated keys, `request`-like keys — the answer is never a 5xx, every
 * 200 is well-formed TwiML, and every body the bot sends (TwiML, and the location message the emulator receives
 * through the Messages API) stays within 1,600 UTF-16 units. 1,000 generated payloads, signed, form-encoded and
 * decoded as the runtime's body parser does and merged into `event` as the runtime does (Object.assign), through
 * the in-process harness; the emulator over HTTP takes the location messages.
 */
import fc from 'fast-check';
import type { Emulator } from '../../../dev/emulator/server';
import { startEmulatedSuite, type FunctionHarness } from '../../support/harness';
import { parseTwiml } from '../../support/twiml';
import type { FormParams } from '../../support/twilio-request';

const AUTH_TOKEN = 'property-test-token-0123456789abcdef';
let emulator: Emulator;
let harness: FunctionHarness;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ emulator, harness, stop } = await startEmulatedSuite({
    ACCOUNT_SID: 'AC' + '2'.repeat(32),
    AUTH_TOKEN,
    BOT_LOCATION_LATITUDE: '51.5',
    BOT_LOCATION_LONGITUDE: '-0.12',
    // Longer than a message may be, with emoji (two units each): the sent location must still fit.
    BOT_LOCATION_NAME: `London ${'🇬🇧'.repeat(500)}`,
    BOT_LOCATION_LABEL: 'L'.repeat(1700),
  }));
});
afterAll(() => stop?.());

const oddText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('help', 'MEDIA', ' location ', 'format', 'stop', 'join x', '<b>&amp;</b>', ']]>', '\u0000\u0008\uffff', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '*_~`'),
  fc.string({ unit: 'grapheme-ascii', minLength: 2000, maxLength: 20000 }),
);
const numberish = fc.oneof(fc.double().map(String), fc.integer().map(String), fc.constantFrom('', 'NaN', '1e400', '-0', '90.0000001', ' 12 '), oddText);
const address = fc.oneof(
  fc.constant('whatsapp:+14155238886'),
  fc.stringMatching(/^whatsapp:\+[1-9]\d{6,14}$/),
  oddText,
);

const KNOWN_FIELDS = {
  Body: fc.oneof(oddText, fc.constantFrom('location', 'menu')),
  NumMedia: fc.oneof(fc.integer({ min: -2, max: 15 }).map(String), oddText),
  MediaUrl0: fc.oneof(fc.webUrl(), oddText),
  MediaContentType0: fc.oneof(fc.constantFrom('image/jpeg', 'image/webp', 'application/pdf', 'text/vcard'), oddText),
  MediaUrl1: fc.webUrl(),
  MediaContentType1: oddText,
  Latitude: numberish,
  Longitude: numberish,
  Address: oddText,
  Label: oddText,
  MessageType: fc.oneof(fc.constantFrom('text', 'location', 'interactive', 'image', 'sticker'), oddText),
  ButtonText: oddText,
  ButtonPayload: oddText,
  ProfileName: oddText,
  WaId: oddText,
  MessageSid: oddText,
};

/** Keys the runtime or a careless parser could take for its own `request`. Only `request` itself replaces it. */
const requestLike = fc.constantFrom('request', 'Request', 'REQUEST', 'request[headers][x-twilio-signature]', 'request[]', 'request.headers');
/** A value, or a key sent several times (with duplicates and empty values) that arrives as an array. */
const repeatable = (value: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.array(fc.oneof(value, fc.constant('')), { minLength: 2, maxLength: 4 }) }, {
    weight: 1,
    arbitrary: value.map((v) => [v, v]),
  });

const payload: fc.Arbitrary<FormParams> = fc
  .tuple(
    fc.record({ From: address, To: address }, { requiredKeys: [] }),
    fc.record(Object.fromEntries(Object.entries(KNOWN_FIELDS).map(([k, v]) => [k, repeatable(v)])), { requiredKeys: [] }),
    fc.dictionary(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }), repeatable(oddText), { maxKeys: 4 }),
    fc.option(fc.dictionary(requestLike, repeatable(oddText), { minKeys: 1, maxKeys: 2 }), { freq: 8 }),
  )
  .map(([addresses, known, extra, hostile]) => ({ ...extra, ...(hostile ?? {}), ...known, ...addresses }) as FormParams);

/**
 * Whether the route cannot check the signature Twilio made for this form: a `request` field replaces the
 * runtime's own `event.request` (its headers, the signature with them), and a `__proto__` field is dropped when
 * the runtime copies the body into `event` (Object.assign), so what was signed is not what arrives. Both: 403.
 */
const unverifiable = (params: FormParams) => Object.hasOwn(params, 'request') || Object.hasOwn(params, '__proto__');

it('never answers 5xx; every 200 is well-formed TwiML; every body sent is within 1,600 units', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(payload, async (params) => {
      const res = await harness.webhook('/whatsapp/incoming', params, { authToken: AUTH_TOKEN });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode).toBeLessThan(500);
      if (unverifiable(params)) {
        expect(res.statusCode).toBe(403);
      } else if (res.statusCode === 200) {
        const messages = parseTwiml(res.body);
        expect(messages.length).toBeGreaterThan(0);
        for (const m of messages) expect((m.body ?? '').length).toBeLessThanOrEqual(1600);
      } else {
        // Signed by the test: anything else that is not a 200 is a field problem.
        expect(res.statusCode).toBe(400);
      }
    }),
    { numRuns: 1000 },
  );
  // The generator must reach the bot, not only the validation: most payloads carry valid addresses.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(200);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
  expect(statuses.get(403) ?? 0).toBeGreaterThan(20);
  // Every location the bot sent through the Messages API: Body and PersistentAction within the limit too.
  const sent = emulator.requestsFor('messages.create');
  expect(sent.length).toBeGreaterThan(0);
  for (const { body, status } of sent) {
    const form = body as Record<string, string | string[]>;
    expect(status).toBe(201);
    expect(String(form.Body).length).toBeLessThanOrEqual(1600);
    for (const action of ([] as string[]).concat(form.PersistentAction ?? [])) expect(action.length).toBeLessThanOrEqual(1600);
  }
});
