/**
 * The Content API as read by this project (https://content.twilio.com/v1): the Content resource with its WhatsApp
 * approval (GET /v1/ContentAndApprovals), all pages. Shared by `npm run templates`, POST /admin/send-message and
 * `npm run notify`.
 */
import { twilioRequest, type TwilioCall } from '../twilio-api';
import * as z from '../zod';

export const CONTENT_URL = 'https://content.twilio.com/v1';
/** Contents a page at most (the API's own maximum). */
const PAGE_SIZE = 1000;

// Shared parts: each zod schema built at load costs a fresh function that much (bench/cold-load.bench.ts).
const nullableString = z.nullable(z.string());
const optionalNullableString = z.optional(nullableString);
const nullableRecord = z.nullable(z.record(z.string(), z.unknown()));

/** What is read of a Content resource's approval (`approval_requests` / `whatsapp`). */
export const approvalSchema = z.looseObject({
  status: z._default(z.string(), 'unsubmitted'),
  rejection_reason: optionalNullableString,
  category: optionalNullableString,
});
export type ApprovalState = z.infer<typeof approvalSchema>;

const contentShape = {
  sid: z.string(),
  friendly_name: nullableString,
  language: nullableString,
  variables: nullableRecord,
  types: nullableRecord,
  date_created: optionalNullableString,
};
export const contentAndApprovalSchema = z.looseObject({
  ...contentShape,
  approval_requests: z.optional(z.nullable(approvalSchema)),
});
export type RemoteContent = z.infer<typeof contentAndApprovalSchema>;
const pageSchema = z.looseObject({
  contents: z.array(contentAndApprovalSchema),
  meta: z.looseObject({ next_page_url: optionalNullableString }),
});

export function parsed<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Twilio answered ${what} with a body this code cannot read`);
  return result.data;
}

/**
 * Every content of the account with its approval, or stops at the first for which `stop` is true (a send looks
 * for one template and need not read the rest). Throws when more than `maxPages` pages would be needed.
 */
export async function listContents(
  call: () => TwilioCall,
  options: { maxPages: number; stop?: (content: RemoteContent) => boolean },
): Promise<RemoteContent[]> {
  const all: RemoteContent[] = [];
  let url: string | undefined = `${CONTENT_URL}/ContentAndApprovals?PageSize=${PAGE_SIZE}`;
  for (let page = 0; url && page < options.maxPages; page += 1) {
    const response = await twilioRequest(call(), 'get', url);
    const body: z.infer<typeof pageSchema> = parsed(pageSchema, response.body, 'the content list');
    all.push(...body.contents);
    if (options.stop && body.contents.some(options.stop)) return all;
    url = body.meta.next_page_url ?? undefined;
  }
  if (url) {
    throw new Error(`the account has more than ${options.maxPages * PAGE_SIZE} contents; stopped reading the list`);
  }
  return all;
}
