/**
 * The admin routes' inputs (also what the bulk tool validates a row against): the Senders API bodies of
 * wire.ts, extended with what the routes add (`sid`, `account_sid`, `dry_run`, `wait`, paging).
 */
import * as z from '../zod';
import { accountSidSchema, booleanFlag, exactObject, normalized, otpCode, senderSidSchema } from './fields';
import { senderCreateShape, senderUpdateShape, type SenderCreateBody, type SenderUpdateBody } from './wire';

/** POST /admin/register-sender: a create body, plus `account_sid` (a subaccount) and `dry_run`. */
export const registerSenderRequestSchema = z.lazy(() =>
  z.pipe(
    exactObject({
      ...senderCreateShape(),
      account_sid: z.optional(accountSidSchema),
      dry_run: z.optional(booleanFlag()),
    }),
    z.transform(({ account_sid, dry_run, ...body }) => ({
      body: body as SenderCreateBody,
      accountSid: account_sid,
      dryRun: dry_run ?? false,
    })),
  ),
);

/** GET|POST /admin/sender-status: `sid`, optional `wait` (poll while CREATING or VERIFYING), `account_sid`. */
export const senderStatusRequestSchema = z.lazy(() =>
  exactObject({
    sid: senderSidSchema,
    wait: z.optional(booleanFlag()),
    account_sid: z.optional(accountSidSchema),
  }),
);

/** POST /admin/verify-sender: `sid` and the OTP as `code` (or `verification_code`). */
export const verifySenderRequestSchema = z.lazy(() =>
  z.pipe(
    exactObject({
      sid: senderSidSchema,
      code: z.optional(otpCode()),
      verification_code: z.optional(otpCode()),
      account_sid: z.optional(accountSidSchema),
    }),
    z.transform(({ sid, account_sid, code, verification_code }, ctx) => {
      const otp = verification_code ?? code;
      if (otp === undefined) {
        ctx.issues.push({
          code: 'invalid_type',
          expected: 'string',
          input: undefined,
          path: ['code'],
          message: 'The code received by SMS or voice call is required.',
        });
        return z.NEVER;
      }
      return { sid, accountSid: account_sid, code: otp };
    }),
  ),
);

/** GET /admin/list-senders: `page_size` (1..1000, default 50), `page_token`, `account_sid`. */
export const listSendersRequestSchema = z.lazy(() =>
  exactObject({
    page_size: z.optional(
      normalized(
        z.union([z.number(), z.string().check(z.regex(/^\d+$/, 'must be a whole number'))]),
        Number,
        z.number().check(z.int(), z.gte(1), z.lte(1000)),
      ),
    ),
    page_token: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
    account_sid: z.optional(accountSidSchema),
  }),
);

/** POST /admin/update-sender: `sid` and at least one of configuration, webhook, profile. */
export const updateSenderRequestSchema = z.lazy(() =>
  z.pipe(
    exactObject({
      sid: senderSidSchema,
      ...senderUpdateShape(),
      account_sid: z.optional(accountSidSchema),
    }),
    z.transform(({ sid, account_sid, ...body }, ctx) => {
      if (Object.keys(body).length === 0) {
        ctx.issues.push({
          code: 'custom',
          input: body,
          path: [],
          message: 'Give at least one of configuration, webhook, profile to change.',
        });
        return z.NEVER;
      }
      return { sid, accountSid: account_sid, body: body as SenderUpdateBody };
    }),
  ),
);

/** POST /admin/delete-sender: `sid`. */
export const deleteSenderRequestSchema = z.lazy(() =>
  exactObject({
    sid: senderSidSchema,
    account_sid: z.optional(accountSidSchema),
  }),
);
