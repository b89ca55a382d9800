import fc from 'fast-check';
import { replyTo, normalizeCommand, mediaFamily, type BotReply } from '../../lib/bot';
import { parseInbound, type InboundMessage } from '../../lib/inbound';
import { cleanLabel, geoPersistentAction, botLocation } from '../../lib/location';

const BASE = { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886' };
const settings = {
  origin: 'https://example.twil.io',
  location: { latitude: 37.7908, longitude: -122.3931, name: 'HQ', label: 'Spear St' },
};

function parse(fields: Record<string, string>): InboundMessage {
  const result = parseInbound({ ...BASE, ...fields });
  if (!result.ok) throw new Error('expected a valid message');
  return result.message;
}

const bodyOf = (reply: BotReply) => (reply.kind === 'messages' ? reply.messages.map((m) => m.body).join('\n') : '');

describe('parseInbound', () => {
  it.each([
    ['text', { Body: 'hi' }, { kind: 'text', body: 'hi' }],
    [
      'location',
      { Latitude: '10.5', Longitude: '-20', Label: 'Here' },
      { kind: 'location', latitude: 10.5, longitude: -20, label: 'Here' },
    ],
    ['location out of range -> unknown', { Latitude: '91', Longitude: '0' }, { kind: 'unknown' }],
    [
      'media',
      { NumMedia: '1', MediaUrl0: 'https://m/0', MediaContentType0: 'IMAGE/PNG' },
      { kind: 'media', items: [{ url: 'https://m/0', contentType: 'image/png' }], caption: '' },
    ],
    [
      'media read up to 10 items',
      { NumMedia: '12', MediaUrl0: 'https://m/0', MediaUrl10: 'https://m/10', MediaUrl11: 'https://m/11' },
      { kind: 'media', items: [{ url: 'https://m/0', contentType: 'application/octet-stream' }] },
    ],
    ['NumMedia not a number', { NumMedia: 'lots', MediaUrl0: 'https://m/0', Body: 'x' }, { kind: 'text', body: 'x' }],
    ['media without URL -> text', { NumMedia: '1', Body: 'caption' }, { kind: 'text', body: 'caption' }],
    ['button', { ButtonText: 'Yes', ButtonPayload: 'y' }, { kind: 'button', text: 'Yes', payload: 'y' }],
    [
      'list choice',
      { ListTitle: 'Text styles', ListId: 'format' },
      { kind: 'button', text: 'Text styles', payload: 'format' },
    ],
    ['nothing', { MessageType: 'reaction' }, { kind: 'unknown', messageType: 'reaction' }],
  ])('%s', (_name, fields, content) => {
    expect(parse(fields).content).toMatchObject(content);
  });

  it.each([
    [{ From: undefined }, 'From'],
    [{ To: 'sms:+14155238886' }, 'To'],
    [{ From: 'whatsapp:+0123456' }, 'From'],
  ])('refuses %j naming %s', (override, field) => {
    const fields: Record<string, string> = { ...BASE, Body: 'x' };
    for (const [k, v] of Object.entries(override))
      if (v === undefined) delete fields[k];
      else fields[k] = v;
    const result = parseInbound(fields);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
});

describe('normalizeCommand', () => {
  it.each([
    ['  HELP!! ', 'help'],
    ['¡Hola!', 'hola'],
    ['👋 hi 👋', 'hi'],
    ['join  brave-fox.', 'join  brave-fox'],
    ['ＭＥＮＵ', 'menu'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeCommand(input)).toBe(expected);
  });

  it('gives what NFKC, lower-casing and trimming give, for any text (ASCII skips the NFKC call)', () => {
    const full = (body: string) =>
      body
        .normalize('NFKC')
        .toLowerCase()
        .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
    const text = fc.oneof(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'grapheme' }), fc.string());
    fc.assert(
      fc.property(text, (body) => {
        expect(normalizeCommand(body)).toBe(full(body));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('replyTo', () => {
  it('asks for a location send from the number the user wrote to, to the user', () => {
    const reply = replyTo(parse({ Body: 'location' }), settings);
    expect(reply).toMatchObject({
      kind: 'send-location',
      request: { from: BASE.To, to: BASE.From, body: 'HQ', persistentAction: 'geo:37.7908,-122.3931|Spear St' },
    });
  });

  it('says so when no location is configured', () => {
    expect(bodyOf(replyTo(parse({ Body: 'location' }), { origin: settings.origin }))).toMatch(/no location configured/);
  });

  it('answers media with the sample image on the origin', () => {
    expect(replyTo(parse({ Body: 'media' }), settings)).toEqual({
      kind: 'messages',
      messages: [{ body: expect.any(String), mediaUrl: 'https://example.twil.io/media/whatsapp-sample.png' }],
    });
  });

  it('counts received media per family in the order first seen, and names each unusable type once', () => {
    const types = ['image/jpeg', 'application/pdf', 'image/png', 'text/vcard', 'audio/ogg', 'text/vcard', 'x/y'];
    const fields: Record<string, string> = { NumMedia: String(types.length) };
    types.forEach((type, i) => {
      fields[`MediaUrl${i}`] = `https://api.twilio.com/m/${i}`;
      fields[`MediaContentType${i}`] = type;
    });
    expect(bodyOf(replyTo(parse(fields), settings))).toBe(
      [
        'Thanks! I received 7 items.',
        '- 2 images',
        '- 1 PDF document',
        '- 1 audio clip',
        "I can't use these types, sorry: text/vcard, x/y. " +
          'WhatsApp messages here carry JPG and PNG images, audio, MP4 video and PDF documents.',
      ].join('\n'),
    );
  });

  it('keeps WhatsApp markup characters of a profile name out of the menu greeting', () => {
    expect(bodyOf(replyTo(parse({ Body: 'hi', ProfileName: '*Bo*_b' }), settings))).toContain('*Hi Bob!*');
  });
});

describe('location helpers', () => {
  it.each([
    ['A | B', 'A B'],
    ['line1\nline2\r\nline3', 'line1 line2 line3'],
    ['||', ''],
  ])('cleanLabel(%j) = %j', (label, expected) => {
    expect(cleanLabel(label)).toBe(expected);
  });

  it('refuses coordinates out of range', () => {
    expect(() => geoPersistentAction({ latitude: 91, longitude: 0, name: 'x', label: '' })).toThrow();
    expect(() => geoPersistentAction({ latitude: 0, longitude: -181, name: 'x', label: '' })).toThrow();
  });

  it('builds the bot location only when latitude, longitude and name are set', () => {
    expect(botLocation({ BOT_LOCATION_LATITUDE: 1, BOT_LOCATION_LONGITUDE: 2, BOT_LOCATION_NAME: 'N' })).toEqual({
      latitude: 1,
      longitude: 2,
      name: 'N',
      label: 'N',
    });
    expect(botLocation({ BOT_LOCATION_LATITUDE: 1, BOT_LOCATION_NAME: 'N' })).toBeUndefined();
  });

  it.each([
    ['image/jpeg', 'image'],
    ['audio/ogg; codecs=opus', 'audio clip'],
    ['application/pdf', 'PDF document'],
    ['image/webp', undefined],
    ['text/vcard', undefined],
  ])('mediaFamily(%s) = %s', (type, family) => {
    expect(mediaFamily(type)).toBe(family);
  });
});

describe('every body within 1,600 UTF-16 units, the bot’s own words kept', () => {
  const emoji = '🙂'.repeat(1000); // 2,000 units
  const long = 'x'.repeat(1700);
  const messagesOf = (reply: BotReply) =>
    reply.kind === 'messages' ? reply.messages : reply.kind === 'consent' ? reply.onRecorded : reply.onSent;
  const unitsOf = (reply: BotReply) => messagesOf(reply).map((m) => (m.body ?? '').length);

  it.each([
    ['a long emoji button text', { ButtonText: emoji, ButtonPayload: 'p' }, 'Send *menu* to see everything I can do.'],
    [
      'a 1,700-character location label',
      { Latitude: '1', Longitude: '2', Label: long, Address: long },
      'https://www.google.com/maps/search/?api=1&query=1,2',
    ],
    [
      'huge content types',
      Object.fromEntries([
        ['NumMedia', '10'],
        ...Array.from({ length: 10 }, (_, i) => [
          [`MediaUrl${i}`, `https://m/${i}`],
          [`MediaContentType${i}`, `x/${emoji}${i}`],
        ]).flat(),
      ]),
      'PDF documents.',
    ],
    ['a huge profile name', { Body: 'menu', ProfileName: emoji }, 'your location.'],
  ])('%s', (_name, fields, ending) => {
    const reply = replyTo(parse(fields as Record<string, string>), settings);
    for (const units of unitsOf(reply)) expect(units).toBeLessThanOrEqual(1600);
    expect(bodyOf(reply).endsWith(ending)).toBe(true);
  });

  it('the location sent through the Messages API: Body and the PersistentAction label cut to fit', () => {
    const reply = replyTo(parse({ Body: 'location' }), {
      ...settings,
      location: { latitude: -33.5, longitude: 151.25, name: emoji, label: long },
    });
    if (reply.kind !== 'send-location') throw new Error('expected a location send');
    expect(reply.request.body.length).toBeLessThanOrEqual(1600);
    expect(reply.request.body.isWellFormed()).toBe(true); // no half emoji at the cut
    expect(reply.request.persistentAction.length).toBeLessThanOrEqual(1600);
    expect(reply.request.persistentAction).toMatch(/^geo:-33\.5,151\.25\|x+…$/);
    for (const units of unitsOf(reply)) expect(units).toBeLessThanOrEqual(1600);
  });
});

describe('the menu as buttons', () => {
  const MENU_SID = 'HX' + 'a'.repeat(32);
  const withMenu = { ...settings, menuContentSid: MENU_SID };

  it.each(['menu', 'help', 'Hi!'])(
    '%j sends the menu template from the bot to the user; the text menu only if that fails',
    (body) => {
      const reply = replyTo(parse({ Body: body, ProfileName: 'Ada' }), withMenu);
      expect(reply).toMatchObject({
        kind: 'send-menu',
        request: { from: BASE.To, to: BASE.From, contentSid: MENU_SID },
        onSent: [],
      });
      if (reply.kind !== 'send-menu') throw new Error('expected send-menu');
      expect(reply.onFailure[0]!.body).toContain('Hi Ada!');
      expect(reply.onFailure[0]!.body).toContain('*media*');
    },
  );

  it('without a menu template, the text menu in TwiML as before', () => {
    expect(replyTo(parse({ Body: 'menu' }), settings).kind).toBe('messages');
  });

  it.each([
    [{ ButtonText: 'Sample image', ButtonPayload: 'media' }, 'messages', /sample image/],
    [{ ButtonText: 'Text styles', ButtonPayload: 'format' }, 'messages', /WhatsApp formatting/],
    [{ ButtonText: 'Our location', ButtonPayload: 'location' }, 'send-location', undefined],
    [{ ListTitle: 'Text styles', ListId: 'format' }, 'messages', /WhatsApp formatting/],
    [{ ButtonText: 'Menu' }, 'send-menu', undefined],
    [{ ButtonText: 'Maybe later', ButtonPayload: 'later' }, 'messages', /You picked “Maybe later”/],
  ])('a tap %j answers like the word it stands for', (fields, kind, body) => {
    const reply = replyTo(parse(fields), withMenu);
    expect(reply.kind).toBe(kind);
    if (body) expect(bodyOf(reply)).toMatch(body);
  });
});
