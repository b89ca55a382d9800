/**
 * Whether the business may send this message to this user now, as WhatsApp decides it (the one decision shared
 * by POST /admin/send-message and `npm run notify`). Refusals are made here, before calling Twilio, with
 * Twilio's own code where Twilio has one.
 */
import { mayMessageFirst, windowState, type ContactRecord, type WindowState } from '../conversation/record';
import { hintFor, TwilioErrorCode } from '../twilio-errors';

export type SendKind = 'session' | 'template';

/** What is about to be sent: free-form (body, media) or a template with its WhatsApp approval status. */
export type Outgoing = { kind: 'session' } | { kind: 'template'; name: string; approval: string };

export type Refusal = {
  /** The HTTP status the endpoint answers. */
  status: number;
  code: number | null;
  /** A short name for reports (`npm run notify`'s outcome column). */
  reason: 'opted-out' | 'window-closed' | 'template-not-approved' | 'no-consent';
  message: string;
  hint: string;
};

export type Decision = { ok: true; kind: SendKind; window: WindowState } | { ok: false; refusal: Refusal };

/**
 * The rules, in order:
 * 1. Opted out (STOP, or recorded through /admin/consent): never (21610, Twilio's code for it), window or not.
 * 2. Inside the 24-hour window of `from`: free-form text, media or any template.
 * 3. Outside it: only a template WhatsApp approved (else 63016, as Twilio refuses it) ...
 * 4. ... and only to a user with an opt-in on record: starting a conversation needs consent.
 *
 * 21610 answers 403: the user refused, and no retry changes that until they send START. The window and consent
 * refusals answer 409: the request is well formed but conflicts with the contact's current state, which can
 * change (the user writes, an opt-in is recorded), after which the same request succeeds.
 */
export function decideSend(record: ContactRecord | undefined, from: string, outgoing: Outgoing, now: Date): Decision {
  if (record?.consent.status === 'opted_out') {
    return {
      ok: false,
      refusal: {
        status: 403,
        code: TwilioErrorCode.RECIPIENT_UNSUBSCRIBED,
        reason: 'opted-out',
        message: 'The recipient has opted out: nothing was sent.',
        hint: `${hintFor(TwilioErrorCode.RECIPIENT_UNSUBSCRIBED)} Consent recorded: ${describeConsent(record)}.`,
      },
    };
  }
  const window = windowState(record, from, now);
  if (window.open) return { ok: true, kind: outgoing.kind, window };
  const closed = window.closesAt ? `closed at ${window.closesAt}` : `the user never wrote to ${from}`;
  if (outgoing.kind === 'session') {
    return {
      ok: false,
      refusal: {
        status: 409,
        code: TwilioErrorCode.OUTSIDE_SESSION_WINDOW,
        reason: 'window-closed',
        message: `Outside the 24-hour window (${closed}): a free-form message cannot be sent; nothing was sent.`,
        hint:
          'Send an approved template instead ("template": "<name>" with its "variables"), or wait for the ' +
          'user to write: each message from them opens the window for 24 hours.',
      },
    };
  }
  if (outgoing.approval !== 'approved') {
    return {
      ok: false,
      refusal: {
        status: 409,
        code: TwilioErrorCode.OUTSIDE_SESSION_WINDOW,
        reason: 'template-not-approved',
        message:
          `Outside the 24-hour window (${closed}), and WhatsApp has not approved template ` +
          `"${outgoing.name}" (approval: ${outgoing.approval}); nothing was sent.`,
        hint:
          'Only an approved template leaves the window: submit it with npm run templates and wait for ' +
          '"approved" in its table, or send inside the window.',
      },
    };
  }
  if (!mayMessageFirst(record)) {
    return {
      ok: false,
      refusal: {
        status: 409,
        code: null,
        reason: 'no-consent',
        message:
          `No opt-in on record for this user, and the window is closed (${closed}): a business-initiated ` +
          "template needs the user's opt-in; nothing was sent.",
        hint:
          'Record the opt-in you gathered (POST /admin/consent {address, status: "opted_in", source}), or ' +
          'wait for the user to write (START, or any message, opens the window).',
      },
    };
  }
  return { ok: true, kind: 'template', window };
}

function describeConsent(record: ContactRecord): string {
  const { status, source, at } = record.consent;
  return [status, source ? `source ${source}` : '', at ? `at ${at}` : ''].filter(Boolean).join(', ');
}
