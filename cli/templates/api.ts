/**
 * The Content API calls `npm run templates` makes (https://content.twilio.com/v1), as snake_case JSON through the
 * client's authenticated request with lib/twilio-api's retrying, deadline-bounded twilioRequest. twilio-node's typed
 * `content.v1.contents.create` puts its camelCase class fields (`friendlyName`) on the wire as given, which the
 * API does not know (the same defect as twilio-node issue 1190 for Senders).
 */
import { twilioRequest, type RetryPolicy, type TwilioCall, type TwilioRequester } from '../../lib/twilio-api';
import type { ContentCreateBody, TemplateCategory } from '../../lib/templates';
import * as z from '../../lib/zod';

const CONTENT_URL = 'https://content.twilio.com/v1';
/** A command is not bound by a Function's 10 s: a minute per call, retries for 429 and 5xx included. */
const CALL_BUDGET_MS = 60_000;
const RETRY: Partial<RetryPolicy> = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };
/** Pages read at most (1,000 contents a page). */
const MAX_PAGES = 50;

/** What is read of a Content resource and of its approval (`approval_requests` / `whatsapp`). */
const approvalSchema = z.looseObject({
  status: z._default(z.string(), 'unsubmitted'),
  rejection_reason: z.optional(z.nullable(z.string())),
  category: z.optional(z.nullable(z.string())),
});
export type ApprovalState = z.infer<typeof approvalSchema>;

const contentSchema = z.looseObject({
  sid: z.string(),
  friendly_name: z.nullable(z.string()),
  language: z.nullable(z.string()),
  variables: z.nullable(z.record(z.string(), z.unknown())),
  types: z.nullable(z.record(z.string(), z.unknown())),
  date_created: z.optional(z.nullable(z.string())),
});
const contentAndApprovalSchema = z.looseObject({
  ...contentSchema.shape,
  approval_requests: z.optional(z.nullable(approvalSchema)),
});
export type RemoteContent = z.infer<typeof contentAndApprovalSchema>;
const pageSchema = z.looseObject({
  contents: z.array(contentAndApprovalSchema),
  meta: z.looseObject({ next_page_url: z.optional(z.nullable(z.string())) }),
});

export type ContentApi = {
  /** Every content of the account with its approval (GET /v1/ContentAndApprovals, all pages). */
  list(): Promise<RemoteContent[]>;
  create(body: ContentCreateBody): Promise<RemoteContent>;
  remove(sid: string): Promise<void>;
  submit(sid: string, name: string, category: TemplateCategory): Promise<ApprovalState>;
};

function parsed<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Twilio answered ${what} with a body this tool cannot read`);
  return result.data;
}

export function createContentApi(client: TwilioRequester): ContentApi {
  const call = (): TwilioCall => ({ client, deadline: Date.now() + CALL_BUDGET_MS, retry: RETRY });
  return {
    async list() {
      const all: RemoteContent[] = [];
      let url: string | undefined = `${CONTENT_URL}/ContentAndApprovals?PageSize=1000`;
      for (let page = 0; url && page < MAX_PAGES; page += 1) {
        const response = await twilioRequest(call(), 'get', url);
        const body: z.infer<typeof pageSchema> = parsed(pageSchema, response.body, 'the content list');
        all.push(...body.contents);
        url = body.meta.next_page_url ?? undefined;
      }
      if (url) throw new Error(`the account has more than ${MAX_PAGES * 1000} contents; stopped reading the list`);
      return all;
    },
    async create(body) {
      const response = await twilioRequest(call(), 'post', `${CONTENT_URL}/Content`, body);
      return parsed(contentAndApprovalSchema, response.body, 'the content create');
    },
    async remove(sid) {
      await twilioRequest(call(), 'delete', `${CONTENT_URL}/Content/${sid}`);
    },
    async submit(sid, name, category) {
      const response = await twilioRequest(call(), 'post', `${CONTENT_URL}/Content/${sid}/ApprovalRequests/whatsapp`, {
        name,
        category,
      });
      return parsed(approvalSchema, response.body, 'the approval request');
    },
  };
}
