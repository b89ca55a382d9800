/**
 * The page's script (bundled to /page.js): the deep-link builder with its QR code, the sandbox join, and the
 * message preview. It runs the same lib/ code as the functions (deep links, phone validation, formatting).
 *
 * Safety: what people type reaches the DOM only as textContent, link hrefs are only links lib/deeplink.ts built
 * (or checked prefixes from our own /sandbox/join), and the preview's HTML is lib/formatting.ts's escaped,
 * allow-listed output. The QR code is drawn as SVG elements, never parsed from a string.
 */
import qrcode from 'qrcode-generator';
import { buildDeepLinks } from '../lib/deeplink';
import { formatWhatsApp } from '../lib/formatting';
import { MAX_MESSAGE_UNITS, messageUnits } from '../lib/message-length';

const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const SVG_NS = 'http://www.w3.org/2000/svg';
const NUMBER_HINT = 'Spaces, dashes, parentheses and a leading + or 00 are fine.';

function svgElement(name: string, attributes: Record<string, string>): SVGElement {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

/**
 * Draws `data` as a QR code (SVG) in `box`. The data are links, ASCII only (percent-encoded), which is what
 * qrcode-generator's byte mode encodes as is. Returns '' or why no code could be drawn.
 */
function drawQr(box: HTMLElement, data: string, label: string): string {
  const qr = qrcode(0, 'M');
  try {
    qr.addData(data, 'Byte');
    qr.make();
  } catch {
    box.replaceChildren();
    return `Too long for a QR code (${data.length} characters in the link): shorten the message.`;
  }
  const count = qr.getModuleCount();
  const margin = 4;
  let path = '';
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; ) {
      if (!qr.isDark(row, col)) {
        col += 1;
        continue;
      }
      let run = 1;
      while (col + run < count && qr.isDark(row, col + run)) run += 1;
      path += `M${col + margin} ${row + margin}h${run}v1h-${run}z`;
      col += run;
    }
  }
  const size = String(count + 2 * margin);
  const svg = svgElement('svg', { viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': label, 'shape-rendering': 'crispEdges' });
  svg.append(svgElement('rect', { width: size, height: size, fill: '#fff' }), svgElement('path', { d: path, fill: '#000' }));
  box.replaceChildren(svg);
  return '';
}

function showLink(anchor: HTMLAnchorElement, href: string): void {
  anchor.href = href;
  anchor.textContent = href;
}

function setupLinkBuilder(): void {
  const number = byId<HTMLInputElement>('number');
  const text = byId<HTMLTextAreaElement>('text');
  const message = byId('number-msg');
  const out = byId('link-out');
  const update = () => {
    if (number.value.trim() === '') {
      number.removeAttribute('aria-invalid');
      message.className = 'msg';
      message.textContent = NUMBER_HINT;
      out.hidden = true;
      return;
    }
    const result = buildDeepLinks(number.value, text.value);
    if (!result.ok) {
      number.setAttribute('aria-invalid', 'true');
      message.className = 'msg error';
      message.textContent = result.reason;
      out.hidden = true;
      return;
    }
    number.removeAttribute('aria-invalid');
    message.className = 'msg ok';
    message.textContent = `WhatsApp number: ${result.e164}${result.country ? ` (${result.country})` : ''}`;
    showLink(byId('wa-link'), result.link);
    showLink(byId('app-link'), result.appLink);
    byId('qr-msg').textContent = drawQr(byId('link-qr'), result.link, `QR code of ${result.link}`);
    out.hidden = false;
  };
  number.addEventListener('input', update);
  text.addEventListener('input', update);
  update();
}

type SandboxJoin = { number: string; keyword: string; link: string; app_link: string };

/** The /sandbox/join JSON, checked: our own route, but the page still only links where it expects to. */
function readSandboxJoin(body: unknown): SandboxJoin | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const join = body as Record<string, unknown>;
  const strings = ['number', 'keyword', 'link', 'app_link'].every((key) => typeof join[key] === 'string');
  if (!strings || !String(join.link).startsWith('https://wa.me/') || !String(join.app_link).startsWith('whatsapp://send?')) return undefined;
  return join as SandboxJoin;
}

async function loadSandbox(): Promise<void> {
  const status = byId('sb-status');
  try {
    const response = await fetch('/sandbox/join?format=json', { headers: { accept: 'application/json' } });
    const body: unknown = await response.json();
    if (!response.ok) {
      const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
      status.textContent = typeof message === 'string' ? message : `The sandbox details are unavailable (HTTP ${response.status}).`;
      return;
    }
    const join = readSandboxJoin(body);
    if (!join) throw new Error('unexpected answer');
    byId('sb-message').textContent = `join ${join.keyword}`;
    byId('sb-number').textContent = join.number;
    showLink(byId('sb-link'), join.link);
    const stable = new URL('/sandbox/join', location.href).href;
    showLink(byId('sb-stable'), stable);
    drawQr(byId('sb-qr'), stable, `QR code of ${stable}, which opens WhatsApp with the join message`);
    status.textContent = '';
    byId('sb-out').hidden = false;
  } catch {
    status.textContent = 'Could not load the sandbox details from /sandbox/join.';
  }
}

function setupPreview(): void {
  const input = byId<HTMLTextAreaElement>('message');
  const bubble = byId('bubble');
  const count = byId('count');
  const update = () => {
    // formatWhatsApp escapes all text and emits only allow-listed tags: this is its purpose.
    bubble.innerHTML = formatWhatsApp(input.value);
    const length = messageUnits(input.value);
    const over = length - MAX_MESSAGE_UNITS;
    count.textContent = `${length} / ${MAX_MESSAGE_UNITS} characters${over > 0 ? `: ${over} over Twilio's limit` : ''}`;
    count.className = over > 0 ? 'msg error' : 'msg';
  };
  input.addEventListener('input', update);
  update();
  for (const row of document.querySelectorAll('#cheats tbody tr')) {
    const [source, shown] = row.querySelectorAll('td');
    if (source && shown) shown.innerHTML = formatWhatsApp(source.textContent ?? '');
  }
}

/** Copy buttons: `data-copy` names the element whose text is copied. */
function setupCopy(): void {
  const status = byId('copy-status');
  document.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-copy]');
    const source = button && document.getElementById(button.dataset.copy ?? '');
    if (!button || !source) return;
    const value = source.textContent ?? '';
    const done = (label: string) => {
      button.textContent = label;
      status.textContent = label === 'Copied' ? 'Link copied.' : 'Copy is blocked here: the link is selected, press Ctrl+C.';
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    };
    const selectSource = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      done('Selected');
    };
    if (navigator.clipboard) navigator.clipboard.writeText(value).then(() => done('Copied'), selectSource);
    else selectSource();
  });
}

setupLinkBuilder();
setupPreview();
setupCopy();
void loadSandbox();
