/**
 * The page in Debian's Chromium (playwright-core), served by the real local runtime from the built dist/.
 * One browser for the file; every request the page makes is recorded, and any leaving its origin is refused.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { formatWhatsApp } from '../../lib/formatting';
import { ROOT } from '../../dev/paths';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { textContent } from '../support/formatting-cases';

const KEYWORD = 'shadow-river';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const HOSTILE = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>', 'javascript:alert(1)', '"><svg onload=alert(1)>', '*<img src=x onerror=alert(1)>*'];

let runtime: RunningRuntime;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const offOrigin: string[] = [];
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  [runtime, browser] = await Promise.all([
    startRuntime({ env: { WHATSAPP_SANDBOX_KEYWORD: KEYWORD } }),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    }),
  ]);
  context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: runtime.url });
  const origin = new URL(runtime.url).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    if (new URL(url).origin !== origin) {
      offOrigin.push(url);
      return route.abort();
    }
    return route.continue();
  });
  page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** Elements or attributes a successful injection would leave behind. */
function injectedElements(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const found: string[] = [];
    for (const element of document.querySelectorAll('img, iframe, object, embed, svg:not(.qr svg)')) found.push(element.outerHTML.slice(0, 80));
    for (const script of document.querySelectorAll('script')) if (script.getAttribute('src') !== '/page.js') found.push(script.outerHTML.slice(0, 80));
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.getAttributeNames()) if (attribute.startsWith('on')) found.push(`${element.tagName} ${attribute}`);
    }
    for (const anchor of document.querySelectorAll('a')) if (anchor.href.toLowerCase().startsWith('javascript:')) found.push(anchor.href);
    return found;
  });
}

describe('the page', () => {
  it('is served at / and at /index.html, with a label on every field', async () => {
    await page.goto(`${runtime.url}/index.html`);
    await expect(page.locator('#cheats td.wa strong').first().textContent()).resolves.toBe('bold');
    await page.goto(`${runtime.url}/`);
    await expect(page.title()).resolves.toMatch(/WhatsApp/);
    await expect(page.locator('#cheats td.wa strong').first().textContent()).resolves.toBe('bold');
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')].filter((e) => e.labels?.length !== 1).map((e) => e.id),
    );
    expect(unlabeled).toEqual([]);
  });

  it('builds both links and a QR code from a number and a text, with validation as you type', async () => {
    await page.fill('#number', '415 523');
    await expect(page.locator('#number-msg').textContent()).resolves.toMatch(/Start with the country code/);
    await expect(page.getAttribute('#number', 'aria-invalid')).resolves.toBe('true');
    await expect(page.isHidden('#link-out')).resolves.toBe(true);

    await page.fill('#number', '+1 (415) 523-8886');
    await page.fill('#text', 'Hello world\nline 2');
    await expect(page.locator('#number-msg').textContent()).resolves.toBe('WhatsApp number: +14155238886 (US)');
    await expect(page.getAttribute('#number', 'aria-invalid')).resolves.toBeNull();
    const link = 'https://wa.me/14155238886?text=Hello%20world%0Aline%202';
    await expect(page.locator('#wa-link').textContent()).resolves.toBe(link);
    await expect(page.getAttribute('#wa-link', 'href')).resolves.toBe(link);
    await expect(page.locator('#app-link').textContent()).resolves.toBe('whatsapp://send?phone=14155238886&text=Hello%20world%0Aline%202');
    const qr = page.locator('#link-qr svg');
    await expect(qr.getAttribute('aria-label')).resolves.toBe(`QR code of ${link}`);
    await expect(qr.locator('path').getAttribute('d')).resolves.toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/);
    const box = await qr.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
  });

  it('copies a link with the keyboard alone', async () => {
    await page.focus('#text');
    await page.keyboard.press('Tab'); // the wa.me link
    await page.keyboard.press('Tab'); // its Copy button
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-copy'))).resolves.toBe('wa-link');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('copy-status')?.textContent === 'Link copied.');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('https://wa.me/14155238886?text=Hello%20world%0Aline%202');
  });

  it('previews markup as WhatsApp shows it, from the same formatter', async () => {
    const markup = '*bold* _it_ snake_case_name é*x*\n* item\n1. first\n> quote\n```a\n *b*```\n2 * 3';
    await page.fill('#message', markup);
    const html = formatWhatsApp(markup);
    const dom = await page.evaluate(() => {
      const bubble = document.getElementById('bubble')!;
      return {
        text: bubble.textContent,
        strong: [...bubble.querySelectorAll('strong')].map((e) => e.textContent),
        em: [...bubble.querySelectorAll('em')].map((e) => e.textContent),
        items: [...bubble.querySelectorAll('li')].map((e) => `${e.parentElement!.tagName} ${e.textContent}`),
        quote: bubble.querySelector('blockquote')?.textContent,
        pre: bubble.querySelector('pre')?.textContent,
        tags: [...new Set([...bubble.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()))].sort(),
      };
    });
    expect(dom).toEqual({
      text: textContent(html), // the browser's parser agrees with the model the unit properties use
      strong: ['bold'],
      em: ['it'],
      items: ['UL item\n', 'OL 1. first\n'],
      quote: 'quote\n',
      pre: 'a\n *b*',
      tags: ['blockquote', 'em', 'li', 'ol', 'pre', 'strong', 'ul'],
    });
    await expect(page.locator('#count').textContent()).resolves.toBe(`${markup.length} / 1600 characters`);
    await page.fill('#message', 'x'.repeat(1601));
    await expect(page.locator('#count').textContent()).resolves.toBe("1601 / 1600 characters: 1 over Twilio's limit");
    await page.fill('#message', '*Hello* from _Twilio_!\n* Bold, _italic_, ~strike~ and `code`\n> A quote\n```monospace```');
  });

  it('shows the sandbox join link and a QR code of /sandbox/join', async () => {
    await page.waitForSelector('#sb-out:not([hidden])');
    await expect(page.locator('#sb-message').textContent()).resolves.toBe(`join ${KEYWORD}`);
    await expect(page.locator('#sb-number').textContent()).resolves.toBe('+14155238886');
    await expect(page.getAttribute('#sb-link', 'href')).resolves.toBe(`https://wa.me/14155238886?text=join%20${KEYWORD}`);
    await expect(page.locator('#sb-stable').textContent()).resolves.toBe(`${runtime.url}/sandbox/join`);
    await expect(page.locator('#sb-qr svg path').count()).resolves.toBe(1);
    const notes = await page.locator('#sandbox .notes').textContent();
    expect(notes).toMatch(/3 days/);
    expect(notes).toMatch(/1 message every 3 seconds/);
    expect(notes).toMatch(/63015/);
  });

  it('runs no script from hostile input in any field', async () => {
    // The listener works: a dialog the test opens itself is seen.
    await page.evaluate(() => alert('control'));
    expect(dialogs).toEqual(['control']);
    dialogs.length = 0;

    for (const payload of HOSTILE) {
      await page.fill('#number', payload);
      await page.fill('#text', payload);
      await page.fill('#message', payload);
      await expect(page.locator('#bubble').textContent()).resolves.toBe(textContent(formatWhatsApp(payload)));
      await expect(page.isHidden('#link-out')).resolves.toBe(true);
      await page.fill('#number', '+14155238886'); // valid number: the hostile text goes into the links
      await expect(page.locator('#wa-link').textContent()).resolves.toBe(`https://wa.me/14155238886?text=${encodeURIComponent(payload)}`);
      await expect(injectedElements(page)).resolves.toEqual([]);
    }
    await page.waitForTimeout(200); // let an onerror of a (wrongly) created image fire before looking
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('fits a phone screen and saves a screenshot of the page', async () => {
    await page.fill('#number', '+1 415 523 8886');
    await page.fill('#text', 'Hi! I would like to know more.');
    await page.fill('#message', '*Order 1042* is on its way 🚚\n* 2 × _Flat white_\n* 1 × ~Croissant~ (sold out)\n> Track it with the code `X7-42`\n```\nETA   14:30\nPaid  €7.40\n```');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'page.png'), fullPage: true });
    await page.locator('.chat').screenshot({ path: join(ARTIFACTS, 'preview.png') });
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'page-phone.png'), fullPage: true });
  });

  it('made no request outside its own origin', () => {
    expect(requests.length).toBeGreaterThan(3);
    expect(offOrigin).toEqual([]);
  });
});
