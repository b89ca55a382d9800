/**
 * lib/twilio-api/http-requester.ts: the webhooks' Sync and the admin routes' requester, against the emulator (and twilio-node's client on
 * the same requests) and against raw local servers for what the emulator does not do (hang, flood, keep-alive).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '../../../dev/emulator/server';
import { isTwilioApiError, twilioRequest, type TwilioCall } from '../../../lib/twilio-api';
import { createHttpRequester } from '../../../lib/twilio-api/http-requester';
import { createTwilioClient } from '../../../lib/twilio-client';

const ACCOUNT_SID = `AC${'4'.repeat(32)}`;
const AUTH_TOKEN = 'requester-test-token';
const DOCUMENTS = 'https://sync.twilio.com/v1/Services/default/Documents';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

const callWith = (client: TwilioCall['client'], deadlineMs = 5000): TwilioCall => ({
  client,
  deadline: Date.now() + deadlineMs,
  retry: { maxAttempts: 1 },
});
const lean = () => createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url });

/** A server on 127.0.0.1 answering with `handler`; counts the TCP connections it accepted. */
async function rawServer(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server; connections: () => number }> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, connections: () => connections };
}
const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

describe('createHttpRequester against the emulator', () => {
  it('creates, reads and conditionally updates a Sync document, form-encoded and signed as the account', async () => {
    const call = callWith(lean());
    const created = await twilioRequest(
      call,
      'post',
      DOCUMENTS,
      { UniqueName: 'requester-a', Data: '{"n":1}' },
      { encoding: 'form' },
    );
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({ unique_name: 'requester-a', data: { n: 1 }, revision: '0' });
    const [recorded] = emulator.requestsFor('sync.documents.create').slice(-1);
    expect(recorded).toMatchObject({ authUser: ACCOUNT_SID, contentType: 'application/x-www-form-urlencoded' });

    const updated = await twilioRequest(
      call,
      'post',
      `${DOCUMENTS}/requester-a`,
      { Data: '{"n":2}' },
      {
        encoding: 'form',
        headers: { 'If-Match': '0' },
      },
    );
    expect(updated.body).toMatchObject({ data: { n: 2 }, revision: '1' });

    const stale = await twilioRequest(
      call,
      'post',
      `${DOCUMENTS}/requester-a`,
      { Data: '{"n":3}' },
      {
        encoding: 'form',
        headers: { 'If-Match': '0' },
      },
    ).catch((error: unknown) => error);
    expect(isTwilioApiError(stale) && stale.failure).toMatchObject({ kind: 'twilio', status: 412, code: 54103 });
  });

  it('answers a read exactly as twilio-node does (status and parsed body)', async () => {
    await twilioRequest(
      callWith(lean()),
      'post',
      DOCUMENTS,
      { UniqueName: 'requester-b', Data: '{"same":true}' },
      {
        encoding: 'form',
      },
    );
    const viaTwilioNode = createTwilioClient({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: emulator.url,
    });
    const [ours, theirs] = await Promise.all([
      twilioRequest(callWith(lean()), 'get', `${DOCUMENTS}/requester-b`),
      twilioRequest(callWith(viaTwilioNode), 'get', `${DOCUMENTS}/requester-b`),
    ]);
    expect(ours.statusCode).toBe(200);
    expect(ours.body).toEqual(theirs.body);
    expect(ours.headers['content-type']).toEqual(theirs.headers['content-type']);
  });

  it("signs as a subaccount when the call carries the subaccount's credentials", async () => {
    const subaccount = `AC${'5'.repeat(32)}`;
    const call = { ...callWith(lean()), auth: { username: subaccount, password: 'sub-token' } };
    await twilioRequest(call, 'get', `${DOCUMENTS}?PageSize=5`);
    const [recorded] = emulator.requestsFor('sync.documents.list').slice(-1);
    expect(recorded?.authUser).toBe(subaccount);
  });
});

describe('createHttpRequester on the wire', () => {
  it('calls https URLs over TLS (node:https, loaded on first use); a dropped connection is a network failure', async () => {
    // A bare TCP server: it records the first byte the client sends (0x16 opens a TLS handshake), then hangs up.
    let firstByte: number | undefined;
    const server = createNetServer((socket) =>
      socket.once('data', (data: Buffer) => {
        firstByte = data[0];
        socket.destroy();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const requester = createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
      const failure = await twilioRequest(callWith(requester), 'get', `https://127.0.0.1:${port}/v1/x`).catch(
        (e: unknown) => e,
      );
      expect(firstByte).toBe(0x16);
      expect(isTwilioApiError(failure) && failure.failure).toMatchObject({ kind: 'network', attempts: 1 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps one connection alive across requests', async () => {
    const raw = await rawServer((_req, res) => res.end('{"ok":true}'));
    try {
      const requester = createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: raw.url });
      for (let i = 0; i < 5; i++) await twilioRequest(callWith(requester), 'get', `${DOCUMENTS}/x`);
      expect(raw.connections()).toBe(1);
    } finally {
      await closeServer(raw.server);
    }
  });

  it('gives up on a server that never answers, as a timeout, within the deadline', async () => {
    const raw = await rawServer(() => undefined);
    try {
      const requester = createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: raw.url });
      const failure = await twilioRequest(callWith(requester, 300), 'get', `${DOCUMENTS}/x`).catch((e: unknown) => e);
      expect(isTwilioApiError(failure) && failure.failure.kind).toBe('timeout');
    } finally {
      await closeServer(raw.server);
    }
  });

  it('refuses an answer far larger than any Sync page, as a network failure', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const raw = await rawServer((_req, res) => {
      for (let i = 0; i < 9; i++) res.write(chunk);
      res.end();
    });
    try {
      const requester = createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: raw.url });
      const failure = await twilioRequest(callWith(requester), 'get', `${DOCUMENTS}/x`).catch((e: unknown) => e);
      expect(isTwilioApiError(failure) && failure.failure.kind).toBe('network');
    } finally {
      await closeServer(raw.server);
    }
  });

  it('puts the same form and JSON bodies on the wire as twilio-node (the admin routes moved to it)', async () => {
    const seen: { contentType: unknown; body: string }[] = [];
    const raw = await rawServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ contentType: req.headers['content-type'], body });
        res.setHeader('content-type', 'application/json');
        res.end('{"sid":"SM1"}');
      });
    });
    try {
      const clients = [
        createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: raw.url }),
        createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: raw.url }),
      ];
      // A Messages API send: repeated keys, characters form encoding must escape, non-ASCII, an empty value.
      const form = {
        To: 'whatsapp:+15005550006',
        Body: 'a&b=c + ü 😀\n',
        MediaUrl: ['https://x/1?a=1', 'https://x/2'],
        X: '',
      };
      const json = { friendly_name: 'Ünïcode & co', types: { 'twilio/text': { body: 'Hi {{1}}' } }, n: [1, 2] };
      const messages = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
      for (const client of clients) {
        await twilioRequest(callWith(client), 'post', messages, form, { encoding: 'form' });
        await twilioRequest(callWith(client), 'post', 'https://content.twilio.com/v1/Content', json);
      }
      const [oursForm, oursJson, theirsForm, theirsJson] = seen;
      expect(oursForm?.contentType).toBe(theirsForm?.contentType);
      expect([...new URLSearchParams(oursForm?.body)]).toEqual([...new URLSearchParams(theirsForm?.body)]);
      expect([...new URLSearchParams(oursForm?.body)]).toContainEqual(['MediaUrl', 'https://x/2']);
      expect(oursJson?.contentType).toBe(theirsJson?.contentType);
      expect(JSON.parse(oursJson?.body ?? '')).toEqual(JSON.parse(theirsJson?.body ?? ''));
    } finally {
      await closeServer(raw.server);
    }
  });

  it('sends JSON bodies as JSON and never puts the token anywhere but the Authorization header', async () => {
    let seen: { headers: Record<string, unknown>; body: string; url: string } | undefined;
    const raw = await rawServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { headers: req.headers, body, url: req.url ?? '' };
        res.end('{}');
      });
    });
    try {
      const requester = createHttpRequester({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: raw.url });
      await twilioRequest(callWith(requester), 'post', 'https://content.twilio.com/v1/Content', { a: [1, 2] });
      expect(seen?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen?.body ?? '')).toEqual({ a: [1, 2] });
      expect(seen?.url).toBe('/v1/Content');
      const basic = Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
      expect(seen?.headers.authorization).toBe(`Basic ${basic}`);
      expect(JSON.stringify({ ...seen, headers: { ...seen?.headers, authorization: '' } })).not.toContain(AUTH_TOKEN);
    } finally {
      await closeServer(raw.server);
    }
  });
});
