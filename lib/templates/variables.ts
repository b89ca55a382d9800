/**
 * Template variables: `{{1}}`, `{{2}}` ... in any string of a template's types, with a sample for each in
 * `variables`. Finding them, and filling them for a send (the ContentVariables a Messages API call carries).
 */
import type { ContentTypes, TemplateFile } from './schema';
import { primaryType } from './schema';

/** A well-formed placeholder: two braces, a name without braces or spaces, two braces. */
export const PLACEHOLDER = /\{\{([^{}\s]+)\}\}/g;

/** A string of a template and where it is (dotted path from the template's root). */
export type TemplateString = { field: string; value: string };

/** Every string inside the types, with its path (`types.twilio/quick-reply.actions.0.title`). */
export function templateStrings(types: ContentTypes): TemplateString[] {
  const out: TemplateString[] = [];
  const walk = (value: unknown, field: string) => {
    if (typeof value === 'string') out.push({ field, value });
    else if (Array.isArray(value)) for (const [i, item] of value.entries()) walk(item, `${field}.${i}`);
    else if (value && typeof value === 'object')
      for (const [key, sub] of Object.entries(value)) walk(sub, `${field}.${key}`);
  };
  walk(types, 'types');
  return out;
}

/** Names of the placeholders in one string, in order of appearance. */
export function placeholdersIn(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Every placeholder name the template uses, each once, sorted numerically where numeric. */
export function templateVariables(types: ContentTypes): string[] {
  const names = new Set(templateStrings(types).flatMap((s) => placeholdersIn(s.value)));
  return [...names].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
}

/** Characters a variable's value may not hold (Twilio answers 21656): newline, tab, more than four spaces. */
export function valueProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty (WhatsApp refuses an empty variable)';
  if (/[\r\n]/.test(value)) return 'holds a line break (WhatsApp refuses it in a variable)';
  if (/\t/.test(value)) return 'holds a tab (WhatsApp refuses it in a variable)';
  if (/ {5,}/.test(value)) return 'holds more than four spaces in a row (WhatsApp refuses it in a variable)';
  return undefined;
}

export type VariableProblem = {
  field: string;
  rule: 'unknown-variable' | 'missing-variable' | 'variable-value';
  message: string;
};

export type FilledTemplate =
  | {
      ok: true;
      /** The ContentVariables parameter of Messages create: a JSON string. */
      contentVariables: string;
      /** The body WhatsApp shows, with the values in place. */
      body: string | undefined;
    }
  | { ok: false; problems: VariableProblem[] };

/**
 * Checks `given` against the template's variables and fills them. Every variable must be given (Twilio would
 * silently send the sample instead: a customer would read "Maria"), none may be unknown, and each value must be
 * one WhatsApp takes.
 */
export function fillVariables(template: Pick<TemplateFile, 'types'>, given: unknown): FilledTemplate {
  const problems: VariableProblem[] = [];
  const names = templateVariables(template.types);
  const values: Record<string, string> = {};
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    return {
      ok: false,
      problems: [{ field: 'variables', rule: 'variable-value', message: 'must be an object of variable name to text' }],
    };
  }
  for (const [name, value] of Object.entries((given ?? {}) as Record<string, unknown>)) {
    if (!names.includes(name)) {
      const known = names.length ? names.map((n) => `"${n}"`).join(', ') : 'none';
      problems.push({
        field: `variables.${name}`,
        rule: 'unknown-variable',
        message: `the template has no variable "${name}" (it has ${known})`,
      });
      continue;
    }
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string') {
      problems.push({ field: `variables.${name}`, rule: 'variable-value', message: 'must be text' });
      continue;
    }
    const problem = valueProblem(text);
    if (problem) problems.push({ field: `variables.${name}`, rule: 'variable-value', message: problem });
    else values[name] = text;
  }
  for (const name of names) {
    if (!(name in ((given ?? {}) as object))) {
      problems.push({
        field: `variables.${name}`,
        rule: 'missing-variable',
        message: `variable "${name}" is missing: give a value for {{${name}}}`,
      });
    }
  }
  if (problems.length) return { ok: false, problems };
  const type = primaryType(template.types);
  const main = type ? (template.types[type] as { body?: string } | undefined) : undefined;
  const body = main?.body?.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
  return { ok: true, contentVariables: JSON.stringify(values), body };
}
