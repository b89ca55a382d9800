/**
 * The bot's menu as buttons, end to end: the menu template created in the emulator from templates/bot_menu.json
 * with the code `npm run templates` uses, the built incoming function served by the real local runtime with
 * MENU_CONTENT_SID set, signed webhooks in, the interactive message observed at the emulator, taps back in.
 * And the fallback to the text menu in TwiML when the Messages API fails or the template is gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContentApi } from '../../cli/templates/api';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { ROOT } from '../../dev/paths';
import { contentCreateBody, templateFileSchema } from '../../lib/templates';
import { createTwilioClient } from '../../lib/twilio-client';
import { injectFault } from '../support/emulator-control';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { parseTwiml } from '../support/twiml';
import { postWebhook, type FormParams } from '../support/twilio-request';

const AUTH_TOKEN = 'menu-buttons-test-token-0123456789';
const ACCOUNT_SID = 'AC' + '2'.repeat(32);
const USER = 'whatsapp:+15005550006';
const BOT = 'whatsapp:+14155238886';

let emulator: Emulator;
let runtime: RunningRuntime;
let menuSid: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const template = templateFileSchema.parse(JSON.parse(readFileSync(join(ROOT, 'templates', 'bot_menu.json'), 'utf8')));
  const api = createContentApi(
    createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url }),
  );
  menuSid = (await api.create(contentCreateBody(template))).sid;
  runtime = await startRuntime({
    env: { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url, MENU_CONTENT_SID: menuSid },
  });
});
afterAll(async () => {
  await runtime?.stop();
  await emulator?.close();
});

let counter = 0;
async function send(fields: FormParams) {
  counter += 1;
  const params = {
    MessageSid: `SM${String(counter).padStart(32, '0')}`,
    AccountSid: ACCOUNT_SID,
    From: USER,
    To: BOT,
    NumMedia: '0',
    ProfileName: 'Ada',
    ...fields,
  };
  const res = await postWebhook(runtime.url, '/whatsapp/incoming', params, { authToken: AUTH_TOKEN });
  expect(res.status).toBe(200);
  expect(res.contentType).toMatch(/^text\/xml/);
  return parseTwiml(res.body);
}
const sentMessages = () => emulator.requestsFor('messages.create');

it('menu -> the interactive message (Messages API) and an empty TwiML; a tap -> the command’s answer', async () => {
  const before = sentMessages().length;
  expect(await send({ Body: 'menu' })).toEqual([]);
  const sent = sentMessages().slice(before);
  expect(sent).toHaveLength(1);
  // Exactly From, To and ContentSid: no Body beside the ContentSid.
  expect(sent[0]!.body).toEqual({ From: BOT, To: USER, ContentSid: menuSid });
  expect(sent[0]!.status).toBe(201);

  // The user taps "Sample image": Twilio posts the button's title and id.
  const tapped = await send({
    Body: 'Sample image',
    ButtonText: 'Sample image',
    ButtonPayload: 'media',
    MessageType: 'button',
  });
  expect(tapped).toHaveLength(1);
  expect(tapped[0]!.media).toEqual([`${runtime.url}/media/whatsapp-sample.png`]);

  const styles = await send({
    Body: 'Text styles',
    ButtonText: 'Text styles',
    ButtonPayload: 'format',
    MessageType: 'button',
  });
  expect(styles[0]!.body).toMatch(/^\*WhatsApp formatting\*/);
  // A list-picker choice arrives as ListId / ListTitle and answers the same.
  const listed = await send({
    Body: 'Text styles',
    ListTitle: 'Text styles',
    ListId: 'format',
    MessageType: 'interactive',
  });
  expect(listed[0]!.body).toBe(styles[0]!.body);
  expect(sentMessages()).toHaveLength(before + 1);
});

it('help sends the same template', async () => {
  const before = sentMessages().length;
  expect(await send({ Body: ' Help! ' })).toEqual([]);
  expect(
    sentMessages()
      .slice(before)
      .map((r) => r.body),
  ).toEqual([{ From: BOT, To: USER, ContentSid: menuSid }]);
});

it('a retried menu webhook (same MessageSid) sends the interactive message once, and answers the same', async () => {
  const before = sentMessages().length;
  const params = {
    MessageSid: `SM${'e'.repeat(32)}`,
    AccountSid: ACCOUNT_SID,
    From: 'whatsapp:+15005550099',
    To: BOT,
    NumMedia: '0',
    Body: 'menu',
  };
  const first = await postWebhook(runtime.url, '/whatsapp/incoming', params, { authToken: AUTH_TOKEN });
  const retry = await postWebhook(runtime.url, '/whatsapp/incoming', params, { authToken: AUTH_TOKEN });
  expect(retry.body).toBe(first.body);
  const interactive = sentMessages()
    .slice(before)
    .filter((m) => (m.body as { ContentSid?: string } | undefined)?.ContentSid);
  expect(interactive).toHaveLength(1);
});

it('when the Messages API fails, the text menu in TwiML', async () => {
  await injectFault(emulator, { route: 'messages.create', status: 503 });
  const messages = await send({ Body: 'menu' });
  expect(messages).toHaveLength(1);
  expect(messages[0]!.body).toContain('Hi Ada!');
  expect(messages[0]!.body).toContain('*media*');
  await runtime.waitForJsonLog((l) => l.event === 'content.not_sent' && l.httpStatus === 503);
});

it('when the template is gone (21655), the text menu in TwiML', async () => {
  const res = await fetch(`${emulator.url}/v1/Content/${menuSid}`, {
    method: 'DELETE',
    headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` },
  });
  expect(res.status).toBe(204);
  const messages = await send({ Body: 'menu' });
  expect(messages[0]!.body).toContain('*media*');
  const refused = sentMessages().at(-1)!;
  expect(refused).toMatchObject({ status: 400, body: { ContentSid: menuSid } });
  await runtime.waitForJsonLog((l) => l.event === 'content.not_sent' && l.errorCode === 21655);
});
