/**
 * A checker for request bodies against an OpenAPI description's component schemas (contracts/, from
 * twilio-oai): the first way a value breaks a schema (types, enums, patterns, required keys, and any key the
 * schema does not name), or undefined. Shared by the emulator's route modules and by tests that check what the
 * project sends without starting an emulator.
 */

export type Schema = {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: string[];
  pattern?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  /** false or absent with `properties`: no other keys. A schema: every value matches it, any key. Neither
   * `properties` nor this: any object. */
  additionalProperties?: boolean | Schema;
};

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `special` may take over a value the spec leaves loosely typed: it returns a problem, `null` for "fine", or
 * undefined to let the generic check run.
 */
export type SpecialCheck = (value: unknown, schema: Schema, path: string) => string | null | undefined;

export type ContractProblem = (value: unknown, schema: Schema, path?: string) => string | undefined;

export function contractChecker(schemas: Record<string, Schema>, special?: SpecialCheck): ContractProblem {
  const resolve = (schema: Schema): Schema => {
    let current = schema;
    while (current.$ref) {
      const name = current.$ref.replace('#/components/schemas/', '');
      const target = schemas[name];
      if (!target) throw new Error(`contract has no schema ${name}`);
      current = { ...target, nullable: current.nullable ?? target.nullable };
    }
    return current;
  };

  const check: ContractProblem = (value, schema, path = '') => {
    const s = resolve(schema);
    const where = path || 'body';
    if (value === null) return s.nullable ? undefined : `${where} must not be null`;
    const custom = special?.(value, s, path);
    if (custom !== undefined) return custom ?? undefined;
    const at = (key: string) => (path ? `${path}.${key}` : key);
    switch (s.type) {
      case 'object': {
        if (!isObject(value)) return `${where} must be an object`;
        // An object schema naming no properties is free-form (`variables`, `types` of a response).
        if (!s.properties && s.additionalProperties === undefined) return undefined;
        const properties = s.properties ?? {};
        const extra = s.additionalProperties;
        for (const key of Object.keys(value)) {
          if (key in properties) continue;
          if (typeof extra === 'object') {
            const problem = check(value[key], extra, at(key));
            if (problem) return problem;
          } else if (extra !== true) {
            return `Unknown field '${at(key)}'`;
          }
        }
        for (const key of s.required ?? []) if (value[key] === undefined) return `Missing required field '${at(key)}'`;
        for (const [key, sub] of Object.entries(properties)) {
          if (value[key] === undefined) continue;
          const problem = check(value[key], sub, at(key));
          if (problem) return problem;
        }
        return undefined;
      }
      case 'array':
        if (!Array.isArray(value)) return `${where} must be an array`;
        for (const [i, item] of value.entries()) {
          const problem = s.items ? check(item, s.items, `${where}[${i}]`) : undefined;
          if (problem) return problem;
        }
        return undefined;
      case 'string':
        if (typeof value !== 'string') return `${where} must be a string`;
        if (s.enum && !s.enum.includes(value)) return `${where} must be one of ${s.enum.join(', ')}`;
        if (s.pattern && !new RegExp(s.pattern).test(value)) return `${where} must match ${s.pattern}`;
        return undefined;
      case 'integer':
        return Number.isInteger(value) ? undefined : `${where} must be an integer`;
      case 'number':
        return typeof value === 'number' && Number.isFinite(value) ? undefined : `${where} must be a number`;
      case 'boolean':
        return typeof value === 'boolean' ? undefined : `${where} must be a boolean`;
      default:
        return undefined;
    }
  };
  return check;
}
