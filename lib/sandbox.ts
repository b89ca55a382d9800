/**
 * The WhatsApp sandbox join link: a tester sends `join <keyword>` to the sandbox number. GET /sandbox/join
 * redirects to it, so a printed QR code of that route keeps working when the keyword changes.
 */
import * as z from './zod';
import { waMeLink, whatsappAppLink } from './deeplink';
import { normalizePhoneNumber } from './phone';

/** What the route answers with `?format=json` (snake_case: it is a public JSON contract). */
export type SandboxJoin = { number: string; keyword: string; link: string; app_link: string };

export type SandboxJoinResult =
  | { ok: true; join: SandboxJoin }
  | { ok: false; variable: 'WHATSAPP_SANDBOX_KEYWORD' | 'WHATSAPP_SANDBOX_NUMBER'; reason: string };

/** The two settings, as lib/config.ts's sandboxSettingsSchema yields them (number defaulted). */
export type SandboxSettings = { WHATSAPP_SANDBOX_NUMBER: string; WHATSAPP_SANDBOX_KEYWORD?: string | undefined };

/**
 * Query of GET /sandbox/join. `format` is optional and only `json` is accepted: a caller who asks for another
 * format gets 400 saying so, rather than a redirect they did not ask for.
 */
export const sandboxJoinQuerySchema = z.looseObject({
  format: z.optional(z.enum(['json'])),
});

/** Sandbox keywords are words joined by hyphens (e.g. `shadow-river`); the Console shows them after "join". */
const KEYWORD = /^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*$/u;

/**
 * The join message's keyword from the setting: trimmed, and without a leading "join " when the whole message
 * was pasted from the Console.
 */
export function normalizeSandboxKeyword(value: string): string {
  return value.trim().replace(/^join\s+/i, '');
}

/** The join link from the settings, or which variable is missing or wrong and why. */
export function sandboxJoin(settings: SandboxSettings): SandboxJoinResult {
  if (settings.WHATSAPP_SANDBOX_KEYWORD === undefined) {
    return {
      ok: false,
      variable: 'WHATSAPP_SANDBOX_KEYWORD',
      reason:
        'The sandbox keyword is not configured: set WHATSAPP_SANDBOX_KEYWORD to the word after "join" in the Twilio Console (Messaging > Try it out > Send a WhatsApp message).',
    };
  }
  const keyword = normalizeSandboxKeyword(settings.WHATSAPP_SANDBOX_KEYWORD);
  if (keyword.length > 64 || !KEYWORD.test(keyword)) {
    return {
      ok: false,
      variable: 'WHATSAPP_SANDBOX_KEYWORD',
      reason:
        'WHATSAPP_SANDBOX_KEYWORD must be the sandbox keyword: words joined by hyphens, e.g. shadow-river (at most 64 characters).',
    };
  }
  const phone = normalizePhoneNumber(settings.WHATSAPP_SANDBOX_NUMBER);
  if (!phone.ok)
    return { ok: false, variable: 'WHATSAPP_SANDBOX_NUMBER', reason: `WHATSAPP_SANDBOX_NUMBER: ${phone.reason}` };
  const text = `join ${keyword}`;
  return {
    ok: true,
    join: {
      number: phone.e164,
      keyword,
      link: waMeLink(phone.digits, text),
      app_link: whatsappAppLink(phone.digits, text),
    },
  };
}
