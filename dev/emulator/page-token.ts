/**
 * The emulator's list paging: a PageToken is the offset of the page's first item, opaque to clients (base64url
 * JSON), as Twilio's tokens are. One home for the Senders and Content lists.
 */

export const pageToken = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');

/** The offset a token stands for, or undefined when it is not one this emulator made. */
export function offsetOf(token: string): number | undefined {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}
