/**
 * The conversation store: the state of each WhatsApp user kept in Twilio Sync (docs/conversation-store.md).
 *
 * For code that sends first (business-initiated messages):
 *   readContact(store, key)          -> { record, revision }   one Sync read
 *   mayMessageFirst(record)          -> consent is opted_in (fail closed: a failed read throws TwilioApiError)
 *   windowState(record, bot, now)    -> { open, lastInboundAt, closesAt } for the 24-hour window
 *   recordOutbound(store, key, sid)  -> the sent message on the contact (status callbacks update it)
 */
import { applyOutbound, applyStatus, emptyRecord, type ContactKey } from './record';
import { updateContact, type ContactStore, type UpdateResult } from './sync';

export * from './record';
export * from './keywords';
export { readContact } from './sync';
export type { ContactStore, UpdateResult } from './sync';

/** Records a message the business sent to the contact (queued; its status callbacks move it on). */
export function recordOutbound(
  store: ContactStore,
  key: ContactKey,
  sid: string,
  now = new Date(),
): Promise<UpdateResult> {
  return updateContact(store, key, (current) => applyOutbound(current ?? emptyRecord(key), sid, now));
}

/**
 * Records a status callback on the contact it went to. Only an existing record is updated: a late callback for
 * a forgotten (or expired) user must not store the number again.
 */
export function recordDeliveryStatus(
  store: ContactStore,
  key: ContactKey,
  status: { sid: string; status: string; errorCode?: number },
  now = new Date(),
): Promise<UpdateResult> {
  return updateContact(store, key, (current) => (current ? applyStatus(current, status, now) : undefined));
}
