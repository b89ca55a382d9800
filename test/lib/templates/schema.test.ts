/** lib/templates/schema.ts kept in step with the official Content API contract (contracts/content-openapi.json). */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import contract from '../../../contracts/content-openapi.json';
import { createBodyProblem } from '../../../dev/emulator/content-contract';
import { ROOT } from '../../../dev/paths';
import { SUPPORTED_TYPES, TYPE_SCHEMAS, contentCreateBody, templateFileSchema } from '../../../lib/templates';

type Spec = {
  $ref?: string;
  type?: string;
  enum?: string[];
  properties?: Record<string, Spec>;
  required?: string[];
  items?: Spec;
  additionalProperties?: unknown;
};
const SCHEMAS = contract.components.schemas as unknown as Record<string, Spec>;
const resolve = (s: Spec): Spec => (s.$ref ? resolve(SCHEMAS[s.$ref.replace('#/components/schemas/', '')]!) : s);

/** The shape a spec schema describes: types, keys, required keys, enums (descriptions left out). */
type Shape = { type: string; enum?: string[]; properties?: Record<string, Shape>; required?: string[]; items?: Shape };
function specShape(schema: Spec): Shape {
  const s = resolve(schema);
  const out: Shape = { type: s.type ?? 'any' };
  if (s.enum) out.enum = [...s.enum];
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, specShape(v)]));
    out.required = [...(s.required ?? [])].sort();
  }
  if (s.items) out.items = specShape(s.items);
  return out;
}

type ZodLike = {
  _zod: {
    optin?: string;
    def: {
      type: string;
      innerType?: ZodLike;
      element?: ZodLike;
      entries?: Record<string, string>;
      shape?: Record<string, ZodLike>;
    };
  };
};
/** The same shape, read from a zod schema's definition. */
function zodShape(schema: ZodLike): Shape {
  const def = schema._zod.def;
  if (def.type === 'optional' || def.type === 'default') return zodShape(def.innerType!);
  if (def.type === 'enum') return { type: 'string', enum: Object.values(def.entries!) };
  if (def.type === 'array') return { type: 'array', items: zodShape(def.element!) };
  if (def.type === 'object') {
    const shape = def.shape!;
    return {
      type: 'object',
      properties: Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, zodShape(v)])),
      required: Object.keys(shape)
        .filter((k) => shape[k]!._zod.optin !== 'optional')
        .sort(),
    };
  }
  return { type: def.type };
}

const typesSpec = resolve({ $ref: '#/components/schemas/types' });

describe('in step with the Content API contract', () => {
  it('supports six types, each one the contract defines', () => {
    expect(SUPPORTED_TYPES).toHaveLength(6);
    for (const type of SUPPORTED_TYPES) expect(Object.keys(typesSpec.properties!)).toContain(type);
  });

  it.each(SUPPORTED_TYPES)('%s: the same keys, required keys, nested shapes and enums as the contract', (type) => {
    expect(zodShape(TYPE_SCHEMAS[type] as unknown as ZodLike)).toEqual(specShape(typesSpec.properties![type]!));
  });

  it('a template file is the create body (friendly_name, language, variables, types) plus category', () => {
    const create = resolve({ $ref: '#/components/schemas/ContentCreateRequest' });
    const file = zodShape(templateFileSchema as unknown as ZodLike);
    expect(Object.keys(file.properties!).sort()).toEqual([...Object.keys(create.properties!), 'category'].sort());
    // Every key the contract requires is required here too; friendly_name as well, since the sync keys on it.
    for (const key of create.required ?? []) expect(file.required).toContain(key);
    expect(file.required).toContain('friendly_name');
    expect(create.properties!.variables!.additionalProperties).toEqual({ type: 'string' });
    // category is what the approval request takes beside name.
    expect(resolve({ $ref: '#/components/schemas/ContentApprovalRequest' }).required).toEqual(['name', 'category']);
  });

  it('the shipped templates make create bodies the contract accepts', () => {
    const dir = join(ROOT, 'templates');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const template = templateFileSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      expect(createBodyProblem(contentCreateBody(template))).toBeUndefined();
      expect(createBodyProblem(template)).toMatch(/Unknown field 'category'/);
    }
  });

  it('whatever the schema accepts, the contract accepts (property)', () => {
    const str = fc.string({ maxLength: 12 });
    const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const types = fc.record(
      {
        'twilio/text': fc.record({ body: str }),
        'twilio/media': fc.record(
          { body: opt(str), media: fc.array(str, { maxLength: 2 }) },
          { requiredKeys: ['media'] },
        ),
        'twilio/quick-reply': fc.record({
          body: str,
          actions: fc.array(
            fc.record({ type: opt(fc.constant('QUICK_REPLY')), title: str, id: opt(str) }, { requiredKeys: ['title'] }),
            { maxLength: 4 },
          ),
        }),
        'twilio/list-picker': fc.record({
          body: str,
          button: str,
          items: fc.array(fc.record({ id: str, item: str, description: opt(str) }, { requiredKeys: ['id', 'item'] })),
        }),
        'twilio/call-to-action': fc.record({
          body: str,
          actions: fc.array(
            fc.record(
              { type: fc.constantFrom('URL', 'PHONE_NUMBER', 'COPY_CODE'), title: str, url: opt(str), phone: opt(str) },
              { requiredKeys: ['type', 'title'] },
            ),
          ),
        }),
        'twilio/card': fc.record(
          { title: opt(str), subtitle: opt(str), media: opt(fc.array(str)) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(types, fc.dictionary(fc.constantFrom('1', '2', '3'), str), (t, variables) => {
        const parsed = templateFileSchema.safeParse({
          friendly_name: 'x',
          language: 'en',
          category: 'UTILITY',
          variables,
          types: t,
        });
        expect(parsed.success).toBe(true);
        expect(createBodyProblem(contentCreateBody(parsed.data!))).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});
