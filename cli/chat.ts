/**
 * `npm run chat`: a WhatsApp conversation with the bot in the terminal, offline. You write as a WhatsApp user;
 * the local Twilio emulator delivers each message to the functions as Twilio would (signed webhooks) and shows
 * everything the bot sends back (TwiML answers, API messages, templates) with its delivery ticks.
 *
 * It joins the `npm start` running on --port (default 3000); when none runs, it starts its own bot.
 * Lines come from the keyboard, or from --script FILE / a pipe (scripted mode: a transcript on stdout).
 */
import { createReadStream } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { readEnvFile } from '../dev/env';
import { sandboxSettingsSchema } from '../lib/config';
import { normalizePhoneNumber } from '../lib/phone';
import { readConfig } from './chat/emulator-client';
import { createChat } from './chat/session';
import { connectBot } from './chat/stack';

const USAGE = `Usage: npm run chat [-- options]

Chat with the bot as a WhatsApp user, offline: your messages go through the local Twilio emulator to the
functions, as Twilio would deliver them, and you see every reply with its delivery ticks.

Options:
  --port N          join the \`npm start\` running on this port (default 3000); without one, start a bot here
  --emulator URL    use this emulator, already connected to the functions (POST /__emulator/config)
  --own             always start a bot of its own, even when \`npm start\` runs
  --no-build        with a bot of its own: serve dist/ as it is, without building first
  --logs            with a bot of its own: print the functions' log lines (on stderr)
  --user NUMBER     who you are (default +15005550006)
  --name NAME       your WhatsApp profile name (default "Local tester")
  --to NUMBER       the bot's number (default the sandbox, WHATSAPP_SANDBOX_NUMBER)
  --script FILE     read the lines from FILE (also done with stdin when it is not a terminal; # starts a comment)
  -h, --help        this help

In the chat, /help lists the commands (/photo, /location, /stop, /start, /wait 25h, /as +44…).`;

function whatsapp(flag: string, value: string): string {
  const phone = normalizePhoneNumber(value);
  if (!phone.ok) throw new Error(`${flag}: ${phone.reason}`);
  return `whatsapp:${phone.e164}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3000' },
      emulator: { type: 'string' },
      own: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      logs: { type: 'boolean', default: false },
      user: { type: 'string', default: '+15005550006' },
      name: { type: 'string', default: 'Local tester' },
      to: { type: 'string' },
      script: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port must be a port number, got ${values.port}`);
  if (values.emulator && !/^https?:\/\/[^\s/]+\/?$/.test(values.emulator))
    throw new Error(`--emulator must be an origin such as http://127.0.0.1:3001, got ${values.emulator}`);
  const user = whatsapp('--user', values.user);
  const scripted = values.script !== undefined || !process.stdin.isTTY;

  const bot = await connectBot({
    port,
    emulator: values.emulator,
    own: values.own,
    build: !values['no-build'],
    logs: values.logs,
  });
  try {
    const config = await readConfig(bot.emulator);
    const sandbox =
      typeof config.sandboxNumber === 'string'
        ? config.sandboxNumber
        : sandboxSettingsSchema.parse(readEnvFile()).WHATSAPP_SANDBOX_NUMBER;
    const to = whatsapp('--to', values.to ?? sandbox);
    const color = !scripted && process.stdout.isTTY && !process.env.NO_COLOR;
    let lines: Interface | undefined;
    const write = (text: string) => {
      if (scripted) process.stdout.write(`${text}\n`);
      else {
        process.stdout.write(`\r\x1b[K${text}\n`);
        if (!chat.busy) lines?.prompt(true);
      }
    };
    const chat = createChat({
      emulator: bot.emulator,
      user,
      bot: to,
      profileName: values.name,
      style: { color },
      write,
      echoText: scripted,
    });
    await chat.begin(bot.origin);
    // Read only now: lines that came in earlier (a pipe is read at once) would have had no listener.
    const input = values.script ? createReadStream(values.script) : process.stdin;
    lines = createInterface({ input, terminal: !scripted, prompt: 'you › ' });

    if (scripted) {
      for await (const line of lines) {
        if (/^\s*#/.test(line)) continue;
        if (line.trim()) process.stdout.write(`\n`);
        if (!(await chat.handle(line))) break;
      }
      lines.close();
      return;
    }
    // Messages the bot sends on its own (e.g. /admin/send-message from another terminal) show up within a second.
    const poller = setInterval(() => void chat.poll().catch(() => undefined), 1000);
    lines.prompt();
    await new Promise<void>((resolve) => {
      lines.on('line', (line) => {
        lines.pause();
        void chat.handle(line).then(
          (goOn) => {
            if (!goOn) return lines.close();
            lines.resume();
            lines.prompt();
          },
          (error: unknown) => {
            console.error(`⚠ ${error instanceof Error ? error.message : String(error)}`);
            lines.close();
          },
        );
      });
      lines.on('close', () => resolve());
    });
    clearInterval(poller);
    process.stdout.write('\n');
  } finally {
    await bot.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`npm run chat failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
