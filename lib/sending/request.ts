/** The body of POST /admin/send-message, validated (zod): who, from which number, and what. */
import { MAX_MESSAGE_UNITS, messageUnits } from '../message-length';
import { accountSidSchema, exactObject, senderIdSchema } from '../senders/fields';
import { sidCheck } from '../sids';
import * as z from '../zod';

/** A template's friendly name as `npm run templates` creates it (templates/<name>.json). */
const templateName = z.string().check(z.regex(/^[a-z0-9_]{1,64}$/, 'must be a template name: a-z, 0-9 and _'));

export const sendMessageRequestSchema = z
  .pipe(
    exactObject({
      /** The user: whatsapp:+E164 or a number written any human way. */
      to: senderIdSchema,
      /** The bot's number (a sender of the account); default WHATSAPP_SANDBOX_NUMBER. */
      from: z.optional(senderIdSchema),
      body: z.optional(
        z.string().check(
          z.minLength(1, 'must not be empty'),
          z.refine((v) => messageUnits(v) <= MAX_MESSAGE_UNITS, `must be at most ${MAX_MESSAGE_UNITS} characters`),
        ),
      ),
      media_url: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL WhatsApp can fetch' })),
      template: z.optional(templateName),
      content_sid: z.optional(z.string().check(sidCheck('content'))),
      variables: z.optional(z.record(z.string(), z.union([z.string(), z.number()]))),
      account_sid: z.optional(accountSidSchema),
    }),
    z.transform((v) => v),
  )
  .check(
    z.refine((v) => !(v.template && v.content_sid), {
      message: 'give template or content_sid, not both',
      path: ['content_sid'],
    }),
    z.refine((v) => !((v.template || v.content_sid) && (v.body || v.media_url)), {
      message: 'a template carries its own body: leave body and media_url out, or send free-form without template',
      path: ['body'],
    }),
    z.refine((v) => Boolean(v.template || v.content_sid || v.body || v.media_url), {
      message: 'say what to send: body and/or media_url (inside the 24-hour window), or template / content_sid',
      path: ['body'],
    }),
    z.refine((v) => !(v.variables && !v.template && !v.content_sid), {
      message: 'variables fill a template: give template or content_sid with them',
      path: ['variables'],
    }),
  );
