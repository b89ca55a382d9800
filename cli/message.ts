/**
 * `npm run message -- <text>`: sends a WhatsApp message to the local /whatsapp/incoming as Twilio would
 * (form-encoded, signed with AUTH_TOKEN, or the emulator-mode stand-in) and prints the reply.
 *
 * Flags: --port N (default 3000), --from whatsapp:+... (default a test number), --to whatsapp:+...
 * (default the sandbox number), --lat/--long (send a location instead of text).
 */
import { parseArgs } from 'node:util';
import { computeSignature } from '../lib/signature';
import { devEnv, readEnvFile } from '../dev/env';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '3000' },
      from: { type: 'string', default: 'whatsapp:+15005550006' },
      to: { type: 'string', default: 'whatsapp:+14155238886' },
      lat: { type: 'string' },
      long: { type: 'string' },
    },
  });
  const { env } = devEnv(readEnvFile());
  const url = `http://localhost:${values.port}/whatsapp/incoming`;
  const params: Record<string, string> = {
    MessageSid: `SM${Date.now().toString(16).padStart(32, '0')}`,
    From: values.from,
    To: values.to,
    Body: positionals.join(' '),
    NumMedia: '0',
    ProfileName: 'Local tester',
  };
  if (values.lat !== undefined || values.long !== undefined) Object.assign(params, { Latitude: values.lat ?? '', Longitude: values.long ?? '', MessageType: 'location' });
  const response = await fetch(`http://127.0.0.1:${values.port}/whatsapp/incoming`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': computeSignature(env.AUTH_TOKEN ?? '', url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  const body = await response.text();
  console.log(`HTTP ${response.status} ${response.headers.get('content-type') ?? ''}`);
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const messages = [...body.matchAll(/<Message>(.*?)<\/Message>/gs)];
  if (messages.length === 0) console.log(body);
  for (const [, inner] of messages) {
    const text = /<Body>(.*?)<\/Body>/s.exec(inner ?? '')?.[1];
    const media = /<Media>(.*?)<\/Media>/s.exec(inner ?? '')?.[1];
    console.log('---');
    if (text !== undefined) console.log(unescape(text));
    if (media !== undefined) console.log(`[media] ${unescape(media)}`);
  }
}

main().catch((error: unknown) => {
  const reason = error instanceof Error ? error.message : String(error);
  console.error(`Could not reach the local server (is \`npm start\` running?): ${reason}`);
  process.exit(1);
});
