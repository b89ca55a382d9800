/**
 * A template file (templates/*.json) as zod schemas: the Content API's create body (contracts/content-openapi.json,
 * `ContentCreateRequest`) for the six content types this project supports, plus `category`, which is not part of
 * the Content resource but of the WhatsApp approval request (`ContentApprovalRequest`).
 *
 * The shapes follow the contract exactly (keys, required keys, enums); test/lib/templates/schema.test.ts keeps
 * them in step with it. What WhatsApp refuses on top of the contract (lengths, button counts, placement of
 * variables) is the linter's job (lint.ts), so that each problem can name its own rule.
 */
import * as z from '../zod';

/** The content types a template here may use (keys of the contract's `types`). */
export const SUPPORTED_TYPES = [
  'twilio/text',
  'twilio/media',
  'twilio/quick-reply',
  'twilio/list-picker',
  'twilio/call-to-action',
  'twilio/card',
] as const;
export type SupportedType = (typeof SUPPORTED_TYPES)[number];

/** WhatsApp's template categories (the approval request's `category`). */
export const TEMPLATE_CATEGORIES = ['UTILITY', 'MARKETING', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** Enums of the contract (`quickReplyActionType`, `callToActionActionType`, `cardActionType`, `webviewSizeType`). */
export const QUICK_REPLY_ACTION_TYPES = ['QUICK_REPLY'] as const;
export const CALL_TO_ACTION_TYPES = ['URL', 'PHONE_NUMBER', 'COPY_CODE', 'VOICE_CALL', 'VOICE_CALL_REQUEST'] as const;
export const CARD_ACTION_TYPES = ['URL', 'PHONE_NUMBER', 'QUICK_REPLY', 'COPY_CODE', 'VOICE_CALL'] as const;
export const WEBVIEW_SIZES = ['TALL', 'FULL', 'HALF', 'NONE'] as const;

/** The template the bot's menu is sent with (its SID goes in MENU_CONTENT_SID). */
export const MENU_TEMPLATE_NAME = 'bot_menu';

const text = z.string();
const optionalText = z.optional(z.string());

export const twilioTextSchema = z.strictObject({ body: text });
export const twilioMediaSchema = z.strictObject({ body: optionalText, media: z.array(z.string()) });
export const quickReplyActionSchema = z.strictObject({
  type: z.optional(z.enum(QUICK_REPLY_ACTION_TYPES)),
  title: text,
  id: optionalText,
});
export const twilioQuickReplySchema = z.strictObject({ body: text, actions: z.array(quickReplyActionSchema) });
export const listItemSchema = z.strictObject({ id: text, item: text, description: optionalText });
export const twilioListPickerSchema = z.strictObject({ body: text, button: text, items: z.array(listItemSchema) });
export const callToActionActionSchema = z.strictObject({
  type: z.enum(CALL_TO_ACTION_TYPES),
  title: text,
  url: optionalText,
  phone: optionalText,
  code: optionalText,
  id: optionalText,
});
export const twilioCallToActionSchema = z.strictObject({ body: text, actions: z.array(callToActionActionSchema) });
export const cardActionSchema = z.strictObject({
  type: z.enum(CARD_ACTION_TYPES),
  title: text,
  url: optionalText,
  phone: optionalText,
  id: optionalText,
  code: optionalText,
  webview_size: z.optional(z.enum(WEBVIEW_SIZES)),
});
export const twilioCardSchema = z.strictObject({
  title: optionalText,
  subtitle: optionalText,
  media: z.optional(z.array(z.string())),
  actions: z.optional(z.array(cardActionSchema)),
});

/** One schema per supported type, keyed like the contract's `types`. */
export const TYPE_SCHEMAS = {
  'twilio/text': twilioTextSchema,
  'twilio/media': twilioMediaSchema,
  'twilio/quick-reply': twilioQuickReplySchema,
  'twilio/list-picker': twilioListPickerSchema,
  'twilio/call-to-action': twilioCallToActionSchema,
  'twilio/card': twilioCardSchema,
} as const;

export const contentTypesSchema = z.strictObject({
  'twilio/text': z.optional(twilioTextSchema),
  'twilio/media': z.optional(twilioMediaSchema),
  'twilio/quick-reply': z.optional(twilioQuickReplySchema),
  'twilio/list-picker': z.optional(twilioListPickerSchema),
  'twilio/call-to-action': z.optional(twilioCallToActionSchema),
  'twilio/card': z.optional(twilioCardSchema),
});
export type ContentTypes = z.infer<typeof contentTypesSchema>;

/** A template file: the Content API create body plus the approval `category`. */
export const templateFileSchema = z.strictObject({
  friendly_name: z.string().check(z.minLength(1, 'must not be empty')),
  language: z.string().check(z.minLength(1, 'must not be empty')),
  category: z.enum(TEMPLATE_CATEGORIES),
  variables: z._default(z.record(z.string(), z.string()), {}),
  types: contentTypesSchema,
});
export type TemplateFile = z.infer<typeof templateFileSchema>;

/** The body `POST /v1/Content` takes for a template (everything but `category`). */
export type ContentCreateBody = Omit<TemplateFile, 'category'>;

export function contentCreateBody(template: TemplateFile): ContentCreateBody {
  const { friendly_name, language, variables, types } = template;
  return { friendly_name, language, variables, types };
}

/** The types a template defines, in the order of SUPPORTED_TYPES. */
export function typesOf(types: ContentTypes): SupportedType[] {
  return SUPPORTED_TYPES.filter((type) => types[type] !== undefined);
}

/**
 * The type WhatsApp receives: the first rich type, else twilio/text (a text type beside a rich one is the
 * fallback for channels without buttons).
 */
export function primaryType(types: ContentTypes): SupportedType | undefined {
  const present = typesOf(types);
  return present.find((type) => type !== 'twilio/text') ?? present[0];
}
