/**
 * The page in Debian's Chromium (playwright-core), served by the real local runtime from the built dist/.
 * One browser for the file; every request the page makes is recorded, and any leaving its origin is refused.
 * Screenshots (three widths, light and dark, and the print poster) go to test-artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import jsQR from 'jsqr';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { formatWhatsApp } from '../../lib/formatting';
import { ROOT } from '../../dev/paths';
import { startRuntime, type RunningRuntime } from '../support/runtime';
import { textContent } from '../support/formatting-cases';

const KEYWORD = 'shadow-river';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '"><svg onload=alert(1)>',
  '*<img src=x onerror=alert(1)>*',
];
const LINK = 'https://wa.me/14155238886?text=Hello%20world%0Aline%202';
const SAMPLE_MESSAGE =
  '*Order 1042* is on its way 🚚\n* 2 × _Flat white_\n* 1 × ~Croissant~ (sold out)\n> Track it with the code `X7-42`\n```\nETA   14:30\nPaid  €7.40\n```\nhttps://example.com/track/orders/1042?utm_source=whatsapp_business_notification';

let runtime: RunningRuntime;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Requests of the page (and its frames); those leaving the origin are refused. */
const requests: string[] = [];
const offOrigin: string[] = [];
/** Requests of every tab, including those the page's "Open" links open (refused off the origin too). */
const everywhere: string[] = [];
const dialogs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  [runtime, browser] = await Promise.all([
    startRuntime({ env: { WHATSAPP_SANDBOX_KEYWORD: KEYWORD } }),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    }),
  ]);
  context = await browser.newContext({ viewport: { width: 1024, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: runtime.url });
  const origin = new URL(runtime.url).origin;
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === origin ? route.continue() : route.abort(),
  );
  context.on('request', (request) => everywhere.push(request.url()));
  context.setDefaultTimeout(10_000); // fail fast: nothing here should take long
  page = await context.newPage();
  page.on('request', (request) => {
    requests.push(request.url());
    if (new URL(request.url()).origin !== origin) offOrigin.push(request.url());
  });
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
    for (const element of document.querySelectorAll(
      'img, iframe, object, embed, svg:not(.qr svg, .poster-qr svg, svg.ticks)',
    ))
      found.push(element.outerHTML.slice(0, 80));
    for (const script of document.querySelectorAll('script'))
      if (!['/page.js', '/frame-guard.js'].includes(script.getAttribute('src') ?? ''))
        found.push(script.outerHTML.slice(0, 80));
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.getAttributeNames())
        if (attribute.startsWith('on')) found.push(`${element.tagName} ${attribute}`);
    }
    for (const anchor of document.querySelectorAll('a'))
      if (anchor.href.toLowerCase().startsWith('javascript:')) found.push(anchor.href);
    return found;
  });
}

/** The QR code in an SVG the page made (our path format: one `M x y h run v1 h-run z` per run), decoded. */
function decodeSvgQr(svg: string): string | undefined {
  const size = svgModules(svg);
  const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
  const scale = 4;
  const width = size * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y, run] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let row = Number(y) * scale; row < (Number(y) + 1) * scale; row += 1) {
      for (let col = Number(x) * scale; col < (Number(x) + Number(run)) * scale; col += 1)
        pixels.fill(0, (row * width + col) * 4, (row * width + col) * 4 + 3);
    }
  }
  return jsQR(pixels, width, width)?.data;
}

/**
 * The QR code in a PNG, decoded. The browser decodes the image (a data: URL, allowed by the page's CSP) and
 * scales it to 3 pixels a module without smoothing, which keeps it exact and small enough for jsQR to be quick.
 */
async function decodePngQr(png: Buffer, modules: number): Promise<{ width: number; data?: string }> {
  const side = modules * 3;
  const image = await page.evaluate(
    async ([base64, size]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${base64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      const context = canvas.getContext('2d')!;
      context.imageSmoothingEnabled = false;
      context.drawImage(img, 0, 0, size, size);
      const rgba = context.getImageData(0, 0, size, size).data;
      let dark = '';
      for (let i = 0; i < rgba.length; i += 4) dark += rgba[i]! < 128 ? '1' : '0';
      return { width: img.naturalWidth, dark };
    },
    [png.toString('base64'), side] as const,
  );
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let i = 0; i < side * side; i += 1) if (image.dark[i] === '1') pixels.fill(0, i * 4, i * 4 + 3);
  return { width: image.width, data: jsQR(pixels, side, side)?.data };
}

/** Modules per side (with the quiet zone) of the SVG the page made. */
const svgModules = (svg: string) => Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);

async function download(selector: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await file.path());
}

describe('the page', () => {
  it('is served at / and at /index.html, with a label on every field', async () => {
    await page.goto(`${runtime.url}/index.html`);
    await expect(page.locator('#cheats td.wa strong').first().textContent()).resolves.toBe('bold');
    await page.goto(`${runtime.url}/`);
    await expect(page.title()).resolves.toMatch(/WhatsApp/);
    await expect(page.locator('#cheats td.wa strong').first().textContent()).resolves.toBe('bold');
    const unlabeled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement>('input, textarea, select')]
        .filter((e) => e.labels?.length !== 1)
        .map((e) => e.id),
    );
    expect(unlabeled).toEqual([]);
  });

  it('builds both links and a QR code from a number and a text, with validation as you type', async () => {
    await expect(page.isVisible('#link-empty')).resolves.toBe(true);
    await page.fill('#number', '415 523');
    await expect(page.locator('#number-msg').textContent()).resolves.toMatch(/Start with the country code/);
    await expect(page.getAttribute('#number', 'aria-invalid')).resolves.toBe('true');
    await expect(page.isHidden('#link-out')).resolves.toBe(true);

    await page.fill('#number', '+1 (415) 523-8886');
    await page.fill('#text', 'Hello world\nline 2');
    await expect(page.locator('#number-msg').textContent()).resolves.toBe('WhatsApp number: +14155238886 (US)');
    await expect(page.getAttribute('#number', 'aria-invalid')).resolves.toBeNull();
    await expect(page.isHidden('#link-empty')).resolves.toBe(true);
    await expect(page.locator('#wa-link').textContent()).resolves.toBe(LINK);
    await expect(page.getAttribute('#wa-link-open', 'href')).resolves.toBe(LINK);
    const app = 'whatsapp://send?phone=14155238886&text=Hello%20world%0Aline%202';
    await expect(page.locator('#app-link').textContent()).resolves.toBe(app);
    await expect(page.getAttribute('#app-link-open', 'href')).resolves.toBe(app);
    // The box may break only after / ? & = and before a %-escape.
    const pieces = await page.evaluate(() =>
      [...document.getElementById('wa-link')!.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent),
    );
    expect(pieces).toEqual(['https:/', '/', 'wa.me/', '14155238886?', 'text=', 'Hello', '%20world', '%0Aline', '%202']);
    const qr = page.locator('#link-qr svg');
    await expect(qr.getAttribute('aria-label')).resolves.toBe(`QR code of ${LINK}`);
    await expect(qr.locator('path').getAttribute('d')).resolves.toMatch(/^(M\d+ \d+h\d+v1h-\d+z)+$/);
    await expect(page.locator('#link-qr-caption').textContent()).resolves.toBe(
      'Scan to chatOpens WhatsApp on the phone that scans it, in a chat with +14155238886, with your message ready to send.',
    );
    expect((await qr.boundingBox())?.width).toBeGreaterThan(100);
  });

  it('downloads the QR code as SVG and PNG files that decode to the exact link', async () => {
    const svg = (await download('#link-qr-actions [data-format=svg]')).toString('utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(decodeSvgQr(svg)).toBe(LINK);
    const png = await download('#link-qr-actions [data-format=png]');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const decoded = await decodePngQr(png, svgModules(svg));
    expect(decoded.data).toBe(LINK);
    expect(decoded.width).toBeGreaterThanOrEqual(1024);
  });

  it('copies a link with the keyboard alone, and falls back when the Clipboard API is refused', async () => {
    await page.focus('#text');
    await page.keyboard.press('Tab'); // the link's Copy button
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-copy'))).resolves.toBe('wa-link');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('copy-status')?.textContent === 'Link copied.');
    await expect(page.locator('[data-copy=wa-link]').textContent()).resolves.toBe('Copied ✓ link');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(LINK);

    // Refused Clipboard API: the page copies by selection (execCommand), and the focus stays on the button.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('refused', 'NotAllowedError'));
      document.getElementById('copy-status')!.textContent = '';
    });
    await page.focus('[data-copy=app-link]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('copy-status')?.textContent === 'Link copied.');
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(
      'whatsapp://send?phone=14155238886&text=Hello%20world%0Aline%202',
    );
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-copy'))).resolves.toBe('app-link');

    // Copying refused altogether: the link is selected and the page says how to copy it.
    await page.evaluate(() => (document.execCommand = () => false));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document.getElementById('copy-status')?.textContent?.startsWith('Copying is blocked here'),
    );
    await expect(page.locator('[data-copy=app-link]').textContent()).resolves.toBe('Selected: press Ctrl+C app link');
    await expect(page.evaluate(() => getSelection()?.toString())).resolves.toBe(
      'whatsapp://send?phone=14155238886&text=Hello%20world%0Aline%202',
    );
    await page.reload(); // the real Clipboard API and execCommand again
  });

  it('previews markup as WhatsApp shows it, from the same formatter, counted as Twilio counts', async () => {
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
    await expect(page.locator('#count').textContent()).resolves.toBe(`${markup.length} / 1,600 characters`);
    await page.fill('#message', '😀'.repeat(800) + 'x'); // an emoji counts 2, as Twilio counts it
    await expect(page.locator('#count').textContent()).resolves.toBe("1,601 / 1,600 characters: 1 over Twilio's limit");
    await expect(page.getAttribute('#count', 'class')).resolves.toBe('msg error');

    await page.fill('#message', SAMPLE_MESSAGE);
    await expect(page.locator('#message-cut').textContent()).resolves.toBe('');
  });

  it("cuts a paste past WhatsApp's 4,096 characters and says so; the count keeps Twilio's 1,600", async () => {
    const cut = 'Cut to 4,096 characters, the most WhatsApp sends in one message.';
    const notice = () => page.locator('#message-cut').textContent();
    const length = () => page.evaluate(() => (document.getElementById('message') as HTMLTextAreaElement).value.length);
    await page.fill('#message', '');
    // A clipboard paste (Ctrl+V) of 100 KB keeps the first 4,096 characters, previewed and counted.
    await page.evaluate((text) => navigator.clipboard.writeText(text), '*a* '.repeat(25_600));
    await page.focus('#message');
    await page.keyboard.press('Control+V');
    await expect(length()).resolves.toBe(4096);
    await expect(notice()).resolves.toBe(cut);
    await expect(page.locator('#count').textContent()).resolves.toBe(
      "4,096 / 1,600 characters: 2,496 over Twilio's limit",
    );
    await expect(page.locator('#bubble strong').count()).resolves.toBe(1024);
    await expect(page.getAttribute('#message', 'aria-describedby')).resolves.toBe('count message-cut');
    await expect(page.getAttribute('#message-cut', 'role')).resolves.toBe('status');
    // Typing at the cap adds nothing and says so; an edit that fits empties the notice.
    await page.keyboard.press('Backspace');
    await expect(notice()).resolves.toBe('');
    await page.keyboard.type('x');
    await expect(length()).resolves.toBe(4096);
    await expect(notice()).resolves.toBe('');
    await page.keyboard.type('y');
    await page.waitForFunction((text) => document.getElementById('message-cut')!.textContent === text, cut);
    await expect(length()).resolves.toBe(4096);
    // The other ways text goes in: an input method's insert, a script's execCommand, a value a script sets.
    await page.fill('#message', 'short');
    await expect(notice()).resolves.toBe('');
    await page.keyboard.insertText('z'.repeat(100_000));
    await expect(length()).resolves.toBe(4096);
    await expect(notice()).resolves.toBe(cut);
    await page.fill('#message', 'short');
    await page.evaluate(() => {
      (document.getElementById('message') as HTMLTextAreaElement).select();
      document.execCommand('insertText', false, 'e'.repeat(100_000));
    });
    await expect(length()).resolves.toBe(4096);
    await expect(notice()).resolves.toBe(cut);
    await page.fill('#message', 'short');
    const scripted = await page.evaluate(() => {
      const field = document.getElementById('message') as HTMLTextAreaElement;
      field.value = `a${'😀'.repeat(50_000)}`; // a script's value: maxlength does not apply to it
      field.dispatchEvent(new Event('input', { bubbles: true }));
      return { length: field.value.length, last: field.value.slice(-2) };
    });
    expect(scripted).toEqual({ length: 4095, last: '😀' }); // cut before the pair that would split
    await expect(notice()).resolves.toBe(cut);
    await expect(page.locator('#count').textContent()).resolves.toBe(
      "4,095 / 1,600 characters: 2,495 over Twilio's limit",
    );
    await page.fill('#message', SAMPLE_MESSAGE);
    await expect(notice()).resolves.toBe('');
  });

  it('caps every free-text field at what its use allows, and says so when a paste was cut', async () => {
    await page.waitForSelector('#sb-local:not([hidden])'); // the public URL field is capped once it shows
    await page.selectOption('#template', '1'); // the template with variables
    const caps: [string, number, string][] = [
      ['#business', 100, 'Cut to 100 characters, enough for the chat header and the poster.'],
      ['#number', 64, 'Cut to 64 characters, far more than a phone number needs.'],
      ['#text', 4096, 'Cut to 4,096 characters, the most WhatsApp sends in one message.'],
      ['#public-url', 2318, 'Cut to 2,318 characters, as a longer address leaves its QR code no room.'],
      ['#var-2', 1024, 'Cut to 1,024 characters, the longest body a template may have.'],
    ];
    for (const [selector, max, said] of caps) {
      await page.fill(selector, '1'.repeat(100_000));
      await expect(
        page.evaluate((s) => (document.querySelector(s) as HTMLInputElement).value.length, selector),
      ).resolves.toBe(max);
      await expect(page.locator(`${selector}-cut`).textContent()).resolves.toBe(said);
      const describedBy = (await page.getAttribute(selector, 'aria-describedby'))!.split(' ');
      expect(describedBy).toContain(`${selector.slice(1)}-cut`);
      await page.fill(selector, '');
      await expect(page.locator(`${selector}-cut`).textContent()).resolves.toBe('');
    }
    await page.reload();
  });

  it('shows the business name in the chat headers', async () => {
    await expect(page.locator('#preview .chat-name').textContent()).resolves.toBe('Your business');
    await page.fill('#business', 'Acme Coffee');
    await expect(page.locator('#preview .chat-name').textContent()).resolves.toBe('Acme Coffee');
    await expect(page.getAttribute('#templates .avatar', 'data-initial')).resolves.toBe('A');
  });

  it('shows the sandbox join link, a QR code of /sandbox/join, and asks for a public URL when served locally', async () => {
    await page.waitForSelector('#sb-out:not([hidden])');
    await expect(page.locator('#sb-message').textContent()).resolves.toBe(`join ${KEYWORD}`);
    await expect(page.locator('#sb-number').textContent()).resolves.toBe('+14155238886');
    await expect(page.getAttribute('#sb-link-open', 'href')).resolves.toBe(
      `https://wa.me/14155238886?text=join%20${KEYWORD}`,
    );
    await expect(page.locator('#sb-stable').textContent()).resolves.toBe(`${runtime.url}/sandbox/join`);
    await expect(page.locator('#sb-qr svg path').count()).resolves.toBe(1);
    const host = new URL(runtime.url).host;
    await expect(page.locator('#sb-local-msg').textContent()).resolves.toMatch(
      new RegExp(`served from ${host}, a local address: a phone`),
    );
    await expect(page.locator('#sb-qr-caption').textContent()).resolves.toMatch(
      `It points at ${host}, which a phone cannot reach.`,
    );

    await page.fill('#public-url', 'localhost:3000');
    await expect(page.locator('#public-url-msg').textContent()).resolves.toBe(
      'The address starts with https:// (or http://).',
    );
    await expect(page.getAttribute('#public-url', 'aria-invalid')).resolves.toBe('true');
    await page.fill('#public-url', 'http://127.0.0.1:3000');
    await expect(page.locator('#public-url-msg').textContent()).resolves.toBe(
      '127.0.0.1:3000 is this computer: phones cannot reach it either.',
    );
    await page.fill('#public-url', 'https://acme.example.ngrok.app/');
    const stable = 'https://acme.example.ngrok.app/sandbox/join';
    await expect(page.locator('#public-url-msg').textContent()).resolves.toBe(`The QR code now opens ${stable}.`);
    await expect(page.locator('#sb-stable').textContent()).resolves.toBe(stable);
    await expect(page.getAttribute('#sb-qr svg', 'aria-label')).resolves.toBe(`QR code of ${stable}`);
    await expect(page.locator('#sb-qr-caption').textContent()).resolves.not.toMatch(/cannot reach/);
    const svg = (await download('#sandbox [data-format=svg]')).toString('utf8');
    expect(decodeSvgQr(svg)).toBe(stable);
    const png = await download('#sandbox [data-format=png]');
    await expect(decodePngQr(png, svgModules(svg)).then((d) => d.data)).resolves.toBe(stable);

    const notes = await page.locator('#sandbox .notes').textContent();
    expect(notes).toMatch(/3 days/);
    expect(notes).toMatch(/1 message every 3 seconds/);
    expect(notes).toMatch(/63015/);
  });

  it('previews the repository templates with their buttons and variables', async () => {
    await expect(page.isVisible('#templates')).resolves.toBe(true);
    const names = await page.locator('#template option').allTextContents();
    expect(names).toEqual(['bot_menu', 'order_update']);
    // bot_menu: WhatsApp shows the quick-reply type, its buttons under the bubble.
    await expect(page.inputValue('#template-type')).resolves.toBe('twilio/quick-reply');
    await expect(page.locator('#template-chat .wa').textContent()).resolves.toBe(
      'What would you like to see? Tap a button, or type menu at any time.',
    );
    await expect(page.locator('#template-chat .reply').allTextContents()).resolves.toEqual([
      'Sample image',
      'Our location',
      'Text styles',
    ]);
    await page.selectOption('#template-type', 'twilio/text');
    await expect(page.locator('#template-chat .reply').count()).resolves.toBe(0);
    await expect(page.locator('#template-type-msg').textContent()).resolves.toBe('Category and language: UTILITY · en');

    // order_update: variables from the samples, then from what is typed.
    await page.selectOption('#template', { label: 'order_update' });
    await expect(page.locator('#template-vars label').allTextContents()).resolves.toEqual(['{{1}}', '{{2}}', '{{3}}']);
    await expect(page.locator('#template-chat .wa').textContent()).resolves.toBe(
      'Hello Maria, your order #10452 is out for delivery. Reply STOP to stop these updates.',
    );
    await page.fill('#var-1', 'Ana *VIP*');
    await expect(page.locator('#template-chat .wa').textContent()).resolves.toBe(
      'Hello Ana VIP, your order #10452 is out for delivery. Reply STOP to stop these updates.',
    );
    await expect(page.locator('#template-chat .wa strong').textContent()).resolves.toBe('VIP');
    await page.fill('#var-1', '');
  });

  it('runs no script from hostile input in any field', async () => {
    // The listener works: a dialog the test opens itself is seen.
    await page.evaluate(() => alert('control'));
    expect(dialogs).toEqual(['control']);
    dialogs.length = 0;
    await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test

    for (const payload of HOSTILE) {
      await page.fill('#business', payload);
      await page.fill('#number', payload);
      await page.fill('#text', payload);
      await page.fill('#message', payload);
      await page.fill('#public-url', payload);
      await page.fill('#var-2', payload);
      await expect(page.locator('#bubble').textContent()).resolves.toBe(textContent(formatWhatsApp(payload)));
      await expect(page.locator('#preview .chat-name').textContent()).resolves.toBe(payload);
      await expect(page.isHidden('#link-out')).resolves.toBe(true);
      await page.fill('#number', '+14155238886'); // valid number: the hostile text goes into the links
      await expect(page.locator('#wa-link').textContent()).resolves.toBe(
        `https://wa.me/14155238886?text=${encodeURIComponent(payload)}`,
      );
      await page.click('#link-qr-actions [data-print]'); // the poster shows the name as text
      await expect(injectedElements(page)).resolves.toEqual([]);
    }
    await page.waitForTimeout(200); // let an onerror of a (wrongly) created image fire before looking
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.reload();
  });

  it('hides itself inside a frame of another page (clickjacking), scripted or sandboxed', async () => {
    const framing = await context.newPage();
    await framing.setContent(
      `<iframe id="a" src="${runtime.url}/" width="800" height="600"></iframe>` +
        `<iframe id="b" sandbox="allow-forms" src="${runtime.url}/" width="800" height="600"></iframe>`,
    );
    for (const id of ['a', 'b']) {
      const frame = await (await framing.$(`#${id}`))!.contentFrame();
      await frame!.waitForSelector('#framed', { state: 'visible' });
      await expect(frame!.isHidden('main')).resolves.toBe(true);
      await expect(frame!.isHidden('header')).resolves.toBe(true);
    }
    await framing.close();
    // Top level, the same page shows and the notice does not.
    await expect(page.isVisible('main')).resolves.toBe(true);
    await expect(page.isHidden('#framed')).resolves.toBe(true);
  });

  it('works with the keyboard alone: every control is reached by Tab, in order, and operates', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.fill('#number', '+14155238886');
    await page.fill('#text', 'Hi');
    await page.waitForSelector('#sb-out:not([hidden])');
    const controls = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('a[href], button, input, textarea, select, summary')]
        .filter((e) => e.getClientRects().length > 0)
        .map(
          (e) =>
            e.id ||
            e.dataset.copy ||
            `${e.dataset.download ?? e.dataset.print ?? ''}${e.dataset.format ?? ''}` ||
            e.textContent!.trim(),
        ),
    );
    // Start where a keyboard user starts: the top of the page (the h1, focusable for this moment only).
    await page.evaluate(() => {
      const h1 = document.querySelector('h1')!;
      h1.tabIndex = -1;
      h1.focus();
      h1.removeAttribute('tabindex');
    });
    const reached: string[] = [];
    for (let i = 0; i < controls.length; i += 1) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => {
          const e = document.activeElement as HTMLElement;
          return (
            e.id ||
            e.dataset.copy ||
            `${e.dataset.download ?? e.dataset.print ?? ''}${e.dataset.format ?? ''}` ||
            e.textContent!.trim()
          );
        }),
      );
    }
    expect(reached).toEqual(controls);
    expect(controls).toEqual(
      expect.arrayContaining([
        'business',
        'template',
        'template-type',
        'Formatting cheat sheet',
        'wa-link-open',
        'linksvg',
        'sandboxpng',
        'sandbox',
      ]),
    );

    const focus = async (selector: string) => {
      await page.focus(selector);
      await expect(page.evaluate((s) => document.activeElement === document.querySelector(s), selector)).resolves.toBe(
        true,
      );
    };
    // Fields take typing; the cheat sheet opens with Enter; selects change with the arrow keys.
    await focus('#business');
    await page.keyboard.type('Acme');
    await expect(page.locator('#preview .chat-name').textContent()).resolves.toBe('Acme');
    await focus('#message');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('*hi*');
    await expect(page.locator('#bubble strong').textContent()).resolves.toBe('hi');
    await focus('#preview summary');
    await page.keyboard.press('Enter');
    await expect(page.getAttribute('#preview details', 'open')).resolves.toBe('');
    await page.keyboard.press('Enter');
    await focus('#template');
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#template-vars input').count()).resolves.toBe(3);
    await focus('#template-type');
    await expect(page.inputValue('#template-type')).resolves.toBe('twilio/text');
    await focus('#var-3');
    await page.keyboard.type('ready');
    await expect(page.locator('#template-chat .wa').textContent()).resolves.toMatch(/is ready\./);
    // Links open where they point; downloads and the poster work from Enter.
    for (const id of ['wa-link-open', 'sb-link-open', 'sb-stable-open']) {
      const href = (await page.getAttribute(`#${id}`, 'href'))!;
      await focus(`#${id}`);
      const [popup] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
      await popup.waitForLoadState().catch(() => undefined); // the refused wa.me load fails
      await popup.close();
      expect(everywhere).toContain(href);
    }
    await expect(page.getAttribute('#app-link-open', 'href')).resolves.toMatch(/^whatsapp:\/\/send\?phone=14155238886/);
    for (const part of ['link', 'sandbox']) {
      for (const format of ['svg', 'png']) {
        await focus(`[data-download=${part}][data-format=${format}]`);
        const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
        expect(file.suggestedFilename()).toBe(`whatsapp-${part === 'link' ? 'chat' : 'sandbox'}-qr.${format}`);
      }
    }
    await page.evaluate(() => (window.print = () => document.body.setAttribute('data-printed', '')));
    await focus('[data-print=sandbox]');
    await page.keyboard.press('Enter');
    await expect(page.getAttribute('body', 'data-printed')).resolves.toBe('');
    await expect(page.locator('#poster-title').textContent()).resolves.toBe('Scan to join the sandbox');
  });

  it('has no accessibility violation (axe-core) at 360, 768 and 1280 px, light and dark; saves screenshots', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.reload();
    await page.fill('#business', 'Acme Coffee');
    // Trailing spaces past the number's cap: its cut notice shows (and is checked) beside a valid number.
    await page.fill('#number', `+1 415 523 8886${' '.repeat(60)}`);
    await expect(page.locator('#number-cut').textContent()).resolves.toMatch(/^Cut to 64 characters/);
    await page.fill('#text', 'Hi! I would like to know more.');
    await page.fill('#message', SAMPLE_MESSAGE);
    await page.fill('#public-url', 'https://acme.example.ngrok.app');
    await page.waitForSelector('#sb-out:not([hidden])');
    await page.evaluate(axe.source);
    const violations: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const width of [360, 768, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBe(0);
        const result = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document));
        for (const v of result.violations)
          violations.push(`${colorScheme} ${width}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        await page.screenshot({ path: join(ARTIFACTS, `page-${width}-${colorScheme}.png`), fullPage: true });
      }
    }
    expect(violations).toEqual([]);
    await page.locator('#preview .phone').screenshot({ path: join(ARTIFACTS, 'preview.png') });
  });

  it('prints a one-page poster of a QR code with its link', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
    await page.click('#link-qr-actions [data-print]');
    await page.emulateMedia({ media: 'print' });
    await expect(page.isHidden('main')).resolves.toBe(true);
    await expect(page.isVisible('#poster-qr svg')).resolves.toBe(true);
    expect((await page.locator('#poster-qr svg').boundingBox())?.width).toBeGreaterThan(300);
    await expect(page.locator('#poster-title').textContent()).resolves.toBe('Scan to chat with Acme Coffee');
    await expect(page.locator('#poster-link').textContent()).resolves.toBe(
      'https://wa.me/14155238886?text=Hi!%20I%20would%20like%20to%20know%20more.',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'page-print-poster.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => dispatchEvent(new Event('afterprint')));
    await expect(page.evaluate(() => document.documentElement.classList.contains('printing-poster'))).resolves.toBe(
      false,
    );
  });

  it('made no request outside its own origin', () => {
    expect(requests.length).toBeGreaterThan(3);
    expect(offOrigin).toEqual([]);
  });
});
