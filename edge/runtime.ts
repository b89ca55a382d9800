/**
 * The Twilio Functions runtime as this project sees it: the handler signature, `context`, `event` and the
 * global `Twilio.Response`. Only edge/ touches these; lib/ never does.
 *
 * The response, callback and context types are the runtime's own (@twilio-labs/serverless-runtime-types).
 * `event` is typed here, looser than theirs on purpose: the runtime merges the caller's query and body into
 * `event` after its own `request` member, so `event.request` may be anything a caller sent, not the runtime's
 * `{headers, cookies}`. Typing it as the runtime's object would hide exactly that.
 */
import type { Context, ServerlessCallback, TwilioResponse } from '@twilio-labs/serverless-runtime-types/types';
import * as z from '../lib/zod';

export type { TwilioResponse };

/**
 * `context`: the environment variables plus what the runtime adds (DOMAIN_NAME, PATH, getTwilioClient ...).
 * Partial, because a function must answer (with a clear error) even when the runtime left one out.
 */
export type FunctionContext = Partial<Context> & { [variable: string]: unknown };

/**
 * `event`: the runtime builds it as `{request: {headers, cookies}, ...query, ...body}`, so a query or body
 * parameter named `request` replaces the runtime's own: `request` may hold anything a caller sent.
 */
export type FunctionEvent = {
  request?: unknown;
  [parameter: string]: unknown;
};

/** A header's value as the runtime gives it: a string, or a repeated header's values (never fewer than two). */
export const runtimeHeaderValueSchema = z.union([z.string(), z.array(z.string()).check(z.minLength(2))]);

/** A plain object, checked without copying it (a record schema copies every entry, on every request). */
const plainObject = z.custom<Record<string, unknown>>((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}, 'must be a plain object');

/**
 * The runtime's own `event.request`: exactly `headers` (lower-cased names, each value as
 * runtimeHeaderValueSchema says: edge/route.ts checks them while copying, which on every request costs less than
 * a record of unions) and `cookies` (parsed from the Cookie header; a `j:` JSON cookie may be any value).
 */
export const runtimeRequestSchema = z.compiledStrictObject({ headers: plainObject, cookies: plainObject });

export type FunctionCallback = ServerlessCallback;

export type FunctionHandler = (context: FunctionContext, event: FunctionEvent, callback: FunctionCallback) => void;

declare const Twilio: { Response: new () => TwilioResponse };

export function newResponse(): TwilioResponse {
  return new Twilio.Response();
}
