/**
 * The frame of every /admin/* route: the bearer check, the time budget, a Twilio client (signed as a
 * subaccount when the request names one), Twilio failures turned into `{error: {code, message, hint,
 * more_info}}`, and one JSON log line per request. A route file only parses its input and calls lib/senders.
 */
import { ADMIN_BUDGET_MS, adminSettingsSchema } from '../lib/config';
import { errorBody } from '../lib/error-body';
import {
  answerForFailure,
  isTwilioApiError,
  subaccountAuth,
  type AttemptTrace,
  type TwilioCall,
} from '../lib/twilio-api';
import { describeZodError } from '../lib/validation';
import { requireAdminToken } from './admin-auth';
import { logEvent } from './log';
import { HttpError, type Reply } from './reply';
import { route, type RouteRequest } from './route';
import type { FunctionHandler } from './runtime';
import { twilioRequesterFromEnv } from './twilio';

/** Kept back from the budget for building and sending the answer. */
const ANSWER_MARGIN_MS = 100;

export type AdminRequest = {
  request: RouteRequest;
  /** Epoch ms by which Twilio calls must be done. */
  deadline: number;
  /** A Twilio call on the configured account, or on `accountSid` (a subaccount) with the parent's credentials. */
  twilio(accountSid?: string): Promise<TwilioCall>;
  /** Adds safe fields (never secrets) to the request's log line. */
  log(fields: Record<string, unknown>): void;
};

const unavailable = (message: string, hint: string) =>
  new HttpError({ kind: 'json', status: 503, body: errorBody({ message, hint }) });

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
        throw unavailable(
          `ADMIN_REQUEST_BUDGET_MS is not valid: ${problem?.message ?? 'invalid'}.`,
          `Leave ADMIN_REQUEST_BUDGET_MS unset (${ADMIN_BUDGET_MS.default} ms) or set it to ${ADMIN_BUDGET_MS.min}..${ADMIN_BUDGET_MS.max}.`,
        );
      }
      const deadline = started + (admin.data.ADMIN_REQUEST_BUDGET_MS ?? ADMIN_BUDGET_MS.default) - ANSWER_MARGIN_MS;
      const twilio = async (accountSid?: string): Promise<TwilioCall> => {
        // Node's http, not twilio-node: loading twilio-node and axios was about half of a cold admin function's
        // first request (bench/cold-load.bench.ts); every call here goes through lib/twilio-api's twilioRequest.
        const configured = twilioRequesterFromEnv(request.env);
        if (!configured) {
          throw unavailable(
            'ACCOUNT_SID and AUTH_TOKEN must be set (and valid) to call Twilio.',
            'Set ACCOUNT_SID (AC + 32 hex digits) and AUTH_TOKEN from console.twilio.com.',
          );
        }
        const call: TwilioCall = { client: configured.requester, deadline, trace: (a) => attempts.push(a) };
        fields.account = accountSid ?? configured.accountSid;
        return { ...call, auth: await subaccountAuth(call, accountSid, configured.accountSid) };
      };
      const reply = await run({ request, deadline, twilio, log: (more) => Object.assign(fields, more) });
      status = 'status' in reply && reply.status ? reply.status : 200;
      return reply;
    } catch (error) {
      if (isTwilioApiError(error)) {
        const answer = answerForFailure(error.failure);
        fields.twilioCode = error.failure.code;
        status = answer.status;
        throw new HttpError({ kind: 'json', status: answer.status, body: answer.body, headers: answer.headers });
      }
      status =
        error instanceof HttpError
          ? error.reply.status
          : error && typeof error === 'object' && 'issues' in error
            ? 400
            : 500;
      throw error;
    } finally {
      logEvent({
        event: `admin.${name}`,
        status,
        durationMs: Date.now() - started,
        ...fields,
        twilio: attempts.map(
          (a) =>
            `${a.method.toUpperCase()} ${a.path} ${a.status || 'timeout'}${a.retryInMs !== undefined ? ` retry+${a.retryInMs}ms` : ''}`,
        ),
      });
    }
  });
}
