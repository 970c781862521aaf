import { randomUUID } from 'node:crypto';
import { lstat, lutimes, mkdir, readdir, readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { type CleanUp, documentFile, documentFilesIn, FileStorage, inTurn, loadFile, replaceFile, setOwn, syncDirectory } from './FileStorage';
import { errorCode, FolderInUse, takeOwnerLock, unlinkIfPresent, type LockTiming, type OwnerLock } from './fileLock';
import { openAppender, readLink, truncateAndSync, writeNewFile, type Appender } from './fsCalls';
import { deletionPayload, documentPayload, frame, HEADER_BYTES, readSegment, segmentHeader, segmentName, segmentNumber } from './journal';
import { noteReadJson, takeWriteJson } from './itemJson';
import { livenessOf, ownerTag, parseOwnerTag } from './processOwner';
import { ETagConflictError, type Storage, type StoreItem, type StoreItems } from './Storage';

/** The file operations that make the journal durable; replaceable in tests (a disk that fails or hangs). */
export interface JournalIo {
  /** Opens `file` for synced appends. */
  openAppender(file: string): Promise<Appender>;
  /** Creates `file` (it must not exist) holding `data`, synced. */
  create(file: string, data: Buffer): Promise<void>;
  /** Cuts `file` back to `length` bytes, synced. */
  truncate(file: string, length: number): Promise<void>;
}

const DISK: JournalIo = {
  openAppender,
  create: (file, data) => writeNewFile(file, data.toString('utf8'), true),
  truncate: truncateAndSync,
};

export interface JournalOptions {
  /** A checkpoint starts when the journal segment being written reaches this many bytes (default 4 MiB) ... */
  readonly checkpointBytes?: number;
  /** ... or this long after its first record (default 5 s). */
  readonly checkpointMs?: number;
  /** Writes wait for the checkpoint while the journal holds more than this (default 4 × checkpointBytes). */
  readonly maxJournalBytes?: number;
  /** The owner lock of a holder that cannot be checked is broken after this (default 10 s). */
  readonly staleLockMs?: number;
  /**
   * Documents already in their own files are kept in memory up to about this many bytes of their text
   * (the least recently used are dropped, and read from their file when next needed); 0 keeps none.
   * Default 64 MiB.
   */
  readonly cacheBytes?: number;
  /** Called when a background checkpoint fails (it is tried again at the next interval). */
  readonly onCheckpointError?: (err: unknown) => void;
  readonly io?: JournalIo;
}

/** What opening the store found. */
export interface Recovery {
  readonly documents: number;
  readonly segments: number;
  readonly records: number;
  /** Bytes after the last whole record of a segment (a record a crash cut short), ignored. */
  readonly tornBytes: number;
}

/** One version of a key. */
interface Entry {
  readonly eTag: string;
  /** The item (the document without its eTag) as JSON text; null for a deletion. */
  readonly item: string | null;
  /** When it was written (ms since the epoch). */
  readonly modified: number;
  /** The segment holding this version's record (the entry leaves `map` once it is in the key's own file). */
  segment: number;
  /** While this version is not yet durable: settles when it is, rejects if its append failed. */
  pending: Promise<void> | undefined;
  /** The version before, kept while this one is pending, to go back to if its append fails. */
  prev: Entry | undefined;
}

/** A version that is in its key's own file, as the cache holds it. */
interface Cached {
  readonly eTag: string;
  readonly item: string;
}

/** What the cache counts for a document: its text (two bytes a character at most) and some overhead. */
function cachedSize(value: Cached, key: string): number {
  return 2 * (key.length + value.eTag.length + value.item.length) + 64;
}

interface Batch {
  readonly buffers: Buffer[];
  bytes: number;
  readonly entries: { key: string; entry: Entry }[];
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

const NOT_WRITTEN = Number.MAX_SAFE_INTEGER;
const OWNER_LOCK = '.owner.lock';
const WRITER_PREFIX = '.writer-';

/**
 * The file backend with a write-ahead journal (group commit).
 *
 * Writes: each changed document is framed as a record (length, CRC-32, JSON; see journal.ts) and
 * appended to the current journal segment. Writes that arrive while an append is being synced wait and
 * go together in the next one: one append and one fdatasync for every turn that saved in the meantime,
 * instead of a lock file, a temp file, an fsync, a rename and a directory fsync per document. A write's
 * promise resolves only once its record is synced, so a turn's reply (and a ticket reference) is sent
 * only after its state is on disk. A read of a version whose append is still being synced waits for it:
 * nothing not yet durable is ever shown.
 *
 * Memory: the versions still only in the journal (`map`, bounded by `maxJournalBytes` since writes wait
 * for the checkpoint beyond it) and an LRU cache of documents already in their own files, bounded by
 * `cacheBytes`. Any other document is read from its file when a read needs it, or a write with an eTag
 * (checked against that file, so a stale eTag is still refused against the newest version).
 *
 * Checkpoints: when a segment reaches `checkpointBytes` or `checkpointMs` after its first record, a new
 * segment is started and, in the background, the newest version of each key in the closed segments is
 * written to the key's own file (as FileStorage writes them: temp file, fsync, rename; one directory
 * sync for all), then the closed segments are deleted. Turns never wait for a checkpoint, unless the
 * journal has grown past `maxJournalBytes` (a checkpoint that cannot keep up, or keeps failing).
 *
 * Start-up: the segments are read in order, each up to its first incomplete or
 * damaged record (a crash in the middle of an append): that record and anything after it is discarded
 * and never applied. Then a new segment is started and the old ones are checkpointed.
 *
 * Failure: an append that fails (a full or read-only disk, an I/O error) rejects every write waiting for
 * it and those queued after it, and their versions are taken back out of memory. Later operations are
 * refused with the same error until a write finds the segment can be cut back to its last whole record
 * (the health probe's write does that every 2 s), so the storage health monitor reports the reason.
 *
 * Ownership: the folder's owner lock (`.owner.lock`, see `takeOwnerLock`) is held while the store is
 * open; a second process cannot open it (FolderInUse), nor can a process using the folder without the
 * journal (see `joinSharedFolder`).
 */
export class JournalStorage implements Storage {
  /** The versions not yet checkpointed into their keys' files (deletions included), newest per key. */
  private readonly map = new Map<string, Entry>();
  /** Keys whose newest version is only in the journal. */
  private readonly dirty = new Set<string>();
  /** Recently used documents whose newest version is in their own file; undefined when cacheBytes is 0. */
  private readonly cache: LRUCache<string, Cached> | undefined;
  /** Counts the checkpoints that dropped versions from `map`: a file read while it changed may be older than the cache. */
  private dropped = 0;
  private readonly io: JournalIo;
  private readonly checkpointBytes: number;
  private readonly checkpointMs: number;
  private readonly maxJournalBytes: number;

  private active = 0;
  private activeFile = '';
  private activeBytes = 0;
  private activeSince = 0;
  private nextSegment = 1;
  /** Segments no longer written to, waiting for their checkpoint. */
  private closedSegments: { n: number; bytes: number }[] = [];
  private open: Batch | undefined;
  /** The current segment, open while batches follow one another. */
  private appender: Appender | undefined;
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private rotateWanted = false;
  private failure: unknown;
  private checkpointing: Promise<void> | undefined;
  private checkpointError: unknown;
  private closed = false;
  /** Set if the owner lock was found taken by another process: nothing more is written. */
  private lost: Error | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dir: string,
    private readonly ownerLock: OwnerLock,
    private readonly timing: LockTiming,
    private readonly options: JournalOptions,
  ) {
    this.io = options.io ?? DISK;
    this.checkpointBytes = options.checkpointBytes ?? 4 * 1024 * 1024;
    this.checkpointMs = options.checkpointMs ?? 5000;
    this.maxJournalBytes = options.maxJournalBytes ?? 4 * this.checkpointBytes;
    const cacheBytes = Math.floor(options.cacheBytes ?? 64 * 1024 * 1024);
    this.cache = cacheBytes > 0 ? new LRUCache<string, Cached>({ maxSize: cacheBytes, sizeCalculation: cachedSize }) : undefined;
  }

  /**
   * Opens the store in `dir` (created if missing): takes the folder's owner lock, loads the documents
   * and replays the journal. Rejects with FolderInUse when another live process uses the folder.
   */
  static async open(dir: string, options: JournalOptions = {}): Promise<{ store: JournalStorage; recovery: Recovery }> {
    const resolved = path.resolve(dir);
    await mkdir(resolved, { recursive: true });
    const staleLockMs = options.staleLockMs ?? 10_000;
    const timing = { staleLockMs, lockTimeoutMs: staleLockMs + 5000 };
    const lock = await takeOwnerLock(path.join(resolved, OWNER_LOCK), timing);
    try {
      await refuseSharedWriters(resolved, staleLockMs);
      const store = new JournalStorage(resolved, lock, timing, options);
      const recovery = await store.load();
      store.start();
      return { store, recovery };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    for (const key of keys) {
      let entry = this.map.get(key);
      if (entry?.pending) {
        const awaited = entry;
        await awaited.pending;
        entry = awaited;
      }
      const version = entry ?? (await this.checkpointed(key));
      if (!version || version.item === null) continue;
      const item = JSON.parse(version.item) as StoreItem;
      noteReadJson(item, version.item);
      item.eTag = version.eTag;
      setOwn(items, key, item);
    }
    return items;
  }

  /**
   * Stores each item under its key with a new eTag, as FileStorage does (eTag '*', '' or none
   * overwrites; a stale eTag is refused with ETagConflictError, after the other keys are written).
   * Resolves once every record is durable.
   */
  async write(changes: StoreItems): Promise<void> {
    if (typeof changes !== 'object' || changes === null) throw new ReferenceError('Changes are required when writing.');
    const keys = Object.keys(changes);
    if (keys.length === 0) return;
    await this.ready();
    // The stored versions to check eTags against, for keys with none in memory, read from their files.
    const loaded = new Map<string, Cached | undefined | { error: unknown }>();
    for (let stable = false; !stable; ) {
      const before = this.dropped;
      const wanted = keys.filter((key) => hasETag(changes[key]) && !this.map.has(key) && !this.cache?.has(key));
      loaded.clear();
      await Promise.all(wanted.map(async (key) => loaded.set(key, await this.fromFile(key).catch((error: unknown) => ({ error })))));
      // A checkpoint that dropped versions meanwhile may have written newer ones than those read.
      stable = this.dropped === before;
    }
    const waits: Promise<void>[] = [];
    let firstError: unknown;
    for (const key of keys) {
      try {
        waits.push(this.writeOne(key, changes[key], loaded.get(key)));
      } catch (err) {
        firstError ??= err;
      }
    }
    await Promise.all(waits);
    if (firstError !== undefined) throw firstError;
  }

  /** Removes the keys; keys that are not stored are ignored. Resolves once the deletions are durable. */
  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    await this.ready();
    const waits: Promise<void>[] = [];
    for (const key of keys) {
      const current = this.map.get(key);
      if (current ? current.item === null : !this.cache?.has(key) && !(await fileExists(documentFile(this.dir, key)))) continue;
      waits.push(this.append(key, { eTag: '', item: null }, deletionPayload(key)));
    }
    await Promise.all(waits);
  }

  /**
   * The stored keys that start with `prefix` (all by default), sorted. Reads every document file, so it
   * is for staff tools, not for every turn; corrupt files are left out.
   */
  async keys(prefix = ''): Promise<string[]> {
    return (await this.entries())
      .map((e) => e.key)
      .filter((key) => key.startsWith(prefix))
      .sort();
  }

  /** Every stored key with the time it was last written, for retention sweeps (reads every document file). */
  async entries(): Promise<{ key: string; modified: Date }[]> {
    for (;;) {
      const before = this.dropped;
      const files = await documentFilesIn(this.dir);
      const onDisk = await inTurn(files, async (file) => {
        try {
          const [doc, info] = await Promise.all([loadFile(file, undefined), stat(file)]);
          return doc ? { key: doc.key, modified: info.mtimeMs } : undefined;
        } catch (err) {
          if (errorCode(err) === 'ENOENT') return undefined;
          if (errorCode(err) !== undefined) throw err;
          return undefined; // a corrupt file: reading its key names the file
        }
      });
      // Files written by a checkpoint after the listing: list again.
      if (this.dropped !== before) continue;
      const found = new Map<string, number>();
      for (const e of onDisk) if (e) found.set(e.key, e.modified);
      for (const [key, entry] of this.map) {
        if (entry.item === null) found.delete(key);
        else found.set(key, entry.modified);
      }
      return [...found].map(([key, modified]) => ({ key, modified: new Date(modified) }));
    }
  }

  /** What memory holds: the cache's documents and its size as counted against `cacheBytes`, and the versions only in the journal. */
  memory(): { cachedDocuments: number; cachedBytes: number; journaledDocuments: number } {
    return { cachedDocuments: this.cache?.size ?? 0, cachedBytes: this.cache?.calculatedSize ?? 0, journaledDocuments: this.map.size };
  }

  /**
   * The newest version of `key` when none is in `map`: from the cache, or from the key's file (then
   * cached); undefined if it is not stored. Rejects naming the file if that is corrupt.
   */
  private async checkpointed(key: string): Promise<Cached | undefined> {
    for (;;) {
      const cached = this.cache?.get(key);
      if (cached) return cached;
      const before = this.dropped;
      const found = await this.fromFile(key);
      if (this.dropped === before) {
        if (found && !this.map.has(key)) this.cache?.set(key, found);
        return found;
      }
      // A checkpoint dropped versions meanwhile: the file read may be older than the one now cached or in memory.
      const newer = this.map.get(key);
      if (newer && !newer.pending) return newer.item === null ? undefined : { eTag: newer.eTag, item: newer.item };
    }
  }

  private async fromFile(key: string): Promise<Cached | undefined> {
    const doc = await loadFile(documentFile(this.dir, key), key);
    return doc ? { eTag: doc.eTag, item: JSON.stringify(doc.item) } : undefined;
  }

  /** Removes lock and temp files that processes which died left in the folder (see FileStorage.cleanUp). */
  cleanUp(): Promise<CleanUp> {
    return new FileStorage(this.dir, this.timing).cleanUp();
  }

  /**
   * Waits for the appends in progress, checkpoints the whole journal into the per-key files, deletes its
   * segments and gives up the folder. Operations after this reject.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
    try {
      if (this.failure === undefined) {
        await this.rotateNow();
        await this.checkpoint();
        if (this.closedSegments.length === 0 && this.activeBytes <= HEADER_BYTES) {
          await unlinkIfPresent(this.activeFile);
          await syncDirectory(this.dir);
        }
      }
    } finally {
      await this.ownerLock.release();
    }
  }

  /** Bytes of journal not yet checkpointed (every segment, the current one included). */
  journalBytes(): number {
    return this.closedSegments.reduce((sum, s) => sum + s.bytes, 0) + this.activeBytes;
  }

  /** Starts a checkpoint of everything journaled so far and resolves when it is done. */
  async checkpointNow(): Promise<void> {
    await this.rotateNow();
    await this.checkpoint();
  }

  /** Closes the current segment (if it holds records) through the append loop, which alone switches segments. */
  private async rotateNow(): Promise<void> {
    await this.idle();
    if (this.activeBytes <= HEADER_BYTES) return;
    this.rotateWanted = true;
    while (this.rotateWanted && this.failure === undefined) {
      this.startFlushing();
      await this.flushing?.catch(() => undefined);
    }
  }

  /** `loaded`: the key's version read from its file (or the error reading it), if none was in memory. */
  private writeOne(key: string, value: unknown, loaded: Cached | undefined | { error: unknown }): Promise<void> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError(`Storage: the item for "${key}" must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`);
    }
    const { eTag: expected, ...item } = value as StoreItem;
    if (expected && expected !== '*') {
      if (loaded && 'error' in loaded) throw loaded.error;
      const current = this.map.get(key) ?? this.cache?.get(key) ?? loaded;
      if (current && current.item !== null && current.eTag !== expected) throw new ETagConflictError(key);
    }
    let text: string | undefined = takeWriteJson(value);
    try {
      text ??= JSON.stringify(item);
    } catch (err) {
      throw new Error(`Storage: cannot write "${key}": the item is not serialisable as JSON (${err instanceof Error ? err.message : String(err)}).`, { cause: err });
    }
    if (typeof text !== 'string' || !text.startsWith('{')) throw new TypeError(`Storage: the item for "${key}" does not serialise to a JSON object.`);
    const eTag = randomUUID();
    return this.append(key, { eTag, item: text }, documentPayload(key, eTag, text));
  }

  /** Makes `version` the key's newest, and queues its record for the next append. */
  private append(key: string, version: { eTag: string; item: string | null }, payload: string): Promise<void> {
    const batch = (this.open ??= newBatch());
    const record = frame(payload);
    const entry: Entry = { ...version, modified: Date.now(), segment: NOT_WRITTEN, pending: batch.promise, prev: this.map.get(key) };
    this.map.set(key, entry);
    this.dirty.add(key);
    batch.buffers.push(record);
    batch.bytes += record.length;
    batch.entries.push({ key, entry });
    this.scheduleFlush();
    return batch.promise;
  }

  private scheduleFlush(): void {
    if (this.flushing || this.flushScheduled) return;
    this.flushScheduled = true;
    // After the I/O callbacks of this turn of the event loop: writes that arrive together go together.
    setImmediate(() => {
      this.flushScheduled = false;
      this.startFlushing();
    });
  }

  private startFlushing(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      if (this.open || (this.rotateWanted && this.failure === undefined)) this.scheduleFlush();
    });
  }

  /** Appends the queued batches one after another (each waiting for the one before), until none is left. */
  private async flushLoop(): Promise<void> {
    try {
      await this.appendBatches();
    } finally {
      await this.closeAppender();
    }
  }

  private async closeAppender(): Promise<void> {
    const appender = this.appender;
    this.appender = undefined;
    await appender?.close().catch(() => undefined);
  }

  private async appendBatches(): Promise<void> {
    while (this.open || (this.rotateWanted && this.failure === undefined)) {
      if (this.rotateWanted && this.failure === undefined) {
        try {
          await this.rotate();
        } catch (err) {
          this.failure = err;
        }
      }
      const batch = this.open;
      if (!batch) continue;
      this.open = undefined;
      if (this.failure !== undefined) {
        this.fail(batch, this.failure);
        continue;
      }
      for (const { entry } of batch.entries) entry.segment = this.active;
      if (this.activeBytes <= HEADER_BYTES) this.activeSince = Date.now();
      try {
        this.appender ??= await this.io.openAppender(this.activeFile);
        await this.appender.append(batch.buffers.length === 1 ? (batch.buffers[0] as Buffer) : Buffer.concat(batch.buffers, batch.bytes));
      } catch (err) {
        this.failure = err;
        await this.closeAppender();
        this.fail(batch, err);
        continue;
      }
      this.activeBytes += batch.bytes;
      for (const { entry } of batch.entries) {
        entry.pending = undefined;
        entry.prev = undefined;
      }
      batch.resolve();
      if (this.activeBytes >= this.checkpointBytes) this.rotateWanted = true;
    }
  }

  /** Takes a batch whose append failed back out of memory and rejects its writers. */
  private fail(batch: Batch, err: unknown): void {
    for (let i = batch.entries.length - 1; i >= 0; i--) {
      const { key } = batch.entries[i] as { key: string };
      let entry = this.map.get(key);
      while (entry?.pending) entry = entry.prev;
      if (entry) this.map.set(key, entry);
      else this.map.delete(key);
      if (!entry) this.dirty.delete(key);
    }
    batch.reject(err);
  }

  /** Before a write: waits for a journal that outgrew its bound, and retries a failed disk. */
  private async ready(): Promise<void> {
    if (this.closed) throw new Error('Storage: the store is closed.');
    if (this.lost) throw this.lost;
    if (this.failure !== undefined) await this.recover();
    while (this.journalBytes() > this.maxJournalBytes) {
      if (this.checkpointError !== undefined && !this.checkpointing) {
        const err = this.checkpointError;
        this.checkpointError = undefined;
        void this.checkpoint();
        throw err;
      }
      await (this.checkpointing ?? this.checkpoint());
    }
  }

  /** After a failed append: cuts the segment back to its last whole record; throws if that fails too. */
  private async recover(): Promise<void> {
    const failure = this.failure;
    if (this.flushing || this.open) throw failure;
    try {
      await this.io.truncate(this.activeFile, this.activeBytes);
    } catch (err) {
      this.failure = err;
      throw err;
    }
    if (this.failure === failure) this.failure = undefined;
  }

  /** Starts a new segment; the current one is closed and handed to the checkpoint. */
  private async rotate(): Promise<void> {
    const n = this.nextSegment++;
    const file = path.join(this.dir, segmentName(n));
    await this.io.create(file, segmentHeader());
    await syncDirectory(this.dir);
    await this.closeAppender();
    if (this.active > 0) this.closedSegments.push({ n: this.active, bytes: this.activeBytes });
    this.active = n;
    this.activeFile = file;
    this.activeBytes = HEADER_BYTES;
    this.rotateWanted = false;
    if (this.closedSegments.length > 0) void this.checkpoint().catch(() => undefined);
  }

  /** Checkpoints the closed segments (again while more are closed meanwhile). */
  private checkpoint(): Promise<void> {
    this.checkpointing ??= (async () => {
      try {
        while (this.closedSegments.length > 0) await this.checkpointOnce();
        this.checkpointError = undefined;
      } catch (err) {
        this.checkpointError = err;
        this.options.onCheckpointError?.(err);
        throw err;
      } finally {
        this.checkpointing = undefined;
      }
    })();
    return this.checkpointing;
  }

  private async checkpointOnce(): Promise<void> {
    const upTo = Math.max(...this.closedSegments.map((s) => s.n));
    const snapshot: { key: string; entry: Entry }[] = [];
    for (const key of this.dirty) {
      const entry = this.map.get(key);
      if (entry && !entry.pending && entry.segment <= upTo) snapshot.push({ key, entry });
    }
    await inTurn(snapshot, ({ key, entry }) =>
      entry.item === null ? unlinkIfPresent(documentFile(this.dir, key)) : replaceFile(documentFile(this.dir, key), documentPayload(key, entry.eTag, entry.item)),
    );
    await syncDirectory(this.dir);
    // Every segment up to upTo, including one a failed rotation left half made.
    const names = await readdir(this.dir);
    for (const name of names) {
      const n = segmentNumber(name);
      if (n !== undefined && n <= upTo) await unlinkIfPresent(path.join(this.dir, name));
    }
    // Before the next checkpoint writes newer versions: a deleted segment must not come back after a power cut.
    await syncDirectory(this.dir);
    this.closedSegments = this.closedSegments.filter((s) => s.n > upTo);
    for (const { key, entry } of snapshot) {
      if (this.map.get(key) !== entry) continue;
      this.dirty.delete(key);
      this.map.delete(key);
      // Now in its own file: kept only as the cache allows.
      if (entry.item === null) this.cache?.delete(key);
      else this.cache?.set(key, { eTag: entry.eTag, item: entry.item });
    }
    this.dropped += 1;
  }

  private start(): void {
    const interval = Math.max(50, Math.min(this.checkpointMs, this.timing.staleLockMs / 3));
    this.timer = setInterval(() => {
      void this.ownerLock.refresh().then(
        (ours) => {
          if (!ours) this.lost ??= new Error('Storage: another process has taken the data folder over.');
        },
        () => undefined,
      );
      if (this.failure !== undefined || this.closed) return;
      if (this.activeBytes > HEADER_BYTES && Date.now() - this.activeSince >= this.checkpointMs && !this.rotateWanted) {
        this.rotateWanted = true;
        this.startFlushing();
      } else if (this.closedSegments.length > 0 && !this.checkpointing) {
        void this.checkpoint().catch(() => undefined);
      }
    }, interval);
    this.timer.unref();
  }

  /** Resolves when no append is in progress or queued. */
  private async idle(): Promise<void> {
    while (this.flushing || this.open || this.flushScheduled) {
      if (this.flushing) await this.flushing.catch(() => undefined);
      else await new Promise((r) => setImmediate(r));
    }
  }

  /** Reads the per-key files and replays the journal over them; starts a new segment. */
  private async load(): Promise<Recovery> {
    // The document files are read when needed, not now: only counted.
    const documents = (await documentFilesIn(this.dir)).length;
    const segments = (await readdir(this.dir))
      .map((name) => ({ name, n: segmentNumber(name) }))
      .filter((s): s is { name: string; n: number } => s.n !== undefined)
      .sort((a, b) => a.n - b.n);
    let records = 0;
    let tornBytes = 0;
    const now = Date.now();
    for (const { name, n } of segments) {
      const file = path.join(this.dir, name);
      const content = readSegment(await readFile(file), file);
      for (const r of content.records) {
        this.map.set(r.key, { eTag: r.eTag, item: r.item, modified: now, segment: n, pending: undefined, prev: undefined });
        this.dirty.add(r.key);
      }
      records += content.records.length;
      tornBytes += content.tornBytes;
      this.closedSegments.push({ n, bytes: content.intactBytes });
      this.nextSegment = n + 1;
    }
    await this.rotate();
    return { documents, segments: segments.length, records, tornBytes };
  }
}

/** Whether the change carries an eTag to check (as `writeOne` decides: set and not '*'). */
function hasETag(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { eTag } = value as { eTag?: unknown };
  return Boolean(eTag) && eTag !== '*';
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw err;
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // each writer gets the rejection through its own await
  return { buffers: [], bytes: 0, entries: [], promise, resolve, reject };
}

/**
 * Refuses to take a folder that a live process is using without the journal (see `joinSharedFolder`);
 * the markers of processes that have died (or, for those that cannot be checked, stopped refreshing
 * theirs `staleLockMs` ago) are removed.
 */
async function refuseSharedWriters(dir: string, staleLockMs: number): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith(WRITER_PREFIX)) continue;
    const file = path.join(dir, name);
    const owner = parseOwnerTag(name.slice(WRITER_PREFIX.length));
    const liveness = owner ? await livenessOf(owner) : 'unknown';
    if (liveness === 'alive') throw new FolderInUse(owner, 'here');
    if (liveness === 'unknown') {
      const info = await lstat(file).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs <= staleLockMs) throw new FolderInUse(owner, 'elsewhere');
    }
    await unlinkIfPresent(file);
  }
}

/** A process's membership of a folder shared without the journal (see `joinSharedFolder`). */
export interface SharedFolder {
  leave(): Promise<void>;
}

/**
 * For a process that uses the folder without the journal (FileStorage, several processes at once):
 * leaves a marker naming this process (refreshed while it runs), so that no process opens the folder
 * with the journal meanwhile, and refuses with FolderInUse if one already has.
 */
export async function joinSharedFolder(dir: string, staleLockMs = 10_000): Promise<SharedFolder> {
  const resolved = path.resolve(dir);
  await mkdir(resolved, { recursive: true });
  const marker = path.join(resolved, `${WRITER_PREFIX}${ownerTag()}`);
  await unlinkIfPresent(marker);
  await symlink(ownerTag(), marker);
  // Marker first, then the look: of a journal owner starting at the same time, one of the two sees the other.
  const lock = path.join(resolved, OWNER_LOCK);
  const holder = await readLink(lock).catch(() => undefined);
  if (holder !== undefined) {
    const owner = parseOwnerTag(holder.split(' ')[0] ?? '');
    const liveness = owner ? await livenessOf(owner) : 'unknown';
    const age = Date.now() - ((await lstat(lock).catch(() => undefined))?.mtimeMs ?? 0);
    if (liveness === 'alive' || (liveness === 'unknown' && age <= staleLockMs)) {
      await unlinkIfPresent(marker);
      throw new FolderInUse(owner, liveness === 'alive' ? 'here' : 'elsewhere');
    }
  }
  const timer = setInterval(() => {
    const now = new Date();
    void lutimes(marker, now, now).catch(() => undefined);
  }, staleLockMs / 3);
  timer.unref();
  return {
    leave: async () => {
      clearInterval(timer);
      await unlinkIfPresent(marker);
    },
  };
}

/**
 * What the folder holds right now, read without taking it over (for staff tools while the bot runs):
 * the per-key files with the journal replayed over them. Read again if a checkpoint deleted a segment
 * while it was being read.
 */
export async function readFolderSnapshot(dir: string): Promise<Map<string, { eTag: string; item: string }>> {
  const resolved = path.resolve(dir);
  for (let attempt = 0; ; attempt++) {
    const before = (await readdir(resolved).catch(() => [] as string[])).filter((n) => segmentNumber(n) !== undefined);
    const result = new Map<string, { eTag: string; item: string }>();
    const files = await documentFilesIn(resolved);
    const docs = await inTurn(files, (file) => loadFile(file, undefined));
    for (const doc of docs) if (doc) result.set(doc.key, { eTag: doc.eTag, item: JSON.stringify(doc.item) });
    const names = (await readdir(resolved).catch(() => [] as string[]))
      .map((name) => ({ name, n: segmentNumber(name) }))
      .filter((s): s is { name: string; n: number } => s.n !== undefined)
      .sort((a, b) => a.n - b.n);
    let vanished = before.some((n) => !names.some((s) => s.name === n));
    for (const { name } of names) {
      if (vanished) break;
      const file = path.join(resolved, name);
      let content: Buffer;
      try {
        content = await readFile(file);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
        vanished = true;
        break;
      }
      for (const r of readSegment(content, file).records) {
        if (r.item === null) result.delete(r.key);
        else result.set(r.key, { eTag: r.eTag, item: r.item });
      }
    }
    if (!vanished || attempt >= 5) return result;
  }
}

/** A read-only Storage over `readFolderSnapshot` (writes reject). */
export async function readOnlyFolder(dir: string): Promise<Storage> {
  const snapshot = await readFolderSnapshot(dir);
  const refuse = () => Promise.reject(new Error('Storage: this copy of the data folder is read-only.'));
  return {
    read: async (keys: string[]) => {
      const items: StoreItems = {};
      for (const key of keys) {
        const found = snapshot.get(key);
        if (found) setOwn(items, key, { ...(JSON.parse(found.item) as object), eTag: found.eTag });
      }
      return items;
    },
    write: refuse,
    delete: refuse,
  };
}
