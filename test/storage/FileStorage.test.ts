import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ts from 'typescript';
import { ConversationState, MemoryStorage, TestAdapter, type Storage as BotStorage } from 'botbuilder';
import { FileStorage } from '../../src/storage/FileStorage';
import { ownerTag, SELF } from '../../src/storage/processOwner';
import { ETagConflictError, isETagConflict, type Storage, type StoreItems } from '../../src/storage/Storage';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'filestorage-'));
  dir = path.join(root, 'store');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The eTag of `key` as read now (fails the test if the key is not stored). */
async function eTagOf(store: Storage, key: string): Promise<string> {
  const item = (await store.read([key]))[key] as { eTag?: unknown } | undefined;
  if (typeof item?.eTag !== 'string') throw new Error(`expected "${key}" to be stored with an eTag`);
  return item.eTag;
}

/** Items with each eTag replaced by a marker, to compare contents. */
function withoutETags(items: StoreItems): StoreItems {
  return Object.fromEntries(Object.entries(items).map(([k, v]) => [k, { ...v, eTag: typeof v.eTag }]));
}

/** The store's files, which must all be plain files directly inside it. */
async function filesIn(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const e of entries) expect(e.isFile()).toBe(true);
  return entries.map((e) => e.name);
}

/** The one stored document's file (the store holds exactly one key). */
async function onlyDocument(): Promise<string> {
  const visible = (await filesIn(dir)).filter((n) => !n.startsWith('.'));
  expect(visible).toHaveLength(1);
  return path.join(dir, visible[0] as string);
}

describe('FileStorage read and write', () => {
  it('round-trips items as independent deep copies', async () => {
    const store = new FileStorage(dir);
    const item = { name: 'Contoso', nested: { list: [1, { deep: true }] } };
    await store.write({ partner: item });
    item.nested.list.push(99);

    const first = await store.read(['partner']);
    expect(first.partner).toEqual({ name: 'Contoso', nested: { list: [1, { deep: true }] }, eTag: expect.any(String) });
    first.partner.nested.list[1].deep = false;
    first.partner.name = 'changed';

    const second = await store.read(['partner']);
    expect(second.partner.name).toBe('Contoso');
    expect(second.partner.nested.list[1].deep).toBe(true);
    expect(second.partner).not.toBe(first.partner);
  });

  it('returns only the keys that exist', async () => {
    const store = new FileStorage(dir);
    expect(await store.read(['nothing', 'here'])).toEqual({});
    await store.write({ a: { v: 1 } });
    const items = await store.read(['a', 'b']);
    expect(Object.keys(items)).toEqual(['a']);
    expect(await store.read([])).toEqual({});
  });

  it('gives the item a new eTag on every write, without changing the object written', async () => {
    const store = new FileStorage(dir);
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const item = { v: i };
      await store.write({ k: item });
      expect(item).toEqual({ v: i });
      seen.add(await eTagOf(store, 'k'));
    }
    expect(seen.size).toBe(5);
  });

  it('refuses a write with a stale eTag and leaves the stored item as it was', async () => {
    const store = new FileStorage(dir);
    await store.write({ k: { v: 1 } });
    const stale = await eTagOf(store, 'k');
    await store.write({ k: { v: 2, eTag: stale } });
    const current = await eTagOf(store, 'k');

    const refused = store.write({ k: { v: 3, eTag: stale } });
    await expect(refused).rejects.toBeInstanceOf(ETagConflictError);
    await expect(refused).rejects.toMatchObject({ key: 'k', message: 'Storage: error writing "k" due to eTag conflict.' });
    expect((await store.read(['k'])).k).toEqual({ v: 2, eTag: current });
  });

  it('accepts the current eTag', async () => {
    const store = new FileStorage(dir);
    await store.write({ k: { v: 1 } });
    await store.write({ k: { v: 2, eTag: await eTagOf(store, 'k') } });
    expect((await store.read(['k'])).k.v).toBe(2);
  });

  it("overwrites whatever is stored when the eTag is '*', empty or missing", async () => {
    const store = new FileStorage(dir);
    await store.write({ k: { v: 1 } });
    await store.write({ k: { v: 2, eTag: '*' } });
    expect((await store.read(['k'])).k.v).toBe(2);
    await store.write({ k: { v: 3 } });
    expect((await store.read(['k'])).k.v).toBe(3);
    await store.write({ k: { v: 4, eTag: '' } });
    expect((await store.read(['k'])).k.v).toBe(4);
  });

  it('rejects items that are not objects, naming the key', async () => {
    const store = new FileStorage(dir);
    await expect(store.write({ k: null })).rejects.toThrow(/"k"/);
    await expect(store.write({ k: 'text' })).rejects.toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(store.write({ c: cyclic })).rejects.toThrow(/"c"/);
    expect(await store.read(['k', 'c'])).toEqual({});
  });
});

describe('FileStorage delete', () => {
  it('removes keys, and ignores keys that are not stored', async () => {
    const store = new FileStorage(dir);
    await expect(store.delete(['never-written'])).resolves.toBeUndefined();
    await store.write({ a: { v: 1 }, b: { v: 2 } });
    await store.delete(['a', 'missing']);
    expect(Object.keys(await store.read(['a', 'b']))).toEqual(['b']);
    await store.delete(['a']);
  });

  it('lets a deleted key be written again, whatever eTag the writer still holds', async () => {
    const store = new FileStorage(dir);
    await store.write({ k: { v: 1 } });
    const old = await eTagOf(store, 'k');
    await store.delete(['k']);
    await store.write({ k: { v: 2, eTag: old } });
    expect((await store.read(['k'])).k.v).toBe(2);
  });
});

describe('FileStorage keys', () => {
  const odd = ['a/b', 'a_b', 'a\\b', '../../etc/passwd', '..', '.', '', 'ü🙂:*?', 'CON', 'x'.repeat(1000), '\uD800', '\uD801', 'A', 'a'];

  it('stores keys with any characters, each separately, inside the directory', async () => {
    const store = new FileStorage(dir);
    await store.write(Object.fromEntries(odd.map((k, i) => [k, { i }])));

    const items = await store.read(odd);
    odd.forEach((k, i) => expect(items[k]).toEqual({ i, eTag: expect.any(String) }));
    expect(await readdir(root)).toEqual(['store']);
    expect((await filesIn(dir)).filter((n) => !n.startsWith('.'))).toHaveLength(odd.length);
    expect(await store.keys()).toEqual([...odd].sort());

    await store.delete(odd);
    expect(await store.read(odd)).toEqual({});
    expect(await store.keys()).toEqual([]);
  });

  it('stores "__proto__" as an ordinary key', async () => {
    const store = new FileStorage(dir);
    await store.write(JSON.parse('{"__proto__": {"v": 1}}') as StoreItems);
    const items = await store.read(['__proto__']);
    expect(Object.keys(items)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(items)).toBe(Object.prototype);
  });

  it('lists the keys that start with a prefix, sorted', async () => {
    const store = new FileStorage(dir);
    expect(await store.keys()).toEqual([]);
    const long = 'ticket/' + 'y'.repeat(80);
    await store.write({ 'ticket/2': {}, 'ticket/10': {}, 'user/1': {}, ticketless: {}, [`${long}a`]: {}, [`${long}b`]: {}, 'ü/1': {} });
    expect(await store.keys('ticket/')).toEqual(['ticket/10', 'ticket/2', `${long}a`, `${long}b`]);
    expect(await store.keys(`${long}b`)).toEqual([`${long}b`]);
    expect(await store.keys('ü')).toEqual(['ü/1']);
    expect(await store.keys('nothing')).toEqual([]);
    expect(await store.keys()).toHaveLength(7);
  });
});

describe('FileStorage durability', () => {
  it('stores a 5 MB document', async () => {
    const store = new FileStorage(dir);
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'z'.repeat(90)}`);
    await store.write({ big: { lines } });
    const read = (await store.read(['big'])).big as { lines: string[] };
    expect(read.lines).toHaveLength(50_000);
    expect(read.lines).toEqual(lines);
    expect((await stat(await onlyDocument())).size).toBeGreaterThan(5_000_000);
  });

  it('is read back by a new instance on the same directory, eTags included', async () => {
    const first = new FileStorage(dir);
    await first.write({ k: { v: 1 }, other: { v: 1 } });
    const eTag = await eTagOf(first, 'k');

    const second = new FileStorage(dir);
    expect((await second.read(['k'])).k).toEqual({ v: 1, eTag });
    await second.write({ k: { v: 2, eTag } });
    await expect(second.write({ k: { v: 3, eTag } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await first.read(['k'])).k.v).toBe(2);
    expect(await second.keys()).toEqual(['k', 'other']);
  });

  it('ignores a half-written temp file left next to a document', async () => {
    const store = new FileStorage(dir);
    await store.write({ k: { v: 1 } });
    const document = await onlyDocument();
    const text = await readFile(document, 'utf8');
    await writeFile(path.join(dir, `.${path.basename(document)}.99999.0123456789ab.tmp`), text.slice(0, 5));

    expect((await store.read(['k'])).k.v).toBe(1);
    expect(await store.keys()).toEqual(['k']);
    await store.write({ k: { v: 2 } });
    expect((await new FileStorage(dir).read(['k'])).k.v).toBe(2);
  });

  it('reports a corrupt document with its key and file, and can overwrite it', async () => {
    const store = new FileStorage(dir);
    await store.write({ 'user/42': { v: 1 } });
    const document = await onlyDocument();
    await writeFile(document, '{"key": "user/42", "eTag": "1", "item": {');
    await store.write({ fine: { v: 1 } });

    const failure = await store.read(['user/42']).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(SyntaxError);
    expect((failure as Error).message).toContain('"user/42"');
    expect((failure as Error).message).toContain(document);
    await expect(store.keys()).rejects.toThrow(document);
    await expect(store.write({ 'user/42': { v: 2, eTag: '1' } })).rejects.toThrow(document);

    expect((await store.read(['fine'])).fine.v).toBe(1);
    await store.write({ 'user/42': { v: 3 } });
    expect((await store.read(['user/42']))['user/42'].v).toBe(3);
  });
});

describe('FileStorage concurrency in one process', () => {
  it('lets exactly one of 50 concurrent writers with the same eTag win', async () => {
    const stores = [new FileStorage(dir), new FileStorage(dir)];
    await stores[0]!.write({ k: { by: -1 } });
    const eTag = await eTagOf(stores[0]!, 'k');

    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.write({ k: { by: i, eTag } })));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isETagConflict(r.reason)).toBe(true);
    expect((await stores[1]!.read(['k'])).k.by).toBe(winners[0]);
  });

  it('loses no update when concurrent read-modify-write loops retry on conflict', async () => {
    const store = new FileStorage(dir);
    await store.write({ counter: { n: 0 } });
    const increment = async () => {
      for (;;) {
        const { counter } = await store.read(['counter']);
        try {
          await store.write({ counter: { n: counter.n + 1, eTag: counter.eTag } });
          return;
        } catch (err) {
          if (!isETagConflict(err)) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: 40 }, increment));
    expect((await store.read(['counter'])).counter.n).toBe(40);
  });

  it('writes many keys at once', async () => {
    const store = new FileStorage(dir);
    const keys = Array.from({ length: 500 }, (_, i) => `conversation/${i}`);
    await store.write(Object.fromEntries(keys.map((k, i) => [k, { i }])));
    const items = await store.read(keys);
    expect(Object.keys(items)).toHaveLength(500);
    expect(items['conversation/321'].i).toBe(321);
    expect(await store.keys('conversation/')).toHaveLength(500);
  });
});

describe('FileStorage across processes', () => {
  let lib: string;

  // Children run the compiled store; the test compiles src/storage with TypeScript's transpiler.
  beforeAll(async () => {
    lib = await mkdtemp(path.join(os.tmpdir(), 'filestorage-lib-'));
    const src = path.join(__dirname, '../../src/storage');
    for (const name of (await readdir(src)).filter((n) => n.endsWith('.ts'))) {
      const output = ts.transpileModule(await readFile(path.join(src, name), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      await writeFile(path.join(lib, name.replace(/\.ts$/, '.js')), output.outputText);
    }
    await writeFile(path.join(lib, 'child.js'), CHILD);
  });

  afterAll(async () => {
    await rm(lib, { recursive: true, force: true });
  });

  function child(...args: string[]) {
    const proc = spawn(process.execPath, [path.join(lib, 'child.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.on('exit', (code) => resolve({ code, stderr })));
    return { proc, exited };
  }

  it('loses no update when processes increment one counter, all starting on the lock a killed process left', async () => {
    await new FileStorage(dir).write({ counter: { n: 0 } });
    // A holder that died: every child finds its lock at once, and only one may break it.
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('exit', resolve));
    await writeFile(path.join(dir, `.${path.basename(await onlyDocument())}.lock`), `${ownerTag({ ...SELF, pid: dead.pid as number, start: '' })} left-by-a-crash`);
    const runs = await Promise.all(Array.from({ length: 6 }, () => child('increment', dir, '15').exited));
    for (const run of runs) expect(run).toEqual({ code: 0, stderr: '' });
    expect((await new FileStorage(dir).read(['counter'])).counter.n).toBe(90);
  });

  it('never leaves a half-written document when a writer is killed, breaks its lock at once, and cleans up after it', async () => {
    // Locks broken by age only after 60 s: a write within the 3 s limit means the dead writer's lock was broken for its death.
    const store = new FileStorage(dir, { staleLockMs: 60_000, lockTimeoutMs: 3_000 });
    await store.write({ doc: { i: 0, big: '' } });
    const writer = child('churn', dir, String(4_000_000));
    await new Promise<void>((resolve) => {
      let seen = 0;
      writer.proc.stdout.on('data', (c: Buffer) => {
        seen += c.toString('utf8').split('\n').length - 1;
        if (seen >= 2) resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
    writer.proc.kill('SIGKILL');
    await writer.exited;

    const { doc } = await store.read(['doc']);
    expect(doc.i).toBeGreaterThanOrEqual(2);
    expect(doc.big).toHaveLength(4_000_000);
    expect(await store.keys()).toEqual(['doc']);
    await store.write({ doc: { i: -1, eTag: doc.eTag } });
    expect((await store.read(['doc'])).doc.i).toBe(-1);
    await store.cleanUp();
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('isETagConflict', () => {
  it("recognises our conflicts and botbuilder MemoryStorage's", async () => {
    expect(isETagConflict(new ETagConflictError('k'))).toBe(true);
    const memory = new MemoryStorage();
    await memory.write({ k: { v: 1 } });
    const stale = await eTagOf(memory, 'k');
    await memory.write({ k: { v: 2 } });
    const err = await memory.write({ k: { v: 3, eTag: stale } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    expect(isETagConflict(err)).toBe(true);
  });

  it('recognises HTTP precondition failures from cloud stores, also when wrapped', () => {
    expect(isETagConflict(Object.assign(new Error('The condition specified was not met.'), { statusCode: 412, code: 'ConditionNotMet' }))).toBe(true);
    expect(isETagConflict({ code: 412 })).toBe(true);
    expect(isETagConflict({ code: 'PreconditionFailed' })).toBe(true);
    expect(isETagConflict(new Error('save failed', { cause: new ETagConflictError('k') }))).toBe(true);
  });

  it('is false for anything else', () => {
    expect(isETagConflict(new Error('disk full'))).toBe(false);
    expect(isETagConflict(Object.assign(new Error('not found'), { statusCode: 404 }))).toBe(false);
    expect(isETagConflict('eTag conflict')).toBe(false);
    expect(isETagConflict(undefined)).toBe(false);
    expect(isETagConflict(null)).toBe(false);
  });
});

describe('FileStorage as a botbuilder Storage', () => {
  it('is interchangeable with botbuilder storage types', () => {
    const ours: BotStorage = new FileStorage(dir);
    const theirs: Storage = new MemoryStorage();
    expect(ours).toBeDefined();
    expect(theirs).toBeDefined();
  });

  it('behaves like MemoryStorage', async () => {
    const script = async (s: Storage): Promise<unknown[]> => {
      const outcome = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: unknown) => (isETagConflict(e) ? 'conflict' : 'error'),
        );
      const log: unknown[] = [];
      await s.write({ a: { v: 1 }, b: { v: 1, list: [1, 2] } });
      const first = await s.read(['a', 'b', 'c']);
      log.push(withoutETags(first));
      log.push(await outcome(s.write({ a: { v: 2, eTag: first.a.eTag } })));
      log.push(await outcome(s.write({ a: { v: 3, eTag: first.a.eTag }, b: { v: 3, eTag: first.b.eTag } })));
      log.push(withoutETags(await s.read(['a', 'b'])));
      log.push(await outcome(s.write({ a: { v: 4, eTag: '*' } })));
      log.push(await outcome(s.write({ c: { v: 5, eTag: 'never-issued' } })));
      log.push(await outcome(s.delete(['b', 'nope'])));
      log.push(withoutETags(await s.read(['a', 'b', 'c'])));
      return log;
    };
    expect(await script(new FileStorage(dir))).toEqual(await script(new MemoryStorage()));
  });

  it('keeps conversation state across turns and restarts', async () => {
    await mkdir(dir, { recursive: true });
    const bot = (storage: BotStorage) => {
      const state = new ConversationState(storage);
      const count = state.createProperty<number>('count');
      return new TestAdapter(async (context) => {
        const n = (await count.get(context, 0)) + 1;
        await count.set(context, n);
        await state.saveChanges(context);
        await context.sendActivity(String(n));
      });
    };
    await bot(new FileStorage(dir)).send('hi').assertReply('1').send('again').assertReply('2');
    await bot(new FileStorage(dir)).send('back').assertReply('3');
    expect(await new FileStorage(dir).keys()).toHaveLength(1);
  });
});

/** The script the child processes run: `increment <dir> <times>` or `churn <dir> <bytes>`. */
const CHILD = `
const { FileStorage } = require('./FileStorage.js');
const { isETagConflict } = require('./Storage.js');
const [mode, dir, arg] = process.argv.slice(2);
(async () => {
  const store = new FileStorage(dir);
  if (mode === 'increment') {
    for (let done = 0; done < Number(arg); ) {
      const { counter } = await store.read(['counter']);
      try {
        await store.write({ counter: { n: counter.n + 1, eTag: counter.eTag } });
        done++;
      } catch (err) {
        if (!isETagConflict(err)) throw err;
      }
    }
  } else if (mode === 'churn') {
    const big = 'x'.repeat(Number(arg));
    for (let i = 1; ; i++) {
      await store.write({ doc: { i, big } });
      process.stdout.write(i + '\\n');
    }
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;
