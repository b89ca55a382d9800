/**
 * The benchmark's one format: what each bench/*.bench.ts returns, and how `npm run bench` prints it, saves it
 * (bench-results/bench.json) and summarizes it (bench-results/summary.md, which docs link instead of copying
 * figures).
 *
 * A bench file exports `run(): Promise<BenchSection | BenchSection[]>`. A section is a titled measurement: how
 * it was made (`method`), an optional table of raw rows, and its figures. A figure is one number that names
 * what it is compared with (`baseline`), how much it moved over the rounds it summarizes (`spread`), and,
 * when it has one, its goal: the report marks it MET or MISS. Speed is only ever judged here, never in tests.
 *
 *   return section({
 *     title: 'Sync store on /whatsapp/incoming',
 *     method: '9 alternating rounds of 500 requests, state on and off, same server',
 *     figures: [figure({ name: 'added p50 (ms)', value: 1.4, unit: 'ms', baseline: 'state off, same run',
 *       spread: spreadOf(perRound), goal: atMost(roundTrip) })],
 *   });
 */

export type Goal = { op: '>=' | '<=' | '<' | '>'; target: number };
export const atLeast = (target: number): Goal => ({ op: '>=', target });
export const atMost = (target: number): Goal => ({ op: '<=', target });
export const below = (target: number): Goal => ({ op: '<', target });

/**
 * How a figure varied over the rounds it summarizes; 'exact' for a count or size that does not vary, 'one run'
 * for a figure that comes from a single measurement (a profile) and so carries no goal.
 */
export type Spread = { min: number; max: number; rounds: number; how: string } | 'exact' | 'one run';

export type Figure = {
  name: string;
  value: number;
  /** 'ratio', 'ms', 'µs', 'bytes', 'x' (times the baseline), 'calls', ... */
  unit: string;
  /** What the figure is measured against, in the same run ('none: absolute' for a size). */
  baseline: string;
  spread: Spread;
  goal?: Goal;
};

export type Status = 'MET' | 'MISS' | 'info';

export type Table = { columns: string[]; rows: (string | number)[][] };

export type BenchSection = {
  title: string;
  /** How it was measured (rounds, load, what runs where). */
  method: string;
  table?: Table;
  figures: Figure[];
  notes?: string[];
};

export function section(s: BenchSection): BenchSection {
  return s;
}

export function figure(f: Figure): Figure {
  return f;
}

export function statusOf(f: Figure): Status {
  if (!f.goal) return 'info';
  const { op, target } = f.goal;
  const met = { '>=': f.value >= target, '<=': f.value <= target, '<': f.value < target, '>': f.value > target }[op];
  return met ? 'MET' : 'MISS';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** [p25, p50, p75] of `values` (nearest rank); 0s when there are none. */
export function quartiles(values: readonly number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))] ?? 0;
  return [at(0.25), at(0.5), at(0.75)];
}

/** The quartiles' distance, a spread that one disturbed round barely moves. */
export function interquartileRange(values: readonly number[]): number {
  const [p25, , p75] = quartiles(values);
  return p75 - p25;
}

export function spreadOf(values: readonly number[], how = 'min-max over rounds'): Spread {
  return { min: Math.min(...values), max: Math.max(...values), rounds: values.length, how };
}

export const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite figure: ${n}`);
  const abs = Math.abs(n);
  if (abs >= 100) return String(round(n, 1));
  return String(Number.isInteger(n) ? n : round(n, abs >= 1 ? 3 : 4));
}

const cell = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : v);

function describeSpread(s: Spread): string {
  if (s === 'exact') return 'exact (no rounds)';
  if (s === 'one run') return 'one run (no rounds)';
  return `${formatNumber(s.min)}–${formatNumber(s.max)} (${s.how}, ${s.rounds})`;
}

const describeGoal = (g: Goal | undefined) => (g ? `${g.op} ${formatNumber(g.target)}` : 'none (reported)');

function figureRows(section: BenchSection): Table {
  return {
    columns: ['figure', 'value', 'unit', 'baseline', 'spread', 'goal', 'status'],
    rows: section.figures.map((f) => [
      f.name,
      f.value,
      f.unit,
      f.baseline,
      describeSpread(f.spread),
      describeGoal(f.goal),
      statusOf(f),
    ]),
  };
}

/** The table as text cells, refusing an empty cell or a row of the wrong width (a benchmark bug). */
function cells(table: Table, where: string): string[][] {
  return table.rows.map((row, r) => {
    if (row.length !== table.columns.length) {
      throw new Error(`${where}: row ${r + 1} has ${row.length} cells, not ${table.columns.length}`);
    }
    return row.map((v, c) => {
      const text = cell(v);
      if (text.trim() === '') throw new Error(`${where}: empty cell in row ${r + 1}, column "${table.columns[c]}"`);
      return text;
    });
  });
}

function textTable(table: Table, where: string): string {
  const body = cells(table, where);
  const widths = table.columns.map((c, i) => Math.max(c.length, ...body.map((row) => row[i]!.length)));
  // Numbers right-aligned, text left-aligned (by the first row's kinds).
  const pad = (v: string, i: number) =>
    typeof table.rows[0]?.[i] === 'number' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!);
  const line = (row: string[]) => row.map(pad).join('  ').trimEnd();
  return [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(table: Table, where: string): string {
  const escapeCell = (v: string) => v.replace(/\|/g, '\\|');
  return [
    `| ${table.columns.map(escapeCell).join(' | ')} |`,
    `| ${table.columns.map(() => '---').join(' | ')} |`,
    ...cells(table, where).map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

export function printSection(section: BenchSection): void {
  console.log(`\n## ${section.title}\n${section.method}\n`);
  if (section.table) console.log(`${textTable(section.table, section.title)}\n`);
  console.log(textTable(figureRows(section), section.title));
  for (const note of section.notes ?? []) console.log(`note: ${note}`);
}

export function markdownSection(section: BenchSection): string {
  const parts = [`## ${section.title}`, section.method];
  if (section.table) parts.push(markdownTable(section.table, section.title));
  parts.push(markdownTable(figureRows(section), section.title));
  if (section.notes?.length) parts.push(section.notes.map((n) => `- ${n}`).join('\n'));
  return parts.join('\n\n');
}

/** The JSON form of a section: figures carry their status. */
export function sectionJson(section: BenchSection) {
  return { ...section, figures: section.figures.map((f) => ({ ...f, status: statusOf(f) })) };
}
