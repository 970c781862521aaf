import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long to wait for a lock file, and when to decide its holder has died. */
export interface LockTiming {
  /** A lock file older than this is taken to be left by a crashed process and is removed. */
  readonly staleLockMs: number;
  /** Give up (and reject) after waiting this long for a lock. Should exceed `staleLockMs`. */
  readonly lockTimeoutMs: number;
}

const queues = new Map<string, Promise<void>>();

/**
 * Runs `fn` after every earlier call with the same `id` in this process has settled, so calls on one
 * id never overlap (whatever the outcome of the earlier ones). Ids are shared by the whole process, so
 * two objects using the same id (e.g. two stores on one directory) are serialised too.
 */
export function serialised<T>(id: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(id) ?? Promise.resolve();
  const run = previous.then(fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(id, tail);
  void tail.then(() => {
    if (queues.get(id) === tail) queues.delete(id);
  });
  return run;
}

/**
 * Runs `fn` while holding the lock file `lockPath` (created with O_EXCL, so only one process on the
 * machine holds it at a time), polling every few milliseconds while another process holds it.
 *
 * Limits: the lock is advisory (only code that takes it is excluded). A lock file older than
 * `staleLockMs` is removed, so a holder that is merely slow for that long loses its lock, and two
 * waiters that both find the same stale lock can race (one may remove the other's fresh lock). The
 * lock relies on O_EXCL and mtimes, so it is not to be trusted on network file systems. Rejects if the
 * lock is not had within `lockTimeoutMs`, or if the lock file cannot be created for another reason.
 */
export async function withFileLock<T>(lockPath: string, timing: LockTiming, fn: () => Promise<T>): Promise<T> {
  const token = await acquire(lockPath, timing);
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, timing: LockTiming): Promise<string> {
  const token = `${process.pid} ${randomUUID()}`;
  const deadline = Date.now() + timing.lockTimeoutMs;
  for (;;) {
    if (await tryCreate(lockPath, token)) return token;
    const age = await ageOf(lockPath);
    if (age === undefined) continue; // released between our attempt and the stat: try again now
    if (age > timing.staleLockMs) {
      await unlinkIfPresent(lockPath);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Storage: timed out after ${timing.lockTimeoutMs} ms waiting for the lock ${lockPath}`);
    await sleep(2 + Math.random() * 10);
  }
}

/** Creates the lock file holding `token`; false if it already exists. */
async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(token, 'utf8');
    await handle.close();
    return true;
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlinkIfPresent(lockPath);
    throw err;
  }
}

/** Removes the lock file if it is still ours (it may have been broken as stale and retaken). */
async function release(lockPath: string, token: string): Promise<void> {
  let holder: string;
  try {
    holder = await readFile(lockPath, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw err;
  }
  if (holder === token) await unlinkIfPresent(lockPath);
}

async function ageOf(file: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Deletes `file`; a file that is already gone is fine. */
export async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
}

/** The `code` of a Node.js system error ('ENOENT', 'EEXIST', ...), or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
