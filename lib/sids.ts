/**
 * Twilio resource SIDs this project reads or checks: two letters naming the resource, then 32 hex digits.
 * The one home of these patterns (functions, commands, the emulator and the deploy checks all use them).
 */

import * as z from './zod';

const sid = (prefix: string) => new RegExp(`^(?:${prefix})[0-9a-fA-F]{32}$`);

export const SID_PATTERNS = {
  /** An account or subaccount. */
  account: sid('AC'),
  /** An API key (twilio login and --username store one). */
  apiKey: sid('SK'),
  /** A WhatsApp sender (Senders API). */
  sender: sid('XE'),
  /** A message: SMS/WhatsApp (SM) or one with media (MM). */
  message: sid('SM|MM'),
  /** A TwiML App (a voice application, used for voice OTPs). */
  twimlApp: sid('AP'),
  /** A Sync service. */
  syncService: sid('IS'),
  /** A Content API template. */
  content: sid('HX'),
} as const;

/** The same patterns without anchors, for building route patterns (e.g. the emulator's URLs). */
export const sidSource = (kind: keyof typeof SID_PATTERNS): string => SID_PATTERNS[kind].source.slice(1, -1);

/** What each kind looks like, for error messages. */
export const SID_DESCRIPTIONS: Readonly<Record<keyof typeof SID_PATTERNS, string>> = {
  account: 'an account SID: AC followed by 32 hex digits',
  apiKey: 'an API key SID: SK followed by 32 hex digits',
  sender: 'a sender SID: XE followed by 32 hex digits',
  message: 'a message SID: SM or MM followed by 32 hex digits',
  twimlApp: 'a TwiML App SID: AP followed by 32 hex digits',
  syncService: 'a Sync service SID: IS followed by 32 hex digits',
  content: 'a Content SID: HX followed by 32 hex digits',
};

/** A zod check for one kind of SID, with the message naming what is expected. */
/* @__NO_SIDE_EFFECTS__ */
export const sidCheck = (kind: keyof typeof SID_PATTERNS) =>
  z.regex(SID_PATTERNS[kind], `must be ${SID_DESCRIPTIONS[kind]}`);
