/**
 * Template previews: each templates/*.json (a Content API create body plus `category`, embedded by the build)
 * drawn as WhatsApp shows it: media, header, body with WhatsApp formatting, footer, call-to-action buttons in
 * the bubble, quick replies under it, and a list picker's button with the list it opens. Variables ({{1}})
 * come from what the user types, else the template's sample values. The files are read defensively (this
 * page previews; the template linter judges), and their text reaches the DOM as text or formatter output only.
 */
import templates from 'virtual:templates';
import { formatWhatsApp } from '../../lib/formatting';
import { byId, clockTime, el, say } from './dom';
import { capLength } from './limit';

type Fields = Record<string, unknown>;
type Template = { name: string; category: string; language: string; samples: Fields; types: [string, Fields][] };

const fields = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): Fields[] =>
  Array.isArray(value) ? value.map(fields).filter((v) => v !== undefined) : [];

/** The types this preview draws. */
const KNOWN = new Set([
  'twilio/text',
  'twilio/media',
  'twilio/quick-reply',
  'twilio/call-to-action',
  'twilio/list-picker',
  'twilio/card',
  'whatsapp/card',
  'whatsapp/authentication',
]);

function readTemplate(json: unknown, file: string): Template | undefined {
  const body = fields(json);
  const types = Object.entries(fields(body?.types) ?? {}).flatMap(([type, content]) => {
    const value = fields(content);
    return value ? [[type, value] as [string, Fields]] : [];
  });
  if (!body || types.length === 0) return undefined;
  // WhatsApp gets the first rich type; twilio/text beside it is for other channels (as lib/templates' primaryType).
  const primary = types.findIndex(([type]) => type !== 'twilio/text');
  if (primary > 0) types.unshift(...types.splice(primary, 1));
  const name = text(body.friendly_name) || file.replace(/\.json$/, '');
  const samples = fields(body.variables) ?? {};
  return { name, category: text(body.category), language: text(body.language), samples, types };
}

/** WhatsApp's longest template body: no value of a variable can be longer (100 KB would stall the preview). */
const VARIABLE_LIMIT = 1024;

/** A placeholder as lib/templates/variables.ts reads it (not imported: that module brings zod into the page). */
const PLACEHOLDER = /\{\{([^{}\s]+)\}\}/g;

/** The template's variables: those with samples and those its texts use, in number order. */
function variableNames(template: Template): string[] {
  const names = new Set(Object.keys(template.samples));
  for (const match of JSON.stringify(template.types).matchAll(PLACEHOLDER)) names.add(match[1]!);
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const MEDIA_KINDS: [RegExp, string][] = [
  [/\.(jpe?g|png|webp|gif)$/i, 'Image'],
  [/\.(mp4|3gp)$/i, 'Video'],
  [/\.pdf$/i, 'Document'],
];

/** A media placeholder naming the file: nothing is fetched from another origin. */
function media(url: string): HTMLElement {
  const path = url.split(/[?#]/)[0] ?? '';
  const kind = MEDIA_KINDS.find(([pattern]) => pattern.test(path))?.[1] ?? 'Media';
  return el('div', 'media', `${kind}: ${path.split('/').pop() || url}`);
}

/** The icon WhatsApp puts before each kind of button. */
const ACTION_ICON: Record<string, string> = {
  URL: '↗ ',
  PHONE_NUMBER: '☎ ',
  VOICE_CALL: '☎ ',
  COPY_CODE: '⧉ ',
  LIST: '☰ ',
};

/** The chat for one content type of a template, variables filled by `fill`. */
function renderContent(type: string, content: Fields, fill: (s: string) => string): HTMLElement[] {
  const bubble = el('div', 'bubble in');
  const shown: HTMLElement[] = [bubble];
  const mediaUrls = Array.isArray(content.media) ? content.media.map(text) : [text(content.media)];
  for (const url of mediaUrls.filter(Boolean)) bubble.append(media(fill(url)));
  const head = text(content.header_text) || (type === 'twilio/card' ? '' : text(content.title));
  if (head) bubble.append(el('span', 't-head', fill(head)));
  const authentication = '*{{1}}* is your verification code.';
  let main = text(content.body);
  if (type === 'twilio/card') main = text(content.title);
  if (type === 'whatsapp/authentication') main = authentication;
  const body = el('div', 'wa');
  // formatWhatsApp escapes all text and emits only allow-listed tags: this is its purpose.
  body.innerHTML = formatWhatsApp(fill(main));
  bubble.append(body);
  const foot = text(content.footer) || text(content.subtitle);
  if (foot) bubble.append(el('span', 't-foot', fill(foot)));
  bubble.append(el('span', 'meta', el('time', '', clockTime())));

  const actions = list(content.actions);
  if (type === 'whatsapp/authentication') actions.splice(0, actions.length, { type: 'COPY_CODE', title: 'Copy code' });
  const replies = actions.filter((a) => type === 'twilio/quick-reply' || text(a.type) === 'QUICK_REPLY');
  const buttons = actions.filter((a) => !replies.includes(a));
  if (type === 'twilio/list-picker') buttons.push({ type: 'LIST', title: text(content.button) });
  if (buttons.length > 0) {
    const labels = buttons.map((a) => el('span', '', `${ACTION_ICON[text(a.type)] ?? ''}${fill(text(a.title))}`));
    bubble.append(el('span', 'cta', ...labels));
  }
  if (replies.length > 0) {
    shown.push(el('div', 'replies', ...replies.map((a) => el('span', 'reply', fill(text(a.title))))));
  }
  if (type === 'twilio/list-picker') {
    const items = list(content.items).map((item) =>
      el('li', '', fill(text(item.item)), el('small', '', fill(text(item.description)))),
    );
    const title = el('span', 'sheet-title', `Tapping “${fill(text(content.button))}” opens:`);
    shown.push(el('div', 'sheet', title, el('ul', '', ...items)));
  }
  return shown;
}

export function setupTemplates(): void {
  const readable = templates.flatMap(({ file, json }) => readTemplate(json, file) ?? []);
  if (readable.length === 0) return; // no templates/ in this repository: the section stays hidden
  const pick = byId<HTMLSelectElement>('template');
  const typePick = byId<HTMLSelectElement>('template-type');
  const typeMessage = byId('template-type-msg');
  const vars = byId('template-vars');
  const chat = byId('template-chat');
  const values = new Map<string, HTMLInputElement>();
  let template = readable[0]!;

  const render = () => {
    const entry = template.types.find(([type]) => type === typePick.value) ?? template.types[0]!;
    const fill = (s: string) =>
      s.replace(PLACEHOLDER, (whole, name: string) => values.get(name)?.value || text(template.samples[name]) || whole);
    const details = [template.category, template.language].filter(Boolean).join(' · ');
    if (KNOWN.has(entry[0])) {
      say(typeMessage, details && `Category and language: ${details}`);
      chat.replaceChildren(...renderContent(entry[0], entry[1], fill));
    } else {
      say(typeMessage, `${entry[0]} is not previewed here yet.`, 'error');
      chat.replaceChildren();
    }
  };
  const choose = () => {
    template = readable[Number(pick.value)] ?? readable[0]!;
    typePick.replaceChildren(...template.types.map(([type]) => new Option(type, type)));
    values.clear();
    const inputs = variableNames(template).flatMap((name) => {
      const input = el('input') as HTMLInputElement;
      input.id = `var-${name}`;
      input.placeholder = text(template.samples[name]);
      const notice = el('p', 'msg error cut');
      notice.id = `${input.id}-cut`;
      notice.setAttribute('role', 'status');
      input.setAttribute('aria-describedby', notice.id);
      capLength(input, VARIABLE_LIMIT, notice, ', the longest body a template may have');
      values.set(name, input);
      const label = el('label', '', `{{${name}}}`);
      label.setAttribute('for', input.id);
      return [label, input, notice];
    });
    vars.replaceChildren(el('legend', '', 'Variables'), ...inputs);
    render();
  };
  pick.replaceChildren(...readable.map((t, i) => new Option(t.name, String(i))));
  pick.addEventListener('change', choose);
  typePick.addEventListener('change', render);
  vars.addEventListener('input', render);
  choose();
  byId('templates').hidden = false;
  byId('nav-templates').hidden = false;
}
