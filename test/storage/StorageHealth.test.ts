import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { ETagConflictError } from '../../src/storage/Storage';
import { StorageHealth, StorageUnavailable, storageFault } from '../../src/storage/StorageHealth';
import { FaultyStorage, fsError } from '../helpers/faultyStorage';

function logged() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', sink), named: (msg: string) => lines.filter((l) => l.msg === msg) };
}

const until = async (check: () => boolean, what: string, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => err,
  );

describe('StorageHealth', () => {
  let monitors: StorageHealth[] = [];
  const monitor = (inner: FaultyStorage, extra: Partial<ConstructorParameters<typeof StorageHealth>[1]> = {}) => {
    const log = logged();
    const health = new StorageHealth(inner, { timeoutMs: 1000, retryMs: 30, checkMs: 60_000, logger: log.logger, ...extra });
    monitors.push(health);
    return { health, log };
  };
  afterEach(() => {
    monitors.forEach((m) => m.stop());
    monitors = [];
  });

  it('passes data errors through (eTag conflicts, items that are not objects) without calling the storage unavailable', async () => {
    const inner = new FaultyStorage();
    const { health, log } = monitor(inner);
    await health.write({ k: { v: 1 } });
    const stale = ((await health.read(['k'])).k as { eTag: string }).eTag;
    await health.write({ k: { v: 2 } });
    inner.failWith(() => new ETagConflictError('k'));
    expect(await outcome(health.write({ k: { v: 3, eTag: stale } }))).toBeInstanceOf(ETagConflictError);
    inner.failWith(() => new TypeError('Storage: the item for "k" must be an object'));
    expect(await outcome(health.write({ k: 5 }))).toBeInstanceOf(TypeError);
    expect(health.state()).toEqual({ available: true });
    expect(log.lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
  });

  it.each([
    ['EROFS', 'the storage is read-only'],
    ['ENOSPC', 'the storage is full'],
    ['EACCES', 'the bot is not allowed to write to its storage'],
    ['EIO', 'the storage reports an input/output error'],
  ])('turns %s into StorageUnavailable with a reason that names no file and quotes no system message', async (code, reason) => {
    const inner = new FaultyStorage();
    const { health } = monitor(inner);
    inner.failWith(() => fsError(code), { writesOnly: true });
    const err = await outcome(health.write({ k: { v: 1 } }));
    expect(err).toBeInstanceOf(StorageUnavailable);
    expect((err as StorageUnavailable).reason).toBe(reason);
    expect((err as StorageUnavailable).message).not.toMatch(/\/srv|\.json|secret-conv|read-only file system|no space left|permission denied|i\/o error/);
    expect(health.state()).toMatchObject({ available: false, reason });
  });

  it('logs an incident once, refuses every operation at once while it lasts, and ends it by itself when a probe write works', async () => {
    const inner = new FaultyStorage();
    const { health, log } = monitor(inner);
    health.start();
    await health.write({ k: { v: 1 } });
    inner.failWith(() => fsError('ENOSPC', 'write'), { writesOnly: true });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(health.write({ [`k${i}`]: { v: i } }))));
    expect(results.every((r) => r instanceof StorageUnavailable)).toBe(true);
    // Reads would work on this disk, but are refused too: nothing waits on or half-uses a failing store.
    const callsBefore = inner.calls;
    expect(await outcome(health.read(['k']))).toBeInstanceOf(StorageUnavailable);
    expect(inner.calls - callsBefore).toBeLessThanOrEqual(1); // at most a probe meanwhile
    expect(log.named('storage unavailable')).toHaveLength(1);
    expect(log.named('storage unavailable')[0]).toMatchObject({ reason: 'the storage is full', error: { code: 'ENOSPC', syscall: 'write' } });
    expect(JSON.stringify(log.lines)).not.toMatch(/secret-conv|\/srv\/bot/);

    await new Promise((r) => setTimeout(r, 200)); // several failing probes: still one incident
    expect(log.named('storage unavailable')).toHaveLength(1);
    inner.heal();
    await until(() => health.state().available, 'recovery');
    expect((await health.read(['k'])).k).toMatchObject({ v: 1 });
    await health.write({ after: { v: 1 } });
    expect(log.named('storage available again')).toEqual([expect.objectContaining({ reason: 'the storage is full', refused: expect.any(Number) })]);
    expect(log.named('storage available again')[0]?.refused as number).toBeGreaterThanOrEqual(20);
    // The probe leaves nothing behind.
    expect(Object.keys(await inner.inner.read(['after', 'k'])).sort()).toEqual(['after', 'k']);
  });

  it('counts a storage that does not answer as unavailable after the time limit, and recovers when it answers again', async () => {
    const inner = new FaultyStorage();
    const { health, log } = monitor(inner, { timeoutMs: 150 });
    health.start();
    inner.hang();
    const started = Date.now();
    const err = await outcome(health.read(['k']));
    expect(err).toBeInstanceOf(StorageUnavailable);
    expect((err as StorageUnavailable).reason).toBe('the storage did not answer within 0.2 s');
    expect(Date.now() - started).toBeLessThan(5000);
    // Further operations do not pile up on the hung store.
    const hangingBefore = inner.hanging;
    await Promise.all(Array.from({ length: 10 }, () => outcome(health.write({ x: { v: 1 } }))));
    expect(inner.hanging - hangingBefore).toBeLessThanOrEqual(2);
    inner.heal();
    await until(() => health.state().available, 'recovery');
    expect(log.named('storage unavailable')).toHaveLength(1);
    expect(log.named('storage available again')).toHaveLength(1);
  });

  it('notices a failure without any traffic (the periodic probe), so /readyz tells the load balancer', async () => {
    const inner = new FaultyStorage();
    const { health, log } = monitor(inner, { checkMs: 30 });
    health.start();
    inner.failWith(() => fsError('EROFS'), { writesOnly: true });
    await until(() => !health.state().available, 'the probe to notice');
    expect(health.state()).toMatchObject({ available: false, reason: 'the storage is read-only' });
    expect(log.named('storage unavailable')[0]).toMatchObject({ operation: 'probe' });
    health.stop();
  });

  it('recognises failures of storage services (Azure Blob, Cosmos) and leaves their data errors alone', () => {
    const restError = (props: Record<string, unknown>) => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000'), { name: 'RestError', ...props });
    expect(storageFault(restError({ code: 'ECONNREFUSED' }), 5000)).toBe('the storage service cannot be reached');
    expect(storageFault(restError({ code: 'REQUEST_SEND_ERROR' }), 5000)).toBe('the storage service cannot be reached');
    expect(storageFault(restError({ statusCode: 503 }), 5000)).toBe('the storage service is overloaded');
    expect(storageFault(restError({ statusCode: 500 }), 5000)).toBe('the storage service is failing');
    expect(storageFault(restError({ statusCode: 403, code: 'AuthenticationFailed' }), 5000)).toBe("the storage service refuses the bot's credentials");
    expect(storageFault({ code: 429 }, 5000)).toBe('the storage service is overloaded');
    expect(storageFault(new Error('wrapped', { cause: fsError('EROFS') }), 5000)).toBe('the storage is read-only');
    // Not the storage failing: a conflict, a missing document, a corrupt file, a bug.
    expect(storageFault(restError({ statusCode: 412, code: 'ConditionNotMet' }), 5000)).toBeUndefined();
    expect(storageFault(restError({ statusCode: 404 }), 5000)).toBeUndefined();
    expect(storageFault(new Error('Storage: cannot read "k" from /x: the file is not valid JSON'), 5000)).toBeUndefined();
    expect(storageFault(new TypeError('x is not a function'), 5000)).toBeUndefined();
    expect(storageFault(fsError('ENOENT'), 5000)).toBeUndefined();
  });
});
