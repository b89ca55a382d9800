/**
 * dev/build.ts's schema-purity plugin: the schemas a bundle does not use are dropped (esbuild alone keeps every
 * zod call of our files, zod's purity marks not reaching across files), and what is not a schema still runs.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaPurityPlugin } from '../../dev/build';
import { ROOT } from '../../dev/paths';

const dir = mkdtempSync(join(tmpdir(), 'schema-purity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const zod = JSON.stringify(join(ROOT, 'lib', 'zod'));
const fields = JSON.stringify(join(ROOT, 'lib', 'senders', 'fields'));
writeFileSync(
  join(dir, 'schemas.ts'),
  `import * as z from ${zod};
import { exactObject } from ${fields};
export const used = z.object({ tag_used: z.string().check(z.minLength(2)) });
export const unused = z.object({ tag_unused: z.optional(z.string()) });
export const unusedHelper = exactObject({ tag_helper: z.string() });
const text = (max: number) => z.string().check(z.maxLength(max));
export const unusedLocal = z.object({ tag_local: text(3) });
export const seen: string[] = [];
const input: unknown = 5;
try {
  z.string().check(z.minLength(1)).parse(input);
} catch {
  seen.push('parse ran');
}
`,
);
writeFileSync(join(dir, 'entry.ts'), `export { used, seen } from './schemas';\n`);

async function bundle(plugins: (typeof schemaPurityPlugin)[]): Promise<string> {
  const result = await build({
    entryPoints: [join(dir, 'entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    plugins,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

function load(code: string): { used: { safeParse(v: unknown): { success: boolean } }; seen: string[] } {
  const module = { exports: {} as never };
  new Function('module', 'exports', 'require', code)(module, module.exports, require);
  return module.exports;
}

it('without the plugin, esbuild keeps the unused schemas (what the plugin is for)', async () => {
  const code = await bundle([]);
  expect(code).toContain('tag_unused');
  expect(code).toContain('tag_helper');
  expect(code).toContain('tag_local');
});

it('with it, the unused schemas are gone and the used one still validates', async () => {
  const code = await bundle([schemaPurityPlugin]);
  expect(code).not.toContain('tag_unused');
  expect(code).not.toContain('tag_helper');
  expect(code).not.toContain('tag_local');
  const { used, seen } = load(code);
  expect(used.safeParse({ tag_used: 'ab' }).success).toBe(true);
  expect(used.safeParse({ tag_used: 'a' }).success).toBe(false);
  // A parse whose result is unused is not a schema being built: it must run.
  expect(seen).toEqual(['parse ran']);
});
