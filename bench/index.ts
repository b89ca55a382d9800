/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (or only those named on the command line,
 * e.g. `npm run bench -- webhook`), prints their tables and writes bench-results/bench.json.
 * Figures are ratios against a baseline measured in the same run: machines here are noisy.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../dev/paths';
import { printSection, type BenchSection } from './report';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
    .sort();
  const sections: BenchSection[] = [];
  for (const file of files) {
    console.log(`running ${file} ...`);
    const module = (await import(join(__dirname, file))) as { run: () => Promise<BenchSection | BenchSection[]> };
    const result = await module.run();
    for (const section of [result].flat()) {
      printSection(section);
      sections.push(section);
    }
  }
  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'bench.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, sections }, null, 2));
  console.log(`\nwrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
