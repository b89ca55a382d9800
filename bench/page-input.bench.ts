/**
 * The page's preview under big input, in Chromium: how long the main thread is blocked when 100 KB is pasted
 * into the message (goal: never more than 50 ms at a time, the Long Tasks threshold), and how long a
 * 1,600-character message takes from input to the next painted frame (goal: within one 60 Hz frame).
 * A paste is `insertText` at the caret, as the browser does for a clipboard paste.
 */
import { chromium, type Page } from 'playwright-core';
import { spawnLocalRuntime } from '../dev/local-runtime';
import { atMost, figure, median, round, section, spreadOf, type BenchSection } from './report';

const ROUNDS = 7;
const FRAME_MS = 1000 / 60;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

type Sample = { untilFrameMs: number; longestTaskMs: number };

/** Replaces the message with `text`, then waits for the next frame and for any deferred work to show. */
async function typeInto(page: Page, text: string): Promise<Sample> {
  return page.evaluate(async (value) => {
    const tasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask' });
    const field = document.querySelector('#message') as HTMLTextAreaElement;
    field.focus();
    field.select();
    const started = performance.now();
    document.execCommand('insertText', false, value);
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const untilFrameMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    observer.disconnect();
    return { untilFrameMs, longestTaskMs: Math.max(0, ...tasks) };
  }, text);
}

export async function run(): Promise<BenchSection> {
  const runtime = await spawnLocalRuntime({ env: {} });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${runtime.url}/`);
    const big = '*bold* _italic_ ~strike~ `code` and words '.repeat(3000).slice(0, 100_000);
    const message = 'Your order *1042* is on its way: _2 × flat white_, track it at https://example.com/t/1042. '
      .repeat(20)
      .slice(0, 1600);
    const pasted: Sample[] = [];
    const typed: Sample[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      pasted.push(await typeInto(page, big));
      typed.push(await typeInto(page, message));
    }
    const longest = pasted.map((s) => s.longestTaskMs);
    const pasteFrames = pasted.map((s) => s.untilFrameMs);
    const frames = typed.map((s) => s.untilFrameMs);
    return section({
      title: 'The page under big input (Chromium, the preview of /)',
      method: `${ROUNDS} rounds, each: paste 100 KB into the message, then type a 1,600-character message over it`,
      figures: [
        figure({
          name: '100 KB pasted: longest task the Long Tasks API reported (0: none reached 50 ms), worst round',
          value: round(Math.max(...longest), 1),
          unit: 'ms',
          baseline: 'none: the Long Tasks threshold',
          spread: spreadOf(longest),
          goal: atMost(50),
        }),
        figure({
          name: '100 KB pasted: input to the next frame, median (may span several tasks)',
          value: round(median(pasteFrames), 1),
          unit: 'ms',
          baseline: 'none',
          spread: spreadOf(pasteFrames),
        }),
        figure({
          name: '1,600 characters: input to the next frame (median)',
          value: round(median(frames), 1),
          unit: 'ms',
          baseline: 'none: one 60 Hz frame',
          spread: spreadOf(frames),
          goal: atMost(round(FRAME_MS, 1)),
        }),
      ],
    });
  } finally {
    await browser.close();
    await runtime.stop();
  }
}
