/**
 * lib/senders/wire.ts (the Senders API bodies, built from fields.ts): in step with the official spec, humane in,
 * exact out. The routes' inputs: admin-inputs.test.ts; display-name warnings: display-name.test.ts.
 */
import fc from 'fast-check';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/examples.mobile.json';
import { normalizePhoneNumber } from '../../../lib/phone';
import {
  SENDER_STATUSES,
  SENDER_VERTICALS,
  senderConfigurationSchema,
  senderCreateSchema,
  senderIdSchema,
  senderProfileSchema,
  senderUpdateSchema,
  senderWebhookSchema,
} from '../../../lib/senders';
import { describeZodError } from '../../../lib/validation';
import contract from '../../../contracts/senders-openapi.json';
import { createBodyProblem, updateBodyProblem } from '../../../dev/emulator/senders-contract';

const schemas = contract.components.schemas as unknown as Record<string, { properties?: Record<string, { description?: string }>; enum?: string[] }>;
const specKeys = (name: string) => Object.keys(schemas[name]!.properties!);

/** Paths zod calls unknown (our "Unknown field" problems) for an input. */
function unknownFields(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return describeZodError(result.error as never)
    .filter((p) => p.message.startsWith('Unknown field'))
    .map((p) => p.path);
}

describe('in step with the spec (contracts/senders-openapi.json)', () => {
  it('knows every vertical the spec lists, and no other', () => {
    const description = schemas['messaging.v2.channels_sender.profile']!.properties!.vertical!.description!;
    const listed = [...description.matchAll(/^- `([^`]+)`$/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(20);
    expect([...SENDER_VERTICALS]).toEqual(listed);
  });

  it('knows every status of the spec', () => {
    expect([...SENDER_STATUSES]).toEqual(schemas.channels_sender_enum_status!.enum);
  });

  it.each([
    ['configuration', senderConfigurationSchema, 'messaging.v2.channels_sender.configuration'],
    ['webhook', senderWebhookSchema, 'messaging.v2.channels_sender.webhook'],
    ['profile', senderProfileSchema, 'messaging.v2.channels_sender.profile'],
  ] as const)('accepts exactly the %s keys of the spec', (_, schema, specName) => {
    for (const key of specKeys(specName)) expect(unknownFields(schema, { [key]: null })).toEqual([]);
    expect(unknownFields(schema, { not_in_spec: 'x' })).toEqual(['not_in_spec']);
  });

  it('create and update accept the top-level keys of their spec bodies', () => {
    expect(specKeys('messaging.v2.channels_sender.requests.create').sort()).toEqual(['configuration', 'profile', 'sender_id', 'webhook']);
    expect(unknownFields(senderCreateSchema, { sender_id: '+14155550100', profile: { name: 'Acme' }, configuration: {}, webhook: {} })).toEqual([]);
    expect(unknownFields(senderUpdateSchema, { sender_id: 'whatsapp:+14155550100' })).toEqual(['sender_id']);
  });
});

// A humane input generator: any country's example mobile number, written with spaces, dashes or dots,
// with or without `whatsapp:`, with emails and websites as strings or objects, methods in any case.
const numbers = Object.entries(examples as Record<string, string>).map(([country, national]) => `+${getCountryCallingCode(country as CountryCode)}${national}`);
const humaneNumber = fc.tuple(fc.constantFrom(...numbers), fc.array(fc.constantFrom(' ', '-', '.', ''), { minLength: 20, maxLength: 20 }), fc.boolean()).map(([e164, seps, prefixed]) => {
  const digits = e164.slice(1).split('');
  const written = '+' + digits.map((d, i) => d + (i < digits.length - 1 ? seps[i % seps.length] : '')).join('');
  return { e164, written: prefixed ? `whatsapp:${written}` : written };
});
const anyCase = (word: string) => fc.constantFrom(word, word.toLowerCase(), word[0] + word.slice(1).toLowerCase());
const humaneBody = fc.record({
  number: humaneNumber,
  name: fc.constantFrom('Acme', 'Acme Shoes', 'Zoë Café', 'Bäckerei Müller'),
  emails: fc.array(fc.oneof(fc.constant('help@acme.example'), fc.record({ email: fc.constant('sales@acme.example'), label: fc.constantFrom('Sales', 'Billing') })), { maxLength: 3 }),
  websites: fc.array(fc.oneof(fc.constant('https://acme.example'), fc.record({ website: fc.constant('http://acme.example/help'), label: fc.constant('Help') })), { maxLength: 2 }),
  method: anyCase('POST'),
  verification: fc.option(anyCase('SMS'), { nil: undefined }),
  vertical: fc.constantFrom(...SENDER_VERTICALS),
});

describe('humane input, exact output', () => {
  it('writes every valid number as whatsapp:+E164, whatever the spacing or prefix (property)', () => {
    fc.assert(
      fc.property(humaneNumber, ({ e164, written }) => {
        const expected = normalizePhoneNumber(e164);
        if (!expected.ok) return; // a few examples are not valid with the trimmed metadata; phone.test.ts covers those
        expect(senderIdSchema.parse(written)).toBe(`whatsapp:${expected.e164}`);
        // Idempotent: the output is accepted as input and kept.
        expect(senderIdSchema.parse(`whatsapp:${expected.e164}`)).toBe(`whatsapp:${expected.e164}`);
      }),
      { numRuns: 300 },
    );
  });

  it('produces only bodies the spec accepts, labels filled and methods upper-case (property)', () => {
    fc.assert(
      fc.property(humaneBody, (b) => {
        const result = senderCreateSchema.safeParse({
          sender_id: b.number.written,
          profile: { name: b.name, vertical: b.vertical, emails: b.emails, websites: b.websites },
          webhook: { callback_url: 'https://acme.example/in', callback_method: b.method },
          ...(b.verification ? { configuration: { verification_method: b.verification, waba_id: 12345678 } } : {}),
        });
        if (!normalizePhoneNumber(b.number.e164).ok) return expect(result.success).toBe(false);
        expect(result.success).toBe(true);
        const body = result.data!;
        expect(createBodyProblem(body)).toBeUndefined();
        expect(body.webhook?.callback_method).toBe('POST');
        expect(body.profile.emails?.every((e) => typeof e.email === 'string' && e.label.length > 0) ?? true).toBe(true);
        expect(body.profile.websites?.every((w) => /^https?:\/\//.test(w.website) && w.label.length > 0) ?? true).toBe(true);
        if (b.verification) expect(body.configuration).toEqual({ verification_method: 'sms', waba_id: '12345678' });
      }),
      { numRuns: 200 },
    );
  });

  it('update bodies pass the spec too', () => {
    const body = senderUpdateSchema.parse({ configuration: { verification_code: '123 456' }, profile: { about: ' Hi ' }, webhook: { fallback_method: 'put' } });
    expect(body).toEqual({ configuration: { verification_code: '123456' }, profile: { about: 'Hi' }, webhook: { fallback_method: 'PUT' } });
    expect(updateBodyProblem(body)).toBeUndefined();
  });

  it.each([
    ['sender_id', { sender_id: '+1 415 555', profile: { name: 'Acme' } }, /digits|valid/],
    ['profile.name', { sender_id: '+14155550100', profile: {} }, /expected string/],
    ['profile.about', { sender_id: '+14155550100', profile: { name: 'Acme', about: 'x'.repeat(140) } }, /139/],
    ['profile.websites', { sender_id: '+14155550100', profile: { name: 'Acme', websites: ['https://a.io', 'https://b.io', 'https://c.io'] } }, /at most 2/],
    ['profile.emails.0.email', { sender_id: '+14155550100', profile: { name: 'Acme', emails: ['nope'] } }, /email/],
    ['configuration.waba_id', { sender_id: '+14155550100', profile: { name: 'Acme' }, configuration: { waba_id: 'abc' } }, /WhatsApp Business Account ID/],
    ['configuration.voice_application_sid', { sender_id: '+14155550100', profile: { name: 'Acme' }, configuration: { voice_application_sid: 'AP1' } }, /AP followed by 32/],
    ['profile.accent_color', { sender_id: '+14155550100', profile: { name: 'Acme', accent_color: 'red' } }, /hex color/],
  ])('says what is wrong with %s', (path, input, message) => {
    const result = senderCreateSchema.safeParse(input);
    expect(result.success).toBe(false);
    const problem = describeZodError(result.error!).find((p) => p.path === path);
    expect(problem?.message).toMatch(message);
  });
});
