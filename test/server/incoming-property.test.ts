/**
 * Property: whatever Twilio (or anyone) posts to /whatsapp/incoming — random fields, missing fields,
 * odd unicode, huge bodies — the answer is never a 5xx, and every 200 is well-formed TwiML whose messages
 * stay within 1600 characters. 1,000 generated payloads, signed, through the real local runtime.
 */
import fc from 'fast-check';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { parseTwiml } from '../support/twiml';
import { postWebhook, type FormParams } from '../support/twilio-request';

const AUTH_TOKEN = 'property-test-token-0123456789abcdef';
let emulator: Emulator;
let runtime: RunningRuntime;

beforeAll(async () => {
  emulator = await startEmulator();
  runtime = await startRuntime({
    env: {
      ACCOUNT_SID: 'AC' + '2'.repeat(32),
      AUTH_TOKEN,
      TWILIO_API_BASE_URL: emulator.url,
      BOT_LOCATION_LATITUDE: '51.5',
      BOT_LOCATION_LONGITUDE: '-0.12',
      BOT_LOCATION_NAME: 'London',
    },
  });
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

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
  Body: oddText,
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

const payload: fc.Arbitrary<FormParams> = fc
  .tuple(
    fc.record({ From: address, To: address }, { requiredKeys: [] }),
    fc.record(KNOWN_FIELDS, { requiredKeys: [] }),
    fc.dictionary(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }), oddText, { maxKeys: 4 }),
  )
  // Field names must survive form encoding as themselves; the runtime's own `request` key is not a form field.
  .map(([addresses, known, extra]) => {
    const params: FormParams = { ...extra, ...known, ...addresses };
    delete params.request;
    return params;
  });

it('never answers 5xx; every 200 is well-formed TwiML within 1600 characters a message', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(payload, async (params) => {
      const res = await postWebhook(runtime.url, '/whatsapp/incoming', params, { authToken: AUTH_TOKEN });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (res.status === 200) {
        const messages = parseTwiml(res.body);
        expect(messages.length).toBeGreaterThan(0);
        for (const m of messages) expect((m.body ?? '').length).toBeLessThanOrEqual(1600);
      } else {
        expect([400, 403]).toContain(res.status);
      }
    }),
    { numRuns: 1000 },
  );
  // The generator must reach the bot, not only the validation: most payloads carry valid addresses.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(200);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
});
