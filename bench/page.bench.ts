/**
 * The page and its formatter: bytes the page loads (raw and gzipped), the formatter's time for a full
 * 1,600-character message, and its time on adversarial input at 100 KB and 1 MB against one HTML-escape pass
 * over the same input (escapeHtml, the least any safe formatter must do), measured side by side: runs
 * alternate between the two, and each keeps its fastest run (the least disturbed by other processes).
 * Needs a built dist/ (`npm run bench` builds first).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../dev/paths';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { MAX_MESSAGE_UNITS } from '../lib/message-length';
import { escapeHtml, formatWhatsApp } from '../lib/formatting';
import { atMost, below, figure, median, round, section, spreadOf, type BenchSection } from './report';

const ASSETS = join(ROOT, 'dist', 'assets');
const PAGE_BUDGET_GZIP = 40 * 1024;
/** Goals: the formatter within this many escape passes, and 1 MB / 100 KB under this (linear: ~10). */
const ESCAPE_PASSES_GOAL = 50;
const LINEAR_GOAL = 12;
const SIZES = { '100 KB': 100 * 1024, '1 MB': 1024 * 1024 } as const;
/** Timed runs of each function at each size: the same count at both, so both fastest runs have as many chances. */
const RUNS_PER_SIZE = 40;
const MESSAGE_RUNS = 2000;

/** The page and every same-origin file it references (src= and href= starting with one /). */
function pageFiles(): { name: string; bytes: Buffer }[] {
  const html = readFileSync(join(ASSETS, 'index.html'));
  const referenced = [...html.toString('utf8').matchAll(/(?:src|href)="\/([^/"][^"]*)"/g)].map((m) => m[1]!);
  const files = referenced.map((name) => ({ name, bytes: readFileSync(join(ASSETS, name)) }));
  return [{ name: 'index.html', bytes: html }, ...files];
}

type Timing = { fastest: number; median: number; runs: number };

/** This process's CPU time in ms: unlike wall time, not stretched when the scheduler runs someone else. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** A collector for between runs (V8's own, exposed at run time), so no run pays for the garbage of the one before. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
  return () => gc({ type: 'minor' });
}
const collectGarbage = collector();

/**
 * Times the functions side by side: warm-up, then `runs` rounds in which each runs once in turn, each run after
 * a minor collection (the young generation emptied, outside the timing): every function sees the same stretch of
 * the machine's time, as many times, and none pays for another's garbage. CPU milliseconds: on a shared machine
 * a 1 MB run is preempted every time and a 100 KB one seldom, so wall time would bend the growth ratio.
 */
function sideBySide(fns: readonly (() => unknown)[], runs: number): Timing[] {
  for (let i = 0; i < 3; i += 1) for (const fn of fns) fn();
  const times = fns.map((): number[] => []);
  for (let run = 0; run < runs; run += 1) {
    fns.forEach((fn, k) => {
      collectGarbage();
      const start = cpuMs();
      fn();
      times[k]!.push(cpuMs() - start);
    });
  }
  return times.map((t) => ({ fastest: Math.min(...t), median: median(t), runs: t.length }));
}

/** A realistic message of exactly `length` characters: styles, lists, quotes, code, a URL, emoji. */
function realisticMessage(length: number): string {
  const paragraph =
    '*Order 1042* is _on its way_ 🚚 ~cancelled~ see https://example.com/track_id?x=1 or `X7-42`.\n' +
    '* 2 × _Flat white_\n- 1 × *Croissant*\n1. pay\n2. collect\n> Thanks for ordering, *Ana*!\n```\nETA 14:30\n```\n';
  return paragraph.repeat(Math.ceil(length / paragraph.length)).slice(0, length);
}

/**
 * Inputs built to make a naive matcher backtrack or rescan, or to make every character a delimiter, each a
 * unit repeated to the wanted length. They cover every search the formatter makes (spans, lines, code, ```
 * blocks, URLs, escapes) and the shapes that were slowest before: list items opening a span on every line,
 * alternating delimiters, nested openers.
 */
const ADVERSARIAL_SHAPES: Record<string, string> = {
  'unmatched *_~ and backticks, one line': '*_~`a *_~ `b _*~c ~_*` ',
  'openers only': '*_~a ',
  'closers only': 'a*_~ ',
  'lone backticks': '`a ',
  'unclosed ``` after words': 'x```',
  '``` on many lines': '```\n',
  'empty lines': '\n',
  'bullet lines with open spans': '* *a _b\n',
  'list items opening a span, every line': '* *a\n',
  'dash items opening italics, every line': '- _x\n',
  'numbered items opening a span, every line': '1. ~x\n',
  'quote lines with a backtick': '> `x\n',
  'alternating delimiters': '*_',
  'alternating delimiters, three styles': '*_~*_~ a',
  'alternating open and close': '*a_b*c_',
  'nested openers': '*_~*_~*_~a ',
  'nested openers in brackets': '(*(_(~a ',
  'CRLF lines with bold': '*a\r\n',
  'URL starts': 'http://a_b ',
  'HTML specials': '<&>"',
  'astral letters and emoji': '😀*𝒜_',
};

/**
 * The unit repeated to `length`, as one flat string. `repeat` and `slice` leave a string V8 reads through an
 * indirection: a rope at some lengths, a slice of a longer string at others (1 MB of a 5-unit shape is a slice,
 * 100 KB of it a rope). The formatter reads a slice about 15% slower than a flat string, so inputs of two kinds
 * made the 5-unit shapes' 1 MB / 100 KB read 11.5–12.5 instead of 10.0–10.3. A JSON round trip makes a flat
 * copy of any string (lone surrogates included).
 */
function repeatTo(unit: string, length: number): string {
  return JSON.parse(JSON.stringify(unit.repeat(Math.ceil(length / unit.length)).slice(0, length))) as string;
}

type Size = keyof typeof SIZES;
type ShapeResult = { shape: string; format: Record<Size, Timing>; escape: Record<Size, Timing> };

/** One shape at both sizes, formatter and escape pass, all four interleaved run by run. */
function measureShape(shape: string, unit: string): ShapeResult {
  const sizes = Object.entries(SIZES) as [Size, number][];
  const inputs = sizes.map(([, length]) => repeatTo(unit, length));
  const timings = sideBySide(
    inputs.flatMap((input) => [() => formatWhatsApp(input), () => escapeHtml(input)]),
    RUNS_PER_SIZE,
  );
  const result = { shape, format: {}, escape: {} } as ShapeResult;
  sizes.forEach(([size], i) => {
    result.format[size] = timings[2 * i]!;
    result.escape[size] = timings[2 * i + 1]!;
  });
  return result;
}

export async function run(): Promise<BenchSection[]> {
  const files = pageFiles();
  const fileRows = files.map(({ name, bytes }) => [name, bytes.length, gzipSync(bytes).length]);
  const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
  const totalGzip = fileRows.reduce((sum, r) => sum + Number(r[2]), 0);
  fileRows.push(['total', total, totalGzip]);

  const message = realisticMessage(MAX_MESSAGE_UNITS);
  const messageTime = sideBySide([() => formatWhatsApp(message), () => escapeHtml(message)], MESSAGE_RUNS)[0]!;
  const results = Object.entries(ADVERSARIAL_SHAPES).map(([shape, unit]) => measureShape(shape, unit));
  const passes = (r: ShapeResult, size: Size, key: 'fastest' | 'median') => r.format[size][key] / r.escape[size][key];
  const growth = (r: ShapeResult, key: 'fastest' | 'median') => r.format['1 MB'][key] / r.format['100 KB'][key];
  const worst = (score: (r: ShapeResult) => number) => results.reduce((a, b) => (score(b) > score(a) ? b : a));
  const passFigure = (size: keyof typeof SIZES) => {
    const r = worst((x) => passes(x, size, 'fastest'));
    return figure({
      name: `formatter at ${size}, worst shape (${r.shape}), in escape passes`,
      value: round(passes(r, size, 'fastest'), 1),
      unit: 'x',
      baseline: 'escapeHtml over the same input, fastest runs, side by side',
      spread: spreadOf(
        [passes(r, size, 'fastest'), passes(r, size, 'median')].map((x) => round(x, 1)),
        `fastest-run to median-run ratio, ${r.format[size].runs} runs`,
      ),
      goal: atMost(ESCAPE_PASSES_GOAL),
    });
  };
  const steepest = worst((x) => growth(x, 'fastest'));
  return [
    section({
      title: 'Page size (dist/assets: index.html and what it loads; gzip default level)',
      method: 'Bytes of each file the page loads, raw and gzipped.',
      table: { columns: ['file', 'bytes', 'gzipped'], rows: fileRows },
      figures: [
        figure({
          name: 'page gzipped, all files',
          value: totalGzip,
          unit: 'bytes',
          baseline: 'none: an absolute size',
          spread: 'exact',
          goal: atMost(PAGE_BUDGET_GZIP),
        }),
      ],
    }),
    section({
      title: 'Formatter (lib/formatting.ts) on adversarial input, against one HTML-escape pass',
      method:
        'Each shape repeated to 100 KB and 1 MB as one flat string; formatWhatsApp and escapeHtml at both sizes ' +
        `take turns run by run, ${RUNS_PER_SIZE} runs each, a minor GC before each run (not timed); times are ` +
        'the fastest runs, in CPU ms. "passes": formatter time / escape time.',
      table: {
        columns: [
          'input',
          '100 KB ms',
          '100 KB escape ms',
          '100 KB passes',
          '1 MB ms',
          '1 MB escape ms',
          '1 MB passes',
          '1 MB / 100 KB',
        ],
        rows: results.map((r) => [
          r.shape,
          round(r.format['100 KB'].fastest),
          round(r.escape['100 KB'].fastest),
          round(passes(r, '100 KB', 'fastest'), 1),
          round(r.format['1 MB'].fastest, 2),
          round(r.escape['1 MB'].fastest, 2),
          round(passes(r, '1 MB', 'fastest'), 1),
          round(growth(r, 'fastest'), 1),
        ]),
      },
      figures: [
        passFigure('100 KB'),
        passFigure('1 MB'),
        figure({
          name: `formatter 1 MB / 100 KB, steepest shape (${steepest.shape}; linear ~10)`,
          value: round(growth(steepest, 'fastest'), 1),
          unit: 'ratio',
          baseline: 'the same shape at 100 KB, fastest runs',
          spread: spreadOf(
            [growth(steepest, 'fastest'), growth(steepest, 'median')].map((x) => round(x, 1)),
            'fastest-run to median-run ratio',
          ),
          goal: below(LINEAR_GOAL),
        }),
        figure({
          name: `realistic message (${message.length} UTF-16 units)`,
          value: round(messageTime.fastest, 4),
          unit: 'ms',
          baseline: 'none: an absolute time (fastest run)',
          spread: spreadOf(
            [messageTime.fastest, messageTime.median].map((x) => round(x, 4)),
            `fastest to median of ${messageTime.runs} runs`,
          ),
        }),
      ],
      notes: [
        'escapeHtml returns its input untouched when nothing needs escaping, so for most shapes the baseline is ' +
          'one read of the input.',
      ],
    }),
  ];
}
