/** `npm run emulator`: runs the local Twilio API emulator until Ctrl-C. */
import { startEmulator } from '../dev/emulator/server';

const port = Number(process.argv[2] ?? process.env.EMULATOR_PORT ?? 3001);
startEmulator({ port }).then((emulator) => {
  console.log(`Twilio API emulator on ${emulator.url}  (set TWILIO_API_BASE_URL=${emulator.url})`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
