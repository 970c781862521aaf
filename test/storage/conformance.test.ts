import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';
import { CosmosDbPartitionedStorage } from 'botbuilder-azure';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { createStorage } from '../../src/channel/storageBackends';
import { FileStorage } from '../../src/storage/FileStorage';
import { JournalStorage } from '../../src/storage/JournalStorage';
import { isETagConflict, type Storage, type StoreItems } from '../../src/storage/Storage';
import { startAzurite, type Azurite } from '../helpers/azurite';

/**
 * One contract, every backend: botbuilder's MemoryStorage, our FileStorage, and BlobsStorage on a local
 * Azurite. The shared suite is what the bot relies on; where a backend genuinely behaves differently,
 * that is written down per backend in "Where the backends differ" at the end.
 */

let azurite: Azurite | undefined;

beforeAll(async () => {
  azurite = await startAzurite();
}, 30_000);

afterAll(async () => {
  await azurite?.stop();
});

function connectionString(): string {
  if (!azurite) throw new Error('Azurite is not running');
  return azurite.connectionString;
}

let containers = 0;
/** A container name no other test uses: 3-63 lower-case letters, digits and single hyphens. */
function freshContainer(): string {
  containers += 1;
  return `conf-${process.pid}-${containers}-${randomBytes(4).toString('hex')}`;
}

/** Undone after each test. */
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

interface Opened {
  readonly store: Storage;
  /** Another client on the same data (another bot instance), where the backend has such a thing. */
  peer(): Storage;
}

interface Backend {
  readonly name: string;
  /** An empty store of this kind. */
  open(): Promise<Opened>;
}

const memory: Backend = {
  name: 'MemoryStorage',
  // A MemoryStorage is its own data: a second one would be a different store.
  open: async () => {
    const store = new MemoryStorage();
    return { store, peer: () => store };
  },
};

const file: Backend = {
  name: 'FileStorage',
  open: async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'conformance-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dir = path.join(root, 'store');
    return { store: new FileStorage(dir), peer: () => new FileStorage(dir) };
  },
};

const journal: Backend = {
  name: 'JournalStorage (checkpointing every 2 KB)',
  open: async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'conformance-journal-'));
    const { store } = await JournalStorage.open(path.join(root, 'store'), { checkpointBytes: 2048, checkpointMs: 50 });
    cleanups.push(async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    });
    // One process owns the folder: another instance of the bot could not open it, so the peer is the store itself.
    return { store, peer: () => store };
  },
};

const journalUncached: Backend = {
  name: 'JournalStorage (no document kept in memory once checkpointed)',
  open: async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'conformance-journal-'));
    // A cache smaller than any document: every read of a checkpointed document goes to its file.
    const { store } = await JournalStorage.open(path.join(root, 'store'), { checkpointBytes: 2048, checkpointMs: 50, cacheBytes: 1 });
    cleanups.push(async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    });
    return { store, peer: () => store };
  },
};

const blob: Backend = {
  name: 'BlobsStorage (Azurite)',
  open: async () => {
    const container = freshContainer();
    return { store: new BlobsStorage(connectionString(), container), peer: () => new BlobsStorage(connectionString(), container) };
  },
};

const BACKENDS: readonly Backend[] = [memory, file, journal, journalUncached, blob];

/** The item stored as an own property of `items` under `key` (so "__proto__" is not the prototype). */
function own(items: StoreItems, key: string): StoreItems | undefined {
  return Object.prototype.hasOwnProperty.call(items, key) ? (items[key] as StoreItems) : undefined;
}

/** The item's eTag as read now; fails the test if the key is not stored with one. */
async function eTagOf(store: Storage, key: string): Promise<string> {
  const eTag = own(await store.read([key]), key)?.eTag;
  if (typeof eTag !== 'string' || eTag === '') throw new Error(`expected "${key}" to be stored with an eTag, got ${String(eTag)}`);
  return eTag;
}

/** What the promise was rejected with, or fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, but it resolved');
    },
    (err: unknown) => err,
  );
}

describe.each(BACKENDS)('$name', (backend) => {
  let store: Storage;
  let peer: () => Storage;

  beforeEach(async () => {
    ({ store, peer } = await backend.open());
  });

  it('round-trips nested documents as independent copies', async () => {
    const item = {
      name: 'Contoso',
      text: 'Grüße 🙂 "quoted" \\ back\nslash',
      nested: { list: [1, { deep: true }, [null, 2.5, -0.125]], empty: {}, none: [], flag: false, zero: 0, nothing: null },
    };
    await store.write({ partner: item });
    item.nested.list.push(99);
    item.name = 'changed before read';

    const expected = {
      name: 'Contoso',
      text: 'Grüße 🙂 "quoted" \\ back\nslash',
      nested: { list: [1, { deep: true }, [null, 2.5, -0.125]], empty: {}, none: [], flag: false, zero: 0, nothing: null },
      eTag: expect.any(String),
    };
    const first = own(await store.read(['partner']), 'partner');
    expect(first).toEqual(expected);
    first!.nested.list[1].deep = false;
    first!.name = 'changed after read';

    const second = own(await peer().read(['partner']), 'partner');
    expect(second).toEqual(expected);
    expect(second!.eTag).toBe(first!.eTag);
    expect(second).not.toBe(first);
  });

  it('leaves missing keys out of what it reads', async () => {
    expect(await store.read(['nope'])).toEqual({});
    expect(await store.read([])).toEqual({});
    await store.write({ there: { v: 1 } });
    const items = await store.read(['nope', 'there', 'also-nope']);
    expect(Object.keys(items)).toEqual(['there']);
    expect(own(items, 'there')).toEqual({ v: 1, eTag: expect.any(String) });
  });

  it('gives every write a new eTag, and the same eTag to every read in between', async () => {
    const eTags: string[] = [];
    for (let v = 1; v <= 4; v++) {
      await store.write({ k: { v } });
      const eTag = await eTagOf(store, 'k');
      expect(await eTagOf(peer(), 'k')).toBe(eTag);
      eTags.push(eTag);
    }
    expect(new Set(eTags).size).toBe(4);
  });

  it('refuses a write with a stale eTag and keeps the stored document', async () => {
    await store.write({ k: { v: 1 } });
    const stale = await eTagOf(store, 'k');
    await store.write({ k: { v: 2, eTag: stale } });
    const current = await eTagOf(store, 'k');
    expect(current).not.toBe(stale);

    const err = await rejection(store.write({ k: { v: 3, eTag: stale } }));
    expect(isETagConflict(err)).toBe(true);
    expect(own(await store.read(['k']), 'k')).toEqual({ v: 2, eTag: current });

    // The current eTag is still accepted afterwards.
    await store.write({ k: { v: 4, eTag: current } });
    expect(own(await store.read(['k']), 'k')?.v).toBe(4);
  });

  it("overwrites whatever is stored when the eTag is '*' or absent", async () => {
    await store.write({ k: { v: 1 } });
    const stale = await eTagOf(store, 'k');
    await store.write({ k: { v: 2 } });

    await store.write({ k: { v: 3, eTag: '*' } });
    expect(own(await store.read(['k']), 'k')?.v).toBe(3);
    await store.write({ k: { v: 4 } });
    expect(own(await store.read(['k']), 'k')?.v).toBe(4);
    expect(await eTagOf(store, 'k')).not.toBe(stale);
    // '*' also creates a key that does not exist.
    await store.write({ fresh: { v: 1, eTag: '*' } });
    expect(own(await store.read(['fresh']), 'fresh')?.v).toBe(1);
  });

  it('deletes keys, and deleting a missing key is fine', async () => {
    await store.write({ a: { v: 1 }, b: { v: 2 } });
    await store.delete(['a']);
    expect(Object.keys(await store.read(['a', 'b']))).toEqual(['b']);

    await expect(store.delete(['a'])).resolves.toBeUndefined();
    await expect(store.delete(['never-written', 'a'])).resolves.toBeUndefined();
    await expect(store.delete([])).resolves.toBeUndefined();
    expect(own(await store.read(['b']), 'b')?.v).toBe(2);

    // A deleted key can be written again from scratch.
    await store.write({ a: { v: 3 } });
    expect(own(await store.read(['a']), 'a')?.v).toBe(3);
  });

  it('reads several keys at once', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `user/${i}`);
    await store.write(Object.fromEntries(keys.map((k, i) => [k, { i, tags: [`t${i}`] }])));
    const items = await store.read([...keys, 'user/missing', 'other']);
    expect(Object.keys(items).sort()).toEqual([...keys].sort());
    keys.forEach((k, i) => expect(own(items, k)).toEqual({ i, tags: [`t${i}`], eTag: expect.any(String) }));
  });

  it('lets exactly one of 20 concurrent writers with the same eTag win', async () => {
    await store.write({ doc: { by: -1 } });
    const writers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : peer()));
    // Every writer reads the document first, then they all write back at once.
    const eTags = await Promise.all(writers.map((w) => eTagOf(w, 'doc')));
    expect(new Set(eTags).size).toBe(1);

    const results = await Promise.allSettled(writers.map((w, i) => w.write({ doc: { by: i, eTag: eTags[i] } })));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isETagConflict(r.reason)).toBe(true);
    expect(own(await store.read(['doc']), 'doc')?.by).toBe(winners[0]);
  });

  it('loses no update when 10 concurrent read-modify-write loops retry on conflict', async () => {
    await store.write({ counter: { n: 0 } });
    const increment = async (client: Storage) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const counter = own(await client.read(['counter']), 'counter');
        try {
          await client.write({ counter: { n: (counter?.n as number) + 1, eTag: counter?.eTag } });
          return;
        } catch (err) {
          if (!isETagConflict(err)) throw err;
        }
      }
      throw new Error('gave up after 200 conflicts');
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => increment(i % 2 === 0 ? store : peer())));
    expect(own(await store.read(['counter']), 'counter')?.n).toBe(10);
  });

  it('stores a document of about 1 MB', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `line ${i}: ${'lorem ipsum '.repeat(8)}ü🙂`);
    const text = 'x'.repeat(50_000);
    await store.write({ big: { lines, text } });
    const read = own(await store.read(['big']), 'big');
    expect(JSON.stringify({ lines, text }).length).toBeGreaterThan(1_000_000);
    expect(read?.lines).toHaveLength(10_000);
    expect(read?.lines).toEqual(lines);
    expect(read?.text).toBe(text);
  });

  it('keeps keys with odd characters apart and round-trips them', async () => {
    const keys = ['conversations/msteams/a:b', 'conversations/msteams/a_b', 'with space', 'with%20space', 'ü🙂', 'a/../b', 'b', 'a/b', 'k'.repeat(200), 'k'.repeat(199)];
    await store.write(Object.fromEntries(keys.map((key) => [key, { key }])));
    const items = await store.read(keys);
    expect(Object.keys(items).sort()).toEqual([...keys].sort());
    for (const key of keys) expect(own(items, key)).toEqual({ key, eTag: expect.any(String) });

    // Each key is its own document: changing or deleting one leaves the others alone.
    await store.write({ 'a/../b': { key: 'changed' } });
    await store.delete(['with space']);
    const after = await store.read(keys);
    expect(own(after, 'a/../b')?.key).toBe('changed');
    expect(own(after, 'with space')).toBeUndefined();
    for (const key of keys.filter((k) => k !== 'a/../b' && k !== 'with space')) expect(own(after, key)?.key).toBe(key);
  });
});

describe('Where the backends differ', () => {
  describe('a write with an eTag to a key that does not exist', () => {
    it('MemoryStorage writes it (the eTag is not checked)', async () => {
      const { store } = await memory.open();
      await store.write({ k: { v: 1, eTag: 'never-issued' } });
      expect(own(await store.read(['k']), 'k')?.v).toBe(1);
    });

    it('FileStorage writes it (the eTag is not checked), as MemoryStorage does', async () => {
      const { store } = await file.open();
      await store.write({ k: { v: 1, eTag: 'never-issued' } });
      expect(own(await store.read(['k']), 'k')?.v).toBe(1);
    });

    it('BlobsStorage refuses it as an eTag conflict (If-Match on a missing blob) and creates nothing', async () => {
      const { store } = await blob.open();
      const err = await rejection(store.write({ k: { v: 1, eTag: '"0x8DC0000000000000"' } }));
      expect(isETagConflict(err)).toBe(true);
      expect(await store.read(['k'])).toEqual({});
      // The same goes for a key that existed and was deleted since it was read.
      await store.write({ gone: { v: 1 } });
      const eTag = await eTagOf(store, 'gone');
      await store.delete(['gone']);
      expect(isETagConflict(await rejection(store.write({ gone: { v: 2, eTag } })))).toBe(true);
    });
  });

  describe('the key "__proto__"', () => {
    const changes = (): StoreItems => Object.fromEntries([['__proto__', { v: 'proto' }], ['x', { v: 'x' }]]);

    it('FileStorage stores and reads it like any other key', async () => {
      const { store } = await file.open();
      await store.write(changes());
      const items = await store.read(['__proto__', 'x']);
      expect(Object.keys(items).sort()).toEqual(['__proto__', 'x']);
      expect(own(items, '__proto__')).toEqual({ v: 'proto', eTag: expect.any(String) });
      expect(Object.getPrototypeOf(items)).toBe(Object.prototype);
      await store.delete(['__proto__']);
      expect(Object.keys(await store.read(['__proto__', 'x']))).toEqual(['x']);
    });

    it('MemoryStorage accepts the write but keeps nothing, and reading the key rejects', async () => {
      const { store } = await memory.open();
      await store.write(changes());
      // memory["__proto__"] = "<json>" is ignored by the __proto__ setter; reading it JSON.parses Object.prototype.
      await expect(store.read(['__proto__'])).rejects.toThrow(SyntaxError);
      expect(Object.keys(await store.read(['x']))).toEqual(['x']);
    });

    it('BlobsStorage stores it, but read() does not return it as an own key', async () => {
      const { store } = await blob.open();
      await store.write(changes());
      // read() merges results with Object.assign, so "__proto__" sets the result's prototype, and the
      // next key's merge drops it.
      const both = await store.read(['__proto__', 'x']);
      expect(Object.keys(both)).toEqual(['x']);
      expect(own(both, '__proto__')).toBeUndefined();
      const alone = await store.read(['__proto__']);
      expect(Object.keys(alone)).toEqual([]);
      expect(Object.getPrototypeOf(alone)).toEqual({ v: 'proto', eTag: expect.any(String) });
    });
  });

  describe('keys that differ only in empty path segments after the first ("a/b", "a//b", "a/b/")', () => {
    const keys = ['a/b', 'a//b', 'a/b/'];

    it.each([memory, file])('$name keeps them apart', async (backend) => {
      const { store } = await backend.open();
      await store.write(Object.fromEntries(keys.map((key) => [key, { key }])));
      const items = await store.read(keys);
      for (const key of keys) expect(own(items, key)?.key).toBe(key);
    });

    it('BlobsStorage maps them to one blob (its key sanitiser drops empty segments but a leading one)', async () => {
      const { store } = await blob.open();
      await store.write({ 'a/b': { key: 'a/b' }, '/a/b': { key: '/a/b' } });
      await store.write({ 'a//b': { key: 'a//b' } });
      const items = await store.read([...keys, '/a/b']);
      for (const key of keys) expect(own(items, key)?.key).toBe('a//b');
      expect(own(items, '/a/b')?.key).toBe('/a/b');
    });
  });
});

describe('createStorage', () => {
  it("builds a working BlobsStorage for kind 'blob'", async () => {
    const store = createStorage({ kind: 'blob', connectionString: connectionString(), container: freshContainer() });
    expect(store).toBeInstanceOf(BlobsStorage);
    await store.write({ 'tickets/counter': { next: 10001 } });
    const eTag = await eTagOf(store, 'tickets/counter');
    await store.write({ 'tickets/counter': { next: 10002, eTag } });
    expect(isETagConflict(await rejection(store.write({ 'tickets/counter': { next: 10003, eTag } })))).toBe(true);
    expect(own(await store.read(['tickets/counter']), 'tickets/counter')?.next).toBe(10002);
    await store.delete(['tickets/counter']);
    expect(await store.read(['tickets/counter'])).toEqual({});
  });

  it("builds a CosmosDbPartitionedStorage for kind 'cosmos' without contacting it", async () => {
    const store = createStorage({
      kind: 'cosmos',
      endpoint: 'https://127.0.0.1:9/',
      authKey: Buffer.from('not-a-real-key').toString('base64'),
      database: 'partner-bot',
      container: 'bot-state',
    });
    expect(store).toBeInstanceOf(CosmosDbPartitionedStorage);
    // Nothing listens on port 9: the first use fails fast instead of hanging.
    const started = Date.now();
    await expect(store.read(['k'])).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(4_000);
  }, 5_000);
});
