/**
 * `npm run message -- <text>`: sends what Twilio would send to the local functions (form-encoded, signed
 * with the AUTH_TOKEN `npm start` checks) and prints the answer: an inbound message (default), a status
 * callback (--status) or a fallback request (--fallback). Exits 1 when the answer is not 2xx.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { computeSignature } from '../lib/signature';
import { devEnv, readEnvFile, withProcessEnv } from '../dev/env';
import { ROOT } from '../dev/paths';
import { readServersNote } from '../dev/emulator/wiring';

const USAGE = `Usage: npm run message -- [flags] <text>

Signs and posts a WhatsApp message to the local /whatsapp/incoming (npm start must be running) and prints
the bot's answer. Signed with the AUTH_TOKEN of the env file npm start read (or its local stand-in).

  --port <n>              the npm start port (default 3000)
  --env <file>            sign with this env file's AUTH_TOKEN (default: the one npm start read, else .env)
  --from whatsapp:+...    the sender (default whatsapp:+15005550006)
  --to whatsapp:+...      the bot's number (default the sandbox number, whatsapp:+14155238886)
  --lat <n> --long <n>    send a location instead of text
  --status <status>       send a status callback to /whatsapp/status instead (queued, sent, delivered,
                          read, failed, undelivered); --sid SM... and --error-code <n> go with it
  --fallback              send a fallback request to /whatsapp/fallback (--error-code, default 11200)
  -h, --help              this text

Examples:
  npm run message -- hi
  npm run message -- location          (the pin goes out through the Messages API; shown here)
  npm run message -- --status delivered --sid SM0123456789abcdef0123456789abcdef
  npm run message -- --fallback --error-code 11200
`;

const STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed', 'undelivered'];

type Target = { path: string; params: Record<string, string> };

function targetOf(values: Record<string, string | boolean | undefined>, body: string): Target {
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const messageSid = str('sid') ?? `SM${Date.now().toString(16).padStart(32, '0')}`;
  const from = str('from')!;
  const to = str('to')!;
  const errorCode = str('error-code');
  const status = str('status');
  if (status !== undefined) {
    if (!STATUSES.includes(status))
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got "${status}"`);
    // A status callback is about a message the bot sent: from the bot's number to the user.
    const params: Record<string, string> = {
      MessageSid: messageSid,
      MessageStatus: status,
      From: to,
      To: from,
      AccountSid: 'AC' + '0'.repeat(32),
    };
    if (errorCode !== undefined) params.ErrorCode = errorCode;
    return { path: '/whatsapp/status', params };
  }
  if (values.fallback) {
    const params = {
      MessageSid: messageSid,
      From: from,
      To: to,
      Body: body,
      ErrorCode: errorCode ?? '11200',
      ErrorUrl: 'https://example.invalid/whatsapp/incoming',
    };
    return { path: '/whatsapp/fallback', params };
  }
  const params: Record<string, string> = {
    MessageSid: messageSid,
    From: from,
    To: to,
    Body: body,
    NumMedia: '0',
    ProfileName: 'Local tester',
  };
  if (values.lat !== undefined || values.long !== undefined) {
    Object.assign(params, {
      Body: '',
      Latitude: str('lat') ?? '',
      Longitude: str('long') ?? '',
      MessageType: 'location',
    });
  }
  return { path: '/whatsapp/incoming', params };
}

class UsageError extends Error {}
class Unreachable extends Error {}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function printAnswer(status: number, contentType: string, body: string): void {
  console.log(`HTTP ${status} ${contentType}`);
  const messages = [...body.matchAll(/<Message>(.*?)<\/Message>/gs)];
  if (messages.length === 0 && body.trim()) console.log(body);
  for (const [, inner] of messages) {
    const text = /<Body>(.*?)<\/Body>/s.exec(inner ?? '')?.[1];
    const media = /<Media>(.*?)<\/Media>/s.exec(inner ?? '')?.[1];
    console.log('---');
    if (text !== undefined) console.log(unescape(text));
    if (media !== undefined) console.log(`[media] ${unescape(media)}`);
  }
}

/** The Messages API calls the functions made to the emulator since `since` (the location pin, for one). */
async function showSentMessages(emulatorUrl: string, since: number): Promise<void> {
  const response = await fetch(`${emulatorUrl}/__emulator/requests?route=messages.create`).catch(() => undefined);
  if (!response?.ok) return;
  const { requests } = (await response.json()) as {
    requests: { at: number; status: number; path: string; body: unknown }[];
  };
  for (const request of requests.filter((r) => r.at >= since)) {
    console.log(
      `--- sent through the Messages API (to the local emulator, ${emulatorUrl}; answered ${request.status}):`,
    );
    console.log(`POST ${request.path}`);
    for (const [key, value] of Object.entries((request.body ?? {}) as Record<string, unknown>))
      console.log(`  ${key}=${String(value)}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string', default: '3000' },
      env: { type: 'string' },
      from: { type: 'string', default: 'whatsapp:+15005550006' },
      to: { type: 'string', default: 'whatsapp:+14155238886' },
      lat: { type: 'string' },
      long: { type: 'string' },
      status: { type: 'string' },
      sid: { type: 'string' },
      'error-code': { type: 'string' },
      fallback: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!/^\d+$/.test(values.port)) throw new UsageError(`--port must be a port number, got "${values.port}"`);
  const port = Number(values.port);
  const running = readServersNote(port);
  const envFile = values.env ?? running?.envFile ?? '.env';
  const { env, mode } = devEnv(withProcessEnv(readEnvFile(resolve(ROOT, envFile))));
  const { path, params } = targetOf(values, positionals.join(' '));
  const signedUrl = `http://localhost:${port}${path}`;
  const sentAt = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': computeSignature(env.AUTH_TOKEN ?? '', signedUrl, params),
    },
    body: new URLSearchParams(params).toString(),
  }).catch((error: unknown) => {
    throw new Unreachable(
      `Could not reach the local server on port ${port} (is \`npm start\` running?): ${(error as Error).message}`,
    );
  });
  const body = await response.text();
  printAnswer(response.status, response.headers.get('content-type') ?? '', body);
  if (running?.emulator) await showSentMessages(running.emulator, sentAt);
  else if (mode === 'twilio' && /location/i.test(params.Body ?? ''))
    console.log("--- any pin went out through Twilio's Messages API: look at the phone.");
  if (response.status === 403) {
    console.error(
      `\nRefused (403): the signature did not match. This signed ${signedUrl} with the AUTH_TOKEN of ${envFile}` +
        `${mode === 'emulator' && !running ? ' (or the local stand-in)' : ''}; npm start checks with its own.` +
        ' Start both with the same --env; the npm start console logs which URLs it checked (webhook.refused).',
    );
  }
  return response.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      error instanceof Unreachable
        ? reason
        : `npm run message: ${reason}\nRun \`npm run message -- --help\` for the flags.`,
    );
    process.exitCode = 1;
  },
);
