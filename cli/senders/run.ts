/**
 * The bulk run: per account, create requests at least `intervalMs` apart (Twilio asks for several minutes
 * between Senders API requests); accounts in parallel, at most `concurrency` of them creating at a time;
 * every created sender polled on its own to a final state. The journal is written before and after each
 * create, so a run killed at any point resumes without registering a sender twice.
 */
import { registrationOutcome } from '../../lib/senders/status';
import { TwilioErrorCode } from '../../lib/twilio-errors';
import type { Journal, JournalError, Outcome } from './journal';

/** What the run needs of a sender resource (wire names, as the Senders API answers). */
export type SenderSnapshot = {
  sid: string;
  status: string;
  sender_id: string;
  offline_reasons?: { code?: string | null; message?: string | null }[] | null;
};

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: JournalError };

/** The three Senders API calls the run makes, acting on `account` (a subaccount SID or the parent's). */
export type BulkApi<Body> = {
  create(account: string, body: Body): Promise<ApiResult<SenderSnapshot>>;
  fetch(account: string, sid: string): Promise<ApiResult<SenderSnapshot>>;
  /** Every WhatsApp sender of the account (all pages). */
  list(account: string): Promise<ApiResult<SenderSnapshot[]>>;
};

export type BulkRow<Body> = {
  /** Line of the input file, for reports. */
  line: number;
  account: string;
  /** Normalized `whatsapp:+E164`. */
  senderId: string;
  key: string;
  body: Body;
};

export type RowReport = {
  line: number;
  account: string;
  senderId: string;
  sid?: string;
  status?: string;
  outcome: Outcome;
  error?: JournalError;
  /** How the sender was found: created now, found in the account after a lost answer, or ONLINE in the journal. */
  via?: 'create' | 'lookup' | 'journal';
};

export type BulkEvent =
  | { type: 'creating'; line: number; senderId: string; account: string }
  | { type: 'created'; line: number; senderId: string; account: string; sid: string; via: 'create' | 'lookup' }
  | { type: 'status'; line: number; senderId: string; sid: string; status: string }
  | { type: 'done'; report: RowReport };

export type BulkSettings<Body> = {
  api: BulkApi<Body>;
  journal: Journal;
  intervalMs: number;
  pollIntervalMs: number;
  timeoutMs: number;
  concurrency: number;
  onEvent?: (event: BulkEvent) => void;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits until the wall clock reads `at` (timers may fire a millisecond early by Date.now()). */
async function sleepUntil(at: number): Promise<void> {
  while (Date.now() < at) await sleep(at - Date.now());
}

/** A counting semaphore: at most `n` holders at a time. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (active < n) {
        active += 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    },
  };
}

function offlineError(sender: SenderSnapshot): JournalError | undefined {
  const reason = sender.offline_reasons?.[0];
  if (!reason) return undefined;
  const code = Number(reason.code);
  return { ...(Number.isFinite(code) && code > 0 ? { code } : {}), message: reason.message ?? 'offline' };
}

/** Registers every row and returns one report per row, in input order. */
export async function runBulk<Body>(
  rows: readonly BulkRow<Body>[],
  settings: BulkSettings<Body>,
): Promise<RowReport[]> {
  const { api, journal, intervalMs, pollIntervalMs, timeoutMs, onEvent = () => undefined } = settings;
  const reports = new Map<string, RowReport>();
  const base = (row: BulkRow<Body>) => ({ line: row.line, account: row.account, senderId: row.senderId });
  type Ending = Omit<RowReport, 'line' | 'account' | 'senderId'>;
  const finish = (row: BulkRow<Body>, ending: Ending): RowReport => {
    const report = { ...base(row), ...ending };
    reports.set(row.key, report);
    onEvent({ type: 'done', report });
    return report;
  };

  /** Ends a row in the journal first, then in the reports. */
  async function end(row: BulkRow<Body>, ending: Ending): Promise<RowReport> {
    await journal.append({
      type: 'final',
      key: row.key,
      sid: ending.sid,
      status: ending.status,
      outcome: ending.outcome,
      error: ending.error,
    });
    return finish(row, ending);
  }

  async function poll(
    row: BulkRow<Body>,
    sid: string,
    via: RowReport['via'],
    first?: SenderSnapshot,
  ): Promise<RowReport> {
    const deadline = Date.now() + timeoutMs;
    let last = first;
    let lastError: JournalError | undefined;
    for (;;) {
      if (last) {
        const outcome = registrationOutcome(last);
        if (outcome)
          return end(row, {
            sid,
            status: last.status,
            outcome,
            via,
            error: outcome === 'failed' ? offlineError(last) : undefined,
          });
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        return end(row, {
          sid,
          status: last?.status,
          outcome: 'timeout',
          via,
          error: lastError ?? {
            message: `not final after ${Math.round(timeoutMs / 1000)} s (status ${last?.status ?? 'unknown'})`,
          },
        });
      }
      // A sender resumed from the journal is fetched at once; after that, one fetch per poll interval.
      if (last || lastError) await sleep(Math.min(pollIntervalMs, left));
      const answer = await api.fetch(row.account, sid);
      if (answer.ok) {
        if (answer.value.status !== last?.status)
          onEvent({ type: 'status', line: row.line, senderId: row.senderId, sid, status: answer.value.status });
        last = answer.value;
        lastError = undefined;
      } else if (answer.error.status === 404) {
        return end(row, {
          sid,
          status: last?.status,
          outcome: 'failed',
          via,
          error: { ...answer.error, message: `the sender ${sid} no longer exists` },
        });
      } else {
        lastError = answer.error;
      }
    }
  }

  async function recordCreated(row: BulkRow<Body>, sender: SenderSnapshot, via: 'create' | 'lookup'): Promise<void> {
    await journal.append({ type: 'created', key: row.key, sid: sender.sid, status: sender.status, via });
    onEvent({ type: 'created', ...base(row), sid: sender.sid, via });
  }

  /** One account's rows, in order: creates paced, polls left running. Returns the polls. */
  async function runAccount(account: string, accountRows: BulkRow<Body>[]): Promise<Promise<RowReport>[]> {
    const polls: Promise<RowReport>[] = [];
    let lastCreateAt = journal.lastCreateAt(account);
    let known: Map<string, SenderSnapshot> | undefined;
    /** The account's senders by sender_id; `fresh` lists again (after a 63110, the list must include it). */
    const lookup = async (fresh: boolean): Promise<ApiResult<Map<string, SenderSnapshot>>> => {
      if (known && !fresh) return { ok: true, value: known };
      const answer = await api.list(account);
      if (!answer.ok) return answer;
      known = new Map(answer.value.map((s) => [s.sender_id, s]));
      return { ok: true, value: known };
    };

    for (const row of accountRows) {
      const state = journal.state(row.key);
      if (state.final?.outcome === 'online') {
        finish(row, { sid: state.sid, status: state.status, outcome: 'online', via: 'journal' });
        continue;
      }
      if (state.sid) {
        polls.push(poll(row, state.sid, 'create'));
        continue;
      }
      if (state.intents > 0) {
        // A create may have reached Twilio before the run stopped: look before creating again.
        const found = await lookup(false);
        if (!found.ok) {
          polls.push(
            end(row, {
              outcome: 'failed',
              error: { ...found.error, message: `could not check whether it exists already: ${found.error.message}` },
            }),
          );
          continue;
        }
        const existing = found.value.get(row.senderId);
        if (existing) {
          await recordCreated(row, existing, 'lookup');
          polls.push(poll(row, existing.sid, 'lookup', existing));
          continue;
        }
      }
      // The intent is made durable while waiting for the pacing slot; a crash in between only costs a lookup.
      const sendAt = Math.max(Date.now(), lastCreateAt === undefined ? 0 : lastCreateAt + intervalMs);
      await journal.append({
        type: 'intent',
        key: row.key,
        account,
        sender_id: row.senderId,
        line: row.line,
        send_at: new Date(sendAt).toISOString(),
      });
      await sleepUntil(sendAt);
      onEvent({ type: 'creating', ...base(row) });
      const created = await api.create(account, row.body);
      // Pacing counts from the answer: Twilio has received this request by then, so it receives the next one at
      // least an interval later (counting from the send would not hold when a send is slow or retried).
      lastCreateAt = Date.now();
      if (created.ok) {
        await recordCreated(row, created.value, 'create');
        polls.push(poll(row, created.value.sid, 'create', created.value));
        continue;
      }
      if (created.error.code === TwilioErrorCode.NUMBER_ALREADY_ON_WHATSAPP) {
        const found = await lookup(true);
        const existing = found.ok ? found.value.get(row.senderId) : undefined;
        if (existing) {
          await recordCreated(row, existing, 'lookup');
          polls.push(poll(row, existing.sid, 'lookup', existing));
          continue;
        }
      }
      polls.push(end(row, { outcome: 'failed', error: created.error }));
    }
    return polls;
  }

  const byAccount = new Map<string, BulkRow<Body>[]>();
  for (const row of rows) {
    const list = byAccount.get(row.account);
    if (list) list.push(row);
    else byAccount.set(row.account, [row]);
  }
  const slots = limiter(settings.concurrency);
  const accounts = [...byAccount].map(async ([account, accountRows]) => {
    await slots.acquire();
    let polls: Promise<RowReport>[];
    try {
      polls = await runAccount(account, accountRows);
    } finally {
      // The slot bounds accounts that are creating; polling goes on without it.
      slots.release();
    }
    return Promise.all(polls);
  });
  await Promise.all(accounts);
  return rows.map((row) => reports.get(row.key)!);
}

/** The exit code of a finished run: 1 when any sender failed or timed out. */
export function exitCodeOf(reports: readonly RowReport[]): 0 | 1 {
  return reports.some((r) => r.outcome === 'failed' || r.outcome === 'timeout') ? 1 : 0;
}
