/**
 * A whole conversation, driven only the way Twilio drives it: the emulator delivers each user message to the real
 * functions (signed inbound webhooks), records their TwiML answers and API messages, and sends status callbacks
 * that /whatsapp/status accepts and logs. Also: what exactly the emulator sends (checked with twilio-node's own
 * validateRequest on a plain capture server), the retry after a timeout, the fallback URL, the 24-hour window
 * and the sandbox rules.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { seedTemplate } from '../../dev/emulator/wiring';
import { createTwilioClient } from '../../lib/twilio-client';
import {
  advanceClock,
  configureEmulator,
  conversationOf,
  readConfig,
  sendInbound,
  settledConversation,
} from '../../cli/chat/emulator-client';
import { injectFault } from '../support/emulator-control';
import { startRuntime, type RunningRuntime } from '../support/runtime';

const AUTH_TOKEN = 'conversation-test-token-0123456789';
const ACCOUNT_SID = 'AC' + '2'.repeat(32);
const SANDBOX = 'whatsapp:+14155238886';
const OTHER_BOT = 'whatsapp:+15017122661';

let emulator: Emulator;
let runtime: RunningRuntime;
/** templates/order_update.json, approved; templates/bot_menu.json, never submitted for approval. */
let approvedSid: string;
let unapprovedSid: string;
let users = 0;
/** A new user per test, so that windows and sandbox membership start fresh. */
const newUser = () => `whatsapp:+1500555${String(1000 + ++users).padStart(4, '0')}`;

const webhooks = () => ({
  incomingUrl: `${runtime.url}/whatsapp/incoming`,
  statusUrl: `${runtime.url}/whatsapp/status`,
  fallbackUrl: `${runtime.url}/whatsapp/fallback`,
  authToken: AUTH_TOKEN,
  accountSid: ACCOUNT_SID,
});

beforeAll(async () => {
  emulator = await startEmulator({ statusStepMs: 5 });
  runtime = await startRuntime({
    env: {
      ACCOUNT_SID,
      AUTH_TOKEN,
      TWILIO_API_BASE_URL: emulator.url,
      BOT_LOCATION_LATITUDE: '37.7908',
      BOT_LOCATION_LONGITUDE: '-122.3931',
      BOT_LOCATION_NAME: 'Twilio HQ',
    },
  });
  await configureEmulator(emulator.url, webhooks());
  approvedSid = await seedTemplate(emulator.url, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, 'order_update');
  const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
  unapprovedSid = await seedTemplate(emulator.url, credentials, 'bot_menu', { approve: false });
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

describe('a conversation driven through /__emulator/inbound', () => {
  it('text: the signed webhook is accepted, its TwiML answer recorded, its statuses called back, logged', async () => {
    const user = newUser();
    const answer = await sendInbound(emulator.url, { from: user, body: 'hi', profileName: 'Ada' });
    expect(answer.delivery).toMatchObject({
      outcome: 'answered',
      httpStatus: 200,
      url: `${runtime.url}/whatsapp/incoming`,
    });
    expect(answer.delivery.attempts).toHaveLength(1);
    expect(answer.replies).toHaveLength(1);
    expect(answer.replies[0]).toMatchObject({
      kind: 'twiml',
      direction: 'outbound',
      user,
      bot: SANDBOX,
      inReplyTo: answer.message.sid,
    });
    expect(answer.replies[0]!.body).toContain('Hi Ada!');

    const conversation = await settledConversation(emulator.url, user);
    expect(conversation.messages.map((m) => [m.direction, m.kind])).toEqual([
      ['inbound', 'inbound'],
      ['outbound', 'twiml'],
    ]);
    const reply = conversation.messages[1]!;
    expect(reply.statuses.map((s) => s.status)).toEqual(['queued', 'sent', 'delivered', 'read']);
    // Every callback was signed well enough for /whatsapp/status: it answers 204 (403 when the signature is bad).
    expect(reply.callbacks.map((c) => [c.status, c.httpStatus])).toEqual([
      ['queued', 204],
      ['sent', 204],
      ['delivered', 204],
      ['read', 204],
    ]);
    await runtime.waitForJsonLog(
      (l) => l.event === 'message.status' && l.messageSid === reply.sid && l.status === 'read',
    );
    expect(conversation.windows).toEqual([expect.objectContaining({ bot: SANDBOX, open: true })]);
    expect(conversation.joinedSandbox).toBe(true);
  });

  it('media: the bot sees MediaUrl0/MediaContentType0; the emulator serves the file behind Basic auth', async () => {
    const user = newUser();
    const answer = await sendInbound(emulator.url, { from: user, media: ['image/jpeg'] });
    expect(answer.message.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(answer.message.messageType).toBe('image');
    expect(answer.replies.map((r) => r.body)).toEqual(['Thanks! I received 1 item.\n- 1 image']);

    const url = answer.message.media![0]!.url;
    expect(
      url.startsWith(`${emulator.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${answer.message.sid}/Media/ME`),
    ).toBe(true);
    const unauthenticated = await fetch(url);
    expect(unauthenticated.status).toBe(401);
    const file = await fetch(url, {
      headers: { Authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
  });

  it('location: Latitude/Longitude/Label reach the bot, which answers with a maps link', async () => {
    const user = newUser();
    const answer = await sendInbound(emulator.url, {
      from: user,
      location: { latitude: 48.85, longitude: 2.35, label: 'Paris', address: 'Île de la Cité' },
    });
    expect(answer.message.messageType).toBe('location');
    const body = answer.replies[0]!.body!;
    expect(body).toContain('📍 Got your location: Paris');
    expect(body).toContain('Île de la Cité');
    expect(body).toContain('https://www.google.com/maps/search/?api=1&query=48.85,2.35');
  });

  it('a button tap arrives as MessageType=button with ButtonText/ButtonPayload', async () => {
    const user = newUser();
    const answer = await sendInbound(emulator.url, { from: user, button: { text: 'Sample image', payload: 'media' } });
    expect(answer.message).toMatchObject({
      messageType: 'button',
      body: 'Sample image',
      button: { text: 'Sample image', payload: 'media' },
    });
    // The bot answers a tap like the word its button stands for (its payload).
    expect(answer.replies.map((r) => [r.body, r.media?.[0]?.url])).toEqual([
      ['Here is a sample image 🖼️', `${runtime.url}/media/whatsapp-sample.png`],
    ]);
  });

  it('STOP then START: each answered, in order, every reply read', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'STOP' });
    await sendInbound(emulator.url, { from: user, body: 'START' });
    const conversation = await settledConversation(emulator.url, user);
    expect(conversation.messages.map((m) => [m.kind, m.status])).toEqual([
      ['inbound', 'received'],
      ['twiml', 'read'],
      ['inbound', 'received'],
      ['twiml', 'read'],
    ]);
    expect(conversation.messages[1]!.body).toMatch(/unsubscribed/);
    expect(conversation.messages[3]!.body).toMatch(/Welcome back/);
  });

  it('"location": the Messages API location message and the TwiML answer, both with their statuses', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'location' });
    const conversation = await settledConversation(emulator.url, user);
    // The function sends the location through the API while the webhook runs, then answers TwiML.
    expect(conversation.messages.map((m) => m.kind)).toEqual(['inbound', 'api', 'twiml']);
    const [, location, twiml] = conversation.messages;
    expect(location).toMatchObject({
      body: 'Twilio HQ',
      location: { latitude: 37.7908, longitude: -122.3931, label: 'Twilio HQ' },
      status: 'read',
    });
    expect(twiml!.body).toBe('📍 Here is where to find us: Twilio HQ');
    for (const message of [location!, twiml!])
      expect(message.callbacks.map((c) => c.httpStatus)).toEqual([204, 204, 204, 204]);
  });

  it('"join <keyword>" to the sandbox is answered by the sandbox itself, without reaching the functions', async () => {
    const user = newUser();
    const answer = await sendInbound(emulator.url, { from: user, body: 'join bright-sun' });
    expect(answer.delivery).toMatchObject({ outcome: 'not-delivered', attempts: [] });
    expect(answer.replies).toEqual([expect.objectContaining({ kind: 'system' })]);
    expect(answer.replies[0]!.body).toContain('You are all set');
    expect((await conversationOf(emulator.url, user)).joinedSandbox).toBe(true);
  });
});

describe('retries and failures', () => {
  it('a delivery that times out is retried once with the same idempotency token', async () => {
    // The first attempt's function is held up by a slow Messages API call (5 s) past the read timeout asked for
    // (2 s); the retry's call is fast. Margins are wide on purpose: nothing here asserts a duration.
    // With the conversation store on, the retry is answered from the record: the location goes out once, when the
    // first attempt's slow call ends.
    await injectFault(emulator, { route: 'messages.create', delayMs: 5000, times: 1 });
    const user = newUser();
    const started = Date.now();
    const answer = await sendInbound(emulator.url, {
      from: user,
      body: 'location',
      connection: { rt: 2000, rc: 1, rp: 'rt' },
    });
    const [first, second] = answer.delivery.attempts;
    expect(answer.delivery.attempts).toHaveLength(2);
    expect(first).toMatchObject({ attempt: 1, failure: 'timeout' });
    expect(first!.httpStatus).toBeUndefined();
    expect(second).toMatchObject({ attempt: 2, httpStatus: 200 });
    expect(second!.idempotencyToken).toBe(first!.idempotencyToken);
    expect(first!.idempotencyToken).toMatch(new RegExp(`^${ACCOUNT_SID}-[0-9a-f]{32}$`));
    expect(answer.delivery.outcome).toBe('answered');
    expect(answer.replies.map((r) => r.body)).toEqual(['📍 Here is where to find us: Twilio HQ']);
    // The first attempt's location is recorded when its delayed call ends (5 s after it began); a second one, from
    // the retry, would be recorded by then too. Wait past that point, then count.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 5500 - Date.now())));
    const { messages } = await conversationOf(emulator.url, user);
    expect(messages.filter((m) => m.kind === 'api' && m.location)).toHaveLength(1);
  });

  it('without a retry policy for timeouts (Twilio retries connection failures only) it is not retried', async () => {
    await injectFault(emulator, { route: 'messages.create', delayMs: 3000, times: 1 });
    const user = newUser();
    const answer = await sendInbound(emulator.url, { from: user, body: 'location', connection: { rt: 1000 } });
    expect(answer.delivery.attempts).toEqual([expect.objectContaining({ attempt: 1, failure: 'timeout' })]);
    expect(answer.delivery).toMatchObject({ outcome: 'failed', errorCode: 11200 });
    // Twilio then asks the fallback URL, which answers its apology.
    expect(answer.delivery.fallback).toMatchObject({ url: `${runtime.url}/whatsapp/fallback`, httpStatus: 200 });
    expect(answer.replies.map((r) => r.body)).toEqual([
      'Sorry, something went wrong on our side. Please try again in a few minutes.',
    ]);
    await runtime.waitForJsonLog(
      (l) => l.event === 'webhook.fallback' && l.messageSid === answer.message.sid && l.errorCode === 11200,
    );
  });

  it('signed with the wrong token, the webhook and its fallback are refused (403): nothing is answered', async () => {
    await configureEmulator(emulator.url, { authToken: 'not-the-functions-token' });
    try {
      const answer = await sendInbound(emulator.url, { from: newUser(), body: 'hi' });
      expect(answer.delivery).toMatchObject({ outcome: 'failed', httpStatus: 403, errorCode: 11200 });
      expect(answer.delivery.fallback).toMatchObject({ httpStatus: 403 });
      expect(answer.replies).toEqual([]);
    } finally {
      await configureEmulator(emulator.url, { authToken: AUTH_TOKEN });
    }
  });
});

describe('the 24-hour window and the sandbox', () => {
  const client = () => createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url });

  it('25 h later free-form fails at the REST call (63016), an approved template goes; writing reopens', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'hi' });
    expect((await client().messages.create({ from: SANDBOX, to: user, body: 'within the window' })).status).toBe(
      'queued',
    );

    const clock = await advanceClock(emulator.url, '25h');
    expect(clock.offsetMs).toBeGreaterThanOrEqual(25 * 3600_000);
    const refused = await client()
      .messages.create({ from: SANDBOX, to: user, body: 'a day later' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: 63016 });
    expect((refused as Error).message).toMatch(/outside the allowed window/);
    expect((await conversationOf(emulator.url, user)).windows).toEqual([
      expect.objectContaining({ bot: SANDBOX, open: false }),
    ]);

    const template = await client().messages.create({
      from: SANDBOX,
      to: user,
      contentSid: approvedSid,
      contentVariables: '{"1":"Ada"}',
    });
    expect(template.status).toBe('queued');
    // A template WhatsApp has not approved is no way out of the window either.
    const unapproved = await client()
      .messages.create({ from: SANDBOX, to: user, contentSid: unapprovedSid })
      .catch((e: unknown) => e);
    expect(unapproved).toMatchObject({ status: 400, code: 63016 });

    await sendInbound(emulator.url, { from: user, body: 'hi again' });
    await client().messages.create({ from: SANDBOX, to: user, body: 'the window is open again' });
    const conversation = await settledConversation(emulator.url, user);
    expect(
      conversation.messages
        .filter((m) => m.direction === 'outbound')
        .map((m) => [m.kind, m.contentSid ?? m.body, m.status]),
    ).toEqual([
      ['twiml', expect.stringContaining('Hi'), 'read'],
      ['api', 'within the window', 'read'],
      ['template', approvedSid, 'read'],
      ['twiml', expect.stringContaining("didn't catch"), 'read'],
      ['api', 'the window is open again', 'read'],
    ]);
    const sentTemplate = conversation.messages.find((m) => m.kind === 'template')!;
    expect(sentTemplate.contentVariables).toEqual({ '1': 'Ada' });
    expect(sentTemplate.body).toBe(
      'Hello Ada, your order #10452 is out for delivery. Reply STOP to stop these updates.',
    );
  });

  it('from the sandbox to a user who has not joined: accepted, then failed 63015 in the status callback', async () => {
    const user = newUser();
    // The user wrote to another number, so the emulator knows them, but they never joined the sandbox.
    await sendInbound(emulator.url, { from: user, to: OTHER_BOT, body: 'hi' });
    const sent = await client().messages.create({ from: SANDBOX, to: user, contentSid: approvedSid });
    expect(sent.status).toBe('queued');
    const conversation = await settledConversation(emulator.url, user);
    const failed = conversation.messages.find((m) => m.sid === sent.sid)!;
    expect(failed).toMatchObject({ status: 'failed', errorCode: 63015 });
    expect(failed.statuses.map((s) => s.status)).toEqual(['queued', 'failed']);
    expect(failed.callbacks.map((c) => [c.status, c.httpStatus])).toEqual([
      ['queued', 204],
      ['failed', 204],
    ]);
    await runtime.waitForJsonLog(
      (l) => l.event === 'message.status' && l.messageSid === sent.sid && l.errorCode === 63015,
    );
  });

  it('a user the emulator never saw write is let through, unless unknownUsers is "enforce"', async () => {
    const stranger = newUser();
    expect((await client().messages.create({ from: SANDBOX, to: stranger, body: 'hello' })).status).toBe('queued');
    await configureEmulator(emulator.url, { unknownUsers: 'enforce' });
    try {
      const refused = await client()
        .messages.create({ from: SANDBOX, to: newUser(), body: 'hello' })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400, code: 63016 });
    } finally {
      await configureEmulator(emulator.url, { unknownUsers: 'allow' });
    }
  });
});

describe('control endpoints', () => {
  it('GET /__emulator/config never shows the auth token; bad settings are refused naming the field', async () => {
    const config = await readConfig(emulator.url);
    expect(config).toMatchObject({
      incomingUrl: `${runtime.url}/whatsapp/incoming`,
      authToken: 'set',
      accountSid: ACCOUNT_SID,
    });
    expect(JSON.stringify(config)).not.toContain(AUTH_TOKEN);
    const bad = await fetch(`${emulator.url}/__emulator/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ statusUrl: 'ftp://nowhere', statusStepMs: -1, colour: 'blue' }),
    });
    expect(bad.status).toBe(400);
    const problems = ((await bad.json()) as { problems: { path: string }[] }).problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(['statusUrl', 'statusStepMs']));
  });

  it('bad inbound messages and clock moves are refused naming the field', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${emulator.url}/__emulator/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noKind = await post('inbound', { from: '+15005550006' });
    expect(noKind.status).toBe(400);
    expect(JSON.stringify(await noKind.json())).toContain('give body (text), media, location or button');
    const badFrom = await post('inbound', { from: '12345', body: 'hi' });
    expect(((await badFrom.json()) as { problems: { path: string }[] }).problems[0]!.path).toBe('from');
    const badOverride = await post('inbound', { from: '+15005550006', body: 'hi', connection: { rt: 99999 } });
    expect(badOverride.status).toBe(400);
    expect(JSON.stringify(await badOverride.json())).toContain('rt: must be a whole number from 100 to 15000');
    const badClock = await post('clock', { advance: 'tomorrow' });
    expect(badClock.status).toBe(400);
    expect(((await badClock.json()) as { problems: unknown[] }).problems).toEqual([
      { path: 'advance', message: 'must be a duration such as "25h", "90m", "1h30m" or "2d"' },
    ]);
  });
});

describe('what the emulator sends, checked with twilio-node', () => {
  type Captured = { url: string; headers: IncomingMessage['headers']; params: Record<string, string> };
  let capture: Server;
  let captureUrl: string;
  const captured: Captured[] = [];
  let answer = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

  beforeAll(async () => {
    capture = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        captured.push({
          url: `${captureUrl}${req.url}`,
          headers: req.headers,
          params: Object.fromEntries(new URLSearchParams(raw)),
        });
        res.writeHead(200, { 'Content-Type': 'text/xml' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    captureUrl = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
    await configureEmulator(emulator.url, {
      incomingUrl: `${captureUrl}/incoming`,
      statusUrl: `${captureUrl}/status`,
      fallbackUrl: `${captureUrl}/fallback`,
    });
  });
  afterAll(async () => {
    await configureEmulator(emulator.url, webhooks());
    await new Promise<void>((resolve) => capture.close(() => resolve()));
  });

  const lastInbound = () => captured.filter((c) => c.url.endsWith('/incoming')).at(-1)!;
  const validByTwilio = (c: Captured) =>
    twilio.validateRequest(AUTH_TOKEN, String(c.headers['x-twilio-signature']), c.url, c.params);

  it('text: Twilio’s fields and headers, signed as twilio-node expects', async () => {
    const user = newUser();
    const sent = await sendInbound(emulator.url, { from: user, body: 'hello there', profileName: 'Grace' });
    const c = lastInbound();
    expect(validByTwilio(c)).toBe(true);
    expect(c.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(c.headers['i-twilio-idempotency-token']).toBe(sent.delivery.attempts[0]!.idempotencyToken);
    expect(c.params).toEqual({
      SmsMessageSid: sent.message.sid,
      NumMedia: '0',
      ProfileName: 'Grace',
      MessageType: 'text',
      SmsSid: sent.message.sid,
      WaId: user.replace('whatsapp:+', ''),
      SmsStatus: 'received',
      Body: 'hello there',
      To: SANDBOX,
      NumSegments: '1',
      ReferralNumMedia: '0',
      MessageSid: sent.message.sid,
      AccountSid: ACCOUNT_SID,
      From: user,
      ApiVersion: '2010-04-01',
    });
  });

  it('media, location and button taps carry their own fields', async () => {
    const user = newUser();
    await sendInbound(emulator.url, { from: user, body: 'my receipt', media: [{ contentType: 'application/pdf' }] });
    let c = lastInbound();
    expect(validByTwilio(c)).toBe(true);
    expect(c.params).toMatchObject({
      NumMedia: '1',
      MessageType: 'document',
      Body: 'my receipt',
      MediaContentType0: 'application/pdf',
    });
    expect(c.params.MessageSid).toMatch(/^MM/);
    expect(c.params.MediaUrl0).toMatch(/\/Media\/ME[0-9a-f]{32}$/);

    await sendInbound(emulator.url, { from: user, location: { latitude: -33.8688, longitude: 151.2093 } });
    c = lastInbound();
    expect(c.params).toMatchObject({
      MessageType: 'location',
      Latitude: '-33.8688',
      Longitude: '151.2093',
      Body: '',
      NumMedia: '0',
    });
    expect(c.params.Label).toBeUndefined();

    await sendInbound(emulator.url, { from: user, button: { text: 'Our location', payload: 'location' } });
    c = lastInbound();
    expect(validByTwilio(c)).toBe(true);
    expect(c.params).toMatchObject({
      MessageType: 'button',
      Body: 'Our location',
      ButtonText: 'Our location',
      ButtonPayload: 'location',
    });
  });

  it('TwiML with <Body>, <Media> and an action URL: each message recorded, callbacks sent to the action', async () => {
    answer =
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
      '<Message action="/message-status"><Body>one</Body><Media>https://example.com/a.png</Media></Message>' +
      '<Message>two &amp; more</Message></Response>';
    const user = newUser();
    const sent = await sendInbound(emulator.url, { from: user, body: 'hi' });
    expect(sent.replies.map((r) => [r.body, r.media?.map((m) => m.url), r.sid.slice(0, 2)])).toEqual([
      ['one', ['https://example.com/a.png'], 'MM'],
      ['two & more', undefined, 'SM'],
    ]);
    const conversation = await settledConversation(emulator.url, user);
    const [first, second] = conversation.messages.slice(1);
    expect(first!.callbacks.every((cb) => cb.url === `${captureUrl}/message-status`)).toBe(true);
    expect(second!.callbacks.every((cb) => cb.url === `${captureUrl}/status`)).toBe(true);
    const callback = captured.find((c) => c.url.endsWith('/message-status') && c.params.MessageStatus === 'read')!;
    expect(validByTwilio(callback)).toBe(true);
    expect(callback.params).toMatchObject({
      MessageSid: first!.sid,
      SmsStatus: 'read',
      To: user,
      From: SANDBOX,
      AccountSid: ACCOUNT_SID,
      ChannelPrefix: 'whatsapp',
    });
  });

  it('TwiML that is not well-formed is error 12100', async () => {
    answer = '<Response><Message>unclosed</Response>';
    const sent = await sendInbound(emulator.url, { from: newUser(), body: 'hi' });
    expect(sent.delivery).toMatchObject({ outcome: 'failed', errorCode: 12100 });
    expect(sent.replies).toEqual([]);
  });
});
