/**
 * What each sender status means, in one table: whether the sender can message, whether the status moves on
 * by itself soon enough to poll for, and the one thing the ISV should do next. The admin routes' next steps,
 * their status wait, the bulk tool's outcomes and the emulator all read it.
 */

/** Every sender status of the Senders API (`channels_sender_enum_status`). */
export const SENDER_STATUSES = [
  'CREATING',
  'ONLINE',
  'OFFLINE',
  'PENDING_VERIFICATION',
  'VERIFYING',
  'ONLINE:UPDATING',
  'TWILIO_REVIEW',
  'DRAFT',
  'STUBBED',
] as const;
export type SenderStatus = (typeof SENDER_STATUSES)[number];

/** `wait`: poll the status; `submit_otp`: send the code the number received; `fix`: read the reasons; `none`: done. */
export type NextAction = 'wait' | 'submit_otp' | 'fix' | 'none' | 'contact_support';

export type SenderStatusFacts = {
  /** The sender sends and receives WhatsApp messages in this status. */
  online: boolean;
  /** Moves on by itself within seconds to minutes: worth polling for within one request or a bulk run. */
  settlesSoon: boolean;
  next: NextAction;
  /** What is happening and what to do, for a person. */
  message: string;
};

/**
 * ONLINE:UPDATING is online (it keeps messaging) and has a pending step (a profile change under review): the
 * bulk tool counts it as registered, and the admin routes tell the ISV to wait for the review to finish.
 * OFFLINE needs `fix` only when Twilio gives reasons: right after registration it shows briefly without any.
 */
export const SENDER_STATUS_FACTS: Readonly<Record<SenderStatus, SenderStatusFacts>> = {
  CREATING: {
    online: false,
    settlesSoon: true,
    next: 'wait',
    message:
      'Twilio and Meta are registering the number. Wait for ONLINE (or PENDING_VERIFICATION when the number needs a ' +
      'one-time code); this can take a few minutes.',
  },
  PENDING_VERIFICATION: {
    online: false,
    settlesSoon: false,
    next: 'submit_otp',
    message:
      'Meta sent a one-time code to the number (SMS, or a voice call for verification_method voice). ' +
      'Submit it with {"sid", "code"}.',
  },
  VERIFYING: {
    online: false,
    settlesSoon: true,
    next: 'wait',
    message: 'The code was accepted and is being verified. Wait for ONLINE.',
  },
  'ONLINE:UPDATING': {
    online: true,
    settlesSoon: false,
    next: 'wait',
    message: 'A profile change (e.g. the display name) is under review. The sender keeps working meanwhile.',
  },
  TWILIO_REVIEW: {
    online: false,
    settlesSoon: false,
    next: 'wait',
    message: 'Twilio is reviewing the sender. Check again later.',
  },
  ONLINE: {
    online: true,
    settlesSoon: false,
    next: 'none',
    message: 'The sender is online and can send and receive WhatsApp messages.',
  },
  OFFLINE: {
    online: false,
    settlesSoon: false,
    next: 'fix',
    message:
      'The sender is offline; fix what the reasons say, then update the sender (update-sender) or register again.',
  },
  DRAFT: {
    online: false,
    settlesSoon: false,
    next: 'contact_support',
    message: 'Status DRAFT: not one this project drives; see the sender in the Twilio Console.',
  },
  STUBBED: {
    online: false,
    settlesSoon: false,
    next: 'contact_support',
    message: 'Status STUBBED: not one this project drives; see the sender in the Twilio Console.',
  },
};

/** The facts of a status as Twilio answered it, or undefined for a status this project does not know. */
export function senderStatusFacts(status: string): SenderStatusFacts | undefined {
  return Object.hasOwn(SENDER_STATUS_FACTS, status) ? SENDER_STATUS_FACTS[status as SenderStatus] : undefined;
}

/** Where a registration stands: registered, waiting for its OTP, refused, or (undefined) still moving. */
export type RegistrationOutcome = 'online' | 'awaiting-otp' | 'failed';

export function registrationOutcome(sender: {
  status: string;
  offline_reasons?: readonly unknown[] | null;
}): RegistrationOutcome | undefined {
  const facts = senderStatusFacts(sender.status);
  if (facts?.online) return 'online';
  if (facts?.next === 'submit_otp') return 'awaiting-otp';
  if (facts?.next === 'fix' && (sender.offline_reasons?.length ?? 0) > 0) return 'failed';
  return undefined;
}
