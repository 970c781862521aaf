import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { lutimes, mkdtemp, readdir, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withFileLock } from '../../src/storage/fileLock';
import { FileStorage } from '../../src/storage/FileStorage';
import { livenessOf, ownerOfPid, ownerTag, SELF, type Owner } from '../../src/storage/processOwner';

let dir: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'filelock-'));
});

afterEach(async () => {
  children.forEach((c) => c.kill('SIGKILL'));
  children = [];
  await rm(dir, { recursive: true, force: true });
});

/** A process that runs until killed (a live lock holder). */
async function liveProcess(): Promise<{ child: ChildProcess; owner: Owner }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve) => child.once('spawn', () => resolve()));
  return { child, owner: await ownerOfPid(child.pid as number) };
}

/** A process that has exited (a holder killed with SIGKILL): its pid is free. */
async function deadProcess(): Promise<Owner> {
  const { child, owner } = await liveProcess();
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  return owner;
}

/**
 * Leaves a lock file as a holder would, `ageMs` old: a symbolic link to its token, or (`plain`) a file
 * holding it, as earlier versions made locks.
 */
async function plantLock(file: string, owner: Owner | string, ageMs = 0, format: 'link' | 'plain' = 'link'): Promise<string> {
  const content = typeof owner === 'string' ? owner : `${ownerTag(owner)} ${randomUUID()}`;
  if (format === 'link') await symlink(content, file);
  else await writeFile(file, content);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    await (format === 'link' ? lutimes(file, then, then) : utimes(file, then, then));
  }
  return content;
}

/** Takes the lock with `timing` and says whether it was had (and the lock file was ours meanwhile). */
async function take(lock: string, timing: { staleLockMs: number; lockTimeoutMs: number }): Promise<'taken' | 'timed out'> {
  try {
    return await withFileLock(lock, timing, async () => {
      const content = await readlink(lock, 'utf8');
      expect(content.startsWith(`${ownerTag()} `)).toBe(true);
      return 'taken' as const;
    });
  } catch (err) {
    if (/timed out/.test((err as Error).message)) return 'timed out';
    throw err;
  }
}

// Locks are only ever broken by age after 60 s here: a lock had within the 3 s limit was broken for its holder's death.
const PATIENT = { staleLockMs: 60_000, lockTimeoutMs: 3_000 };

describe('the lock of a process that has died', () => {
  it('is broken at once (a process killed with SIGKILL while holding it)', async () => {
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, await deadProcess());
    expect(await take(lock, PATIENT)).toBe('taken');
    expect(await readdir(dir)).toEqual([]);
  });

  it('is broken when its pid now belongs to a process that started later', async () => {
    const { owner } = await liveProcess();
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, { ...owner, start: String(Number(owner.start) - 1) });
    expect(await take(lock, PATIENT)).toBe('taken');
  });

  it('is broken when it has our own pid but an earlier start (a restarted container, where the bot is pid 1 again)', async () => {
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, { ...SELF, start: String(Number(SELF.start) - 1) });
    expect(await livenessOf({ ...SELF, start: String(Number(SELF.start) - 1) })).toBe('dead');
    expect(await take(lock, PATIENT)).toBe('taken');
  });

  it('is broken when this process holds it but no operation does (a release that failed)', async () => {
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, SELF);
    expect(await take(lock, PATIENT)).toBe('taken');
  });
});

describe('the lock of a live process', () => {
  it('is waited for, and taken as soon as the holder goes', async () => {
    const { child, owner } = await liveProcess();
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, owner);
    expect(await take(lock, { staleLockMs: 60_000, lockTimeoutMs: 300 })).toBe('timed out');
    const waiting = take(lock, PATIENT);
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    expect(await waiting).toBe('taken');
  });

  it('is left alone when the holder cannot be checked (another container or boot), until it is older than staleLockMs', async () => {
    const lock = path.join(dir, '.doc.json.lock');
    const elsewhere: Owner = { scope: '0123456789ab', pid: process.pid, start: '1' };
    expect(await livenessOf(elsewhere)).toBe('unknown');
    await plantLock(lock, elsewhere);
    expect(await take(lock, { staleLockMs: 60_000, lockTimeoutMs: 300 })).toBe('timed out');
    expect(await take(lock, { staleLockMs: 200, lockTimeoutMs: 3000 })).toBe('taken');
  });

  it('in the format of earlier versions ("<pid> <uuid>") is judged by age only', async () => {
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, `${(await deadProcess()).pid} ${randomUUID()}`, 0, 'plain');
    expect(await take(lock, { staleLockMs: 60_000, lockTimeoutMs: 300 })).toBe('timed out');
    await plantLock(lock, `${(await deadProcess()).pid} ${randomUUID()}`, 61_000, 'plain');
    expect(await take(lock, PATIENT)).toBe('taken');
  });

  it('made as a plain file (as versions before symbolic-link locks did) is honoured, and broken at once when its holder has died', async () => {
    const { child, owner } = await liveProcess();
    const lock = path.join(dir, '.doc.json.lock');
    await plantLock(lock, owner, 0, 'plain');
    expect(await take(lock, { staleLockMs: 60_000, lockTimeoutMs: 300 })).toBe('timed out');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await take(lock, PATIENT)).toBe('taken');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('FileStorage.cleanUp', () => {
  it('removes the lock and temp files of dead processes, and leaves those of live ones and of writes in progress', async () => {
    const store = new FileStorage(dir);
    await store.write({ a: { v: 1 }, b: { v: 1 }, c: { v: 1 } });
    const docs = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
    expect(docs).toHaveLength(3);
    const [a, b, c] = docs as [string, string, string];
    const dead = await deadProcess();
    const { owner: live } = await liveProcess();
    const elsewhere: Owner = { scope: '0123456789ab', pid: 4242, start: '1' };
    const temp = (doc: string, owner: Owner) => path.join(dir, `.${doc}.${ownerTag(owner)}.0123456789ab.tmp`);

    await plantLock(path.join(dir, `.${a}.lock`), dead);
    await writeFile(temp(a, dead), '{"half');
    await plantLock(path.join(dir, `.${a}.lock.break`), dead);
    await plantLock(path.join(dir, `.${b}.lock`), live);
    await writeFile(temp(b, live), '{"in progress');
    await plantLock(path.join(dir, `.${c}.lock`), elsewhere);
    await writeFile(temp(c, elsewhere), '{"in progress');
    await writeFile(path.join(dir, `.${c}.31337.0123456789ab.tmp`), '{"older format'); // recent: left alone

    expect(await store.cleanUp()).toEqual({ locks: 2, temps: 1 });
    const left = (await readdir(dir)).sort();
    expect(left).toEqual(
      [...docs, `.${b}.lock`, path.basename(temp(b, live)), `.${c}.lock`, path.basename(temp(c, elsewhere)), `.${c}.31337.0123456789ab.tmp`].sort(),
    );
    expect(await store.read(['a', 'b', 'c'])).toMatchObject({ a: { v: 1 }, b: { v: 1 }, c: { v: 1 } });
    // Nothing of this process is taken for left over while it writes.
    await Promise.all([store.write({ a: { v: 2 } }), store.cleanUp()]);
    expect((await store.read(['a'])).a.v).toBe(2);
  });
});
