/**
 * The bot `npm run chat` talks to: the emulator and runtime of an `npm start` running on the port (found through
 * the note it leaves, dev/emulator/wiring.ts), or, when none runs, its own: the emulator in this process and the
 * built functions in the local runtime (in a child process, so the functions' log lines stay out of the chat),
 * with the bot's menu template created in the emulator, so the menu comes as buttons.
 */
import { build } from '../../dev/build';
import { devEnv, readEnvFile } from '../../dev/env';
import { startEmulator } from '../../dev/emulator/server';
import { connectToFunctions, readServersNote, seedTemplate } from '../../dev/emulator/wiring';
import { spawnLocalRuntime } from '../../dev/local-runtime';

export type Bot = {
  /** The emulator's URL (POST /__emulator/inbound …). */
  emulator: string;
  /** Where it came from, said once to the user. */
  origin: string;
  /** The functions' log lines, when the chat started them. */
  logs?: string[];
  stop(): Promise<void>;
};

/** A chat started bot moves its messages through their statuses this fast (ms per step). */
const OWN_STATUS_STEP_MS = 150;

export async function connectBot(options: {
  port: number;
  emulator?: string;
  own: boolean;
  build: boolean;
  logs: boolean;
}): Promise<Bot> {
  if (options.emulator)
    return {
      emulator: options.emulator.replace(/\/+$/, ''),
      origin: `the emulator at ${options.emulator}`,
      stop: async () => {},
    };
  const running = options.own ? undefined : readServersNote(options.port);
  if (running?.emulator) {
    return { emulator: running.emulator, origin: `npm start on ${running.runtime}`, stop: async () => {} };
  }

  if (options.build) await build();
  const emulator = await startEmulator({ statusStepMs: OWN_STATUS_STEP_MS });
  try {
    // Always offline: the chat's own bot never reaches Twilio, whatever credentials .env holds.
    // Nor through a tunnel: PUBLIC_BASE_URL would make the functions expect signatures for another origin.
    const { PUBLIC_BASE_URL: _tunnel, ...fileEnv } = readEnvFile();
    const { env } = devEnv({ ...fileEnv, ACCOUNT_SID: '', AUTH_TOKEN: '' }, emulator.url);
    // The menu as quick-reply buttons, as a deployment with `npm run templates` done has it.
    const credentials = { accountSid: env.ACCOUNT_SID!, authToken: env.AUTH_TOKEN! };
    env.MENU_CONTENT_SID = await seedTemplate(emulator.url, credentials, 'bot_menu');
    const runtime = await spawnLocalRuntime({ env });
    connectToFunctions(emulator, runtime.url, env);
    if (options.logs) {
      let shown = 0;
      const timer = setInterval(() => {
        for (; shown < runtime.logs.length; shown++) process.stderr.write(`[functions] ${runtime.logs[shown]}\n`);
      }, 200);
      timer.unref();
    }
    return {
      emulator: emulator.url,
      origin: `its own bot (functions on ${runtime.url}, emulator on ${emulator.url})`,
      logs: runtime.logs,
      stop: async () => {
        await runtime.stop();
        await emulator.close();
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}
