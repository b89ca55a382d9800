/**
 * A bulk command's journal file, whatever its records: JSON lines, each appended record fsync'd before the tool
 * acts on it; a torn last line (a write cut short by kill -9) dropped; a lock file next to it, created
 * atomically, so two live runs never share one journal, and one left by a killed run is taken over by exactly
 * one of the runs that find it (see acquire). Used by `npm run senders` and `npm run notify`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, open, readFile, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import * as z from '../../lib/zod';
import { CliProblem } from '../senders/args';

/**
 * Reads a journal's text. A last line without its newline is a write cut short by a crash (it was never
 * fsync'd to completion, so nothing acted on it): it is dropped and reported in `tornBytes`. Any other line
 * that is not a record of `schema` is an error: guessing there could act twice.
 */
export function parseJournalText<R>(text: string, schema: z.ZodMiniType<R>): { records: R[]; tornBytes: number } {
  let body = text;
  let tornBytes = 0;
  if (body.length > 0 && !body.endsWith('\n')) {
    const cut = body.lastIndexOf('\n') + 1;
    tornBytes = Buffer.byteLength(body.slice(cut));
    body = body.slice(0, cut);
  }
  const records: R[] = [];
  body.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new CliProblem(`journal line ${index + 1} is not JSON`);
    }
    const parsed = z.safeParse(schema, value);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid';
      throw new CliProblem(`journal line ${index + 1} is not a record of this tool (${why})`);
    }
    records.push(parsed.data);
  });
  return { records, tornBytes };
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
        throw new CliProblem(
          `another run (pid ${held.pid}) is using this journal; wait for it or stop it (lock: ${path})`,
        );
      }
      if (Date.now() > waitUntil)
        throw new CliProblem(`another run is taking over the journal lock ${base}; try again`);
      await sleep(5);
      continue;
    }
    if (depth >= MAX_TAKEOVER_DEPTH)
      throw new CliProblem(`could not take over the journal lock ${base}: remove ${base}* by hand`);
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

export type JournalFile<R> = {
  path: string;
  /** Records read at open. */
  readonly records: readonly R[];
  /** Appends one record and waits until it is on disk; `onWritten` runs then. Writes are serialized. */
  append(record: R): Promise<void>;
  close(): Promise<void>;
};

/** Reads the journal (if any), repairs a torn last line, takes the lock and opens it for appending. */
export async function openJournalFile<R>(
  path: string,
  schema: z.ZodMiniType<R>,
  options: { onWarning?: (message: string) => void; onWritten?: (record: R) => void } = {},
): Promise<JournalFile<R>> {
  const lockPath = `${path}.lock`;
  const lock = await takeLock(lockPath);
  let handle: FileHandle | undefined;
  try {
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const { records, tornBytes } = parseJournalText(text, schema);
    if (tornBytes > 0) {
      await truncate(path, Buffer.byteLength(text) - tornBytes);
      options.onWarning?.(`journal: dropped an unfinished last line (${tornBytes} bytes) left by a killed run`);
    }
    handle = await open(path, 'a');
    const opened = handle;
    let queue: Promise<void> = Promise.resolve();
    return {
      path,
      records,
      append(record) {
        const write = async () => {
          await opened.appendFile(`${JSON.stringify(record)}\n`);
          await opened.sync();
          options.onWritten?.(record);
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
