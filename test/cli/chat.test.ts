/**
 * `npm run chat` in its scripted mode, as a newcomer would run it and as an `npm start` user would: the transcript
 * it prints is what the user sees. Once with nothing running (it starts its own bot on the built dist/), once
 * joined to an emulator and runtime started here, where the bot's template offers buttons.
 */
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { seedTemplate } from '../../dev/emulator/wiring';
import { ROOT } from '../../dev/paths';
import { freePort } from '../support/free-port';
import { createTwilioClient } from '../../lib/twilio-client';
import { configureEmulator, conversationOf, sendInbound } from '../../cli/chat/emulator-client';
import { startRuntime, type RunningRuntime } from '../support/runtime';

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs `npm run chat -- ...args` with `input` on stdin (a pipe: scripted mode). */
function chat(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'chat', '--', ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
      detached: true, // its own process group, so a stuck run is stopped with npm, tsx and node together
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      process.kill(-child.pid!, 'SIGTERM');
      reject(new Error(`npm run chat did not finish in 90 s:\n${stdout}\n${stderr}`));
    }, 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** The transcript's blocks: one per line of the script (a blank line separates them). */
const blocks = (stdout: string) => stdout.split('\n\n').map((b) => b.trim());

it('--help says what it does and how to use it', async () => {
  const run = await chat(['--help']);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('Usage: npm run chat');
  for (const flag of ['--port', '--emulator', '--script', '--user', '--no-build']) expect(run.stdout).toContain(flag);
});

it('a bad flag value is refused naming it', async () => {
  const run = await chat(['--user', '12'], 'hi\n');
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('--user: Start with the country code');
});

it('with nothing running it starts its own bot, and the user sees every reply with its ticks', async () => {
  // A port nobody listens on: no `npm start` to join, so the chat starts its own (on the dist/ built by npm test).
  const port = await freePort();
  const script = [
    'hi',
    '1',
    'location',
    '/photo my cat',
    '/location 48.85 2.35 Paris',
    '/stop',
    '/start',
    '/wait 25h',
    '/bogus',
    '/help',
  ];
  const run = await chat(['--no-build', '--port', String(port), '--name', 'Ada'], script.join('\n') + '\n');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const [banner, hi, media, location, photo, place, stop, start, wait, bogus, help] = blocks(run.stdout);

  expect(banner).toContain(
    'Chatting as whatsapp:+15005550006 ("Ada") with the bot on whatsapp:+14155238886, through its own bot',
  );
  // Its own bot has the menu template, so the menu comes as buttons; "1" taps the first.
  expect(hi!.split('\n')).toEqual([
    'you › hi',
    'bot ‹ What would you like to see? Tap a button, or type menu at any time.',
    '      [1] Sample image   [2] Our location   [3] Text styles   (type a number to tap)',
    expect.stringMatching(/^ {6}✓✓ read · \d\d:\d\d · template HX[0-9a-f]{32}$/),
  ]);
  expect(media!.split('\n')).toEqual([
    'you › 👆 Sample image',
    'bot ‹ Here is a sample image 🖼️',
    expect.stringMatching(/^ {6}📎 image\/png http:\/\/127\.0\.0\.1:\d+\/media\/whatsapp-sample\.png$/),
    expect.stringMatching(/^ {6}✓✓ read/),
  ]);
  // The location goes through the Messages API (its own message), then the TwiML answer.
  expect(location!.split('\nbot ‹ ')).toEqual([
    'you › location',
    expect.stringMatching(/^Twilio HQ\n {6}📍 .*google\.com\/maps\/search\/\?api=1&query=37\.7908,-122\.3931\n/),
    expect.stringMatching(/^📍 Here is where to find us: Twilio HQ\n {6}✓✓ read/),
  ]);
  expect(location).toMatch(/✓✓ read · \d\d:\d\d · Messages API\n/);
  const mediaUrl =
    /http:\/\/127\.0\.0\.1:\d+\/2010-04-01\/Accounts\/AC0{32}\/Messages\/MM[0-9a-f]{32}\/Media\/ME[0-9a-f]{32}/;
  expect(photo!.split('\n').slice(0, 4)).toEqual([
    'you › my cat',
    expect.stringMatching(new RegExp(`^ {6}📎 image/jpeg ${mediaUrl.source}$`)),
    'bot ‹ Thanks! I received 1 item.',
    '      - 1 image',
  ]);
  expect(place!.split('\n').slice(0, 2)).toEqual([
    'you › 📍 Paris https://www.google.com/maps/search/?api=1&query=48.85,2.35',
    'bot ‹ 📍 Got your location: Paris',
  ]);
  expect(stop).toMatch(/^you › STOP\nbot ‹ You're unsubscribed/);
  expect(start).toMatch(/^you › START\nbot ‹ Welcome back!/);
  expect(wait).toMatch(/^⏱ {2}25h later: it is now \S+ on the emulator's clock\.\nThe 24-hour window is closed/);
  expect(bogus).toBe(
    '⚠ Unknown command /bogus. /help lists them; to send a text starting with "/", add a space first.',
  );
  expect(help).toContain('/location LAT LONG [label]');
});

describe('joined to a running emulator', () => {
  const AUTH_TOKEN = 'chat-test-token-0123456789abcdef';
  const ACCOUNT_SID = 'AC' + '3'.repeat(32);
  const SANDBOX = 'whatsapp:+14155238886';
  let menuSid: string;
  let emulator: Emulator;
  let runtime: RunningRuntime;

  beforeAll(async () => {
    emulator = await startEmulator({ statusStepMs: 5 });
    // The bot menu template (quick-reply buttons), as `npm run templates` creates it.
    menuSid = await seedTemplate(emulator.url, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, 'bot_menu');
    runtime = await startRuntime({ env: { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL: emulator.url } });
    await configureEmulator(emulator.url, {
      incomingUrl: `${runtime.url}/whatsapp/incoming`,
      statusUrl: `${runtime.url}/whatsapp/status`,
      authToken: AUTH_TOKEN,
      accountSid: ACCOUNT_SID,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await emulator?.close();
  });

  it('shows the conversation so far, buttons as numbered choices, a tap answered, failures with codes', async () => {
    const user = 'whatsapp:+447911123456';
    const client = createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: emulator.url });
    await sendInbound(emulator.url, { from: user, body: 'hi' });
    const menu = await client.messages.create({ from: SANDBOX, to: user, contentSid: menuSid });
    // Another user, who never joined the sandbox but wrote to another number: the template fails with 63015.
    await sendInbound(emulator.url, { from: '+15005550099', to: '+15017122661', body: 'hi' });
    await client.messages.create({ from: SANDBOX, to: 'whatsapp:+15005550099', contentSid: menuSid });

    const dir = mkdtempSync(join(tmpdir(), 'chat-test-'));
    const script = join(dir, 'script.txt');
    writeFileSync(script, ['# a comment, skipped', '1', '/as +1 500 555 0099'].join('\n') + '\n');
    const run = await chat(['--emulator', emulator.url, '--user', '+44 7911 123456', '--script', script]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [banner, tap, other] = blocks(run.stdout);

    expect(banner).toContain(`through the emulator at ${emulator.url}`);
    expect(banner).toContain('— the conversation so far —');
    const menuLines = banner!.split('\n').slice(-3);
    expect(menuLines).toEqual([
      'bot ‹ What would you like to see? Tap a button, or type menu at any time.',
      '      [1] Sample image   [2] Our location   [3] Text styles   (type a number to tap)',
      expect.stringMatching(new RegExp(`^ {6}✓✓ read · \\d\\d:\\d\\d · template ${menuSid}$`)),
    ]);
    expect(tap).toMatch(/^you › 👆 Sample image\nbot ‹ Here is a sample image 🖼️\n/);
    expect(other).toContain('You are now whatsapp:+15005550099.');
    expect(other).toContain('✗ failed 63015: The recipient has not joined the sandbox');

    // The tap answered the template's message, as WhatsApp reports it.
    const tapped = (await conversationOf(emulator.url, user)).messages.find((m) => m.messageType === 'button')!;
    expect(tapped.button).toEqual({ text: 'Sample image', payload: 'media', repliedTo: menu.sid });
  });
});
