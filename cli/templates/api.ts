/**
 * The Content API calls `npm run templates` makes (https://content.twilio.com/v1), as snake_case JSON through the
 * client's authenticated request with lib/twilio-api's retrying, deadline-bounded twilioRequest. twilio-node's typed
 * `content.v1.contents.create` puts its camelCase class fields (`friendlyName`) on the wire as given, which the
 * API does not know (the same defect as twilio-node issue 1190 for Senders).
 */
import { twilioRequest, type TwilioCall, type TwilioRequester } from '../../lib/twilio-api';
import { commandCall } from '../twilio-call';
import type { ContentCreateBody, TemplateCategory } from '../../lib/templates';
import {
  approvalSchema,
  contentAndApprovalSchema,
  CONTENT_URL,
  listContents,
  parsed,
  type ApprovalState,
  type RemoteContent,
} from '../../lib/templates/remote';

/** Pages read at most (1,000 contents a page). */
const MAX_PAGES = 50;

export type { ApprovalState, RemoteContent };

export type ContentApi = {
  /** Every content of the account with its approval (GET /v1/ContentAndApprovals, all pages). */
  list(): Promise<RemoteContent[]>;
  create(body: ContentCreateBody): Promise<RemoteContent>;
  remove(sid: string): Promise<void>;
  submit(sid: string, name: string, category: TemplateCategory): Promise<ApprovalState>;
};

export function createContentApi(client: TwilioRequester): ContentApi {
  const call = (): TwilioCall => commandCall(client);
  return {
    list: () => listContents(call, { maxPages: MAX_PAGES }),
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
