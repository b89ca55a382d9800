/**
 * What to do next with a sender, from its status: registration is asynchronous, and each status has one
 * thing the ISV should do (wait, submit the OTP, fix something Meta refused, nothing).
 */
import { hintFor } from '../twilio-errors';
import type { Sender } from './schema';

export type NextStep = {
  /** `wait`: poll the status; `submit_otp`: send the code the number received; `fix`: read the reasons; `none`: done. */
  action: 'wait' | 'submit_otp' | 'fix' | 'none' | 'contact_support';
  message: string;
  /** Admin route that performs the step, when there is one. */
  route?: string;
  /** For `fix`: each offline reason with the project's hint for its code. */
  reasons?: { code: string | null; message: string | null; hint: string | null }[];
};

/** The next step for a sender, for an ISV driving registration through the admin routes. */
export function nextStepFor(sender: Pick<Sender, 'sid' | 'status' | 'offline_reasons'>): NextStep {
  const statusRoute = `/admin/sender-status?sid=${sender.sid}&wait=true`;
  switch (sender.status) {
    case 'CREATING':
      return { action: 'wait', route: statusRoute, message: 'Twilio and Meta are registering the number. Wait for ONLINE (or PENDING_VERIFICATION when the number needs a one-time code); this can take a few minutes.' };
    case 'PENDING_VERIFICATION':
      return { action: 'submit_otp', route: '/admin/verify-sender', message: 'Meta sent a one-time code to the number (SMS, or a voice call for verification_method voice). Submit it with {"sid", "code"}.' };
    case 'VERIFYING':
      return { action: 'wait', route: statusRoute, message: 'The code was accepted and is being verified. Wait for ONLINE.' };
    case 'ONLINE:UPDATING':
      return { action: 'wait', route: statusRoute, message: 'A profile change (e.g. the display name) is under review. The sender keeps working meanwhile.' };
    case 'TWILIO_REVIEW':
      return { action: 'wait', route: statusRoute, message: 'Twilio is reviewing the sender. Check again later.' };
    case 'ONLINE':
      return { action: 'none', message: 'The sender is online and can send and receive WhatsApp messages.' };
    case 'OFFLINE': {
      const reasons = (sender.offline_reasons ?? []).map((r) => ({ code: r?.code ?? null, message: r?.message ?? null, hint: hintFor(r?.code) ?? null }));
      return {
        action: 'fix',
        reasons,
        message: reasons.length
          ? 'The sender is offline; fix what the reasons say, then update the sender (update-sender) or register again.'
          : 'The sender is offline. Right after registration this can be brief; if it stays offline, check the Error Logs in the Twilio Console and the WABA in WhatsApp Manager.',
      };
    }
    default:
      return { action: 'contact_support', message: `Status ${sender.status}: not one this project drives; see the sender in the Twilio Console.` };
  }
}
