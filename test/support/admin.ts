/** Calls to the /admin/* routes (of a running runtime, or in process), as an ISV's script would make them. */
import type { EmulatorOptions } from '../../dev/emulator/server';
import { adminCaller, startEmulatedSuite } from './harness';

export type AdminAnswer = { status: number; headers: Headers; body: Record<string, any>; text: string };

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
export const PARENT_SID = 'AC' + '1'.repeat(32);
export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';

async function answer(response: Response): Promise<AdminAnswer> {
  const text = await response.text();
  let body: Record<string, any> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** POST a JSON body (or GET with a query string) to an admin route, with the given bearer token (null: none). */
export function adminClient(baseUrl: string, token: string | null = ADMIN_TOKEN) {
  const headers = (extra: Record<string, string> = {}) => ({ ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...extra });
  return {
    post: async (path: string, body: unknown) =>
      answer(await fetch(baseUrl + path, { method: 'POST', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(body) })),
    get: async (path: string, query: Record<string, string> = {}) =>
      answer(await fetch(`${baseUrl}${path}?${new URLSearchParams(query)}`, { headers: headers() })),
  };
}

/** A create body as an ISV writes it: humane number, plain-string emails and websites. */
export function humaneRegistration(number: string, extra: Record<string, unknown> = {}) {
  return {
    sender_id: number,
    profile: {
      name: 'Acme Shoes',
      about: 'Shoes for every step.',
      vertical: 'Shopping and Retail',
      emails: ['support@acme.example'],
      websites: ['https://acme.example', { website: 'https://help.acme.example', label: 'Help' }],
      logo_url: 'https://acme.example/logo.png',
    },
    webhook: { callback_url: 'https://acme.example/whatsapp/incoming', callback_method: 'post' },
    ...extra,
  };
}

/** startEmulatedSuite (test/support/harness.ts) for the admin functions, with `admin` calling them with ADMIN_TOKEN. */
export async function startAdminSuite(emulatorOptions: EmulatorOptions = {}, env: Record<string, string> = {}) {
  const suite = await startEmulatedSuite({ ADMIN_TOKEN, ACCOUNT_SID: PARENT_SID, AUTH_TOKEN, ...env }, emulatorOptions);
  return { ...suite, admin: adminCaller(suite.harness, ADMIN_TOKEN) };
}
