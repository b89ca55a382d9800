/** The pure parts of the emulator's Twilio side and of `npm run chat`: overrides, TwiML, durations, chat lines. */
import { parseDuration } from '../../dev/emulator/clock';
import { parseOverrides, readTwiml, splitOverrides } from '../../dev/emulator/deliver';
import type { ConversationEntry } from '../../dev/emulator/conversation';
import { parseLine, PHOTO_TYPE } from '../../cli/chat/commands';
import { renderEntry, ticks } from '../../cli/chat/render';

describe('connection overrides', () => {
  it('splits the fragment off the URL Twilio requests and signs', () => {
    expect(splitOverrides('http://localhost:3000/whatsapp/incoming#rt=2000&rc=2&rp=rt,5xx&e=dublin')).toEqual({
      url: 'http://localhost:3000/whatsapp/incoming',
      overrides: { rt: 2000, rc: 2, rp: ['rt', '5xx'] },
      problems: [],
    });
    expect(splitOverrides('https://example.com/x')).toEqual({
      url: 'https://example.com/x',
      overrides: {},
      problems: [],
    });
  });

  it.each([
    ['ct=99', 'ct: must be a whole number from 100 to 10000, got "99"'],
    ['rt=15001', 'rt: must be a whole number from 100 to 15000, got "15001"'],
    ['tt=1.5', 'tt: must be a whole number from 100 to 15000, got "1.5"'],
    ['rc=6', 'rc: must be a whole number from 0 to 5, got "6"'],
    ['rp=sometimes', 'rp: unknown retry policy sometimes (expected ct, 4xx, 5xx, rt or all)'],
  ])('refuses %s', (fragment, problem) => {
    expect(parseOverrides(fragment)).toEqual({ overrides: {}, problems: [problem] });
  });
});

describe('readTwiml', () => {
  it('reads text, <Body>, every <Media> and the attributes', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message to="+15005550006" action="/s">' +
      '<Body>a &lt;b&gt;</Body><Media>https://x/1.png</Media><Media> https://x/2.png </Media></Message>' +
      '<Message>plain</Message></Response>';
    expect(readTwiml(xml)).toEqual({
      ok: true,
      messages: [
        {
          body: 'a <b>',
          media: ['https://x/1.png', 'https://x/2.png'],
          to: '+15005550006',
          from: undefined,
          statusCallback: '/s',
        },
        { body: 'plain', media: [] },
      ],
    });
  });

  it.each(['', '<Response/>', '<?xml version="1.0"?><Response></Response>'])('%j sends nothing', (xml) => {
    expect(readTwiml(xml)).toEqual({ ok: true, messages: [] });
  });

  it('refuses what Twilio cannot read (12100)', () => {
    expect(readTwiml('<Response><Message>x</Response>')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not well-formed XML/),
    });
    expect(readTwiml('<Reply><Message>x</Message></Reply>')).toEqual({
      ok: false,
      error: 'the root element is not <Response>',
    });
  });
});

describe('parseDuration', () => {
  it.each([
    ['25h', 25 * 3_600_000],
    ['90m', 90 * 60_000],
    ['1h30m', 90 * 60_000],
    ['2d', 2 * 86_400_000],
    ['1.5h', 1.5 * 3_600_000],
    ['500ms', 500],
    [' 1h 30m ', 90 * 60_000],
  ])('%j is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'tomorrow', '25', 'h', '-1h', '1w'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('chat lines', () => {
  const menu = {
    messageSid: 'SM' + 'a'.repeat(32),
    buttons: [
      { id: 'media', title: 'Sample image' },
      { id: 'location', title: 'Our location' },
    ],
  };

  it('text, the stop/start shortcuts, photos and locations become messages', () => {
    expect(parseLine('hello there')).toEqual({ kind: 'send', message: { body: 'hello there' } });
    expect(parseLine(' /not a command')).toEqual({ kind: 'send', message: { body: '/not a command' } });
    expect(parseLine('/stop')).toEqual({ kind: 'send', message: { body: 'STOP' } });
    expect(parseLine('/START')).toEqual({ kind: 'send', message: { body: 'START' } });
    expect(parseLine('/photo')).toEqual({ kind: 'send', message: { media: [PHOTO_TYPE] } });
    expect(parseLine('/photo my cat')).toEqual({ kind: 'send', message: { body: 'my cat', media: [PHOTO_TYPE] } });
    expect(parseLine('/location 48.85 2.35 Notre Dame')).toEqual({
      kind: 'send',
      message: { location: { latitude: 48.85, longitude: 2.35, label: 'Notre Dame' } },
    });
    expect(parseLine('/location -33.86 151.2')).toEqual({
      kind: 'send',
      message: { location: { latitude: -33.86, longitude: 151.2 } },
    });
  });

  it('a number taps a button of the last message offering some; otherwise it is text', () => {
    expect(parseLine('2', menu)).toEqual({
      kind: 'send',
      message: { button: { text: 'Our location', payload: 'location', replyTo: menu.messageSid } },
    });
    expect(parseLine('3', menu)).toEqual({ kind: 'send', message: { body: '3' } });
    expect(parseLine('1')).toEqual({ kind: 'send', message: { body: '1' } });
  });

  it('the chat’s own commands, and clear problems', () => {
    expect(parseLine('/wait 25h')).toEqual({ kind: 'wait', duration: '25h', ms: 25 * 3_600_000 });
    expect(parseLine('/as +44 7911 123456')).toEqual({ kind: 'as', user: 'whatsapp:+447911123456' });
    expect(parseLine('/help')).toEqual({ kind: 'help' });
    expect(parseLine('/quit')).toEqual({ kind: 'quit' });
    expect(parseLine('   ')).toEqual({ kind: 'nothing' });
    expect(parseLine('/location 91 0')).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('latitude (-90..90)'),
    });
    expect(parseLine('/wait soon')).toMatchObject({ kind: 'problem', message: expect.stringContaining('25h') });
    expect(parseLine('/as 12')).toMatchObject({ kind: 'problem', message: expect.stringContaining('country code') });
    expect(parseLine('/dance')).toMatchObject({
      kind: 'problem',
      message: expect.stringContaining('Unknown command /dance'),
    });
  });
});

describe('chat rendering', () => {
  const plain = { color: false };
  const entry = (over: Partial<ConversationEntry>): ConversationEntry => ({
    sid: 'SM' + 'b'.repeat(32),
    direction: 'outbound',
    kind: 'twiml',
    user: 'whatsapp:+15005550006',
    bot: 'whatsapp:+14155238886',
    accountSid: 'AC' + '0'.repeat(32),
    at: '2026-12-01T07:32:25.207Z',
    status: 'read',
    statuses: [],
    callbacks: [],
    settled: true,
    ...over,
  });

  it.each([
    ['queued', undefined, '🕓 queued'],
    ['sent', undefined, '✓ sent'],
    ['delivered', undefined, '✓✓ delivered'],
    ['read', undefined, '✓✓ read'],
    ['undelivered', 30008, '✗ undelivered 30008'],
  ] as const)('%s', (status, errorCode, shown) => expect(ticks({ status, errorCode }, plain)).toBe(shown));

  it('a failure carries its code and hint', () => {
    expect(ticks({ status: 'failed', errorCode: 63016 }, plain)).toMatch(
      /^✗ failed 63016: Outside the 24-hour session window/,
    );
  });

  it('a bot message: its text, media, location, buttons, then ticks, time and kind', () => {
    const lines = renderEntry(
      entry({
        kind: 'template',
        contentSid: 'HX' + 'c'.repeat(32),
        body: 'Pick one\n\nplease',
        media: [{ url: 'https://x/1.png', contentType: 'image/png' }],
        location: { latitude: 1.5, longitude: 2.5, label: 'Here' },
        buttons: [
          { id: 'a', title: 'A' },
          { id: 'b', title: 'B' },
        ],
      }),
      plain,
    );
    expect(lines).toEqual([
      'bot ‹ Pick one',
      '      ',
      '      please',
      '      📎 image/png https://x/1.png',
      '      📍 Here https://www.google.com/maps/search/?api=1&query=1.5,2.5',
      '      [1] A   [2] B   (type a number to tap)',
      `      ✓✓ read · 07:32 · template HX${'c'.repeat(32)}`,
    ]);
  });

  it('a user message whose webhook failed says so, with Twilio’s code', () => {
    const lines = renderEntry(
      entry({
        direction: 'inbound',
        kind: 'inbound',
        body: 'hi',
        status: 'received',
        delivery: {
          attempts: [],
          outcome: 'failed',
          httpStatus: 403,
          errorCode: 11200,
          fallback: { url: 'http://x', attempts: [], httpStatus: 403 },
        },
      }),
      plain,
    );
    expect(lines).toEqual([
      'you › hi',
      "      ⚠ the bot's webhook failed: HTTP 403 (Twilio error 11200); the fallback URL answered HTTP 403",
    ]);
  });
});
