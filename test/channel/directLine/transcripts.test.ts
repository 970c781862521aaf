import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { Transcripts, type ActivitySet, type TranscriptHead } from '../../../src/channel/directLine/transcripts';
import { FileStorage } from '../../../src/storage/FileStorage';
import type { Storage, StoreItems } from '../../../src/storage/Storage';
import { startAzurite, type Azurite } from '../../helpers/azurite';

const msg = (text: string) => ({ type: 'message', text });
const texts = (set: ActivitySet | 'notYours') => (set === 'notYours' ? [] : set.activities.map((a) => a.text));

/** A transcript the previous version of the bot stored (one document, its last 200 activities), from a real conversation. */
const ONE_DOCUMENT = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/transcript-one-document.json'), 'utf8')) as {
  conv: string;
  user: string;
  next: number;
  entries: { seq: number; activity: { id: string; text?: string; type: string } }[];
};

/** A Storage that records what goes through it (as another layer of the same store). */
class Recording implements Storage {
  readonly reads: string[][] = [];
  readonly writes: { key: string; chars: number }[] = [];
  /** Every page key ever written through this client. */
  readonly pageKeys = new Set<string>();
  constructor(readonly inner: Storage) {}
  read(keys: string[]): Promise<StoreItems> {
    this.reads.push(keys);
    return this.inner.read(keys);
  }
  write(changes: StoreItems): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      this.writes.push({ key, chars: JSON.stringify(value).length });
      if (key.includes('/pages/')) this.pageKeys.add(key);
    }
    return this.inner.write(changes);
  }
  delete(keys: string[]): Promise<void> {
    return this.inner.delete(keys);
  }
}

async function headOf(storage: Storage, conv: string): Promise<TranscriptHead & { entries?: unknown }> {
  const key = Transcripts.key(conv);
  return (await storage.read([key]))[key] as TranscriptHead & { entries?: unknown };
}

/** The page documents among `written` that are still stored, and the ones the head lists. */
async function storedPages(storage: Storage, conv: string, written: Iterable<string>): Promise<{ stored: string[]; listed: string[] }> {
  const keys = [...written];
  const found = keys.length > 0 ? await storage.read(keys) : {};
  const head = await headOf(storage, conv);
  return { stored: keys.filter((k) => found[k] !== undefined).sort(), listed: head.pages.map((p) => Transcripts.pageKey(conv, p)).sort() };
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'transcripts-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('Transcripts', () => {
  it('numbers activities in order, reads them by watermark, and keeps counting after whole old pages are dropped', async () => {
    const storage = new Recording(new FileStorage(await tempDir()));
    const t = new Transcripts(storage, { maxActivities: 10, pageSize: 4 });
    await t.open('c1', 'dl_jane');
    for (let i = 0; i < 23; i += 1) await t.append('c1', [msg(`m${i}`)]);
    // Pages of 4: 0-3 ... 16-19 and the tail 20-22; the oldest pages go while more than 10 are kept.
    const all = await t.read('c1', undefined);
    expect(texts(all)).toEqual(['m16', 'm17', 'm18', 'm19', 'm20', 'm21', 'm22']);
    expect(all !== 'notYours' && all.watermark).toBe('23');
    expect(all !== 'notYours' && all.activities[0]?.id).toBe('c1|0000016');
    expect(texts(await t.read('c1', 18))).toEqual(['m18', 'm19', 'm20', 'm21', 'm22']);
    expect(texts(await t.read('c1', 5))).toEqual(texts(all));
    expect(await t.read('c1', 23)).toEqual({ activities: [], watermark: '23' });
    // A client ahead of this copy never gets a lower watermark back.
    expect(await t.read('c1', 30)).toEqual({ activities: [], watermark: '30' });
    // Dropped pages are deleted: what is stored is what the head lists.
    const pages = await storedPages(storage.inner, 'c1', storage.pageKeys);
    expect(pages.stored).toEqual(pages.listed);
    expect(pages.listed).toHaveLength(1);
  });

  it('rewrites only a small head per append however long the conversation, and writes each full page once', async () => {
    const storage = new Recording(new MemoryStorage());
    const t = new Transcripts(storage);
    await t.open('c1', 'dl_jane');
    // About 1 KB per activity, as a bot answer with its suggested actions is.
    const answer = (i: number) => msg(`answer ${i}: ${'x'.repeat(1000)}`);
    const perAppend: number[] = [];
    for (let i = 0; i < 400; i += 1) {
      const before = storage.writes.length;
      await t.append('c1', [answer(i)]);
      perAppend.push(storage.writes.slice(before).reduce((n, w) => n + w.chars, 0));
    }
    const heads = storage.writes.filter((w) => w.key === Transcripts.key('c1'));
    // The head holds fewer than a page (20) of activities: it never grows to the whole transcript.
    expect(Math.max(...heads.map((w) => w.chars))).toBeLessThan(21 * 1100);
    // What the 20 appends that take a conversation from 380 to 400 write equals what the first 20 wrote.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(perAppend.slice(380)) / sum(perAppend.slice(0, 20))).toBeLessThan(1.2);
    // 400 activities: 20 full pages, each written once.
    expect(storage.pageKeys.size).toBe(20);
    const all = await t.read('c1', undefined);
    expect(all !== 'notYours' && all.activities).toHaveLength(200);
    expect(all !== 'notYours' && all.activities[0]?.text).toMatch(/^answer 200:/);
  });

  it('reads, after a watermark, the head and only the pages holding later activities', async () => {
    const storage = new Recording(new MemoryStorage());
    const t = new Transcripts(storage, { maxActivities: 200, pageSize: 20 });
    await t.open('c1', 'dl_jane');
    for (let i = 0; i < 130; i += 1) await t.append('c1', [msg(`m${i}`)]);
    const pagesRead = async (watermark: number | undefined) => {
      storage.reads.length = 0;
      const set = await t.read('c1', watermark);
      return { set, pages: storage.reads.flat().filter((k) => k.includes('/pages/')).length };
    };
    // Up to date (a polling client): the head only.
    expect(await pagesRead(125)).toMatchObject({ pages: 0, set: { watermark: '130' } });
    expect(texts((await pagesRead(125)).set)).toEqual(['m125', 'm126', 'm127', 'm128', 'm129']);
    // A client a few activities behind, across a page boundary: that one page.
    const behind = await pagesRead(118);
    expect(behind.pages).toBe(1);
    expect(texts(behind.set)).toHaveLength(12);
    // From the start (a reload): every page.
    const all = await pagesRead(undefined);
    expect(all.pages).toBe(6);
    expect(texts(all.set)).toEqual(Array.from({ length: 130 }, (_, i) => `m${i}`));
  });

  it('updates and removes an activity wherever it is, in the tail or in a full page, for every instance', async () => {
    const storage = new Recording(new FileStorage(await tempDir()));
    const t = new Transcripts(storage, { pageSize: 3 });
    const other = new Transcripts(storage.inner, { pageSize: 3 });
    await t.open('c1', 'dl_jane');
    const ids = (await t.append('c1', Array.from({ length: 8 }, (_, i) => msg(`m${i}`)))) as string[];
    await t.update('c1', { id: ids[1], text: 'm1 (edited)' });
    await t.update('c1', { id: ids[7], text: 'm7 (edited)' });
    await t.remove('c1', ids[4] as string);
    expect(texts(await other.read('c1', undefined))).toEqual(['m0', 'm1 (edited)', 'm2', 'm3', 'm5', 'm6', 'm7 (edited)']);
    const set = await other.read('c1', 1);
    expect(set !== 'notYours' && set.activities[0]).toMatchObject({ id: ids[1], text: 'm1 (edited)' });
    // Removing every activity of a page drops the page.
    for (const id of ids.slice(0, 3)) await t.remove('c1', id);
    expect(texts(await other.read('c1', undefined))).toEqual(['m3', 'm5', 'm6', 'm7 (edited)']);
    // An id that is not there changes nothing.
    await t.update('c1', { id: 'c1|0000099', text: 'nothing' });
    await t.update('c1', { id: 'other|0000003', text: 'nothing' });
    expect(texts(await other.read('c1', undefined))).toEqual(['m3', 'm5', 'm6', 'm7 (edited)']);
    // Replaced pages are deleted once the head no longer lists them.
    const pages = await storedPages(storage.inner, 'c1', storage.pageKeys);
    expect(pages.stored).toEqual(pages.listed);
  });

  it('keeps concurrent appends from one process all, in a single order', async () => {
    const t = new Transcripts(new MemoryStorage(), { pageSize: 4 });
    await t.open('c1', 'dl_jane');
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => t.append('c1', [msg(`m${i}`)])));
    const set = await t.read('c1', undefined);
    expect(set !== 'notYours' && set.activities).toHaveLength(20);
    expect(new Set(ids.flat()).size).toBe(20);
    expect(set !== 'notYours' && set.activities.map((a) => a.id)).toEqual(ids.flat().sort());
  });

  it('tells listeners about appends, creates a conversation only once, for its first user, and shows it to that user only', async () => {
    const t = new Transcripts(new MemoryStorage());
    expect(await t.open('c1', 'dl_jane')).toBe('created');
    expect(await t.open('c1', 'dl_jane')).toBe('theirs');
    expect(await t.open('c1', 'dl_mallory')).toBe('notYours');
    expect((await t.get('c1'))?.user).toBe('dl_jane');
    let heard = 0;
    const stop = t.subscribe('c1', () => (heard += 1));
    await t.append('c1', [msg('hello')]);
    stop();
    await t.append('c1', [msg('again')]);
    expect(heard).toBe(1);
    expect(await t.read('c1', undefined, { user: 'dl_mallory' })).toBe('notYours');
    expect(texts(await t.read('c1', undefined, { user: 'dl_jane' }))).toEqual(['hello', 'again']);
    await expect(t.append('c1', [msg('intruder')], 'dl_mallory')).rejects.toThrow(/another user/);
    expect(await t.read('nothing-here', 4)).toEqual({ activities: [], watermark: '4' });
  });

  describe('a transcript the previous version stored as one document', () => {
    const setUp = async () => {
      const storage = new Recording(new FileStorage(await tempDir()));
      await storage.inner.write({ [Transcripts.key(ONE_DOCUMENT.conv)]: ONE_DOCUMENT });
      return { storage, t: new Transcripts(storage), conv: ONE_DOCUMENT.conv };
    };

    it('reads as it is: the same activities, ids, order and watermark', async () => {
      const { t, conv } = await setUp();
      expect((await t.get(conv))?.user).toBe(ONE_DOCUMENT.user);
      expect(await t.read(conv, undefined, { user: ONE_DOCUMENT.user })).toEqual({ activities: ONE_DOCUMENT.entries.map((e) => e.activity), watermark: String(ONE_DOCUMENT.next) });
      const recent = await t.read(conv, ONE_DOCUMENT.next - 3);
      expect(recent !== 'notYours' && recent.activities.map((a) => a.id)).toEqual(ONE_DOCUMENT.entries.slice(-3).map((e) => e.activity.id));
      expect(await t.read(conv, undefined, { user: 'dl_someone_else' })).toBe('notYours');
    });

    it('moves into pages on the first append, and the ids and watermarks carry on', async () => {
      const { storage, t, conv } = await setUp();
      const [id] = await t.append(conv, [msg('one more question')], ONE_DOCUMENT.user);
      expect(id).toBe(`${conv}|${String(ONE_DOCUMENT.next).padStart(7, '0')}`);
      const head = await headOf(storage.inner, conv);
      expect(head.entries).toBeUndefined();
      expect(head.next).toBe(ONE_DOCUMENT.next + 1);
      // 200 + 1 activities: 10 full pages and one in the tail; the oldest page goes to keep at most 200.
      expect(head.pages).toHaveLength(9);
      expect(head.tail).toHaveLength(1);
      const all = await new Transcripts(storage.inner).read(conv, undefined);
      const kept = ONE_DOCUMENT.entries.slice(20).map((e) => e.activity);
      expect(all).toEqual({ activities: [...kept, expect.objectContaining({ id, text: 'one more question' })], watermark: String(ONE_DOCUMENT.next + 1) });
      // A client that was reading the old document carries on from its watermark.
      const after = await t.read(conv, ONE_DOCUMENT.next - 2);
      expect(after !== 'notYours' && after.activities.map((a) => a.id)).toEqual([...ONE_DOCUMENT.entries.slice(-2).map((e) => e.activity.id), id]);
    });

    it('moves into pages on an update too, keeping every activity', async () => {
      const { storage, t, conv } = await setUp();
      const target = ONE_DOCUMENT.entries[5]?.activity.id as string;
      await t.update(conv, { id: target, text: 'edited' });
      const head = await headOf(storage.inner, conv);
      expect(head.entries).toBeUndefined();
      expect(head.pages).toHaveLength(10);
      const all = await t.read(conv, undefined);
      expect(all !== 'notYours' && all.activities.map((a) => a.id)).toEqual(ONE_DOCUMENT.entries.map((e) => e.activity.id));
      expect(all !== 'notYours' && all.activities[5]?.text).toBe('edited');
    });
  });
});

describe('two instances appending to one conversation at once', () => {
  let azurite: Azurite | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 30_000);
  afterAll(() => azurite?.stop());

  const backends: { name: string; open: () => Promise<[Storage, Storage]> }[] = [
    {
      name: 'file storage (two stores on one folder)',
      open: async () => {
        const dir = await tempDir();
        return [new FileStorage(dir), new FileStorage(dir)];
      },
    },
    {
      name: 'Azure Blob storage (Azurite, two clients)',
      open: async () => {
        if (!azurite) throw new Error('Azurite is not running');
        const container = `transcripts-${randomBytes(6).toString('hex')}`;
        return [new BlobsStorage(azurite.connectionString, container), new BlobsStorage(azurite.connectionString, container)];
      },
    },
  ];

  it.each(backends)('lose and repeat no activity across page seals, on $name', async ({ open }) => {
    const [one, two] = await open();
    const a = new Recording(one);
    const b = new Recording(two);
    // Small pages, so that most appends seal a page while the other instance appends.
    const ta = new Transcripts(a, { pageSize: 3, maxActivities: 1000 });
    const tb = new Transcripts(b, { pageSize: 3, maxActivities: 1000 });
    await ta.open('c1', 'dl_jane');
    const run = async (t: Transcripts, name: string) => {
      const ids: string[] = [];
      for (let i = 0; i < 25; i += 1) ids.push(...(await t.append('c1', i % 5 === 4 ? [msg(`${name}${i}`), msg(`${name}${i}+`)] : [msg(`${name}${i}`)])));
      return ids;
    };
    const [idsA, idsB] = await Promise.all([run(ta, 'a'), run(tb, 'b')]);
    const set = await new Transcripts(one).read('c1', undefined);
    if (set === 'notYours') throw new Error('unexpected owner');
    const got = set.activities.map((x) => x.text as string);
    expect(got).toHaveLength(60);
    expect(new Set(got).size).toBe(60);
    expect(set.watermark).toBe('60');
    // Every id once, numbered 0..59 in order, each instance's own in the order it sent them.
    expect(set.activities.map((x) => x.id)).toEqual(Array.from({ length: 60 }, (_, i) => `c1|${String(i).padStart(7, '0')}`));
    expect([...idsA, ...idsB].sort()).toEqual(set.activities.map((x) => x.id));
    for (const name of ['a', 'b']) {
      const own = got.filter((x) => x.startsWith(name));
      expect(own).toEqual([...own].sort((x, y) => parseInt(x.slice(1), 10) - parseInt(y.slice(1), 10)));
    }
    // The pages of attempts that lost to the other instance were deleted: no page is stored that the head does not list.
    const pages = await storedPages(one, 'c1', [...a.pageKeys, ...b.pageKeys]);
    expect(pages.stored).toEqual(pages.listed);
  });

  it.each(backends)('keep the most recent activities within the bound, on $name', async ({ open }) => {
    const [one, two] = await open();
    const ta = new Transcripts(one, { pageSize: 3, maxActivities: 12 });
    const tb = new Transcripts(two, { pageSize: 3, maxActivities: 12 });
    await ta.open('c1', 'dl_jane');
    await Promise.all([ta, tb].map(async (t, n) => {
      for (let i = 0; i < 20; i += 1) await t.append('c1', [msg(`${n}-${i}`)]);
    }));
    const set = await ta.read('c1', undefined);
    if (set === 'notYours') throw new Error('unexpected owner');
    expect(set.watermark).toBe('40');
    expect(set.activities.length).toBeGreaterThanOrEqual(10);
    expect(set.activities.length).toBeLessThanOrEqual(12);
    expect(set.activities.at(-1)?.id).toBe('c1|0000039');
    const seqs = set.activities.map((x) => Number(String(x.id).split('|')[1]));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 40 - seqs.length + i));
  });
});
