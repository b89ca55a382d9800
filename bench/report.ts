/** What each benchmark returns, and how `npm run bench` prints and saves it. */

export type Goal = { name: string; value: number; goal: string; met: boolean };

export type BenchSection = {
  title: string;
  /** Rows of the printed table (same keys in every row). */
  rows: Record<string, string | number>[];
  /** Headline numbers, saved to JSON (ratios against the same run's baseline, sizes, times). */
  figures: Record<string, number>;
  goals: Goal[];
  notes?: string[];
};

export function printSection(section: BenchSection): void {
  console.log(`\n## ${section.title}`);
  if (section.rows.length) console.table(section.rows);
  for (const goal of section.goals) {
    console.log(`${goal.met ? 'MET ' : 'MISS'}  ${goal.name}: ${goal.value} (goal ${goal.goal})`);
  }
  for (const note of section.notes ?? []) console.log(`note: ${note}`);
}
