/**
 * The bulk notification run: row by row, the same decision as POST /admin/send-message (lib/sending's
 * decideSend on the contact read from Sync, fail closed), sends paced at least `intervalMs` apart (counted
 * from the previous send's answer, across restarts through the journal), stopped at the sender's messaging
 * limit per 24 hours, each send journaled before and after the Messages API call.
 */
import { readConsent, createMessage, type ResolvedTemplate } from '../../lib/sending/send';
import { decideSend } from '../../lib/sending/decide';
import { recordOutbound, type ContactStore } from '../../lib/conversation';
import { isTwilioApiError, twilioRequest, type TwilioCall } from '../../lib/twilio-api';
import * as z from '../../lib/zod';
import type { NotifyRow } from './input';
import type { NotifyJournal, Outcome } from './journal';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Clocks of this machine and Twilio's may differ: a listed message this much older than the intent still counts. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export type RowReport = {
  line: number;
  to: string;
  outcome: Outcome;
  sid?: string;
  code?: number | null;
  message?: string;
  via?: 'create' | 'lookup' | 'journal';
};

export type NotifySettings = {
  journal: NotifyJournal;
  /** Sync store of the contacts (the deployment's service) and the account they are kept for. */
  store: ContactStore;
  accountSid: string;
  call: () => TwilioCall;
  template: ResolvedTemplate;
  from: string;
  statusCallback?: string;
  intervalMs: number;
  /** Sends allowed per 24 hours from `from` (the sender's messaging limit); undefined: no limit read. */
  dailyLimit?: number;
  onReport(report: RowReport): void;
  sleep?: (ms: number) => Promise<void>;
};

const listSchema = z.looseObject({
  messages: z.array(
    z.looseObject({
      sid: z.string(),
      to: z.string(),
      from: z.nullable(z.string()),
      body: z.nullable(z.string()),
      date_created: z.string(),
    }),
  ),
});

/**
 * After a run was killed between "intent" and "sent": the message, if Twilio accepted it, is in the account's
 * list (same To and From, created since the intent, the same rendered body). Found: its SID. Not found: null.
 */
async function lookupSent(s: NotifySettings, row: NotifyRow, intentAt: string): Promise<string | null> {
  const since = Date.parse(intentAt) - CLOCK_SKEW_MS;
  const day = new Date(since).toISOString().slice(0, 10);
  const query = new URLSearchParams({ To: row.to, From: s.from, 'DateSent>': day, PageSize: '100' });
  const url = `https://api.twilio.com/2010-04-01/Accounts/${s.accountSid}/Messages.json?${query}`;
  const response = await twilioRequest(s.call(), 'get', url);
  const list = listSchema.parse(response.body);
  const found = list.messages.find(
    (m) => Date.parse(m.date_created) >= since - 1000 && (row.body === undefined || m.body === row.body),
  );
  return found?.sid ?? null;
}

const failureOf = (error: unknown) =>
  isTwilioApiError(error)
    ? { code: error.failure.code, message: error.failure.message ?? error.failure.kind, status: error.failure.status }
    : { code: null, message: error instanceof Error ? error.message : String(error), status: 0 };

export async function runNotify(rows: readonly NotifyRow[], s: NotifySettings): Promise<RowReport[]> {
  const sleep = s.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const reports: RowReport[] = [];
  const report = (r: RowReport) => {
    reports.push(r);
    s.onReport(r);
  };
  const times = s.journal.sendTimes();
  let lastSend = Math.max(0, ...times);
  const sentInDay = () => times.filter((t) => t > Date.now() - DAY_MS).length;

  for (const row of rows) {
    const state = s.journal.state(row.key);
    const base = { line: row.line, to: row.to };
    if (state.sid) {
      report({ ...base, outcome: 'sent', sid: state.sid, via: 'journal' });
      continue;
    }
    if (state.intentAt && !state.final) {
      // Killed (or answered with an unknown outcome) between the intent and the answer: look before sending.
      let sid: string | null;
      try {
        sid = await lookupSent(s, row, state.intentAt);
      } catch (error) {
        const f = failureOf(error);
        const message = `could not check whether it was sent: ${f.message}`;
        report({ ...base, outcome: 'failed', code: f.code, message });
        continue;
      }
      lastSend = Math.max(lastSend, Date.now());
      if (sid) {
        await s.journal.append({ type: 'sent', key: row.key, sid, via: 'lookup' });
        report({ ...base, outcome: 'sent', sid, via: 'lookup' });
        continue;
      }
    }
    const consent = await readConsent(s.store, { accountSid: s.accountSid, address: row.to });
    if (!consent.ok) {
      report({ ...base, outcome: 'failed', code: consent.body.error.code, message: consent.body.error.message });
      continue;
    }
    const outgoing = { kind: 'template' as const, name: s.template.name, approval: s.template.approval };
    const decision = decideSend(consent.record, s.from, outgoing, new Date());
    if (!decision.ok) {
      const { reason, code, message } = decision.refusal;
      const outcome: Outcome =
        reason === 'opted-out' ? 'skipped-opted-out' : reason === 'no-consent' ? 'skipped-no-consent' : 'refused';
      await s.journal.append({ type: 'final', key: row.key, outcome, code, message });
      report({ ...base, outcome, code, message });
      continue;
    }
    if (s.dailyLimit !== undefined && sentInDay() >= s.dailyLimit) {
      const message = `the sender's limit of ${s.dailyLimit} per 24 h is reached`;
      report({ ...base, outcome: 'not-sent-limit', message });
      continue;
    }
    const wait = lastSend + s.intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    await s.journal.append({ type: 'intent', key: row.key, line: row.line, to: row.to });
    times.push(Date.now());
    try {
      const created = await createMessage(s.call(), s.accountSid, {
        from: s.from,
        to: row.to,
        template: { ...s.template, contentVariables: row.contentVariables },
        statusCallback: s.statusCallback,
      });
      lastSend = Date.now();
      await s.journal.append({ type: 'sent', key: row.key, sid: created.sid, via: 'create' });
      await recordOutbound(s.store, { accountSid: s.accountSid, address: row.to }, created.sid).catch(() => undefined);
      report({ ...base, outcome: 'sent', sid: created.sid, via: 'create' });
    } catch (error) {
      lastSend = Date.now();
      const f = failureOf(error);
      if (f.status >= 400 && f.status < 500 && f.status !== 429) {
        // Twilio refused it (nothing was sent): final, so a rerun does not look it up but may try again.
        await s.journal.append({ type: 'final', key: row.key, outcome: 'refused', code: f.code, message: f.message });
        report({ ...base, outcome: 'refused', code: f.code, message: f.message });
      } else {
        // 5xx, 429 after the call, timeout, dropped connection: Twilio may have accepted it. The intent stays
        // open, so the next run looks the message up before sending anything for this row.
        report({ ...base, outcome: 'failed', code: f.code, message: `outcome unknown (${f.message}); rerun to check` });
      }
    }
  }
  return reports;
}

/** 0: every row sent or skipped for consent; 1: a row refused, failed or held back by the limit. */
export const exitCodeOf = (reports: readonly RowReport[]): number =>
  reports.some((r) => r.outcome === 'refused' || r.outcome === 'failed' || r.outcome === 'not-sent-limit') ? 1 : 0;
