/**
 * Calls a function's `handler(context, event, callback)` in this process, the way the Functions runtime does:
 * the context, event, global `Twilio` and `Twilio.Response` come from @twilio/runtime-handler's own code (its
 * route module, the one twilio-run serves with), and the answer is read back as the runtime would send it.
 * For the many edge cases (auth, bad input, settings, error bodies); test/server keeps what only real HTTP shows.
 *
 * By default the built function (dist/functions/<path>.js, what deploys; run `npm run build` first) is loaded;
 * HARNESS_FROM=source (or `from: 'source'`) loads functions/<path>.ts instead.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseForm } from 'node:querystring';
import { startEmulator, type EmulatorOptions } from '../../dev/emulator/server';
import { ROOT } from '../../dev/paths';
import { formBody, signatureFor, type FormParams } from './twilio-request';

type RuntimeResponse = { statusCode: number; headers: Record<string, string | string[]>; body: unknown };
type Callback = (error: unknown, payload?: unknown) => void;
type Handler = (context: Record<string, unknown>, event: Record<string, unknown>, callback: Callback) => void;

type RuntimeConfig = { url: string; env: Record<string, string>; baseDir: string };

/** The parts of the runtime's route module (dist/dev-runtime/route.js) used here. */
type RuntimeRoute = {
  constructHeaders(rawHeaders: string[]): Record<string, string | string[]>;
  constructContext(config: RuntimeConfig, path: string): Record<string, unknown>;
  constructGlobalScope(config: RuntimeConfig & { routes: { functions: []; assets: [] } }): void;
};

// The package exports only ./dev; its route and response modules are required by file, next to it.
const RUNTIME_DIR = dirname(require.resolve('@twilio/runtime-handler/dev'));
const runtimeRoute = require(join(RUNTIME_DIR, 'route.js')) as RuntimeRoute;
const { Response } = require(join(RUNTIME_DIR, 'internal', 'response.js')) as { Response: new () => RuntimeResponse };
// The query parser express (under the runtime) uses by default: qs with prototypes allowed.
const qs = require('qs') as { parse(query: string, options: { allowPrototypes: boolean }): Record<string, unknown> };

export type HarnessAnswer = {
  statusCode: number;
  /** Lower-cased names; a repeated header's values joined with ", " (as fetch's Headers.get does). */
  headers: Record<string, string>;
  /** The body as the runtime would send it (JSON bodies serialized). */
  body: string;
  /** The body parsed as JSON ({} when it is not JSON, like test/support/admin.ts). */
  json: Record<string, any>;
};

export type HarnessRequest = {
  method?: 'GET' | 'POST';
  /** The query string's parameters. */
  query?: Record<string, string>;
  /** A form body (encoded and decoded as on the wire) or a JSON body. */
  form?: FormParams;
  json?: unknown;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
};

/** How a webhook is signed: with `authToken` for `signedUrl` (default: the URL called), or `signature` as given. */
export type WebhookSigning = { authToken: string; signature?: string | null; signedUrl?: string };

export type HarnessOptions = {
  /** The variables functions see in `context` (the .env contents). */
  env: Record<string, string>;
  /** The origin the function is served on (DOMAIN_NAME is its host); default http://127.0.0.1:3000. */
  url?: string;
  /** Load the built function (default) or its TypeScript source. */
  from?: 'dist' | 'source';
};

/** functions/<path>.ts or its build, whichever `from` names; `.protected` files are found too. */
export function functionFile(path: string, from: 'dist' | 'source'): string {
  const base = from === 'dist' ? join(ROOT, 'dist', 'functions') : join(ROOT, 'functions');
  const ext = from === 'dist' ? '.js' : '.ts';
  for (const candidate of [`${path}${ext}`, `${path}.protected${ext}`, `${path}.private${ext}`]) {
    const file = join(base, candidate);
    if (existsSync(file)) return file;
  }
  throw new Error(`no function for ${path} in ${base}${from === 'dist' ? ' (run `npm run build` first)' : ''}`);
}

const handlers = new Map<string, Handler>();

function loadHandler(path: string, from: 'dist' | 'source'): Handler {
  const file = functionFile(path, from);
  let handler = handlers.get(file);
  if (!handler) {
    const loaded = require(file) as { handler?: unknown };
    if (typeof loaded.handler !== 'function') throw new Error(`${file} exports no handler function`);
    handler = loaded.handler as Handler;
    handlers.set(file, handler);
  }
  return handler;
}

const isResponse = (value: unknown): value is RuntimeResponse => value instanceof Response;

/** `type` with its charset set to utf-8, as express's res.send does for a string body. */
const withUtf8 = (type: string) => `${type.split(';')[0]!.trim().toLowerCase()}; charset=utf-8`;

/**
 * What reaches the client for the callback's payload: the runtime's handleSuccess / handleError
 * (dist/dev-runtime/route.js), then express's res.set and res.send (charsets, JSON, 204 without a body).
 */
function answerFor(error: unknown, payload: unknown): HarnessAnswer {
  let statusCode = 200;
  let headers: Record<string, string | string[]> = {};
  let body: unknown = payload;
  if (error) {
    statusCode = 500;
    body = error instanceof Error ? { message: error.message, name: error.name, stack: error.stack } : error;
  } else if (typeof payload === 'string') {
    headers = { 'Content-Type': 'text/plain' };
  } else if (isResponse(payload)) {
    // applyToExpressResponse: res.status(statusCode), res.set(headers), res.send(body).
    ({ statusCode, headers, body } = payload);
  }
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value) && value.length === 0) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  let text = '';
  if (typeof body === 'string') {
    text = body;
    flat['content-type'] = flat['content-type'] ? withUtf8(flat['content-type']) : 'text/html; charset=utf-8';
  } else if (body !== null && body !== undefined) {
    text = JSON.stringify(body);
    flat['content-type'] = withUtf8(flat['content-type'] ?? 'application/json');
  } else if (flat['content-type']) {
    flat['content-type'] = withUtf8(flat['content-type']);
  }
  if (statusCode === 204 || statusCode === 304) {
    delete flat['content-type'];
    text = '';
  }
  let json: Record<string, any> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = {};
  }
  return { statusCode, headers: flat, body: text, json };
}

/**
 * A harness for one environment: `call(path, request)` runs the function served at `path` and resolves with
 * its answer. A handler that never calls back rejects after `timeoutMs` (the runtime would hang too).
 */
export function functionHarness(options: HarnessOptions) {
  const url = options.url ?? 'http://127.0.0.1:3000';
  const from = options.from ?? (process.env.HARNESS_FROM === 'source' ? 'source' : 'dist');
  const config = { url, env: options.env, baseDir: ROOT };

  const call = (path: string, request: HarnessRequest = {}, timeoutMs = 15_000): Promise<HarnessAnswer> => {
    runtimeRoute.constructGlobalScope({ ...config, routes: { functions: [], assets: [] } });
    const handler = loadHandler(path, from);
    const method = request.method ?? (request.form || request.json !== undefined ? 'POST' : 'GET');
    const rawHeaders: string[] = ['Host', new URL(url).host];
    let body: Record<string, unknown> = {};
    if (request.form) {
      // As body-parser's urlencoded({extended: false}) reads it: a repeated key becomes an array.
      rawHeaders.push('Content-Type', 'application/x-www-form-urlencoded');
      body = parseForm(formBody(request.form));
    } else if (request.json !== undefined) {
      rawHeaders.push('Content-Type', 'application/json');
      body = JSON.parse(JSON.stringify(request.json)) as Record<string, unknown>;
    }
    for (const [name, value] of Object.entries(request.headers ?? {})) rawHeaders.push(name, value);
    const queryString = new URLSearchParams(request.query ?? {}).toString();
    const query = queryString ? qs.parse(queryString, { allowPrototypes: true }) : {};
    // As the runtime's constructEvent: request (headers, cookies), then query, then body, by Object.assign.
    const runtimeRequest = { headers: runtimeRoute.constructHeaders(rawHeaders), cookies: request.cookies ?? {} };
    const event = Object.assign(Object.assign({ request: runtimeRequest }, query), method === 'POST' ? body : {});
    const context = runtimeRoute.constructContext(config, path);
    return new Promise<HarnessAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${path} did not call back within ${timeoutMs} ms`)), timeoutMs);
      const callback: Callback = (error, payload) => {
        clearTimeout(timer);
        resolve(answerFor(error, payload));
      };
      try {
        handler(context, event, callback);
      } catch (error) {
        callback(error);
      }
    });
  };

  return {
    url,
    call,
    /** POSTs a JSON body with `Authorization: Bearer <token>` (null: no header), as an admin client does. */
    adminPost: (path: string, json: unknown, token: string | null) =>
      call(path, { json, headers: token === null ? {} : { Authorization: `Bearer ${token}` } }),
    /** GETs with a query string and `Authorization: Bearer <token>` (null: no header). */
    adminGet: (path: string, query: Record<string, string>, token: string | null) =>
      call(path, { query, headers: token === null ? {} : { Authorization: `Bearer ${token}` } }),
    /**
     * POSTs a form as Twilio sends a webhook, signed for `signedUrl` (default: this origin + path) unless
     * `signature` is given (null: no header at all).
     */
    webhook: (path: string, form: FormParams, signing: WebhookSigning) => {
      const { authToken, signedUrl = url + path } = signing;
      const signature = signing.signature === undefined ? signatureFor(authToken, signedUrl, form) : signing.signature;
      return call(path, { form, headers: signature === null ? {} : { 'X-Twilio-Signature': signature } });
    },
  };
}

export type FunctionHarness = ReturnType<typeof functionHarness>;

/** `post(path, json)` and `get(path, query)` on the admin routes with one bearer token (null: none). */
export function adminCaller(harness: FunctionHarness, token: string | null) {
  return {
    post: (path: string, json: unknown) => harness.adminPost(path, json, token),
    get: (path: string, query: Record<string, string> = {}) => harness.adminGet(path, query, token),
  };
}

/**
 * Collects what functions print (console.log/warn/error/info) while a suite runs, instead of letting Jest print it:
 * functions log one JSON line per event, as they do in the runtime's logs. Lines are parsed as they arrive.
 */
export function captureLogs() {
  const lines: string[] = [];
  const records: Record<string, unknown>[] = [];
  const collect = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    lines.push(line);
    if (!line.startsWith('{')) return;
    try {
      const parsed: unknown = JSON.parse(line);
      const isRecord = parsed && typeof parsed === 'object' && !Array.isArray(parsed);
      if (isRecord) records.push(parsed as Record<string, unknown>);
    } catch {
      // Not a JSON line: kept in `lines` only.
    }
  };
  const levels = ['log', 'warn', 'error', 'info'] as const;
  const spies = levels.map((level) => jest.spyOn(console, level).mockImplementation(collect));
  return {
    lines,
    jsonLogs: () => [...records],
    /** The first JSON line matching `predicate`; throws with every line when none does (they log synchronously). */
    jsonLog(predicate: (line: Record<string, unknown>) => boolean): Record<string, unknown> {
      const found = records.find(predicate);
      if (!found) throw new Error(`no matching log line; logs:\n${lines.join('\n')}`);
      return found;
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

export type CapturedLogs = ReturnType<typeof captureLogs>;

/**
 * An emulator on 127.0.0.1, a harness whose TWILIO_API_BASE_URL points at it, and the function logs collected:
 * the set-up of a suite whose functions call Twilio. `stop()` in afterAll.
 */
export async function startEmulatedSuite(env: Record<string, string>, emulatorOptions: EmulatorOptions = {}) {
  const logs = captureLogs();
  const emulator = await startEmulator(emulatorOptions);
  const harness = functionHarness({ env: { ...env, TWILIO_API_BASE_URL: emulator.url } });
  const stop = async () => {
    logs.restore();
    await emulator.close();
  };
  return { emulator, harness, logs, stop };
}
