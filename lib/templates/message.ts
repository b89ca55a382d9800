/** A template sent through the Messages API: ContentSid (and ContentVariables) instead of a Body. */

/** What the Messages API needs to send content: no Body or MediaUrl beside the ContentSid. */
export type ContentMessage = { from: string; to: string; contentSid: string; contentVariables?: string };
