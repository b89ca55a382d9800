/**
 * The one JSON error body every route answers: `{"error": {"code", "message", "hint", "more_info",
 * "problems"?, "variable"?}}`. `code` and `more_info` are Twilio's when the error is Twilio's (or one Twilio
 * would give, such as 21610), null for a problem of our own; `problems` lists each invalid field; `variable`
 * names the setting a misconfigured route needs.
 */
import { moreInfoFor } from './twilio-errors';
import type { FieldProblem } from './validation';

export type ErrorBody = {
  error: {
    code: number | null;
    message: string;
    hint: string | null;
    more_info: string | null;
    problems?: FieldProblem[];
    variable?: string;
  };
};

export type ErrorDetails = {
  message: string;
  code?: number | null;
  hint?: string | null;
  /** Defaults to Twilio's page for `code`. */
  moreInfo?: string | null;
  problems?: FieldProblem[];
  variable?: string;
};

export function errorBody(details: ErrorDetails): ErrorBody {
  const code = details.code ?? null;
  const error: ErrorBody['error'] = {
    code,
    message: details.message,
    hint: details.hint ?? null,
    more_info: details.moreInfo !== undefined ? details.moreInfo : code ? moreInfoFor(code) : null,
  };
  if (details.problems) error.problems = details.problems;
  if (details.variable) error.variable = details.variable;
  return { error };
}
