/** A route's settings from the environment, or the 503 that names what is wrong with them. */
import type { $ZodError } from 'zod/v4/core';
import { parseSettings } from '../lib/config';
import { describeZodError } from '../lib/validation';
import { logEvent } from './log';
import { HttpError } from './reply';

/**
 * Parses a route's settings from the environment. Misconfiguration is the operator's problem, not the
 * caller's: it answers 503 naming each variable and what it must be (values are never echoed).
 */
export function readSettings<T>(
  schema: {
    shape: Record<string, unknown>;
    safeParse(input: unknown): { success: true; data: T } | { success: false; error: $ZodError };
  },
  env: Record<string, string | undefined>,
): T {
  const parsed = parseSettings(schema, env);
  if (parsed.success) return parsed.data;
  const problems = describeZodError(parsed.error).map((p) => `${p.path} ${p.message}`);
  logEvent({ level: 'error', event: 'config.invalid', problems });
  throw new HttpError({ kind: 'text', status: 503, body: `This function is misconfigured: ${problems.join('; ')}.` });
}
