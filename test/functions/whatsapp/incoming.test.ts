/**
 * functions/whatsapp/incoming.protected.ts in process, signed like Twilio, with the local Twilio API emulator
 * on the other side (over HTTP) for the location message. Signatures: test/edge/webhook.test.ts; the answer over
 * real HTTP and the served media: test/server/webhooks.test.ts.
 */
import type { Emulator } from '../../../dev/emulator/server';
import { injectFault } from '../../support/emulator-control';
import { startEmulatedSuite, type CapturedLogs, type FunctionHarness } from '../../support/harness';
import { parseTwiml } from '../../support/twiml';
import { WHATSAPP_BOT as BOT, WHATSAPP_USER as USER, inboundMessage, type FormParams } from '../../support/twilio-request';

const AUTH_TOKEN = 'incoming-test-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + '1'.repeat(32);

let emulator: Emulator;
let harness: FunctionHarness;
let logs: CapturedLogs;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ emulator, harness, logs, stop } = await startEmulatedSuite({
    ACCOUNT_SID,
    AUTH_TOKEN,
    BOT_LOCATION_LATITUDE: '37.7908',
    BOT_LOCATION_LONGITUDE: '-122.3931',
    BOT_LOCATION_NAME: 'Twilio HQ',
    BOT_LOCATION_LABEL: '101 Spear St | Floor 5\nSan Francisco',
  }));
});
afterAll(() => stop?.());

const inbound = (fields: FormParams) => inboundMessage(ACCOUNT_SID, fields);

async function send(fields: FormParams) {
  const res = await harness.webhook('/whatsapp/incoming', inbound(fields), { authToken: AUTH_TOKEN });
  return { ...res, messages: res.statusCode === 200 ? parseTwiml(res.body) : [] };
}

describe('commands', () => {
  it.each(['help', 'menu', 'hi', 'hello', '  HELLO!! ', 'Menu.', '¿help?', 'hi 👋'])('%j answers the menu', async (body) => {
    const res = await send({ Body: body });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.messages).toHaveLength(1);
    expect(res.messages[0]!.body).toContain('*media*');
    expect(res.messages[0]!.body).toContain('*location*');
    expect(res.messages[0]!.body).toContain('Hi Ada!');
  });

  it('media answers one <Media> with the bundled image on the function’s own domain', async () => {
    const res = await send({ Body: 'Media' });
    expect(res.messages).toHaveLength(1);
    expect(res.messages[0]!.media).toEqual([`${harness.url}/media/whatsapp-sample.png`]);
  });

  it('format shows every WhatsApp style in one message', async () => {
    const res = await send({ Body: 'format' });
    expect(res.messages).toHaveLength(1);
    const body = res.messages[0]!.body!;
    for (const markup of ['*bold*', '_italic_', '~strikethrough~', '```monospace block```', '`inline code`', '- a bullet', '1. a numbered item', '> a quote']) {
      expect(body).toContain(markup);
    }
    expect(body.length).toBeLessThanOrEqual(1600);
  });

  it.each([
    ['stop', /unsubscribed/],
    ['UNSUBSCRIBE', /unsubscribed/],
    ['start', /subscribed again/],
    ['join purple-tiger', /\/sandbox\/join/],
    ['what is this?', /Send \*help\*/],
  ])('%j gets its answer', async (body, expected) => {
    const res = await send({ Body: body });
    expect(res.statusCode).toBe(200);
    expect(res.messages).toHaveLength(1);
    expect(res.messages[0]!.body).toMatch(expected);
  });

  it('join links to /sandbox/join on the function’s own origin', async () => {
    const res = await send({ Body: 'join some-word' });
    expect(res.messages[0]!.body).toContain(`${harness.url}/sandbox/join`);
  });
});

describe('location', () => {
  it('sends the bot location through the Messages API with the exact From, To, Body and PersistentAction', async () => {
    const before = emulator.requestsFor('messages.create').length;
    const res = await send({ Body: 'location' });
    expect(res.statusCode).toBe(200);
    expect(res.messages[0]!.body).toContain('Twilio HQ');
    const created = emulator.requestsFor('messages.create').slice(before);
    expect(created).toHaveLength(1);
    expect(created[0]!.status).toBe(201);
    expect(created[0]!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(created[0]!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(created[0]!.body).toEqual({
      From: BOT,
      To: USER,
      Body: 'Twilio HQ',
      PersistentAction: 'geo:37.7908,-122.3931|101 Spear St Floor 5 San Francisco',
    });
  });

  it('still answers with an apology, and logs the Twilio error code, when the API call fails', async () => {
    await injectFault(emulator, { route: 'messages.create', status: 400, code: 63016 });
    const res = await send({ Body: 'location' });
    expect(res.statusCode).toBe(200);
    expect(res.messages).toHaveLength(1);
    expect(res.messages[0]!.body).toMatch(/Sorry, I couldn't send the location/);
    const logged = logs.jsonLog((l) => l.event === 'location.not_sent');
    expect(logged).toMatchObject({ errorCode: 63016, httpStatus: 400 });
    expect(String(logged.hint)).toMatch(/24-hour/);
  });
});

describe('inbound media and locations', () => {
  it('counts media items and names their types, politely naming unsupported ones', async () => {
    const res = await send({
      Body: '',
      NumMedia: '3',
      MediaUrl0: 'https://api.twilio.com/media/ME0',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/media/ME1',
      MediaContentType1: 'application/pdf',
      MediaUrl2: 'https://api.twilio.com/media/ME2',
      MediaContentType2: 'text/vcard',
    });
    const body = res.messages[0]!.body!;
    expect(body).toContain('3 items');
    expect(body).toContain('1 image');
    expect(body).toContain('1 PDF document');
    expect(body).toMatch(/can't use this type, sorry: text\/vcard/);
  });

  it('echoes an inbound location with its label, address, coordinates and a maps link', async () => {
    const res = await send({ Body: '', MessageType: 'location', Latitude: '-33.8688', Longitude: '151.2093', Label: 'Opera <House> & Co', Address: 'Bennelong Point' });
    const body = res.messages[0]!.body!;
    expect(body).toContain('Opera <House> & Co');
    expect(body).toContain('Bennelong Point');
    expect(body).toContain('-33.8688, 151.2093');
    expect(body).toContain('https://www.google.com/maps/search/?api=1&query=-33.8688,151.2093');
  });

  it('answers a button reply and an empty message', async () => {
    expect((await send({ Body: '', ButtonText: 'Yes please', ButtonPayload: 'yes' })).messages[0]!.body).toContain('“Yes please”');
    expect((await send({ Body: '', MessageType: 'sticker' })).messages[0]!.body).toMatch(/can't read that kind of message/);
  });

  it('keeps every reply within 1600 characters', async () => {
    const res = await send({ Body: '', Latitude: '1', Longitude: '2', Label: 'x'.repeat(5000) });
    expect(res.statusCode).toBe(200);
    expect(res.messages[0]!.body!.length).toBeLessThanOrEqual(1600);
  });
});

describe('bad input', () => {
  it.each([
    ['From missing', { From: '' }, /From/],
    ['From not WhatsApp', { From: '+15005550006' }, /From: must be "whatsapp:\+"/],
    ['To malformed', { To: 'whatsapp:12345' }, /To: must be "whatsapp:\+"/],
  ])('%s: 400 with a plain reason', async (_name, fields, reason) => {
    const params = inbound({ Body: 'hi', ...fields });
    if (params.From === '') delete params.From;
    const res = await harness.webhook('/whatsapp/incoming', params, { authToken: AUTH_TOKEN });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(reason);
  });
});
