/**
 * Every route is `export const handler = route(async (request) => reply)`. This is the one place where
 * `context`/`event` become a typed request, and replies and errors become HTTP responses.
 */
import { $ZodError } from 'zod/v4/core';
import { errorBody } from '../lib/error-body';
import { describeZodError } from '../lib/validation';
import { logEvent } from './log';
import { badRequestJson, HttpError, toResponse, type Reply } from './reply';
import {
  runtimeHeaderValueSchema,
  runtimeRequestSchema,
  type FunctionContext,
  type FunctionEvent,
  type FunctionHandler,
} from './runtime';

export type RouteRequest = {
  /** Environment variables (context minus the runtime's own members). */
  env: Record<string, string | undefined>;
  /** Query and body parameters, without the runtime's `request` member. */
  params: Record<string, unknown>;
  /** Lower-cased request headers, from the runtime's own `request` only (empty when a caller replaced it). */
  headers: Record<string, string | undefined>;
  /**
   * True when `event.request` is not the runtime's: the query or body had a parameter named `request`, which
   * the runtime spreads over its own. The headers are then unknown; routes that read them refuse the request.
   */
  requestParamSent: boolean;
  /** The function's path, e.g. /whatsapp/incoming. */
  path: string;
  /** Host (and port) the function is served on, e.g. example-1234.twil.io or localhost:3000. */
  domainName: string;
};

/**
 * The headers of the runtime's own `event.request`, or undefined when `request` is not shaped as the runtime
 * makes it (then it came from the caller). A caller who copies that shape exactly cannot be told apart here;
 * the headers are still only what the caller sent, so the secret checks behind them hold.
 */
function runtimeHeaders(request: unknown): Record<string, string | undefined> | undefined {
  const parsed = runtimeRequestSchema.safeParse(request);
  if (!parsed.success) return undefined;
  const headers: Record<string, string | undefined> = Object.create(null);
  const given = parsed.data.headers;
  for (const key in given) {
    const value = given[key];
    // Nearly every value is a string: the union is parsed only for the rest.
    if (typeof value === 'string') headers[key.toLowerCase()] = value;
    else {
      const repeated = runtimeHeaderValueSchema.safeParse(value);
      if (!repeated.success) return undefined;
      headers[key.toLowerCase()] = Array.isArray(repeated.data) ? repeated.data.join(', ') : repeated.data;
    }
  }
  // The runtime parses cookies from the Cookie header: cookies without one were written by the caller.
  if (headers.cookie === undefined && Object.keys(parsed.data.cookies).length > 0) return undefined;
  return headers;
}

let lastEnv: { env: Readonly<Record<string, string | undefined>>; size: number } | undefined;

/**
 * The context's string members. The runtime builds a new context for every request from the same variables, so
 * while they are unchanged the same frozen object is handed out: settings parsed from it are then known to be
 * the same without reading them again (lib/config.ts parseSettings).
 */
function envOf(context: FunctionContext): Readonly<Record<string, string | undefined>> {
  let size = 0;
  let same = lastEnv !== undefined;
  for (const key in context) {
    const value = context[key];
    if (typeof value !== 'string') continue;
    size += 1;
    if (same && lastEnv!.env[key] !== value) same = false;
  }
  if (same && lastEnv!.size === size) return lastEnv!.env;
  const env: Record<string, string | undefined> = {};
  for (const key in context) if (typeof context[key] === 'string') env[key] = context[key] as string;
  lastEnv = { env: Object.freeze(env), size };
  return lastEnv.env;
}

function toRequest(context: FunctionContext, event: FunctionEvent): RouteRequest {
  const env = envOf(context);
  const { request, ...params } = event;
  const headers = runtimeHeaders(request);
  return {
    env,
    params,
    headers: headers ?? Object.create(null),
    // No `request` at all (a runtime that passes no headers): nothing was replaced, there are just no headers.
    requestParamSent: request !== undefined && headers === undefined,
    path: context.PATH ?? '',
    domainName: context.DOMAIN_NAME ?? 'localhost',
  };
}

/**
 * Wraps a route: builds the request, runs it, and answers every outcome, errors included.
 * A route that answers synchronously is answered in the same tick (no promise in between): measurably
 * faster under load in the local runtime, and what most webhook answers are.
 */
export function route(run: (request: RouteRequest) => Promise<Reply> | Reply): FunctionHandler {
  return (context, event, callback) => {
    const request = toRequest(context, event);
    let result: Promise<Reply> | Reply;
    try {
      result = run(request);
    } catch (error) {
      return callback(null, toResponse(failureReply(error, request)));
    }
    // Closures only for the asynchronous answer: the synchronous one (most webhooks) allocates none.
    if (result instanceof Promise) {
      result.then(
        (reply) => callback(null, toResponse(reply)),
        (error: unknown) => callback(null, toResponse(failureReply(error, request))),
      );
    } else callback(null, toResponse(result));
  };
}

/** The answer to a route's error: its own reply, a 400 for a zod error, else a generic 500 (logged). */
function failureReply(error: unknown, request: RouteRequest): Reply {
  if (error instanceof HttpError) return error.reply;
  if (error instanceof $ZodError) return badRequestJson(describeZodError(error)).reply;
  // Unexpected: log the kind and message only (a message never carries secrets here), answer generically.
  logEvent({
    level: 'error',
    route: request.path,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
  return { kind: 'json', status: 500, body: errorBody({ message: 'Internal error; see the function logs.' }) };
}
