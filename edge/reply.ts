/**
 * What a route answers, as data (TwiML, JSON, text, a redirect, nothing), and how that becomes the runtime's
 * response. Errors are answers too: HttpError carries one from anywhere in a route to route().
 */
import { errorBody } from '../lib/error-body';
import type { FieldProblem } from '../lib/validation';
import { newResponse } from './runtime';

export type Reply =
  | { kind: 'twiml'; xml: string; status?: number }
  | { kind: 'json'; body: object; status?: number; headers?: Record<string, string> }
  | { kind: 'text'; body: string; status?: number; headers?: Record<string, string> }
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 }
  | { kind: 'empty'; status?: 200 | 204 };

/** An answer other than success, raised anywhere in a route and turned into a response here. */
export class HttpError extends Error {
  constructor(readonly reply: Reply & { status: number }) {
    super(`HTTP ${reply.status}`);
  }
}

export const twiml = (xml: string): Reply => ({ kind: 'twiml', xml });
export const json = (body: object, status = 200, headers?: Record<string, string>): Reply => ({
  kind: 'json',
  body,
  status,
  headers,
});

/** 400 with every field's problem, in the one error body (for API callers). */
export function badRequestJson(problems: FieldProblem[]): HttpError {
  return new HttpError({
    kind: 'json',
    status: 400,
    body: errorBody({ message: 'The request is not valid.', problems }),
  });
}

/** The runtime's response for a reply. */
export function toResponse(reply: Reply) {
  const response = newResponse();
  switch (reply.kind) {
    case 'twiml':
      response.setStatusCode(reply.status ?? 200);
      response.appendHeader('Content-Type', 'text/xml; charset=utf-8');
      response.setBody(reply.xml);
      break;
    case 'json':
      response.setStatusCode(reply.status ?? 200);
      response.appendHeader('Content-Type', 'application/json; charset=utf-8');
      for (const [k, v] of Object.entries(reply.headers ?? {})) response.appendHeader(k, v);
      response.setBody(reply.body);
      break;
    case 'text':
      response.setStatusCode(reply.status ?? 200);
      response.appendHeader('Content-Type', 'text/plain; charset=utf-8');
      for (const [k, v] of Object.entries(reply.headers ?? {})) response.appendHeader(k, v);
      response.setBody(reply.body);
      break;
    case 'redirect':
      response.setStatusCode(reply.status ?? 302);
      response.appendHeader('Location', reply.location);
      response.setBody('');
      break;
    case 'empty':
      response.setStatusCode(reply.status ?? 204);
      response.setBody('');
      break;
  }
  return response;
}
