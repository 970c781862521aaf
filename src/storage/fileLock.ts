import { randomBytes } from 'node:crypto';
import { lstat, lutimes } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLink, readText, symlinkFile, unlinkFile } from './fsCalls';
import { livenessOf, ownerTag, parseOwnerTag, type Owner } from './processOwner';

/** How long to wait for a lock file, and when to decide its holder has died. */
export interface LockTiming {
  /**
   * A lock file older than this is taken to be abandoned and is removed, whoever holds it. Only needed
   * for holders whose liveness cannot be checked (another machine, container or boot); a lock whose
   * holder is known to have died is removed at once.
   */
  readonly staleLockMs: number;
  /** Give up (and reject) after waiting this long for a lock. Should exceed `staleLockMs`. */
  readonly lockTimeoutMs: number;
}

const queues = new Map<string, Promise<void>>();
/** Tokens of the lock files this process holds right now. */
const held = new Set<string>();
/** Temp files this process is writing right now (never cleaned up from under it). */
const activeTemps = new Set<string>();

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
 * Runs `fn` while holding the lock file `lockPath`, polling every few milliseconds while another
 * process holds it.
 *
 * The lock file is created whole, in one system call that fails if it exists: a symbolic link at
 * `lockPath` whose target is the lock's token, so it always names its holder (see processOwner.ts). A
 * waiter breaks the lock at once when its holder has died (a crash or SIGKILL leaves it behind), or
 * when this very process holds no such lock (one it failed to remove), and otherwise only when it is
 * older than `staleLockMs`. Breaking is itself guarded by a second lock file (`<lockPath>.break`), so
 * two waiters that find the same dead lock cannot remove each other's fresh one.
 *
 * Why by hand: kernel locks (flock, fcntl), which the OS releases when a process dies, are out of
 * Node's reach without a native addon, and the maintained lock-file library (proper-lockfile) judges
 * staleness by modification time only (a crash still stalls waiters for at least 2 s), needs a timer
 * per held lock, and by default throws from that timer when it cannot refresh the lock (as on a disk
 * that has become read-only).
 *
 * Limits: the lock is advisory (only code that takes it is excluded), for processes on one machine with
 * a local file system that has symbolic links (not NFS/SMB). A holder in another container or on another
 * boot cannot be checked, so its lock is broken only by age, and a holder stalled that long loses
 * its exclusion. Rejects if the lock is not had within `lockTimeoutMs`, or if the lock file cannot be
 * created for another reason (e.g. a read-only or full disk).
 */
export async function withFileLock<T>(lockPath: string, timing: LockTiming, fn: () => Promise<T>): Promise<T> {
  // Taken before the lock file is made, so the time held is never underestimated.
  const started = performance.now();
  const token = await acquire(lockPath, timing);
  try {
    return await fn();
  } finally {
    // Others break a live holder's lock only once it is older than staleLockMs (see isAbandoned): held for
    // well under that, it is still ours and is removed without reading it back first.
    if (performance.now() - started < timing.staleLockMs / 2) await releaseYoung(lockPath, token);
    else await release(lockPath, token);
  }
}

async function acquire(lockPath: string, timing: LockTiming): Promise<string> {
  const token = newToken();
  const deadline = Date.now() + timing.lockTimeoutMs;
  for (;;) {
    if (await createWhole(lockPath, token)) {
      held.add(token);
      return token;
    }
    const found = await inspect(lockPath);
    if (found === undefined) continue; // released between our attempt and the look: try again now
    if (await isAbandoned(found, timing.staleLockMs)) {
      await breakLock(lockPath, found.content, timing);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Storage: timed out after ${timing.lockTimeoutMs} ms waiting for the lock ${lockPath}`);
    await sleep(2 + Math.random() * 10);
  }
}

/** Removes the lock file if it is still ours (it may have been broken as stale and retaken). */
async function release(lockPath: string, token: string): Promise<void> {
  held.delete(token);
  let content: string;
  try {
    content = await readLink(lockPath);
  } catch (err) {
    // Gone, or a plain file (a lock of an older version): not ours either way.
    if (errorCode(err) === 'ENOENT' || errorCode(err) === 'EINVAL') return;
    throw err;
  }
  if (content === token) await unlinkIfPresent(lockPath);
}

/** Removes a lock file this process made less than staleLockMs / 2 ago, which no one else can have broken. */
async function releaseYoung(lockPath: string, token: string): Promise<void> {
  held.delete(token);
  await unlinkIfPresent(lockPath);
}

/**
 * Removes the lock file `lockPath` if it still holds `seen` (the abandoned lock a waiter found), under
 * the guard `<lockPath>.break`. Returns without breaking if another process holds the guard.
 */
async function breakLock(lockPath: string, seen: string, timing: LockTiming): Promise<void> {
  const guard = `${lockPath}${BREAK_SUFFIX}`;
  const token = newToken();
  if (!(await createWhole(guard, token))) {
    // Another waiter is breaking it; or one died doing so (the guard is then abandoned itself).
    const other = await inspect(guard);
    if (other && (await isAbandoned(other, timing.staleLockMs))) await unlinkIfPresent(guard);
    return;
  }
  held.add(token);
  try {
    if ((await inspect(lockPath))?.content === seen) await unlinkIfPresent(lockPath);
  } finally {
    await release(guard, token);
  }
}

interface Found {
  readonly content: string;
  readonly ageMs: number;
}

/**
 * The content and age of a lock file; undefined if there is none. A lock is a symbolic link whose
 * target is its token; a plain file holding the token (as older versions made locks) is read too.
 */
async function inspect(file: string): Promise<Found | undefined> {
  try {
    const info = await lstat(file);
    const content = info.isSymbolicLink() ? await readLink(file) : await readText(file);
    return { content, ageMs: Date.now() - info.mtimeMs };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Whether a lock (or break guard) found on disk may be removed by someone else. */
async function isAbandoned(found: Found, staleLockMs: number): Promise<boolean> {
  const owner = ownerOfToken(found.content);
  const liveness = owner ? await livenessOf(owner) : 'unknown';
  if (liveness === 'dead') return true;
  if (liveness === 'self') return !held.has(found.content); // ours, yet no operation holds it: left behind
  return found.ageMs > staleLockMs;
}

/** Another live process holds a folder's owner lock (see `takeOwnerLock`). */
export class FolderInUse extends Error {
  constructor(
    /** The holder as its lock names it; undefined for a lock in another format. */
    readonly holder: Owner | undefined,
    /** `here`: a running process on this machine; `elsewhere`: one that cannot be checked (another container or boot) and keeps its lock fresh. */
    readonly where: 'here' | 'elsewhere',
  ) {
    super(
      where === 'here'
        ? `it is in use by another running process${holder ? ` (pid ${holder.pid})` : ''}`
        : 'it is in use by a process in another container or on another boot, which keeps its lock fresh',
    );
    this.name = 'FolderInUse';
  }
}

/** A lock held for as long as its holder runs (see `takeOwnerLock`). */
export interface OwnerLock {
  /** Renews the lock file's time, so that a holder that cannot be checked is seen to be alive; false if the lock is no longer ours. */
  refresh(): Promise<boolean>;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

/**
 * Takes the lock file `lockPath` until `release` (or the process ends): the owner lock of a folder that
 * only one process may write. Rejects with FolderInUse at once when a running process on this machine
 * holds it. A lock whose holder has died is broken at once, as `withFileLock` does; one whose holder
 * cannot be checked (another container or boot) is broken once it is older than `staleLockMs`, which
 * its holder prevents by calling `refresh` more often than that; until then this waits, and rejects
 * with FolderInUse after `lockTimeoutMs`.
 */
export async function takeOwnerLock(lockPath: string, timing: LockTiming): Promise<OwnerLock> {
  const token = newToken();
  const deadline = Date.now() + timing.lockTimeoutMs;
  for (;;) {
    if (await createWhole(lockPath, token)) break;
    const found = await inspect(lockPath);
    if (found === undefined) continue;
    if (await isAbandoned(found, timing.staleLockMs)) {
      await breakLock(lockPath, found.content, timing);
      continue;
    }
    const holder = ownerOfToken(found.content);
    const liveness = holder ? await livenessOf(holder) : 'unknown';
    if (liveness === 'alive' || liveness === 'self') throw new FolderInUse(holder, 'here');
    if (Date.now() > deadline) throw new FolderInUse(holder, 'elsewhere');
    await sleep(100 + Math.random() * 100);
  }
  held.add(token);
  const ours = async (): Promise<boolean> => (await inspect(lockPath))?.content === token;
  return {
    refresh: async () => {
      if (!(await ours())) return false;
      const now = new Date();
      await lutimes(lockPath, now, now).catch(() => undefined); // a read-only disk: the lock stands, only its time is stale
      return true;
    },
    release: async () => {
      held.delete(token);
      if (await ours()) await unlinkIfPresent(lockPath);
    },
  };
}

/**
 * A fresh lock token: `<owner tag> <number>`, so the lock names its holder; the number (this process's
 * counter, from a random start) tells its locks apart. At most 57 bytes, so that on ext4 the symbolic
 * link holding it fits in its inode (a "fast" symbolic link, under 60 bytes): a longer target takes a
 * disk block, which made taking and releasing a lock cost about two and a half times as much CPU.
 */
function newToken(): string {
  return `${ownerTag()} ${nextSerial()}`;
}

/** The holder named by a lock file's content; undefined for anything else (including an older format). */
export function ownerOfToken(content: string): Owner | undefined {
  const space = content.indexOf(' ');
  return space > 0 ? parseOwnerTag(content.slice(0, space)) : undefined;
}

/**
 * Creates the lock `file` holding `content` only if it does not exist, in one step that never leaves it
 * empty or half-written: a symbolic link whose target is the content (as Emacs makes its lock files).
 */
async function createWhole(file: string, content: string): Promise<boolean> {
  try {
    await symlinkFile(content, file);
    return true;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
}

export const LOCK_SUFFIX = '.lock';
export const BREAK_SUFFIX = '.break';
const TEMP_NAME = /^\..+\.([0-9a-f]{12}-\d{1,10}-(?:\d{1,20}|x))\.[0-9a-f]{12}\.tmp$/;

/**
 * A unique temp file name next to `target` (`.<name>.<owner tag>.<random>.tmp`), registered as being
 * written by this process until `doneWithTemp`: left-over temp files name their writer, so the ones
 * whose writer has died can be cleaned up without touching another process's.
 */
export function tempPathFor(target: string): string {
  const base = path.basename(target);
  const temp = path.join(path.dirname(target), `${base.startsWith('.') ? '' : '.'}${base}.${ownerTag()}.${nextSerial()}.tmp`);
  activeTemps.add(temp);
  return temp;
}

/** Temp names and lock tokens are told apart by the owner tag (which process) and a counter (which one of that process's). */
let tempCounter = Number.parseInt(randomBytes(4).toString('hex'), 16);

/** The next value of this process's counter, as 12 hex digits. */
function nextSerial(): string {
  tempCounter = (tempCounter + 1) % 0x1000000000000;
  return tempCounter.toString(16).padStart(12, '0');
}

export function doneWithTemp(temp: string): void {
  activeTemps.delete(temp);
}

/**
 * Whether a temp file (named by `tempPathFor`, or an older `.<name>.<pid>.<random>.tmp`) was left
 * behind: its writer has died, or is this process and no longer writing it. A temp file of a writer
 * that cannot be checked counts as left behind only once it is older than `orphanAfterMs`.
 */
export async function isLeftOverTemp(file: string, name: string, ageMs: number, orphanAfterMs: number): Promise<boolean> {
  const tag = TEMP_NAME.exec(name)?.[1];
  const owner = tag === undefined ? undefined : parseOwnerTag(tag);
  const liveness = owner ? await livenessOf(owner) : 'unknown';
  if (liveness === 'dead') return true;
  if (liveness === 'self') return !activeTemps.has(file);
  return ageMs > orphanAfterMs;
}

/**
 * Removes the lock file (or break guard) `file` if it is abandoned (see `withFileLock`); true if it
 * was removed. Never waits for a live holder.
 */
export async function removeIfAbandoned(file: string, timing: LockTiming): Promise<boolean> {
  const found = await inspect(file);
  if (!found || !(await isAbandoned(found, timing.staleLockMs))) return false;
  if (file.endsWith(BREAK_SUFFIX)) {
    await unlinkIfPresent(file);
  } else {
    await breakLock(file, found.content, timing);
  }
  return (await inspect(file))?.content !== found.content;
}

/** Deletes `file`; a file that is already gone is fine. */
export async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlinkFile(file);
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
