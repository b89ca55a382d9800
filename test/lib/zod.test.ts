import fc from 'fast-check';
import * as z from '../../lib/zod';

// compiledObject builds mini's object from zod's compiled (JIT) object: the same answers, data and issues.
describe('compiledObject and compiledStrictObject', () => {
  const shape = {
    From: z.string().check(z.regex(/^whatsapp:\+\d+$/, 'must be a WhatsApp address')),
    Body: z.optional(z.string()),
    NumMedia: z.optional(z.string().check(z.regex(/^\d+$/))),
  };
  const pairs = [
    ['object', z.object(shape), z.compiledObject(shape)],
    ['strictObject', z.strictObject(shape), z.compiledStrictObject(shape)],
  ] as const;
  const anyValue = fc.oneof(fc.string(), fc.constantFrom('whatsapp:+1555', '12', undefined, null), fc.integer());
  const input = fc.oneof(
    fc.record({ From: anyValue, Body: anyValue, NumMedia: anyValue, Extra: anyValue }, { requiredKeys: [] }),
    anyValue,
    fc.array(fc.string(), { maxLength: 2 }),
  );

  it.each(pairs)('%s: parses every input as the uncompiled schema does', (_name, plain, compiled) => {
    // Twice each: the first parse compiles, the second runs the compiled function.
    fc.assert(
      fc.property(input, (value) => {
        const expected = plain.safeParse(value);
        for (let i = 0; i < 2; i += 1) {
          const got = compiled.safeParse(value);
          expect(got.success).toBe(expected.success);
          if (got.success) expect(got.data).toStrictEqual(expected.data);
          else expect(got.error.issues).toStrictEqual(expected.error?.issues);
        }
      }),
      { numRuns: 500 },
    );
    expect(compiled.shape).toStrictEqual(plain.shape);
  });

  it('is the compiled kind: its parse goes through zod’s compiled fast path, mini’s own object’s does not', () => {
    expect(String(z.compiledObject(shape)._zod.parse)).toContain('fastpass');
    expect(String(z.object(shape)._zod.parse)).not.toContain('fastpass');
  });
});
