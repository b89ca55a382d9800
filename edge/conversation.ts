/**
 * The conversation store as routes get it: a ContactStore (lib/conversation) on the function's Twilio client
 * (edge/twilio.ts, so TWILIO_API_BASE_URL reaches the emulator), the configured Sync service and a deadline.
 */
import { conversationSettingsSchema, parseSettings, twilioSettingsSchema, WEBHOOK_SYNC_BUDGET_MS } from '../lib/config';
import { ContactCache } from '../lib/conversation/cache';
import type { ContactStore } from '../lib/conversation';
import { errorBody } from '../lib/error-body';
import type { RetryPolicy } from '../lib/twilio-api';
import type { AdminRequest } from './admin-route';
import { logEvent } from './log';
import { describeZodError } from '../lib/validation';
import { HttpError } from './reply';
import { twilioRequesterFromEnv } from './twilio';

/** A webhook retries a 429/5xx from Sync once, quickly: the reply matters more than the state. */
export const WEBHOOK_SYNC_RETRY: Partial<RetryPolicy> = {
  maxAttempts: 2,
  baseDelayMs: 100,
  maxDelayMs: 400,
  minAttemptMs: 200,
};

export type ConfiguredStore = { store: ContactStore; accountSid: string };

/**
 * The store for this request, or undefined when the function has no Twilio credentials or the conversation
 * settings are not valid (logged): the caller then works without state. `call` may depend on the settings
 * (the webhook's budget).
 */
export function contactStoreFromEnv(
  env: Record<string, string | undefined>,
  call: (settings: { WEBHOOK_SYNC_BUDGET_MS: number }) => Pick<ContactStore, 'deadline' | 'retry' | 'trace' | 'cache'>,
): ConfiguredStore | undefined {
  const configured = twilioRequesterFromEnv(env);
  if (!configured) return undefined;
  const settings = parseSettings(conversationSettingsSchema, env);
  if (!settings.success) {
    logEvent({ level: 'error', event: 'config.invalid', problems: describeZodError(settings.error) });
    return undefined;
  }
  return {
    accountSid: configured.accountSid,
    store: { client: configured.requester, serviceSid: settings.data.SYNC_SERVICE_SID, ...call(settings.data) },
  };
}

/** What this warm container remembers of the contacts its webhooks wrote (lib/conversation/cache.ts). */
const warmContacts = new ContactCache();

/** The store for one webhook: its Sync calls bounded by WEBHOOK_SYNC_BUDGET_MS from `started`. */
export const webhookContactStore = (
  env: Record<string, string | undefined>,
  started: number,
): ConfiguredStore | undefined =>
  contactStoreFromEnv(env, (settings) => ({
    deadline: started + settings.WEBHOOK_SYNC_BUDGET_MS,
    retry: WEBHOOK_SYNC_RETRY,
    cache: warmContacts,
  }));

/** I-Twilio-Idempotency-Token, the header Twilio repeats on a retried webhook (checked to be a sane string). */
export function idempotencyToken(headers: Record<string, string | undefined>): string | undefined {
  const token = headers['i-twilio-idempotency-token'];
  return typeof token === 'string' && /^[\x21-\x7e]{1,200}$/.test(token) ? token : undefined;
}

/**
 * The store for an admin route: the frame's Twilio call on the configured account (its 503 when credentials are
 * missing, its trace in the log line), or 503 naming SYNC_SERVICE_SID when that is not valid. `account_sid` on
 * the contact routes selects records (they are kept in this deployment's service), not credentials.
 */
export async function adminContactStore(admin: AdminRequest): Promise<ConfiguredStore> {
  const call = await admin.twilio();
  const settings = parseSettings(conversationSettingsSchema, admin.request.env);
  const accountSid = parseSettings(twilioSettingsSchema, admin.request.env);
  if (!settings.success) {
    const problem = describeZodError(settings.error)[0];
    const variable = problem?.path ?? 'SYNC_SERVICE_SID';
    const message = `${variable} is not valid: ${problem?.message ?? 'invalid'}.`;
    const hint =
      variable === 'SYNC_SERVICE_SID'
        ? 'Leave SYNC_SERVICE_SID empty (the default Sync service) or set it to IS + 32 hex digits ' +
          '(Console > Sync > Services).'
        : `Leave ${variable} empty (${WEBHOOK_SYNC_BUDGET_MS.default} ms) or set it to ` +
          `${WEBHOOK_SYNC_BUDGET_MS.min}..${WEBHOOK_SYNC_BUDGET_MS.max}.`;
    throw new HttpError({ kind: 'json', status: 503, body: errorBody({ message, hint, variable }) });
  }
  if (!accountSid.success || !accountSid.data.ACCOUNT_SID)
    throw new Error('admin.twilio() succeeded without ACCOUNT_SID');
  return { accountSid: accountSid.data.ACCOUNT_SID, store: { ...call, serviceSid: settings.data.SYNC_SERVICE_SID } };
}
