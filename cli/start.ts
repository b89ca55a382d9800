/**
 * `npm start`: build, then serve every route on http://localhost:3000 with the local Functions runtime
 * (the one twilio-run uses), rebuilding on every change.
 *
 * Why not `twilio-run start` itself: its default forks a process per request (about 4 requests/s here)
 * and it listens on every network interface. This runs the same runtime in one process
 * (`--no-fork-process` in twilio-run's terms), on 127.0.0.1 only, in live mode (each request loads the
 * freshly built function, and only those files: see dev/local-runtime.ts).
 */
import { watch as watchFile, type FSWatcher } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_MIN_LENGTH, isPlaceholder } from '../lib/config';
import { build, watch } from '../dev/build';
import {
  devEnv,
  EMULATOR_ACCOUNT_SID,
  EMULATOR_AUTH_TOKEN,
  EnvFileError,
  readEnvFile,
  withProcessEnv,
} from '../dev/env';
import { startEmulator, type Emulator } from '../dev/emulator/server';
import { connectToFunctions, removeServersNote, writeServersNote } from '../dev/emulator/wiring';
import { startLocalRuntime } from '../dev/local-runtime';
import { ROOT } from '../dev/paths';
import { checkSettingValues } from './deploy/checks';

const USAGE = `Usage: npm start [-- <flags>]

Builds dist/, serves every function and the page on http://localhost:<port> (127.0.0.1 only) and rebuilds
on every edit. Without real ACCOUNT_SID/AUTH_TOKEN, Twilio's REST API is the local emulator.

  --port <n>            port to serve on (default 3000)
  --env <file>          the variables, relative to the project root (default .env); use the file you deploy
                        with, e.g. --env .env.local. Variables set in the environment win over the file.
  --emulator-port <n>   port of the local Twilio API emulator (default: any free port)
  -h, --help            this text

Then: npm run message -- hi   (see npm run message -- --help)
`;

class StartProblem extends Error {}

function portNumber(flag: string, text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new StartProblem(`${flag} must be a port number (0 to 65535), got "${text}"`);
  return port;
}

/** Fails early, before building, when something listens on 127.0.0.1:port already. */
function ensurePortFree(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => fail(error.code === 'EADDRINUSE' ? portInUse(port) : error));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done()));
  });
}

const portInUse = (port: number) => new StartProblem(`port ${port} is in use; try --port ${port + 1}`);

/** What the developer should fix or know about the variables, one line each (never a value). */
function configurationNotes(env: Record<string, string>, envFile: string): string[] {
  const notes = checkSettingValues(env, envFile).map((p) => `${p.message} ${p.fix}`);
  const restart = `in ${envFile} (or the environment) and restart`;
  const token = env.ADMIN_TOKEN;
  if (isPlaceholder(token) || token!.trim().length < ADMIN_TOKEN_MIN_LENGTH) {
    notes.push(
      `ADMIN_TOKEN is ${isPlaceholder(token) ? 'not set' : 'too short'}: /admin/* answers 503. Set one of at least ` +
        `${ADMIN_TOKEN_MIN_LENGTH} characters ${restart}, e.g. ADMIN_TOKEN=$(openssl rand -hex 32) npm start.`,
    );
  }
  if (isPlaceholder(env.WHATSAPP_SANDBOX_KEYWORD)) {
    notes.push(`WHATSAPP_SANDBOX_KEYWORD is not set: /sandbox/join answers 503. Set your sandbox keyword ${restart}.`);
  }
  return notes;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string', default: '3000' },
      'emulator-port': { type: 'string', default: '0' },
      env: { type: 'string', default: '.env' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = portNumber('--port', values.port);
  const emulatorPort = portNumber('--emulator-port', values['emulator-port']);
  const envFile = values.env;
  const envPath = resolve(ROOT, envFile);

  await ensurePortFree(port);
  let fileEnv: Record<string, string>;
  try {
    fileEnv = withProcessEnv(readEnvFile(envPath));
  } catch (error) {
    if (error instanceof EnvFileError) throw new StartProblem(error.message);
    throw error;
  }

  const started = Date.now();
  await build();
  const stopWatching = await watch();

  let emulator: Emulator | undefined;
  let { env, mode, warnings } = devEnv(fileEnv);
  if (mode === 'emulator') {
    emulator = await startEmulator({ port: emulatorPort });
    ({ env, mode, warnings } = devEnv(fileEnv, emulator.url));
  }

  const origin = `http://localhost:${port}`;
  const runtime = await startLocalRuntime({ env, port, live: true, logs: true, publicOrigin: origin }).catch(
    (error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? portInUse(port) : error;
    },
  );
  // The emulator plays Twilio toward the functions (inbound webhooks, status callbacks). The note tells
  // `npm run chat` where the emulator is, and `npm run message` which env file to sign with.
  if (emulator) connectToFunctions(emulator, origin, env);
  writeServersNote(port, { runtime: origin, emulator: emulator?.url, envFile });

  console.log(`\nWhatsApp Functions, built and served in ${Date.now() - started} ms on ${origin} (127.0.0.1 only)`);
  console.log(
    `Variables: ${envFile}${envFile === '.env' ? ' (the committed template; --env <file> for your own)' : ''}\n`,
  );
  if (emulator) {
    console.log('No Twilio credentials: running OFFLINE against the local Twilio API emulator');
    console.log(`  ${emulator.url}  (every Twilio REST call goes there; nothing reaches Twilio)`);
    if (env.AUTH_TOKEN === EMULATOR_AUTH_TOKEN) {
      console.log(`  Webhook signatures are checked with AUTH_TOKEN=${EMULATOR_AUTH_TOKEN} (a local stand-in).`);
    }
    console.log(`  Put ACCOUNT_SID and AUTH_TOKEN in ${envFile} to talk to Twilio.`);
    console.log('  The bulk tool against this same emulator (its senders then show in /admin/list-senders):');
    console.log(
      `    ACCOUNT_SID=${EMULATOR_ACCOUNT_SID} AUTH_TOKEN=${EMULATOR_AUTH_TOKEN} \\\n` +
        `    TWILIO_API_BASE_URL=${emulator.url} \\\n` +
        '    npm run senders -- examples/senders.csv --interval 1s --poll-interval 1s\n',
    );
  } else if (env.TWILIO_API_BASE_URL) {
    console.log(`Twilio REST calls go to TWILIO_API_BASE_URL=${env.TWILIO_API_BASE_URL}\n`);
  } else {
    console.log(`Talking to Twilio as ${env.ACCOUNT_SID}.\n`);
  }
  const notes = [...warnings, ...configurationNotes(env, envFile)];
  if (notes.length) {
    console.log('Configuration');
    for (const note of notes) console.log(`  ! ${note}`);
    console.log('');
  }
  console.log('Functions');
  for (const f of runtime.functions) console.log(`  ${f.access.padEnd(9)} ${origin}${f.path}`);
  console.log('Page and assets');
  // `/` is served from assets/index.html (the build's /assets/index.html copy exists only for that)
  for (const a of runtime.assets) {
    if (a.path === '/assets/index.html') continue;
    console.log(`  ${a.access.padEnd(9)} ${origin}${a.path === '/index.html' ? '/  (also /index.html)' : a.path}`);
  }
  const portFlag = port === 3000 ? '' : `--port ${port} `;
  console.log(
    `\nTry it: npm run message -- ${portFlag}hi    (signs and posts a WhatsApp message to ${origin}/whatsapp/incoming)`,
  );
  if (mode === 'emulator') {
    const flags = port === 3000 ? '' : ` -- --port ${port}`;
    console.log(`Chat with the bot: npm run chat${flags}    (you write as a WhatsApp user)`);
  }
  console.log('Edits rebuild automatically; restart after adding a file or changing the variables. Ctrl-C stops.\n');

  // The functions read the variables once, at start: say so when the file changes.
  let envWatcher: FSWatcher | undefined;
  try {
    envWatcher = watchFile(envPath, () => console.log(`\n${envFile} changed: restart npm start to apply it.\n`));
  } catch {
    // no file to watch (the environment alone)
  }

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    envWatcher?.close();
    removeServersNote(port);
    void Promise.all([runtime.close(), emulator?.close(), stopWatching()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`npm start failed: ${message}`);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('ERR_PARSE_ARGS')) console.error('Run `npm start -- --help` for the flags.');
  process.exit(1);
});
