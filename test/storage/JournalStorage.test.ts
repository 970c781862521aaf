import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileStorage } from '../../src/storage/FileStorage';
import { FolderInUse } from '../../src/storage/fileLock';
import { openAppender, truncateAndSync, writeNewFile, type Appender } from '../../src/storage/fsCalls';
import { deletionPayload, documentPayload, frame, segmentHeader, segmentName } from '../../src/storage/journal';
import { joinSharedFolder, JournalStorage, readOnlyFolder, type JournalIo } from '../../src/storage/JournalStorage';
import { StorageHealth, StorageUnavailable } from '../../src/storage/StorageHealth';
import { isETagConflict } from '../../src/storage/Storage';
import { fsError } from '../helpers/faultyStorage';
import { ROOT } from '../helpers/realContent';

let root: string;
let dir: string;
const open: JournalStorage[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'journal-'));
  dir = path.join(root, 'data');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
});

async function openStore(options: Parameters<typeof JournalStorage.open>[1] = {}) {
  const opened = await JournalStorage.open(dir, { checkpointMs: 60_000, ...options });
  open.push(opened.store);
  return opened;
}

/** Disk operations counted, and appends that can be held back, made to fail, or hung. */
class ControlledIo implements JournalIo {
  appends = 0;
  fault: (() => unknown) | undefined;
  hang = false;
  private held: (() => void)[] = [];
  private hung: (() => void)[] = [];
  holding = false;

  async openAppender(file: string): Promise<Appender> {
    const real = await openAppender(file);
    return { append: (data) => this.append(real, data), close: () => real.close() };
  }

  private async append(real: Appender, data: Buffer): Promise<void> {
    this.appends += 1;
    if (this.hang) await new Promise<void>((resolve) => this.hung.push(resolve));
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.fault) {
      // A failed append may leave part of the batch behind, as a full disk does.
      await real.append(data.subarray(0, Math.floor(data.length / 2)));
      throw this.fault();
    }
    await real.append(data);
  }
  create(file: string, data: Buffer): Promise<void> {
    if (this.fault) return Promise.reject(this.fault());
    return writeNewFile(file, data.toString('utf8'), true);
  }
  truncate(file: string, length: number): Promise<void> {
    if (this.fault) return Promise.reject(this.fault());
    return truncateAndSync(file, length);
  }
  /** The hung disk answers again. */
  unhang(): void {
    this.hang = false;
    for (const r of this.hung.splice(0)) r();
  }
  release(): void {
    this.holding = false;
    for (const r of this.held.splice(0)) r();
  }
}

const segments = async () => (await readdir(dir)).filter((n) => n.startsWith('.journal-')).sort();

describe('JournalStorage group commit', () => {
  it('makes writes that arrive together share one synced append, and resolves none before its append is synced', async () => {
    const io = new ControlledIo();
    const { store } = await openStore({ io });
    io.holding = true;
    let resolved = 0;
    const writes = Array.from({ length: 40 }, (_, i) => store.write({ [`conv-${i}`]: { turn: i } }).then(() => (resolved += 1)));
    await new Promise((r) => setTimeout(r, 50));
    expect(io.appends).toBe(1);
    expect(resolved).toBe(0);
    io.release();
    await Promise.all(writes);
    expect(io.appends).toBe(1);
    expect(resolved).toBe(40);
    const read = await store.read(['conv-0', 'conv-39']);
    expect(read['conv-39']).toMatchObject({ turn: 39, eTag: expect.any(String) });
  });

  it('makes a read of a version still being synced wait until it is durable', async () => {
    const io = new ControlledIo();
    const { store } = await openStore({ io });
    await store.write({ ticket: { status: 'old' } });
    io.holding = true;
    const writing = store.write({ ticket: { status: 'new' } });
    await new Promise((r) => setTimeout(r, 10)); // the new version is in memory, its append held back
    let read: Record<string, unknown> | undefined;
    const reading = store.read(['ticket']).then((items) => (read = items.ticket as Record<string, unknown>));
    await new Promise((r) => setTimeout(r, 30));
    expect(read).toBeUndefined();
    io.release();
    await Promise.all([writing, reading]);
    expect(read).toMatchObject({ status: 'new' });
  });
});

describe('JournalStorage items read and written back', () => {
  it('stores an item as the reader changed it, not as it was read', async () => {
    const { store } = await openStore();
    await store.write({ ticket: { status: 'open', notes: ['first'] } });
    const item = (await store.read(['ticket'])).ticket as { status: string; notes: string[]; eTag?: string };
    item.status = 'closed';
    item.notes.push('second');
    await store.write({ ticket: item });
    expect((await store.read(['ticket'])).ticket).toMatchObject({ status: 'closed', notes: ['first', 'second'] });
    await store.close();
    open.splice(open.indexOf(store), 1);
    const { store: reopened } = await openStore();
    expect((await reopened.read(['ticket'])).ticket).toMatchObject({ status: 'closed', notes: ['first', 'second'] });
  });
});

describe('JournalStorage recovery', () => {
  it('replays the journal over the per-key files after a stop without a checkpoint, eTags included', async () => {
    await new FileStorage(dir).write({ a: { v: 'from its file' }, b: { v: 'from its file' }, c: { v: 'gone' } });
    const seg = Buffer.concat([
      segmentHeader(),
      frame(documentPayload('a', 'etag-a2', JSON.stringify({ v: 'from the journal' }))),
      frame(deletionPayload('c')),
      frame(documentPayload('d', 'etag-d1', JSON.stringify({ v: 'new' }))),
    ]);
    await writeFile(path.join(dir, segmentName(7)), seg);
    const { store, recovery } = await openStore();
    expect(recovery).toMatchObject({ documents: 3, segments: 1, records: 3, tornBytes: 0 });
    expect(await store.read(['a', 'b', 'c', 'd'])).toEqual({
      a: { v: 'from the journal', eTag: 'etag-a2' },
      b: { v: 'from its file', eTag: expect.any(String) },
      d: { v: 'new', eTag: 'etag-d1' },
    });
    // The replayed journal is checkpointed in the background: its segment goes, the files hold the result.
    await store.checkpointNow();
    expect(await segments()).toHaveLength(1); // only the new, current one
    expect(await new FileStorage(dir).read(['a', 'c', 'd'])).toEqual({ a: { v: 'from the journal', eTag: 'etag-a2' }, d: { v: 'new', eTag: 'etag-d1' } });
  });

  it('discards a record cut short by a crash, and a damaged one with everything after it, applying no part of either', async () => {
    const good = frame(documentPayload('a', 'e1', JSON.stringify({ n: 1 })));
    const torn = frame(documentPayload('a', 'e2', JSON.stringify({ n: 2, big: 'x'.repeat(500) })));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, segmentName(1)), Buffer.concat([segmentHeader(), good, torn.subarray(0, torn.length - 7)]));
    const damaged = frame(documentPayload('b', 'e3', JSON.stringify({ n: 3 })));
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 2) ^ 0xff, damaged.length - 2); // a flipped byte in the payload: the CRC no longer matches
    const after = frame(documentPayload('c', 'e4', JSON.stringify({ n: 4 })));
    await writeFile(path.join(dir, segmentName(2)), Buffer.concat([segmentHeader(), damaged, after]));
    await writeFile(path.join(dir, segmentName(3)), segmentHeader().subarray(0, 5)); // a segment a crash cut short as it was made
    const { store, recovery } = await openStore();
    expect(recovery).toMatchObject({ segments: 3, records: 1 });
    expect(recovery.tornBytes).toBe(torn.length - 7 + damaged.length + after.length + 5);
    expect(await store.read(['a', 'b', 'c'])).toEqual({ a: { n: 1, eTag: 'e1' } });
  });

  it('refuses to start on a segment that is not a journal, naming it', async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, segmentName(1)), 'something else entirely\n');
    await expect(JournalStorage.open(dir)).rejects.toThrow(/\.journal-0000000001\.log is not a journal segment/);
  });
});

describe('JournalStorage checkpoints', () => {
  it('copies the journal into per-key files that FileStorage reads, in the background, and keeps the journal bounded', async () => {
    const { store } = await openStore({ checkpointBytes: 4096, checkpointMs: 100 });
    for (let round = 0; round < 30; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.write({ [`conv-${i}`]: { round, text: 'y'.repeat(200) } })));
    }
    await store.write({ removed: { x: 1 } });
    await store.delete(['removed']);
    expect(store.journalBytes()).toBeLessThan(4 * 4096 + 4096);
    await store.checkpointNow();
    const files = new FileStorage(dir);
    expect((await files.read(['conv-3']))['conv-3']).toMatchObject({ round: 29 });
    expect(await files.keys()).toEqual(Array.from({ length: 10 }, (_, i) => `conv-${i}`).sort());
    expect((await files.read(['conv-3']))['conv-3'].eTag).toBe((await store.read(['conv-3']))['conv-3'].eTag);
  });

  it('leaves only the per-key files when closed, and a new store reads them back', async () => {
    const { store } = await openStore();
    await store.write({ a: { n: 1 }, b: { n: 2 } });
    await store.close();
    expect(await segments()).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
    const { store: again } = await openStore();
    expect(await again.read(['a', 'b'])).toMatchObject({ a: { n: 1 }, b: { n: 2 } });
  });

  it('is seen whole by a read-only snapshot (a staff tool) while the bot holds the folder', async () => {
    const { store } = await openStore();
    await store.write({ ticket: { id: 'PS-1' }, other: { n: 1 } });
    await store.checkpointNow();
    await store.write({ ticket: { id: 'PS-1', status: 'taken' } });
    await store.delete(['other']);
    const snapshot = await readOnlyFolder(dir);
    expect(await snapshot.read(['ticket', 'other'])).toEqual({ ticket: { id: 'PS-1', status: 'taken', eTag: expect.any(String) } });
    await expect(snapshot.write({ x: {} })).rejects.toThrow(/read-only/);
  });
});

describe('JournalStorage memory', () => {
  const CACHE = 16 * 1024;
  const keyOf = (i: number) => `conversation/${i}`;
  const textOf = (i: number) => `${i}:`.padEnd(1000, 'x');

  /** Writes 200 documents of about 1 KB (about 400 KB as the cache counts them) and checkpoints them. */
  async function fill(store: JournalStorage): Promise<void> {
    for (let i = 0; i < 200; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => store.write({ [keyOf(i + j)]: { n: i + j, text: textOf(i + j) } })));
    }
    await store.checkpointNow();
  }

  it('holds at most the cache bound of checkpointed documents, and every one reads back from its file with its eTag', async () => {
    const { store } = await openStore({ cacheBytes: CACHE, checkpointBytes: 64 * 1024 });
    await fill(store);
    expect(store.memory().journaledDocuments).toBe(0);
    expect(store.memory().cachedBytes).toBeGreaterThan(0);
    expect(store.memory().cachedBytes).toBeLessThanOrEqual(CACHE);
    expect(store.memory().cachedDocuments).toBeLessThan(20);
    const onDisk = new FileStorage(dir);
    for (let i = 0; i < 200; i++) {
      const key = keyOf(i);
      const item = (await store.read([key]))[key];
      expect(item).toMatchObject({ n: i, text: textOf(i) });
      expect(item.eTag).toBe((await onDisk.read([key]))[key].eTag);
      expect(store.memory().cachedBytes).toBeLessThanOrEqual(CACHE);
    }
    expect(await store.keys('conversation/')).toHaveLength(200);
    expect((await store.entries()).length).toBe(200);
  });

  it('refuses a stale eTag against a version no longer in memory, takes the current one, and deletes it', async () => {
    const { store } = await openStore({ cacheBytes: CACHE, checkpointBytes: 64 * 1024 });
    await store.write({ 'ticket/PS-1': { status: 'open' } });
    const stale = (await store.read(['ticket/PS-1']))['ticket/PS-1'].eTag as string;
    await store.write({ 'ticket/PS-1': { status: 'taken' } });
    const current = (await store.read(['ticket/PS-1']))['ticket/PS-1'].eTag as string;
    await fill(store); // the ticket is now the least recently used: out of the cache
    expect(store.memory().cachedDocuments).toBeLessThan(20);

    const refused = await store.write({ 'ticket/PS-1': { status: 'closed', eTag: stale } }).catch((e: unknown) => e);
    expect(isETagConflict(refused)).toBe(true);
    expect((await store.read(['ticket/PS-1']))['ticket/PS-1']).toEqual({ status: 'taken', eTag: current });

    await fill(store);
    await store.write({ 'ticket/PS-1': { status: 'closed', eTag: current } });
    expect((await store.read(['ticket/PS-1']))['ticket/PS-1']).toMatchObject({ status: 'closed' });

    await store.delete([keyOf(7)]);
    await store.checkpointNow();
    expect(await store.read([keyOf(7)])).toEqual({});
    expect(await store.keys('conversation/')).toHaveLength(199);
  });

  it('starts without reading the documents into memory, and serves them from their files', async () => {
    const { store } = await openStore({ cacheBytes: CACHE, checkpointBytes: 64 * 1024 });
    await fill(store);
    await store.close();
    const { store: again, recovery } = await openStore({ cacheBytes: CACHE });
    expect(recovery.documents).toBe(200);
    expect(again.memory()).toEqual({ cachedDocuments: 0, cachedBytes: 0, journaledDocuments: 0 });
    expect((await again.read([keyOf(150)]))[keyOf(150)]).toMatchObject({ n: 150, text: textOf(150) });
    expect(again.memory().cachedDocuments).toBe(1);
  });
});

describe('JournalStorage when the disk fails', () => {
  it('rejects the writes of a failed append with the disk error, forgets them, and works again once the disk does', async () => {
    const io = new ControlledIo();
    const { store } = await openStore({ io });
    await store.write({ conv: { step: 1 } });
    io.fault = () => fsError('ENOSPC', 'write');
    const failed = await store.write({ conv: { step: 2 }, other: { x: 1 } }).catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 'ENOSPC' });
    expect(await store.read(['conv', 'other'])).toEqual({ conv: { step: 1, eTag: expect.any(String) } });
    await expect(store.write({ conv: { step: 3 } })).rejects.toMatchObject({ code: 'ENOSPC' });
    io.fault = undefined;
    await store.write({ conv: { step: 4 } });
    await store.close();
    // The half-written batch was cut off the segment: a restart sees step 4, never 2 or 3.
    const { store: again, recovery } = await openStore();
    expect(recovery.tornBytes).toBe(0);
    expect(await again.read(['conv', 'other'])).toEqual({ conv: { step: 4, eTag: expect.any(String) } });
  });

  it('under the health monitor: a full disk gives the reason; a hung disk gives "did not answer" within the time limit', async () => {
    const io = new ControlledIo();
    const { store } = await openStore({ io });
    const logger = { error: jest.fn(), info: jest.fn(), warn: jest.fn() } as unknown as ConstructorParameters<typeof StorageHealth>[1]['logger'];
    const health = new StorageHealth(store, { timeoutMs: 300, logger, retryMs: 50 });
    io.fault = () => fsError('ENOSPC', 'write');
    const full = await health.write({ conv: { n: 1 } }).catch((err: unknown) => err);
    expect(full).toBeInstanceOf(StorageUnavailable);
    expect((full as StorageUnavailable).reason).toBe('the storage is full');
    io.fault = undefined;
    expect(await health.probe()).toBe(true);
    io.hang = true;
    const started = Date.now();
    const hung = await health.write({ conv: { n: 2 } }).catch((err: unknown) => err);
    expect((hung as StorageUnavailable).reason).toMatch(/did not answer within 0\.3 s/);
    expect(Date.now() - started).toBeLessThan(3000);
    io.unhang();
    await new Promise((r) => setTimeout(r, 100));
    expect(await health.probe()).toBe(true);
    health.stop();
  });
});

describe('who may use the folder', () => {
  /** A child process that opens the journal (or joins without it), says "ready", writes on request, and waits. */
  function holder(mode: 'journal' | 'shared') {
    const script = `
      const { JournalStorage, joinSharedFolder } = require(${JSON.stringify(path.join(ROOT, 'dist/src/storage/JournalStorage.js'))});
      (async () => {
        if (${JSON.stringify(mode)} === 'journal') {
          const { store } = await JournalStorage.open(process.argv[1]);
          await store.write({ held: { by: process.pid } });
        } else {
          await joinSharedFolder(process.argv[1]);
        }
        process.stdout.write('ready\\n');
        setInterval(() => undefined, 1000);
      })().catch((err) => { console.error(err.name + ': ' + err.message); process.exit(3); });`;
    const proc = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      proc.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    });
    return { proc, ready, exited: new Promise((r) => proc.on('exit', r)) };
  }

  it('refuses a second process at once while the owner runs, and takes the folder at once when the owner was killed', async () => {
    const owner = holder('journal');
    await owner.ready;
    const refused = await JournalStorage.open(dir).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FolderInUse);
    expect((refused as Error).message).toMatch(new RegExp(`in use by another running process \\(pid ${owner.proc.pid}\\)`));
    await expect(joinSharedFolder(dir)).rejects.toBeInstanceOf(FolderInUse);
    owner.proc.kill('SIGKILL');
    await owner.exited;
    const started = Date.now();
    const { store } = await openStore();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await store.read(['held'])).held).toMatchObject({ by: owner.proc.pid });
  });

  it('refuses the journal while a process shares the folder without it', async () => {
    const shared = holder('shared');
    await shared.ready;
    await expect(JournalStorage.open(dir)).rejects.toBeInstanceOf(FolderInUse);
    shared.proc.kill('SIGKILL');
    await shared.exited;
    await openStore();
    const info = await stat(dir);
    expect(info.isDirectory()).toBe(true);
  });
});

describe('JournalStorage semantics the bot relies on', () => {
  it('refuses a stale eTag against the newest version, even one not yet synced', async () => {
    const { store } = await openStore();
    await store.write({ k: { n: 1 } });
    const { eTag } = (await store.read(['k'])).k as { eTag: string };
    const [first, second] = await Promise.allSettled([store.write({ k: { n: 2, eTag } }), store.write({ k: { n: 3, eTag } })]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && isETagConflict(second.reason)).toBe(true);
    expect((await store.read(['k'])).k).toMatchObject({ n: 2 });
  });

  it('reports a corrupt document file with its key and file, and can overwrite it', async () => {
    await new FileStorage(dir).write({ broken: { n: 1 } });
    const [file] = (await readdir(dir)).filter((n) => n.endsWith('.json'));
    await writeFile(path.join(dir, file as string), '{"key": "broken", "eT');
    const { store } = await openStore();
    await expect(store.read(['broken'])).rejects.toThrow(new RegExp(`cannot read "broken" from .*${file}: the file is not valid JSON`));
    await store.write({ broken: { n: 2 } });
    expect((await store.read(['broken'])).broken).toMatchObject({ n: 2 });
    await store.checkpointNow();
    expect(JSON.parse(await readFile(path.join(dir, file as string), 'utf8'))).toMatchObject({ key: 'broken', item: { n: 2 } });
  });
});
