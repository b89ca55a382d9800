/**
 * The journal of a bulk run: an append-only JSON-lines file, each record fsync'd before the tool acts on it.
 * An "intent" is written before a create request and "created" after it, so after a crash anywhere the next
 * run knows which senders may exist already (intent without result: look them up before creating again).
 * A lock file next to it keeps two live runs from sharing one journal; one left by a killed run is taken over
 * by exactly one of the runs that find it (see acquire).
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, open, readFile, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import * as z from '../../lib/zod';
import { CliProblem } from './args';

const apiError = z.object({
  status: z.optional(z.number()),
  code: z.optional(z.number()),
  message: z.string(),
});
export type JournalError = z.infer<typeof apiError>;

/** How a sender ended (for this run): the summary and the exit code come from it. */
export const OUTCOMES = ['online', 'awaiting-otp', 'failed', 'timeout'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const recordSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), input: z.string(), pid: z.number(), at: z.string() }),
  z.object({
    type: z.literal('intent'),
    key: z.string(),
    account: z.string(),
    sender_id: z.string(),
    line: z.number(),
    /** When the create request is sent (ISO): written ahead, so the fsync overlaps the pacing wait. */
    send_at: z.string(),
    at: z.string(),
  }),
  z.object({
    type: z.literal('created'),
    key: z.string(),
    sid: z.string(),
    status: z.string(),
    /** "create": our request's answer; "lookup": found in the account's list (a create whose answer was lost). */
    via: z.enum(['create', 'lookup']),
    at: z.string(),
  }),
  z.object({
    type: z.literal('final'),
    key: z.string(),
    sid: z.optional(z.string()),
    status: z.optional(z.string()),
    outcome: z.enum(OUTCOMES),
    error: z.optional(apiError),
    at: z.string(),
  }),
]);
export type JournalRecord = z.infer<typeof recordSchema>;
type Without<R, K extends keyof R> = R extends unknown ? Omit<R, K> : never;
export type NewRecord = Without<JournalRecord, 'at'>;

/** What the journal knows of one sender (account + sender_id). */
export type SenderState = {
  intents: number;
  sid?: string;
  status?: string;
  final?: Extract<JournalRecord, { type: 'final' }>;
};

export type Journal = {
  path: string;
  /** Records read at open (for tests and reports). */
  readonly records: readonly JournalRecord[];
  state(key: string): SenderState;
  /** When this account's last create was answered (or was to be sent), ms since epoch: pacing holds across a restart. */
  lastCreateAt(account: string): number | undefined;
  /** Appends one record and waits until it is on disk. Writes are serialized. */
  append(record: NewRecord): Promise<void>;
  close(): Promise<void>;
};

/** `account|sender_id`, the identity of a sender in the journal. */
export const senderKey = (account: string, senderId: string): string => `${account}|${senderId}`;
const accountOfKey = (key: string): string => key.slice(0, key.lastIndexOf('|'));

/**
 * Reads a journal's text. A last line without its newline is a write cut short by a crash (it was never
 * fsync'd to completion, so nothing acted on it): it is dropped and reported in `tornBytes`. Any other line
 * that is not a record this tool writes is an error: guessing there could register a sender twice.
 */
export function parseJournal(text: string): { records: JournalRecord[]; tornBytes: number } {
  let body = text;
  let tornBytes = 0;
  if (body.length > 0 && !body.endsWith('\n')) {
    const cut = body.lastIndexOf('\n') + 1;
    tornBytes = Buffer.byteLength(body.slice(cut));
    body = body.slice(0, cut);
  }
  const records: JournalRecord[] = [];
  body.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CliProblem(`journal line ${index + 1} is not JSON`);
    }
    const parsed = z.safeParse(recordSchema, value);
    if (!parsed.success) throw new CliProblem(`journal line ${index + 1} is not a record of this tool (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    records.push(parsed.data);
  });
  return { records, tornBytes };
}

function fold(records: readonly JournalRecord[]) {
  const states = new Map<string, SenderState>();
  const lastCreate = new Map<string, number>();
  const get = (key: string) => {
    let s = states.get(key);
    if (!s) states.set(key, (s = { intents: 0 }));
    return s;
  };
  const apply = (r: JournalRecord) => {
    if (r.type === 'run') return;
    const s = get(r.key);
    const at = Date.parse(r.at);
    switch (r.type) {
      case 'intent': {
        const sendAt = Date.parse(r.send_at);
        s.intents += 1;
        lastCreate.set(r.account, Math.max(lastCreate.get(r.account) ?? 0, sendAt));
        break;
      }
      case 'created':
        s.sid = r.sid;
        s.status = r.status;
        // Written once the create was answered: the pacing of the next create counts from here.
        if (r.via === 'create') lastCreate.set(accountOfKey(r.key), Math.max(lastCreate.get(accountOfKey(r.key)) ?? 0, at));
        break;
      case 'final':
        s.final = r;
        if (r.sid) s.sid = r.sid;
        if (r.status) s.status = r.status;
        break;
    }
  };
  records.forEach(apply);
  return { states, lastCreate, apply };
}

/** A lock file as read: its holder, and a key naming this very file (its content is unique to it). */
type HeldLock = { pid: number; key: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates `path` holding `content`, atomically: the content is written to a file of our own first and then
 * hard-linked to `path`, which fails if `path` exists. So a lock is never seen half-written (empty), and of
 * many runs creating it at once exactly one succeeds.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const own = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(own, content, { flag: 'wx' });
  try {
    await link(own, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(own).catch(() => undefined);
  }
}

async function readLock(path: string): Promise<HeldLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    // Lock files of this version hold "pid id"; an older one held only the pid, so its inode and time name it.
    const key = createHash('sha256').update(`${text}\0${info.ino}\0${info.mtimeMs}`).digest('hex').slice(0, 32);
    return { pid: Number(text.trim().split(/\s+/)[0]), key };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** How long a run waits for another one's takeover of a stale lock (it takes microseconds) to finish. */
const TAKEOVER_WAIT_MS = 2000;
const MAX_TAKEOVER_DEPTH = 5;

/**
 * Takes `path` (the journal's lock, or at depth > 0 the guard of a takeover). A lock whose holder is dead is
 * taken over, and only by the one run that holds that lock's own guard (`<lock>.takeover-<key>`, created
 * exclusively): it checks that the lock is still the stale one it judged, removes it, and competes for the
 * lock again like everyone else. Without the guard, two runs judging the same stale lock could each remove it
 * and each create their own, or one could remove the lock the other had just created: both would "win".
 * A guard left by a run killed mid-takeover is itself stale and is taken over the same way, one level down.
 */
async function acquire(base: string, path: string, content: string, depth: number): Promise<void> {
  const waitUntil = Date.now() + TAKEOVER_WAIT_MS;
  for (;;) {
    if (await createExclusive(path, content)) return;
    const held = await readLock(path);
    if (!held) continue; // released in between: compete again
    if (Number.isInteger(held.pid) && held.pid > 0 && isAlive(held.pid)) {
      if (depth === 0) {
        throw new CliProblem(`another run (pid ${held.pid}) is using this journal; wait for it or stop it (lock: ${path})`);
      }
      if (Date.now() > waitUntil) throw new CliProblem(`another run is taking over the journal lock ${base}; try again`);
      await sleep(5);
      continue;
    }
    if (depth >= MAX_TAKEOVER_DEPTH) throw new CliProblem(`could not take over the journal lock ${base}: remove ${base}* by hand`);
    // Left by a run that was killed: take it over under its guard.
    const guard = `${base}.takeover-${held.key}`;
    await acquire(base, guard, content, depth + 1);
    try {
      if ((await readLock(path))?.key === held.key) await unlink(path);
    } finally {
      await unlink(guard).catch(() => undefined);
    }
  }
}

/** Takes the journal's lock; answers the lock file's content, which is this run's alone. */
async function takeLock(lockPath: string): Promise<string> {
  const content = `${process.pid} ${randomUUID()}\n`;
  await acquire(lockPath, lockPath, content, 0);
  return content;
}

/** Removes the lock if it is still the one this run took. */
async function releaseLock(lockPath: string, content: string): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (text === content) await unlink(lockPath).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the journal (if any), repairs a torn last line, takes the lock and opens it for appending. */
export async function openJournal(path: string, onWarning: (message: string) => void = () => undefined): Promise<Journal> {
  const lockPath = `${path}.lock`;
  const lock = await takeLock(lockPath);
  let handle: FileHandle | undefined;
  try {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const { records, tornBytes } = parseJournal(text);
    if (tornBytes > 0) {
      await truncate(path, Buffer.byteLength(text) - tornBytes);
      onWarning(`journal: dropped an unfinished last line (${tornBytes} bytes) left by a killed run`);
    }
    handle = await open(path, 'a');
    const opened = handle;
    const { states, lastCreate, apply } = fold(records);
    let queue: Promise<void> = Promise.resolve();
    return {
      path,
      records,
      state: (key) => ({ ...(states.get(key) ?? { intents: 0 }) }),
      lastCreateAt: (account) => lastCreate.get(account),
      append(record) {
        const full = { ...record, at: new Date().toISOString() } as JournalRecord;
        const write = async () => {
          await opened.appendFile(`${JSON.stringify(full)}\n`);
          await opened.sync();
          apply(full);
        };
        const done = queue.then(write);
        queue = done.catch(() => undefined);
        return done;
      },
      async close() {
        await queue;
        await opened.close();
        await releaseLock(lockPath, lock);
      },
    };
  } catch (error) {
    await handle?.close();
    await releaseLock(lockPath, lock);
    throw error;
  }
}
