/**
 * The emulator beside a running local runtime, as `npm start` and `npm run chat` set it up: the emulator learns
 * the functions' webhook URLs and AUTH_TOKEN, and a small note in the temp folder lets `npm run chat` find the
 * emulator of an `npm start` already running on a port.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlaceholder, sandboxSettingsSchema } from '../../lib/config';
import { SID_PATTERNS } from '../../lib/sids';
import { contentCreateBody, templateFileSchema } from '../../lib/templates';
import { ROOT } from '../paths';
import { configure } from './conversation';
import type { Emulator } from './server';

/** The routes Twilio calls, on the origin the functions are reached on (http://localhost:3000). */
export function functionWebhooks(origin: string) {
  const base = origin.replace(/\/+$/, '');
  return {
    incomingUrl: `${base}/whatsapp/incoming`,
    statusUrl: `${base}/whatsapp/status`,
    fallbackUrl: `${base}/whatsapp/fallback`,
  };
}

/**
 * Points the emulator at the functions served on `origin`, signing with the AUTH_TOKEN they check. With
 * PUBLIC_BASE_URL set (a tunnel), the functions expect signatures for that origin, so the emulator calls it there.
 */
export function connectToFunctions(emulator: Emulator, origin: string, env: Record<string, string | undefined>): void {
  const sandbox = sandboxSettingsSchema.safeParse(env);
  const publicBase = isPlaceholder(env.PUBLIC_BASE_URL) ? undefined : env.PUBLIC_BASE_URL!.trim();
  configure(emulator.state, {
    ...functionWebhooks(publicBase ?? origin),
    ...(env.AUTH_TOKEN ? { authToken: env.AUTH_TOKEN } : {}),
    ...(env.ACCOUNT_SID && SID_PATTERNS.account.test(env.ACCOUNT_SID) ? { accountSid: env.ACCOUNT_SID } : {}),
    ...(sandbox.success
      ? { sandboxNumber: sandbox.data.WHATSAPP_SANDBOX_NUMBER, sandboxKeyword: sandbox.data.WHATSAPP_SANDBOX_KEYWORD }
      : {}),
  });
}

/**
 * What `npm start` leaves for `npm run chat` and `npm run message`: where its runtime and (offline) its
 * emulator listen, and the env file it read (no value of it).
 */
export type RunningServers = { runtime: string; emulator?: string; envFile?: string; pid: number };

function noteFile(port: number): string {
  const project = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  return join(tmpdir(), `whatsapp-functions-${project}`, `servers-${port}.json`);
}

export function writeServersNote(port: number, servers: Omit<RunningServers, 'pid'>): void {
  const file = noteFile(port);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...servers, pid: process.pid }));
}

export function removeServersNote(port: number): void {
  rmSync(noteFile(port), { force: true });
}

/** The servers `npm start` runs on `port` for this project, if its process is still alive. */
export function readServersNote(port: number): RunningServers | undefined {
  let note: unknown;
  try {
    note = JSON.parse(readFileSync(noteFile(port), 'utf8'));
  } catch {
    return undefined;
  }
  if (!note || typeof note !== 'object') return undefined;
  const { runtime, emulator, envFile, pid } = note as Record<string, unknown>;
  if (typeof runtime !== 'string' || typeof pid !== 'number') return undefined;
  if (![emulator, envFile].every((v) => v === undefined || typeof v === 'string')) return undefined;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
  } catch {
    return undefined;
  }
  return {
    runtime,
    pid,
    ...(typeof emulator === 'string' ? { emulator } : {}),
    ...(typeof envFile === 'string' ? { envFile } : {}),
  };
}

/**
 * Creates a template of templates/ (e.g. "bot_menu") in the emulator's Content API, over HTTP as
 * `npm run templates` would, and approves it at once unless `approve` is false (the emulator's control
 * endpoint): a local stand-in for a template WhatsApp approved long ago. Returns its Content SID.
 */
export async function seedTemplate(
  emulatorUrl: string,
  credentials: { accountSid: string; authToken: string },
  name: string,
  options: { approve?: boolean } = {},
): Promise<string> {
  const template = templateFileSchema.parse(JSON.parse(readFileSync(join(ROOT, 'templates', `${name}.json`), 'utf8')));
  const auth = Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64');
  const post = async (path: string, body?: unknown) => {
    const res = await fetch(`${emulatorUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Basic ${auth}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`emulator POST ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const { sid } = (await post('/v1/Content', contentCreateBody(template))) as { sid: string };
  if (options.approve !== false) {
    const approval = { name: template.friendly_name, category: template.category };
    await post(`/v1/Content/${sid}/ApprovalRequests/whatsapp`, approval);
    await post(`/__emulator/content/${sid}/approve`);
  }
  return sid;
}
