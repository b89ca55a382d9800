/** What one line typed in `npm run chat` means: a message to the bot, or one of the chat's own commands. Pure. */
import { parseDuration } from '../../dev/emulator/clock';
import type { Button } from '../../dev/emulator/conversation';
import { normalizePhoneNumber } from '../../lib/phone';

/** The body of POST /__emulator/inbound, minus who writes to whom. */
export type UserMessage =
  | { body: string }
  | { body?: string; media: string[] }
  | { location: { latitude: number; longitude: number; label?: string } }
  | { button: { text: string; payload: string; replyTo?: string } };

export type ChatAction =
  | { kind: 'send'; message: UserMessage }
  | { kind: 'wait'; duration: string; ms: number }
  | { kind: 'as'; user: string }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'nothing' }
  | { kind: 'problem'; message: string };

/** The photo /photo sends (the emulator serves a small file of this type). */
export const PHOTO_TYPE = 'image/jpeg';

export const HELP = [
  'Type a message and press Enter: you write to the bot as a WhatsApp user. Try hi, media, location, format.',
  '  1, 2, 3 …             tap a button of the bot’s last message (shown as [1] [2] …)',
  '  /photo [caption]      send a photo',
  '  /location LAT LONG [label]   send a location, e.g. /location 48.85 2.35 Paris',
  '  /stop, /start         send STOP / START (opt out, back in)',
  '  /wait 25h             move the emulator’s clock (90m, 2d …): after 24 h the bot may only send templates',
  '  /as +44 7911 123456   write as another user',
  '  /help                 this list',
  '  /quit                 leave (Ctrl-D too)',
  'Ticks: 🕓 queued  ✓ sent  ✓✓ delivered  ✓✓ read (blue)  ✗ failed, with Twilio’s error code.',
].join('\n');

const COORDINATE = /^[-+]?\d{1,3}(\.\d+)?$/;

/** Reads one line. `buttons`: the buttons of the bot's latest message offering some, for numbered taps. */
export function parseLine(line: string, buttons?: { messageSid: string; buttons: Button[] }): ChatAction {
  const text = line.trim();
  if (text === '') return { kind: 'nothing' };
  if (/^\d{1,2}$/.test(text) && buttons) {
    const button = buttons.buttons[Number(text) - 1];
    if (button)
      return {
        kind: 'send',
        message: { button: { text: button.title, payload: button.id, replyTo: buttons.messageSid } },
      };
  }
  // A line starting with a space is always text, so a message can start with "/".
  if (!line.startsWith('/')) return { kind: 'send', message: { body: line.trim() } };
  const [command = '', ...args] = text.slice(1).split(/\s+/);
  const rest = args.join(' ');
  switch (command.toLowerCase()) {
    case 'stop':
      return { kind: 'send', message: { body: 'STOP' } };
    case 'start':
      return { kind: 'send', message: { body: 'START' } };
    case 'photo':
      return { kind: 'send', message: rest ? { body: rest, media: [PHOTO_TYPE] } : { media: [PHOTO_TYPE] } };
    case 'location': {
      const [lat = '', long = '', ...label] = args;
      const latitude = Number(lat);
      const longitude = Number(long);
      if (!COORDINATE.test(lat) || !COORDINATE.test(long) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        return {
          kind: 'problem',
          message: '/location takes a latitude (-90..90) and a longitude (-180..180), e.g. /location 48.85 2.35 Paris',
        };
      }
      return {
        kind: 'send',
        message: { location: { latitude, longitude, ...(label.length ? { label: label.join(' ') } : {}) } },
      };
    }
    case 'wait': {
      const ms = parseDuration(rest);
      if (ms === undefined || ms === 0)
        return { kind: 'problem', message: '/wait takes a duration: 25h, 90m, 2d, 1h30m …' };
      return { kind: 'wait', duration: rest.replace(/\s+/g, ''), ms };
    }
    case 'as': {
      const phone = normalizePhoneNumber(rest);
      if (!phone.ok)
        return { kind: 'problem', message: `/as needs a phone number with its country code: ${phone.reason}` };
      return { kind: 'as', user: `whatsapp:${phone.e164}` };
    }
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    default:
      return {
        kind: 'problem',
        message: `Unknown command /${command}. /help lists them; to send a text starting with "/", add a space first.`,
      };
  }
}
