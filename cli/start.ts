/**
 * `npm start`: build, then serve every route on http://localhost:3000 with the local Functions runtime
 * (the one twilio-run uses), rebuilding on every change.
 *
 * Why not `twilio-run start` itself: its default forks a process per request (about 4 requests/s here)
 * and it listens on every network interface. This runs the same runtime in one process
 * (`--no-fork-process` in twilio-run's terms), on 127.0.0.1 only, in live mode (each request loads the
 * freshly built function). `npx twilio-run start --no-fork-process` still works for the CLI's way.
 *
 * Flags: --port N (default 3000), --emulator-port N (default: any free port).
 */
import { parseArgs } from 'node:util';
import { build, watch } from '../dev/build';
import { devEnv, readEnvFile, EMULATOR_AUTH_TOKEN } from '../dev/env';
import { startEmulator, type Emulator } from '../dev/emulator/server';
import { connectToFunctions, removeServersNote, writeServersNote } from '../dev/emulator/wiring';
import { startLocalRuntime } from '../dev/local-runtime';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '3000' }, 'emulator-port': { type: 'string', default: '0' } },
  });
  const port = Number(values.port);
  const emulatorPort = Number(values['emulator-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  if (!Number.isInteger(emulatorPort) || emulatorPort < 0 || emulatorPort > 65535) {
    throw new Error(`--emulator-port must be a port number, got ${values['emulator-port']}`);
  }

  const started = Date.now();
  await build();
  const stopWatching = await watch();

  const fileEnv = readEnvFile();
  let emulator: Emulator | undefined;
  let { env, mode } = devEnv(fileEnv);
  if (mode === 'emulator') {
    emulator = await startEmulator({ port: emulatorPort });
    ({ env, mode } = devEnv(fileEnv, emulator.url));
  }

  const runtime = await startLocalRuntime({ env, port, live: true, logs: true, publicOrigin: `http://localhost:${port}` });
  const origin = `http://localhost:${port}`;
  if (emulator) {
    // The emulator plays Twilio toward the functions (inbound webhooks, status callbacks), and `npm run chat` finds it.
    connectToFunctions(emulator, origin, env);
    writeServersNote(port, { runtime: origin, emulator: emulator.url });
  }

  console.log(`\nWhatsApp Functions, built and served in ${Date.now() - started} ms on ${origin} (127.0.0.1 only)\n`);
  if (mode === 'emulator') {
    console.log('No Twilio credentials in .env: running OFFLINE against the local Twilio API emulator');
    console.log(`  ${emulator!.url}  (every Twilio REST call goes there; nothing reaches Twilio)`);
    console.log(`  Webhook signatures are checked with AUTH_TOKEN=${EMULATOR_AUTH_TOKEN} (a local stand-in).`);
    console.log('  Put ACCOUNT_SID and AUTH_TOKEN in .env to talk to Twilio.\n');
  } else if (env.TWILIO_API_BASE_URL) {
    console.log(`Twilio REST calls go to TWILIO_API_BASE_URL=${env.TWILIO_API_BASE_URL}\n`);
  } else {
    console.log(`Talking to Twilio as ${env.ACCOUNT_SID}.\n`);
  }
  console.log('Functions');
  for (const f of runtime.functions) console.log(`  ${f.access.padEnd(9)} ${origin}${f.path}`);
  console.log('Assets');
  for (const a of runtime.assets) console.log(`  ${a.access.padEnd(9)} ${origin}${a.path}`);
  console.log(`\nTry it: npm run message -- ${port === 3000 ? '' : `--port ${port} `}hi    (signs and posts a WhatsApp message to ${origin}/whatsapp/incoming)`);
  if (mode === 'emulator') {
    const flags = port === 3000 ? '' : ` -- --port ${port}`;
    console.log(`Chat with the bot: npm run chat${flags}    (you write as a WhatsApp user)`);
  }
  console.log('Edits rebuild automatically; restart after adding a file. Ctrl-C stops.\n');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (emulator) removeServersNote(port);
    void Promise.all([runtime.close(), emulator?.close(), stopWatching()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
