/**
 * Runs the `npm start` command itself, as a newcomer would, waits for it, sends a signed WhatsApp
 * message, and stops it (the whole process group).
 */
import { spawn } from 'node:child_process';
import { devEnv, readEnvFile } from '../../dev/env';
import { ROOT } from '../../dev/paths';
import { freePort } from '../support/free-port';
import { parseTwiml } from '../support/twiml';
import { postWebhook } from '../support/twilio-request';

it('npm start builds, serves on localhost, and answers a signed message', async () => {
  const port = await freePort();
  const child = spawn('npm', ['start', '--', '--port', String(port)], {
    cwd: ROOT,
    detached: true, // its own process group, so the test can stop npm, tsx and node together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up in 60 s:\n${output}`)), 60_000);
      const check = () => {
        if (output.includes('Ctrl-C stops')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      void exited.then((code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    });

    // It says where it runs and which mode, and lists the routes.
    expect(output).toContain(`http://localhost:${port}/whatsapp/incoming`);
    expect(output).toMatch(/OFFLINE against the local Twilio API emulator|Talking to Twilio as AC/);

    const { env } = devEnv(readEnvFile());
    const res = await postWebhook(`http://127.0.0.1:${port}`, '/whatsapp/incoming', { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'hi' }, {
      authToken: env.AUTH_TOKEN!,
      signedUrl: `http://localhost:${port}/whatsapp/incoming`,
    });
    expect(res.status).toBe(200);
    expect(parseTwiml(res.body)[0]!.body).toContain('*menu*');

    const forged = await postWebhook(`http://127.0.0.1:${port}`, '/whatsapp/incoming', { From: 'whatsapp:+15005550006', To: 'whatsapp:+14155238886', Body: 'hi' }, { authToken: 'wrong' });
    expect(forged.status).toBe(403);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  // Stopped: the port is free again.
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
});
