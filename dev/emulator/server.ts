/**
 * The local Twilio API emulator: a small stateful HTTP server answering the Twilio REST endpoints this
 * project calls, checking each request against the official contract (contracts/, from twilio-oai) and
 * recording it. Tests, benchmarks and the offline `npm start` point TWILIO_API_BASE_URL at it.
 *
 * Each endpoint family is a module exporting EmulatorRoute[] (messages.ts, senders.ts ...), listed in
 * routeModules below. Control endpoints live under /__emulator/:
 *   GET  /__emulator/requests[?route=name]   what was received (parsed bodies, account, time)
 *   POST /__emulator/faults                   {route, status?, code?, delayMs?, times?, afterHandling?} injects a fault
 *   POST /__emulator/reset                    forgets requests, faults and resources
 * Route modules add their own control routes (`control: true`), e.g. senders.ts: POST /__emulator/senders/{Sid}/offline,
 * content.ts: POST /__emulator/content/{Sid}/reject and /approve.
 *
 * It also plays Twilio toward the functions (docs/emulator.md): inbound.ts delivers signed inbound webhooks,
 * conversation.ts keeps each user's conversation, sends status callbacks and enforces the 24-hour window,
 * clock.ts keeps the clock tests move forward.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SID_PATTERNS } from '../../lib/sids';
import { clockRoutes } from './clock';
import { contentRoutes } from './content';
import { conversationRoutes } from './conversation';
import { inboundRoutes } from './inbound';
import { messageRoutes } from './messages';
import { senderRoutes } from './senders';
import { syncRoutes } from './sync';
import type { WebhookConfig } from './deliver';

export type EmulatorRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** The account the Basic credentials name (username: AC... or an API key SK...). */
  authUser: string;
  /** Parsed body: form fields (repeated keys become arrays) or JSON. */
  body: unknown;
};

export type EmulatorReply = { status: number; body?: unknown; headers?: Record<string, string> };

export type EmulatorRoute = {
  /** Stable name used in recordings and fault injection, e.g. "messages.create". */
  name: string;
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  pattern: RegExp;
  handle(
    request: EmulatorRequest,
    match: RegExpMatchArray,
    emulator: EmulatorState,
  ): EmulatorReply | Promise<EmulatorReply>;
  /** A control endpoint of the module (path under /__emulator/): no auth, no recording, no faults. */
  control?: boolean;
};

export type RecordedRequest = {
  route: string;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authUser: string;
  body: unknown;
  status: number;
  at: number;
};

export type Fault = {
  /** Route name, "*" for every route, or a family such as "sync.*". */
  route: string;
  /** Answer this status instead of the real one (429, 500, 503 ...). */
  status?: number;
  /** Twilio error code to put in the fault's body. */
  code?: number;
  /** Wait this long before answering (with or without a status). */
  delayMs?: number;
  /** How many requests it applies to (default 1). */
  times?: number;
  /** Retry-After header value (seconds) for 429s. */
  retryAfter?: number;
  /**
   * Carry the request out first (a create creates), then answer the fault's status instead of the real answer:
   * Twilio did the work but the answer was lost on its way back. Default false: the request is refused untouched.
   */
  afterHandling?: boolean;
};

/** Options each route module may read (timings of simulated state changes and the like). */
export type EmulatorOptions = {
  /** How long a new sender stays CREATING before going ONLINE (ms). */
  senderOnlineDelayMs?: number;
  /** Where the functions are and how to sign for them (conversation.ts; also POST /__emulator/config). */
  webhooks?: Partial<WebhookConfig>;
  /** Time between a sent message's statuses, queued -> sent -> delivered -> read (ms, default 200). */
  statusStepMs?: number;
  /** "enforce": users the emulator never saw write are outside the window too (default "allow"). */
  unknownUsers?: 'allow' | 'enforce';
  /** The sandbox number (E.164, default lib/config's) and keyword ("join <keyword>" is answered by the emulator). */
  sandboxNumber?: string;
  sandboxKeyword?: string;
  [option: string]: unknown;
};

export type EmulatorState = {
  options: EmulatorOptions;
  /** Per-family resource stores; each route module keeps its own key. */
  stores: Map<string, unknown>;
  requests: RecordedRequest[];
  faults: Fault[];
  /** A new SID with the given two-letter prefix. */
  newSid(prefix: string): string;
  /** Runs `task` after `ms` unless the emulator is reset or closed first (status progressions). */
  later(ms: number, task: () => unknown): void;
  /** Aborted when the emulator closes: requests it makes toward the functions stop then. */
  closing: AbortSignal;
};

export type Emulator = {
  url: string;
  state: EmulatorState;
  server: Server;
  close(): Promise<void>;
  /** Requests recorded for one route name. */
  requestsFor(route: string): RecordedRequest[];
};

/** Route modules import helpers from this file, so the list is read when a server starts, not at load time. */
const routeModules = (): EmulatorRoute[][] => [
  messageRoutes,
  senderRoutes,
  contentRoutes,
  inboundRoutes,
  conversationRoutes,
  clockRoutes,
  syncRoutes,
];

/** Twilio's error body for the 2010 API (`code`, `message`, `more_info`, `status`). */
export function twilioError(status: number, code: number, message: string): EmulatorReply {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export function parseForm(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const prior = out[key];
    out[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

function basicAuthUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const [user, password] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
  if (!user || !password || !(SID_PATTERNS.account.test(user) || SID_PATTERNS.apiKey.test(user))) return undefined;
  return user;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: EmulatorReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  if (Buffer.isBuffer(reply.body)) {
    // Raw bytes (media files), sent as they are with the route's Content-Type.
    res.writeHead(reply.status, headers).end(reply.body);
    return;
  }
  headers['Content-Type'] ??= 'application/json';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the first matching fault, counting it down. */
export function takeFault(state: EmulatorState, route: string): Fault | undefined {
  const index = state.faults.findIndex(
    (f) => f.route === route || f.route === '*' || (f.route.endsWith('.*') && route.startsWith(f.route.slice(0, -1))),
  );
  if (index === -1) return undefined;
  const fault = state.faults[index]!;
  const left = (fault.times ?? 1) - 1;
  if (left <= 0) state.faults.splice(index, 1);
  else state.faults[index] = { ...fault, times: left };
  return fault;
}

async function handleControl(
  state: EmulatorState,
  req: EmulatorRequest,
  clearTimers: () => void,
): Promise<EmulatorReply> {
  if (req.method === 'GET' && req.path === '/__emulator/requests') {
    const route = req.query.get('route');
    return { status: 200, body: { requests: state.requests.filter((r) => !route || r.route === route) } };
  }
  if (req.method === 'POST' && req.path === '/__emulator/faults') {
    const fault = req.body as Fault;
    if (!fault || typeof fault.route !== 'string') return { status: 400, body: { message: 'a fault needs "route"' } };
    state.faults.push(fault);
    return { status: 201, body: { faults: state.faults } };
  }
  if (req.method === 'POST' && req.path === '/__emulator/reset') {
    state.requests.length = 0;
    state.faults.length = 0;
    state.stores.clear();
    clearTimers();
    return { status: 204 };
  }
  return { status: 404, body: { message: `no emulator control endpoint ${req.method} ${req.path}` } };
}

/** Starts the emulator on 127.0.0.1 (port 0: any free port). */
export async function startEmulator(options: EmulatorOptions & { port?: number } = {}): Promise<Emulator> {
  const routes = routeModules().flat();
  const timers = new Set<NodeJS.Timeout>();
  const clearTimers = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  const closing = new AbortController();
  const state: EmulatorState = {
    options,
    stores: new Map(),
    requests: [],
    faults: [],
    newSid: (prefix) => prefix + randomBytes(16).toString('hex'),
    later(ms, task) {
      if (closing.signal.aborted) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void Promise.resolve()
          .then(task)
          .catch(() => undefined);
      }, ms);
      timers.add(timer);
    },
    closing: closing.signal,
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      const rawBody = await readBody(req);
      const contentType = req.headers['content-type'];
      let body: unknown;
      if (rawBody) {
        if (contentType?.startsWith('application/json')) {
          try {
            body = JSON.parse(rawBody);
          } catch {
            send(res, twilioError(400, 20001, 'Request body is not valid JSON.'));
            return;
          }
        } else {
          body = parseForm(rawBody);
        }
      }
      const request: EmulatorRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        authUser: '',
        body,
      };
      let match: RegExpMatchArray | null = null;
      if (url.pathname.startsWith('/__emulator/')) {
        const control = routes.find(
          (r) => r.control && r.method === request.method && (match = url.pathname.match(r.pattern)) !== null,
        );
        const reply =
          control && match ? control.handle(request, match, state) : handleControl(state, request, clearTimers);
        send(res, await reply);
        return;
      }
      const found = routes.find(
        (r) => !r.control && r.method === request.method && (match = url.pathname.match(r.pattern)) !== null,
      );
      if (!found || !match) {
        send(res, twilioError(404, 20404, `The requested resource ${url.pathname} was not found`));
        return;
      }
      const record = (status: number) =>
        state.requests.push({
          route: found.name,
          method: request.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          contentType,
          authUser: request.authUser,
          body,
          status,
          at: Date.now(),
        });
      const user = basicAuthUser(req.headers.authorization);
      if (!user) {
        record(401);
        send(res, twilioError(401, 20003, 'Authentication Error - No credentials provided'));
        return;
      }
      request.authUser = user;
      const fault = takeFault(state, found.name);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.status && fault.afterHandling) {
        const handled = match;
        await Promise.resolve()
          .then(() => found.handle(request, handled, state))
          .catch(() => undefined);
      }
      if (fault?.status) {
        record(fault.status);
        const reply = twilioError(
          fault.status,
          fault.code ?? (fault.status === 429 ? 20429 : 20500),
          `Injected fault (${fault.status})`,
        );
        if (fault.retryAfter !== undefined) reply.headers = { 'Retry-After': String(fault.retryAfter) };
        send(res, reply);
        return;
      }
      let reply: EmulatorReply;
      try {
        reply = await found.handle(request, match, state);
      } catch (error) {
        reply = twilioError(500, 20500, `Emulator error: ${error instanceof Error ? error.message : String(error)}`);
      }
      record(reply.status);
      send(res, reply);
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, twilioError(500, 20500, String(error)));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    server,
    requestsFor: (route) => state.requests.filter((r) => r.route === route),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        clearTimers();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
