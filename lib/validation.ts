/** Turning zod failures into answers a caller can act on: which field, what was wrong, what is expected. */
import type * as z from './zod';

export type FieldProblem = {
  /** Dotted path of the field, e.g. `profile.emails.0` ("(root)" for the whole input). */
  path: string;
  message: string;
  /** What would have been accepted, when zod knows. */
  expected?: string;
};

function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_value':
      return issue.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'too_small':
      return `${issue.origin === 'string' ? 'length' : 'value'} >= ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.origin === 'string' ? 'length' : 'value'} <= ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `match ${String(issue.pattern)}` : issue.format;
    case 'unrecognized_keys':
      return 'no other keys';
    default:
      return undefined;
  }
}

/** Every problem of a failed parse, one entry per field. */
export function describeZodError(error: z.core.$ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const expected = expectedOf(issue);
    const path = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    return expected === undefined ? { path, message: issue.message } : { path, message: issue.message, expected };
  });
}

/** One line per problem, for plain-text answers and logs. */
export function problemsAsText(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}${p.expected ? ` (expected ${p.expected})` : ''}`).join('\n');
}
