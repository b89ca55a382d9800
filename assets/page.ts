/**
 * The page's script (bundled to /page.js): the chat link builder with its QR code, the sandbox join, the
 * message preview and the template previews. It runs the same lib/ code as the functions (deep links, phone
 * validation, formatting, the message length rule).
 *
 * Safety: what people type reaches the DOM only as textContent, link hrefs are only links lib/deeplink.ts built
 * (or checked prefixes from our own /sandbox/join), and previews are lib/formatting.ts's escaped, allow-listed
 * output. QR codes are drawn as SVG elements, never parsed from a string.
 */
import { buildDeepLinks } from '../lib/deeplink';
import { formatWhatsApp } from '../lib/formatting';
import { MAX_MESSAGE_UNITS, messageUnits } from '../lib/message-length';
import { isLocalDomain } from '../lib/public-url';
import { byId, clockTime, el, say } from './page/dom';
import { breakable, setupCopy, showLink } from './page/links';
import { capLength } from './page/limit';
import { downloadQr, MAX_QR_BYTES, makeQr, qrElement, type Qr } from './page/qr';
import { setupTemplates } from './page/templates';

const NUMBER_HINT = 'Spaces, dashes, parentheses and a leading + or 00 are fine.';
/** WhatsApp's longest text message: the message fields take no more (100 KB in a field stalls the page). */
const WHATSAPP_TEXT_LIMIT = 4096;
const WHY_WHATSAPP = ', the most WhatsApp sends in one message';
/** The path the sandbox QR code adds to a public URL: a longer URL leaves the code no room. */
const SANDBOX_JOIN_PATH = '/sandbox/join';

type Poster = { title: string; note: string };
type Code = { qr: Qr; fileName: string; poster: Poster };
/** The QR code each part shows now, for its Download and Print buttons. */
const codes: Partial<Record<'link' | 'sandbox', Code>> = {};

const business = () => byId<HTMLInputElement>('business').value.trim();

/** Draws the code of `data` in `box` with its caption; returns the code, or shows why there is none. */
function showQr(box: string, data: string, caption: (Node | string)[], error?: HTMLElement): Qr | undefined {
  const qr = makeQr(data);
  if (typeof qr === 'string') {
    byId(box).replaceChildren();
    byId(`${box}-caption`).replaceChildren();
    if (error) error.textContent = qr;
    return undefined;
  }
  if (error) error.textContent = '';
  byId(box).replaceChildren(qrElement(qr, `QR code of ${data}`));
  byId(`${box}-caption`).replaceChildren(...caption);
  return qr;
}

function setupLinkBuilder(): void {
  const number = byId<HTMLInputElement>('number');
  const text = byId<HTMLTextAreaElement>('text');
  const message = byId('number-msg');
  const out = byId('link-out');
  capLength(number, 64, byId('number-cut'), ', far more than a phone number needs');
  capLength(text, WHATSAPP_TEXT_LIMIT, byId('text-cut'), WHY_WHATSAPP);
  const update = () => {
    const empty = number.value.trim() === '';
    const result = empty ? undefined : buildDeepLinks(number.value, text.value);
    byId('link-empty').hidden = !empty && result?.ok === true;
    if (!result?.ok) {
      if (result) number.setAttribute('aria-invalid', 'true');
      else number.removeAttribute('aria-invalid');
      say(message, result ? result.reason : NUMBER_HINT, result ? 'error' : '');
      out.hidden = true;
      delete codes.link;
      return;
    }
    number.removeAttribute('aria-invalid');
    say(message, `WhatsApp number: ${result.e164}${result.country ? ` (${result.country})` : ''}`, 'ok');
    showLink('wa-link', result.link);
    showLink('app-link', result.appLink);
    const prefilled = text.value.trim() ? ', with your message ready to send' : '';
    const qr = showQr(
      'link-qr',
      result.link,
      [
        el('strong', '', 'Scan to chat'),
        `Opens WhatsApp on the phone that scans it, in a chat with ${result.e164}${prefilled}.`,
      ],
      byId('qr-msg'),
    );
    byId('link-qr-actions').hidden = !qr;
    if (qr) {
      const poster = {
        title: `Scan to chat with ${business() || result.e164}`,
        note: `Opens a WhatsApp chat with ${result.e164}.`,
      };
      codes.link = { qr, fileName: 'whatsapp-chat-qr', poster };
    }
    out.hidden = false;
  };
  number.addEventListener('input', update);
  text.addEventListener('input', update);
  byId('business').addEventListener('input', update);
  update();
}

type SandboxJoin = { number: string; keyword: string; link: string; app_link: string };

/** The /sandbox/join JSON, checked: our own route, but the page still only links where it expects to. */
function readSandboxJoin(body: unknown): SandboxJoin | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const join = body as Record<string, unknown>;
  const strings = ['number', 'keyword', 'link', 'app_link'].every((key) => typeof join[key] === 'string');
  if (!strings || !String(join.link).startsWith('https://wa.me/')) return undefined;
  if (!String(join.app_link).startsWith('whatsapp://send?')) return undefined;
  return join as SandboxJoin;
}

/** The public base URL typed in (PUBLIC_BASE_URL), or why it cannot be one. */
function readPublicBase(value: string): { base: string } | { reason: string } {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { reason: 'Enter the whole address, starting with https://' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { reason: 'The address starts with https:// (or http://).' };
  }
  if (url.username || url.password) return { reason: 'Leave the user name and password out of the address.' };
  if (isLocalDomain(url.host)) return { reason: `${url.host} is this computer: phones cannot reach it either.` };
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

function showSandbox(join: SandboxJoin): void {
  byId('sb-message').textContent = `join ${join.keyword}`;
  byId('sb-number').textContent = join.number;
  showLink('sb-link', join.link);
  const local = isLocalDomain(location.host);
  const publicUrl = byId<HTMLInputElement>('public-url');
  const update = () => {
    const typed = publicUrl.value.trim() ? readPublicBase(publicUrl.value) : undefined;
    const base = typed && 'base' in typed ? typed.base : location.origin;
    const stable = `${base}${SANDBOX_JOIN_PATH}`;
    if (typed && 'reason' in typed) publicUrl.setAttribute('aria-invalid', 'true');
    else publicUrl.removeAttribute('aria-invalid');
    if (local) {
      say(
        byId('public-url-msg'),
        typed
          ? 'reason' in typed
            ? typed.reason
            : `The QR code now opens ${stable}.`
          : 'A tunnel (e.g. ngrok) or your deployed domain.',
        typed ? ('reason' in typed ? 'error' : 'ok') : '',
      );
    }
    showLink('sb-stable', stable);
    const unreachable = local && base === location.origin;
    const qr = showQr('sb-qr', stable, [
      el('strong', '', 'Scan to join the sandbox'),
      `Opens WhatsApp with “join ${join.keyword}” ready to send to ${join.number}.`,
      ...(unreachable ? [el('span', 'msg error', ` It points at ${location.host}, which a phone cannot reach.`)] : []),
    ]);
    const note = `Then send “join ${join.keyword}” to ${join.number} in WhatsApp.`;
    const poster = { title: 'Scan to join the sandbox', note };
    if (qr) codes.sandbox = { qr, fileName: 'whatsapp-sandbox-qr', poster };
  };
  if (local) {
    byId('sb-local-msg').textContent =
      `This page is served from ${location.host}, a local address: a phone ` +
      'that scans the code below cannot reach it. Enter the public URL of these functions (what PUBLIC_BASE_URL ' +
      'is set to) to make a code phones can use.';
    byId('sb-local').hidden = false;
    const why = ', as a longer address leaves its QR code no room';
    capLength(publicUrl, MAX_QR_BYTES - SANDBOX_JOIN_PATH.length, byId('public-url-cut'), why);
    publicUrl.addEventListener('input', update);
  }
  update();
  byId('sb-how').hidden = false;
  byId('sb-out').hidden = false;
}

async function loadSandbox(): Promise<void> {
  const status = byId('sb-status');
  try {
    const response = await fetch('/sandbox/join?format=json', { headers: { accept: 'application/json' } });
    const body: unknown = await response.json();
    if (!response.ok) {
      const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
      const unavailable = `The sandbox details are unavailable (HTTP ${response.status}).`;
      status.textContent = typeof message === 'string' ? message : unavailable;
      return;
    }
    const join = readSandboxJoin(body);
    if (!join) throw new Error('unexpected answer');
    showSandbox(join);
    status.hidden = true;
  } catch {
    status.textContent = 'Could not load the sandbox details from /sandbox/join.';
  }
}

function setupPreview(): void {
  const input = byId<HTMLTextAreaElement>('message');
  const bubble = byId('bubble');
  const count = byId('count');
  capLength(input, WHATSAPP_TEXT_LIMIT, byId('message-cut'), WHY_WHATSAPP);
  const update = () => {
    // formatWhatsApp escapes all text and emits only allow-listed tags: this is its purpose.
    bubble.innerHTML = formatWhatsApp(input.value);
    const length = messageUnits(input.value);
    const over = length - MAX_MESSAGE_UNITS;
    const counted = `${length.toLocaleString('en-US')} / ${MAX_MESSAGE_UNITS.toLocaleString('en-US')} characters`;
    if (over > 0) say(count, `${counted}: ${over.toLocaleString('en-US')} over Twilio's limit`, 'error');
    else say(count, counted);
  };
  input.addEventListener('input', update);
  update();
  for (const row of document.querySelectorAll('#cheats tbody tr')) {
    const [source, shown] = row.querySelectorAll('td');
    if (source && shown) shown.innerHTML = formatWhatsApp(source.textContent ?? '');
  }
}

/** The business name in the chat headers (and the first letter as the avatar). */
function setupBusinessName(): void {
  capLength(byId('business'), 100, byId('business-cut'), ', enough for the chat header and the poster');
  const update = () => {
    const name = business() || 'Your business';
    for (const element of document.querySelectorAll('[data-business]')) element.textContent = name;
    const initial = [...name][0]!.toUpperCase();
    for (const element of document.querySelectorAll('[data-initial]')) element.setAttribute('data-initial', initial);
  };
  byId('business').addEventListener('input', update);
  update();
  for (const element of document.querySelectorAll('time[data-now]')) element.textContent = clockTime();
}

/** Download and Print poster buttons (`data-download` / `data-print` name the part, `data-format` the file). */
function setupQrActions(): void {
  const root = document.documentElement;
  addEventListener('afterprint', () => root.classList.remove('printing-poster'));
  document.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-download], button[data-print]');
    const code = button && codes[(button.dataset.download ?? button.dataset.print) as 'link' | 'sandbox'];
    if (!button || !code) return;
    if (button.dataset.download) {
      downloadQr(code.qr, code.fileName, button.dataset.format === 'png' ? 'png' : 'svg');
      return;
    }
    byId('poster-title').textContent = code.poster.title;
    byId('poster-qr').replaceChildren(qrElement(code.qr, `QR code of ${code.qr.data}`));
    byId('poster-link').replaceChildren(...breakable(code.qr.data));
    byId('poster-note').textContent = code.poster.note;
    root.classList.add('printing-poster');
    print();
  });
}

setupBusinessName();
setupLinkBuilder();
setupPreview();
setupCopy();
setupQrActions();
setupTemplates();
void loadSandbox();
