/**
 * What to do next with a sender, from its status (lib/senders/status.ts): registration is asynchronous, and
 * each status has one thing the ISV should do (wait, submit the OTP, fix something Meta refused, nothing).
 */
import { hintFor } from '../twilio-errors';
import type { Sender } from './wire';
import { senderStatusFacts, type NextAction } from './status';

export type NextStep = {
  action: NextAction;
  message: string;
  /** Admin route that performs the step, when there is one. */
  route?: string;
  /** For `fix`: each offline reason with the project's hint for its code. */
  reasons?: { code: string | null; message: string | null; hint: string | null }[];
};

/**
 * The next step for a sender, for an ISV driving registration through the admin routes. `accountSid` (a
 * subaccount the sender belongs to) is carried into the route, which would answer 404 without it.
 */
export function nextStepFor(sender: Pick<Sender, 'sid' | 'status' | 'offline_reasons'>, accountSid?: string): NextStep {
  const facts = senderStatusFacts(sender.status);
  if (!facts) {
    const message = `Status ${sender.status}: not one this project drives; see the sender in the Twilio Console.`;
    return { action: 'contact_support', message };
  }
  const account = accountSid ? `&account_sid=${accountSid}` : '';
  switch (facts.next) {
    case 'wait':
      return {
        action: 'wait',
        route: `/admin/sender-status?sid=${sender.sid}&wait=true${account}`,
        message: facts.message,
      };
    case 'submit_otp':
      return {
        action: 'submit_otp',
        route: '/admin/verify-sender',
        message: accountSid
          ? facts.message.replace('{"sid", "code"}', `{"sid", "code", "account_sid": "${accountSid}"}`)
          : facts.message,
      };
    case 'fix': {
      const reasons = (sender.offline_reasons ?? []).map((r) => ({
        code: r?.code ?? null,
        message: r?.message ?? null,
        hint: hintFor(r?.code) ?? null,
      }));
      const message = reasons.length
        ? facts.message
        : 'The sender is offline. Right after registration this can be brief; if it stays offline, check the Error ' +
          'Logs in the Twilio Console and the WABA in WhatsApp Manager.';
      return { action: 'fix', reasons, message };
    }
    default:
      return { action: facts.next, message: facts.message };
  }
}
