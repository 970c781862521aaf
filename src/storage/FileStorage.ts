import { createHash, randomUUID } from 'node:crypto';
import { lstat, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  BREAK_SUFFIX,
  doneWithTemp,
  errorCode,
  isLeftOverTemp,
  LOCK_SUFFIX,
  removeIfAbandoned,
  serialised,
  tempPathFor,
  unlinkIfPresent,
  withFileLock,
  type LockTiming,
} from './fileLock';
import { readText, renameFile, syncDirectoryEntries, writeNewFile } from './fsCalls';
import { ETagConflictError, type Storage, type StoreItem, type StoreItems } from './Storage';

/** What each key's file holds. The item is stored without its eTag. */
export interface StoredDocument {
  readonly key: string;
  readonly eTag: string;
  readonly item: Record<string, unknown>;
}

/** How many characters of a key appear, sanitised, at the start of its file name. */
const READABLE_CHARS = 48;
const DOCUMENT_SUFFIX = '.json';
/** At most this many files are open at once by one read/write/delete/keys call. */
const IO_CONCURRENCY = 16;
/** A temp file whose writer cannot be checked (another container or boot) is left alone this long. */
const TEMP_ORPHAN_MS = 60 * 60 * 1000;

/** What `cleanUp` removed. */
export interface CleanUp {
  readonly locks: number;
  readonly temps: number;
}

/**
 * A `Storage` that keeps each key in its own JSON file under one directory, with the semantics of
 * botbuilder's MemoryStorage: `read` returns fresh copies of the keys that exist, each with its eTag;
 * `write` gives every item a new eTag, and refuses an item whose eTag is set (not '' or '*') but is not
 * the stored one, with `ETagConflictError` (a key that does not exist is written whatever the eTag);
 * `delete` of a missing key is fine.
 *
 * Files: `<readable part of the key>-<sha256 of the key>.json`, holding `{ key, eTag, item }`. The name
 * has only [A-Za-z0-9_-] before the hash, so any key (slashes, '..', unicode, thousands of characters)
 * maps to one file directly inside the directory. The directory is created on first write.
 *
 * A write goes to a temp file in the same directory, is fsynced and renamed over the key's file (then
 * the directory is fsynced where the platform allows), so a reader or a crash sees the old document or
 * the new one, never half of one. Temp files and lock files (names starting with '.') name the process
 * that made them; those left by a process that died (SIGKILL, a crash) are ignored by reads and removed
 * by `cleanUp`, which the bot runs at start-up and hourly.
 *
 * Concurrency: within a process, operations on one key run one at a time (across every FileStorage on
 * the same directory). Across processes, the read-compare-rename of a write and a delete happen under a
 * per-key lock file; reads take no lock. A lock left by a process that has died is broken at once, so a
 * restart after a crash serves every conversation without waiting (see `withFileLock`). Limits: the
 * lock is advisory and only for processes on one machine with a local file system that has symbolic links
 * (not NFS/SMB); the lock of a holder in another container or boot, whose liveness cannot be checked,
 * is broken when older than `staleLockMs` (10 s), so such a holder stalled that long inside a write can
 * lose its exclusion; a write waits at most `lockTimeoutMs` (15 s) for the lock, then rejects.
 *
 * A write of several keys is not a transaction: keys are written independently, a refused or failed key
 * leaves the others written, and the call rejects with the first error in key order (as MemoryStorage
 * does). An item must be a JSON-serialisable object; anything else rejects with a TypeError or an Error
 * naming the key. A file that is not a valid document makes `read` (and a conditional `write`) of its
 * key reject with an Error naming the key and the file. Not tested on Windows, where renaming over a
 * file another process has open can fail.
 */
export class FileStorage implements Storage {
  private readonly dir: string;
  private readonly timing: LockTiming;
  /** The directory has been made (it is made again if a write finds it gone). */
  private dirMade = false;

  constructor(dir: string, options: Partial<LockTiming> = {}) {
    this.dir = path.resolve(dir);
    const staleLockMs = options.staleLockMs ?? 10_000;
    this.timing = { staleLockMs, lockTimeoutMs: options.lockTimeoutMs ?? staleLockMs + 5_000 };
  }

  /** The items stored under `keys`, each a fresh copy with its eTag; keys not stored are left out. */
  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    const documents = await inTurn(keys, (key) => serialised(this.fileFor(key), () => this.load(key)));
    const items: StoreItems = {};
    keys.forEach((key, i) => {
      const document = documents[i];
      if (document) setOwn(items, key, { ...document.item, eTag: document.eTag });
    });
    return items;
  }

  /**
   * Stores each item under its key with a new eTag. Rejects with `ETagConflictError` for an item whose
   * eTag is stale (that key is left as it was), after the other keys have been written.
   */
  async write(changes: StoreItems): Promise<void> {
    if (typeof changes !== 'object' || changes === null) throw new ReferenceError('Changes are required when writing.');
    const entries = Object.keys(changes).map((key): [string, unknown] => [key, changes[key]]);
    if (entries.length === 0) return;
    if (!this.dirMade) {
      await mkdir(this.dir, { recursive: true });
      this.dirMade = true;
    }
    await inTurn(entries, ([key, value]) => this.writeOne(key, value));
  }

  /** Removes the keys' files; keys that are not stored are ignored. */
  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0 || !(await isDirectory(this.dir))) return;
    await inTurn(keys, (key) => {
      const file = this.fileFor(key);
      return serialised(file, () =>
        withFileLock(lockFileFor(file), this.timing, async () => {
          await unlinkIfPresent(file);
          await syncDirectory(this.dir);
        }),
      );
    });
  }

  /**
   * The stored keys that start with `prefix` (all keys by default), sorted. Reads every matching
   * document, so it is for staff tools, not for every turn. Rejects, naming the file, on a corrupt one.
   */
  async keys(prefix = ''): Promise<string[]> {
    // A key starting with `prefix` has a file name starting with the readable part of `prefix`.
    const files = await this.documentFiles(readablePart(prefix));
    const documents = await inTurn(files, (file) => loadFile(file, undefined));
    return documents
      .flatMap((d) => (d && d.key.startsWith(prefix) ? [d.key] : []))
      .sort();
  }

  /** Every stored key with the time its document was last written, for retention sweeps. */
  async entries(): Promise<{ key: string; modified: Date }[]> {
    const files = await this.documentFiles('');
    const found = await inTurn(files, async (file) => {
      const [doc, info] = await Promise.all([loadFile(file, undefined), stat(file).catch(() => undefined)]);
      return doc && info ? { key: doc.key, modified: info.mtime } : undefined;
    });
    return found.flatMap((e) => (e ? [e] : []));
  }

  /**
   * Removes what processes that died left in the folder: lock files and their temp files. Files of a
   * live process (another instance on the same folder, or this one) are left alone, as are files of a
   * process that cannot be checked until they are old (a lock after `staleLockMs`, a temp file after
   * an hour). Never waits for a lock.
   */
  async cleanUp(): Promise<CleanUp> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return { locks: 0, temps: 0 };
      throw err;
    }
    const hidden = names.filter((n) => n.startsWith('.'));
    // Break guards first: a dead process's guard would otherwise stop its lock being broken now.
    const remove = (name: string) => removeIfAbandoned(path.join(this.dir, name), this.timing);
    const guards = await inTurn(hidden.filter((n) => n.endsWith(LOCK_SUFFIX + BREAK_SUFFIX)), remove);
    const locks = [...guards, ...(await inTurn(hidden.filter((n) => n.endsWith(LOCK_SUFFIX)), remove))];
    const temps = await inTurn(
      hidden.filter((n) => n.endsWith('.tmp')),
      async (name) => {
        const file = path.join(this.dir, name);
        const info = await lstat(file).catch(() => undefined);
        if (!(info?.isFile() || info?.isSymbolicLink()) || !(await isLeftOverTemp(file, name, Date.now() - info.mtimeMs, TEMP_ORPHAN_MS))) return false;
        await unlinkIfPresent(file);
        return true;
      },
    );
    return { locks: locks.filter(Boolean).length, temps: temps.filter(Boolean).length };
  }

  /** Paths of the document files whose names start with `namePrefix` (none when the folder is missing). */
  private async documentFiles(namePrefix: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return [];
      throw err;
    }
    return names.filter((n) => !n.startsWith('.') && n.endsWith(DOCUMENT_SUFFIX) && n.startsWith(namePrefix)).map((n) => path.join(this.dir, n));
  }

  private async writeOne(key: string, value: unknown): Promise<void> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError(`Storage: the item for "${key}" must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`);
    }
    const { eTag: expected, ...item } = value as StoreItem;
    const file = this.fileFor(key);
    const text = serialise(key, { key, eTag: randomUUID(), item });
    const attempt = () =>
      serialised(file, () =>
        withFileLock(lockFileFor(file), this.timing, async () => {
          if (expected && expected !== '*') {
            const current = await this.load(key);
            if (current && current.eTag !== expected) throw new ETagConflictError(key);
          }
          await replaceFile(file, text);
          await syncDirectory(this.dir);
        }),
      );
    try {
      await attempt();
    } catch (err) {
      // The directory was removed since it was made (by an operator, or a test): make it again, once.
      if (errorCode(err) !== 'ENOENT' || (await isDirectory(this.dir))) throw err;
      await mkdir(this.dir, { recursive: true });
      await attempt();
    }
  }

  /** The stored document for `key`, or undefined if there is none. */
  private load(key: string): Promise<StoredDocument | undefined> {
    return loadFile(this.fileFor(key), key);
  }

  private fileFor(key: string): string {
    return documentFile(this.dir, key);
  }
}

/** The file that holds `key`'s document in the folder `dir`. */
export function documentFile(dir: string, key: string): string {
  const hash = createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex');
  return path.join(dir, `${readablePart(key)}-${hash}${DOCUMENT_SUFFIX}`);
}

/** Paths of the document files in `dir` (none when the folder is missing). */
export async function documentFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => !n.startsWith('.') && n.endsWith(DOCUMENT_SUFFIX)).map((n) => path.join(dir, n));
}

/**
 * The first characters of `key` with everything but [A-Za-z0-9_-] made '_', one output character per
 * code point, so the readable part of a prefix of a key is a prefix of the key's readable part.
 */
function readablePart(key: string): string {
  return Array.from(key.slice(0, READABLE_CHARS * 2))
    .slice(0, READABLE_CHARS)
    .map((c) => (/^[A-Za-z0-9_-]$/.test(c) ? c : '_'))
    .join('');
}

function lockFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${LOCK_SUFFIX}`);
}

function serialise(key: string, document: StoredDocument): string {
  try {
    return JSON.stringify(document);
  } catch (err) {
    throw new Error(`Storage: cannot write "${key}": the item is not serialisable as JSON (${messageOf(err)}).`, { cause: err });
  }
}

/**
 * Reads and checks one document file; undefined if the file does not exist. Rejects with an Error
 * naming the file (and `key`, when given) if it is not a document, or is the document of another key.
 */
export async function loadFile(file: string, key: string | undefined): Promise<StoredDocument | undefined> {
  let text: string;
  try {
    text = await readText(file);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const corrupt = (why: string, cause?: unknown) =>
    new Error(`Storage: cannot read ${key === undefined ? '' : `"${key}" from `}${file}: ${why}.`, cause === undefined ? undefined : { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw corrupt(`the file is not valid JSON (${messageOf(err)})`, err);
  }
  if (!isStoredDocument(parsed)) throw corrupt('the file is not a { key, eTag, item } document');
  if (key !== undefined && parsed.key !== key) throw corrupt(`the file holds the key "${parsed.key}"`);
  return parsed;
}

function isStoredDocument(value: unknown): value is StoredDocument {
  if (typeof value !== 'object' || value === null) return false;
  const { key, eTag, item } = value as Record<string, unknown>;
  return typeof key === 'string' && typeof eTag === 'string' && typeof item === 'object' && item !== null && !Array.isArray(item);
}

/** Writes `text` to `file` atomically: a synced temp file in the same directory, renamed over it. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const temp = tempPathFor(file);
  try {
    await writeNewFile(temp, text, true);
    await renameFile(temp, file);
  } catch (err) {
    await unlinkIfPresent(temp).catch(() => undefined);
    throw err;
  } finally {
    doneWithTemp(temp);
  }
}

/** Directory syncs by directory: the one running, and the one that will run next. */
const directorySyncs = new Map<string, { running: Promise<void>; next?: Promise<void> }>();

/**
 * Makes the renames and unlinks done in `dir` before this call durable (group commit): writers that
 * call while a sync of the directory is running share the one sync that starts when it ends, so under
 * concurrency a directory is synced once per batch rather than once per write, and a caller's promise
 * still settles only after a sync that started after its call. At most one sync runs and one waits per
 * directory, however many callers there are.
 */
export function syncDirectory(dir: string): Promise<void> {
  const current = directorySyncs.get(dir);
  if (!current) return startDirectorySync(dir);
  current.next ??= current.running.then(() => startDirectorySync(dir));
  return current.next;
}

function startDirectorySync(dir: string): Promise<void> {
  const entry: { running: Promise<void>; next?: Promise<void> } = { running: Promise.resolve() };
  entry.running = fsyncDirectory(dir).finally(() => {
    if (directorySyncs.get(dir) === entry) directorySyncs.delete(dir);
  });
  directorySyncs.set(dir, entry);
  return entry.running;
}

/** Syncs `dir` itself. Some platforms (Windows) cannot; that is ignored. */
async function fsyncDirectory(dir: string): Promise<void> {
  try {
    await syncDirectoryEntries(dir);
  } catch {
    // The rename or unlink has still happened; only its durability across a power cut is weaker.
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Runs `fn` on every item, at most IO_CONCURRENCY at a time, and returns the results in order. If any
 * call rejects, rejects with the first such error (in item order) once every call has settled.
 */
export async function inTurn<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  const failures: { index: number; reason: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      try {
        results[index] = await fn(items[index] as T);
      } catch (reason) {
        failures.push({ index, reason });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IO_CONCURRENCY, items.length) }, worker));
  const first = failures.sort((a, b) => a.index - b.index)[0];
  if (first) throw first.reason;
  return results;
}

/** Sets an own property, even for a key such as "__proto__" that plain assignment would not store. */
export function setOwn(target: StoreItems, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
