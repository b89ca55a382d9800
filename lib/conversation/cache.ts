/**
 * The contacts a warm container has just read or written, so a user's next message costs one Sync call (the
 * conditional write) instead of two (read, then write). Only for code that writes next: the write is conditional
 * on the remembered revision and addressed by the document's SID, so a copy that went stale (another container
 * or an admin route wrote, the document was forgotten and made again, or it expired) fails with 412 or 404 and
 * the store reads afresh. Nothing may be decided from a remembered copy alone that a write does not confirm,
 * except a retried delivery it already records as handled (handled messages are only ever added).
 */
import type { ContactRead } from './sync';

/** A few hundred records of a few KB each: about 1 MB at most in a container. */
export const WARM_CONTACTS_MAX = 500;

export class ContactCache {
  private readonly entries = new Map<string, ContactRead>();

  constructor(private readonly max = WARM_CONTACTS_MAX) {}

  get(name: string): ContactRead | undefined {
    const entry = this.entries.get(name);
    if (entry) {
      // Least recently used goes first: re-insert on use.
      this.entries.delete(name);
      this.entries.set(name, entry);
    }
    return entry;
  }

  set(name: string, read: ContactRead): void {
    this.entries.delete(name);
    if (!read.record || read.revision === undefined || read.sid === undefined) return;
    this.entries.set(name, read);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(name: string): void {
    this.entries.delete(name);
  }

  get size(): number {
    return this.entries.size;
  }
}
