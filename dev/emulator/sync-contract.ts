/**
 * The Sync v1 request contract (contracts/sync-openapi.json, extracted from twilio-oai) as a checker: form
 * fields the operation names, with the spec's types; query parameters with their bounds. Kept apart from the
 * route module so tests can check what the project sends without starting an emulator.
 */
import contract from '../../contracts/sync-openapi.json';

type Property = { type?: string; minimum?: number; maximum?: number };
type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; schema?: Property }[];
  requestBody?: { content: Record<string, { schema: { properties: Record<string, Property> } }> };
};

const OPERATIONS = new Map<string, Operation>();
for (const methods of Object.values(contract.paths as unknown as Record<string, Record<string, Operation>>)) {
  for (const operation of Object.values(methods)) OPERATIONS.set(operation.operationId, operation);
}

function operation(operationId: string): Operation {
  const found = OPERATIONS.get(operationId);
  if (!found) throw new Error(`contracts/sync-openapi.json has no operation ${operationId}`);
  return found;
}

function valueProblem(name: string, value: string, spec: Property): string | undefined {
  if (spec.type === 'integer') {
    if (!/^-?\d+$/.test(value)) return `${name} must be an integer, got '${value}'`;
    const n = Number(value);
    if (spec.minimum !== undefined && n < spec.minimum) return `${name} must be at least ${spec.minimum}`;
    if (spec.maximum !== undefined && n > spec.maximum) return `${name} must be at most ${spec.maximum}`;
  }
  if (spec.type === 'boolean' && value !== 'true' && value !== 'false') return `${name} must be true or false`;
  return undefined;
}

/** The first way a form body breaks `operationId`'s request schema (unknown or repeated field, wrong type). */
export function syncFormProblem(operationId: string, form: Record<string, string | string[]>): string | undefined {
  const content = operation(operationId).requestBody?.content['application/x-www-form-urlencoded'];
  const properties = content?.schema.properties ?? {};
  for (const [name, value] of Object.entries(form)) {
    const spec = properties[name];
    if (!spec) return `Unknown parameter '${name}' (not in the ${operationId} contract)`;
    if (Array.isArray(value)) return `Parameter '${name}' was given more than once`;
    const problem = valueProblem(name, value, spec);
    if (problem) return problem;
  }
  return undefined;
}

/** The first way a query string breaks `operationId`'s query parameters. */
export function syncQueryProblem(operationId: string, query: URLSearchParams): string | undefined {
  const known = new Map(
    (operation(operationId).parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}]),
  );
  for (const [name, value] of query) {
    const spec = known.get(name);
    if (!spec) return `Unknown query parameter '${name}' (not in the ${operationId} contract)`;
    const problem = valueProblem(name, value, spec);
    if (problem) return problem;
  }
  return undefined;
}

/** Whether the operation declares a header parameter (e.g. If-Match on UpdateDocument). */
export function syncAcceptsHeader(operationId: string, header: string): boolean {
  return (operation(operationId).parameters ?? []).some(
    (p) => p.in === 'header' && p.name.toLowerCase() === header.toLowerCase(),
  );
}
