/**
 * How `npm run chat` shows a conversation: each message as lines of text, the bot's with their delivery ticks.
 * Pure; colors only when asked (a terminal without NO_COLOR).
 */
import type { ConversationEntry } from '../../dev/emulator/conversation';
import { mapsLink } from '../../lib/location';
import { hintFor } from '../../lib/twilio-errors';

export type Style = { color: boolean };

const paint = (style: Style, code: string, text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text);
const dim = (style: Style, text: string) => paint(style, '2', text);

const INDENT = '      ';

/** The ticks WhatsApp shows for a status. */
export function ticks(entry: Pick<ConversationEntry, 'status' | 'errorCode'>, style: Style): string {
  switch (entry.status) {
    case 'queued':
      return '🕓 queued';
    case 'sent':
      return '✓ sent';
    case 'delivered':
      return '✓✓ delivered';
    case 'read':
      return `${paint(style, '34', '✓✓')} read`;
    case 'failed':
    case 'undelivered': {
      const code = entry.errorCode;
      const hint = hintFor(code);
      return paint(style, '31', `✗ ${entry.status}${code ? ` ${code}` : ''}${hint ? `: ${hint}` : ''}`);
    }
    default:
      return entry.status;
  }
}

const clock = (iso: string) => iso.slice(11, 16);
// Blank lines keep the indent: in a transcript, an empty line only ever separates one turn from the next.
const indent = (line: string) => INDENT + line;

function kindNote(entry: ConversationEntry): string {
  if (entry.kind === 'api') return ' · Messages API';
  if (entry.kind === 'template') return ` · template ${entry.contentSid ?? ''}`;
  return '';
}

/** The lines of the message's content: text, media, location, buttons. */
function contentLines(entry: ConversationEntry): string[] {
  const lines: string[] = [];
  // A button tap's Body is the button's title: shown once, as the tap.
  if (entry.body && !entry.button) lines.push(...entry.body.split('\n'));
  if (entry.kind === 'template' && !entry.body) {
    const variables = entry.contentVariables ?? {};
    const shown = Object.keys(variables).length ? ` ${JSON.stringify(variables)}` : '';
    lines.push(`[template ${entry.contentSid}${shown}]`);
  }
  for (const item of entry.media ?? []) lines.push(`📎 ${item.contentType ?? 'media'} ${item.url}`);
  if (entry.location) {
    const { latitude, longitude, label, address } = entry.location;
    const name = [label, address].filter(Boolean).join(', ');
    lines.push(`📍 ${name ? `${name} ` : ''}${mapsLink(latitude, longitude)}`);
  }
  if (entry.button) lines.push(`👆 ${entry.button.text}`);
  if (entry.buttons?.length)
    lines.push(entry.buttons.map((b, i) => `[${i + 1}] ${b.title}`).join('   ') + '   (type a number to tap)');
  if (lines.length === 0) lines.push('(empty message)');
  return lines;
}

/** One message as the chat prints it. */
export function renderEntry(entry: ConversationEntry, style: Style): string[] {
  const [first = '', ...rest] = contentLines(entry);
  if (entry.direction === 'inbound') {
    const lines = [`${paint(style, '1', 'you')} › ${first}`, ...rest.map(indent)];
    const delivery = entry.delivery;
    if (delivery && delivery.outcome === 'failed') {
      const fallbackStatus = delivery.fallback?.httpStatus;
      const fallbackAnswer = fallbackStatus ? `HTTP ${fallbackStatus}` : 'nothing';
      const fallback = delivery.fallback ? `; the fallback URL answered ${fallbackAnswer}` : '';
      const why = delivery.error ?? (delivery.httpStatus ? `HTTP ${delivery.httpStatus}` : 'no answer');
      lines.push(
        paint(
          style,
          '31',
          `${INDENT}⚠ the bot's webhook failed: ${why} (Twilio error ${delivery.errorCode ?? 11200})${fallback}`,
        ),
      );
    }
    if (delivery && delivery.attempts.length > 1)
      lines.push(dim(style, `${INDENT}↻ delivered in ${delivery.attempts.length} attempts (same idempotency token)`));
    return lines;
  }
  const who = entry.kind === 'system' ? 'twilio' : 'bot';
  const lines = [`${paint(style, '1;32', who)} ‹ ${first}`, ...rest.map(indent)];
  if (entry.kind !== 'system')
    lines.push(dim(style, `${INDENT}${ticks(entry, style)} · ${clock(entry.at)}${kindNote(entry)}`));
  return lines;
}
