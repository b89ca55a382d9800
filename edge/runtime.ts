/**
 * The Twilio Functions runtime as this project sees it: the handler signature, `context`, `event` and the
 * global `Twilio.Response`. Only edge/ touches these; lib/ never does.
 */

/** `context`: the environment variables plus what the runtime adds. */
export type FunctionContext = {
  DOMAIN_NAME?: string;
  PATH?: string;
  [variable: string]: unknown;
};

/** `event`: query and body parameters merged, plus the request's lower-cased headers and cookies. */
export type FunctionEvent = {
  request?: { headers?: Record<string, string | string[] | undefined>; cookies?: Record<string, string> };
  [parameter: string]: unknown;
};

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
