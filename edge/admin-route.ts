/**
 * The frame of every /admin/* route: the bearer check, the time budget, a Twilio client (signed as a
 * subaccount when the request names one), Twilio failures turned into `{error: {code, message, hint,
 * more_info}}`, and one JSON log line per request. A route file only parses its input and calls lib/senders.
 */
import { ADMIN_BUDGET_MS, adminSettingsSchema, twilioSettingsSchema } from '../lib/config';
import { answerForFailure, errorAnswer, isTwilioApiError, subaccountAuth, type AttemptTrace, type SendersCall } from '../lib/senders';
import { createTwilioClient } from '../lib/twilio-client';
import { describeZodError } from '../lib/validation';
import { requireAdminToken } from './admin-auth';
import { HttpError, logEvent, route, type Reply, type RouteRequest } from './handler';
import type { FunctionHandler } from './runtime';

/** Kept back from the budget for building and sending the answer. */
const ANSWER_MARGIN_MS = 100;

export type AdminRequest = {
  request: RouteRequest;
  /** Epoch ms by which Twilio calls must be done. */
  deadline: number;
  /** A Senders call on the configured account, or on `accountSid` (a subaccount) with the parent's credentials. */
  senders(accountSid?: string): Promise<SendersCall>;
  /** Adds safe fields (never secrets) to the request's log line. */
  log(fields: Record<string, unknown>): void;
};

const unavailable = (message: string, hint: string) => new HttpError({ kind: 'json', ...errorAnswer(503, message, hint) });

/** Wraps an admin route: `export const handler = adminRoute('register-sender', async (admin) => reply)`. */
export function adminRoute(name: string, run: (admin: AdminRequest) => Promise<Reply>): FunctionHandler {
  return route(async (request) => {
    const started = Date.now();
    const attempts: AttemptTrace[] = [];
    const fields: Record<string, unknown> = {};
    let status = 500;
    try {
      requireAdminToken(request);
      const admin = adminSettingsSchema.safeParse({ ADMIN_REQUEST_BUDGET_MS: request.env.ADMIN_REQUEST_BUDGET_MS });
      if (!admin.success) {
        const problem = describeZodError(admin.error)[0];
        throw unavailable(`ADMIN_REQUEST_BUDGET_MS is not valid: ${problem?.message ?? 'invalid'}.`, `Leave ADMIN_REQUEST_BUDGET_MS unset (${ADMIN_BUDGET_MS.default} ms) or set it to ${ADMIN_BUDGET_MS.min}..${ADMIN_BUDGET_MS.max}.`);
      }
      const deadline = started + (admin.data.ADMIN_REQUEST_BUDGET_MS ?? ADMIN_BUDGET_MS.default) - ANSWER_MARGIN_MS;
      const senders = async (accountSid?: string): Promise<SendersCall> => {
        const settings = twilioSettingsSchema.safeParse({
          ACCOUNT_SID: request.env.ACCOUNT_SID,
          AUTH_TOKEN: request.env.AUTH_TOKEN,
          TWILIO_API_BASE_URL: request.env.TWILIO_API_BASE_URL,
        });
        if (!settings.success || !settings.data.ACCOUNT_SID || !settings.data.AUTH_TOKEN) {
          throw unavailable('ACCOUNT_SID and AUTH_TOKEN must be set (and valid) to call Twilio.', 'Set ACCOUNT_SID (AC + 32 hex digits) and AUTH_TOKEN from console.twilio.com.');
        }
        const { ACCOUNT_SID, AUTH_TOKEN, TWILIO_API_BASE_URL } = settings.data;
        const client = createTwilioClient({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: TWILIO_API_BASE_URL, timeoutMs: Math.max(1, deadline - Date.now()) });
        const call: SendersCall = { client, deadline, trace: (a) => attempts.push(a) };
        fields.account = accountSid ?? ACCOUNT_SID;
        return { ...call, auth: await subaccountAuth(call, accountSid, ACCOUNT_SID) };
      };
      const reply = await run({ request, deadline, senders, log: (more) => Object.assign(fields, more) });
      status = 'status' in reply && reply.status ? reply.status : 200;
      return reply;
    } catch (error) {
      if (isTwilioApiError(error)) {
        const answer = answerForFailure(error.failure);
        fields.twilioCode = error.failure.code;
        status = answer.status;
        throw new HttpError({ kind: 'json', status: answer.status, body: answer.body, headers: answer.headers });
      }
      status = error instanceof HttpError ? error.reply.status : error && typeof error === 'object' && 'issues' in error ? 400 : 500;
      throw error;
    } finally {
      logEvent({
        event: `admin.${name}`,
        status,
        durationMs: Date.now() - started,
        ...fields,
        twilio: attempts.map((a) => `${a.method.toUpperCase()} ${a.path} ${a.status || 'timeout'}${a.retryInMs !== undefined ? ` retry+${a.retryInMs}ms` : ''}`),
      });
    }
  });
}
