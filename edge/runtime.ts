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

export type { TwilioResponse };

/**
 * `context`: the environment variables plus what the runtime adds (DOMAIN_NAME, PATH, getTwilioClient ...).
 * Partial, because a function must answer (with a clear error) even when the runtime left one out.
 */
export type FunctionContext = Partial<Context> & { [variable: string]: unknown };

/** `event`: query and body parameters merged, plus (when the caller did not replace it) the runtime's request. */
export type FunctionEvent = {
  request?: unknown;
  [parameter: string]: unknown;
};

export type FunctionCallback = ServerlessCallback;

export type FunctionHandler = (context: FunctionContext, event: FunctionEvent, callback: FunctionCallback) => void;

declare const Twilio: { Response: new () => TwilioResponse };

export function newResponse(): TwilioResponse {
  return new Twilio.Response();
}
