/**
 * The Senders API's request contract (contracts/senders-openapi.json) as a checker: the first way a body breaks
 * the spec's request schema (dev/emulator/contract-check.ts), with the spec's loosely typed list items.
 * Kept apart from the route module so tests can check what the project sends without starting an emulator.
 */
import contract from '../../contracts/senders-openapi.json';

import { contractChecker, isObject, type Schema } from './contract-check';

export { isObject, type Schema };

const SCHEMAS = contract.components.schemas as unknown as Record<string, Schema>;
export const CREATE_SCHEMA: Schema = { $ref: '#/components/schemas/messaging.v2.channels_sender.requests.create' };
export const UPDATE_SCHEMA: Schema = { $ref: '#/components/schemas/messaging.v2.channels_sender.requests.update' };
/** The spec leaves the item type of these open; the API takes a string or {<name>, label}. */
export const LIST_ITEM_KEYS: Record<string, string> = {
  emails: 'email',
  websites: 'website',
  phone_numbers: 'phone_number',
};

/** emails / websites / phone_numbers: a string or {<name>, label} per item. */
function listItemsProblem(value: unknown, s: Schema, path: string): string | null | undefined {
  const listKey = LIST_ITEM_KEYS[path.split('.').pop() ?? ''];
  if (s.type || !listKey) return undefined;
  const where = path || 'body';
  if (!Array.isArray(value)) return `${where} must be an array`;
  for (const [i, item] of value.entries()) {
    if (typeof item === 'string') continue;
    if (!isObject(item)) return `${where}[${i}] must be a string or an object`;
    for (const key of Object.keys(item))
      if (key !== listKey && key !== 'label') return `Unknown field '${where}[${i}].${key}'`;
    if (typeof item[listKey] !== 'string') return `${where}[${i}].${listKey} must be a string`;
    if (item.label !== undefined && typeof item.label !== 'string') return `${where}[${i}].label must be a string`;
  }
  return null;
}

/** The first way `value` breaks `schema` (spec types, enums, patterns, required and unknown keys), or undefined. */
export const contractProblem = contractChecker(SCHEMAS, listItemsProblem);

/** The first way a create body breaks the contract, or undefined (for tests of what the project sends). */
export const createBodyProblem = (body: unknown) => contractProblem(body, CREATE_SCHEMA);
/** The first way an update body breaks the contract, or undefined. */
export const updateBodyProblem = (body: unknown) => contractProblem(body, UPDATE_SCHEMA);
