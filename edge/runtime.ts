/**
 * The Twilio Functions runtime as this project sees it: the handler signature, `context`, `event` and the
 * global `Twilio.Response`. Only edge/ touches these; lib/ never does.
 */
import * as z from '../lib/zod';

/** `context`: the environment variables plus what the runtime adds. */
export type FunctionContext = {
  DOMAIN_NAME?: string;
  PATH?: string;
  [variable: string]: unknown;
};

/**
 * `event`: the runtime builds it as `{request: {headers, cookies}, ...query, ...body}`, so a query or body
 * parameter named `request` replaces the runtime's own: `request` may hold anything a caller sent.
 */
export type FunctionEvent = {
  request?: unknown;
  [parameter: string]: unknown;
};

/**
 * The runtime's own `event.request`: exactly `headers` (lower-cased names; a repeated header is an array of
 * its values, so never fewer than two) and `cookies` (parsed from the Cookie header; a `j:` JSON cookie may be any value).
 */
export const runtimeRequestSchema = z.strictObject({
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string()).check(z.minLength(2))])),
  cookies: z.record(z.string(), z.unknown()),
});

export type FunctionCallback = (error: unknown, response?: unknown) => void;

export type FunctionHandler = (context: FunctionContext, event: FunctionEvent, callback: FunctionCallback) => void;

/** The runtime's response object (a global in Functions). */
export type TwilioResponse = {
  setStatusCode(code: number): TwilioResponse;
  setBody(body: unknown): TwilioResponse;
  appendHeader(name: string, value: string): TwilioResponse;
};

declare const Twilio: { Response: new () => TwilioResponse };

export function newResponse(): TwilioResponse {
  return new Twilio.Response();
}
