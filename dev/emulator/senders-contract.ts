/**
 * The Senders API's request contract (contracts/senders-openapi.json) as a checker: the first way a body breaks
 * the spec's request schema (types, enums, patterns, required keys, and any key the spec does not name).
 * Kept apart from the route module so tests can check what the project sends without starting an emulator.
 */
import contract from '../../contracts/senders-openapi.json';

export type Schema = {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  enum?: string[];
  pattern?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
};

const SCHEMAS = contract.components.schemas as unknown as Record<string, Schema>;
export const CREATE_SCHEMA: Schema = { $ref: '#/components/schemas/messaging.v2.channels_sender.requests.create' };
export const UPDATE_SCHEMA: Schema = { $ref: '#/components/schemas/messaging.v2.channels_sender.requests.update' };
/** The spec leaves the item type of these open; the API takes a string or {<name>, label}. */
export const LIST_ITEM_KEYS: Record<string, string> = { emails: 'email', websites: 'website', phone_numbers: 'phone_number' };


function resolve(schema: Schema): Schema {
  let current = schema;
  while (current.$ref) {
    const name = current.$ref.replace('#/components/schemas/', '');
    const target = SCHEMAS[name];
    if (!target) throw new Error(`contract has no schema ${name}`);
    current = { ...target, nullable: current.nullable ?? target.nullable };
  }
  return current;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first way `value` breaks `schema` (spec types, enums, patterns, required and unknown keys), or undefined. */
export function contractProblem(value: unknown, schema: Schema, path = ''): string | undefined {
  const s = resolve(schema);
  const where = path || 'body';
  if (value === null) return s.nullable ? undefined : `${where} must not be null`;
  const listKey = LIST_ITEM_KEYS[path.split('.').pop() ?? ''];
  if (!s.type && listKey) {
    if (!Array.isArray(value)) return `${where} must be an array`;
    for (const [i, item] of value.entries()) {
      if (typeof item === 'string') continue;
      if (!isObject(item)) return `${where}[${i}] must be a string or an object`;
      for (const key of Object.keys(item)) if (key !== listKey && key !== 'label') return `Unknown field '${where}[${i}].${key}'`;
      if (typeof item[listKey] !== 'string') return `${where}[${i}].${listKey} must be a string`;
      if (item.label !== undefined && typeof item.label !== 'string') return `${where}[${i}].label must be a string`;
    }
    return undefined;
  }
  switch (s.type) {
    case 'object': {
      if (!isObject(value)) return `${where} must be an object`;
      const properties = s.properties ?? {};
      for (const key of Object.keys(value)) if (!(key in properties)) return `Unknown field '${path ? `${path}.` : ''}${key}'`;
      for (const key of s.required ?? []) if (value[key] === undefined) return `Missing required field '${path ? `${path}.` : ''}${key}'`;
      for (const [key, sub] of Object.entries(properties)) {
        if (value[key] === undefined) continue;
        const problem = contractProblem(value[key], sub, path ? `${path}.${key}` : key);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'array':
      if (!Array.isArray(value)) return `${where} must be an array`;
      for (const [i, item] of value.entries()) {
        const problem = s.items ? contractProblem(item, s.items, `${where}[${i}]`) : undefined;
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
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${where} must be a boolean`;
    default:
      return undefined;
  }
}

/** The first way a create body breaks the contract, or undefined (for tests of what the project sends). */
export const createBodyProblem = (body: unknown) => contractProblem(body, CREATE_SCHEMA);
/** The first way an update body breaks the contract, or undefined. */
export const updateBodyProblem = (body: unknown) => contractProblem(body, UPDATE_SCHEMA);
