import { KeyedLimiter } from '../../src/limits/KeyedLimiter';

describe('KeyedLimiter', () => {
  it('allows `points` actions per key in a window, then refuses with the seconds left in it', async () => {
    const limiter = new KeyedLimiter(3, 60, 100);
    for (let i = 0; i < 3; i += 1) expect(await limiter.take('conv-a')).toEqual({ ok: true });
    const refused = await limiter.take('conv-a');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    // Another key is not affected.
    expect(await limiter.take('conv-b')).toEqual({ ok: true });
  });

  it('starts a new window once the old one has passed', async () => {
    const limiter = new KeyedLimiter(1, 1, 100);
    expect((await limiter.take('k')).ok).toBe(true);
    expect((await limiter.take('k')).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await limiter.take('k')).ok).toBe(true);
  });

  it('remembers at most maxKeys keys, forgetting the one whose window started first', async () => {
    const limiter = new KeyedLimiter(1, 60, 3);
    for (let i = 0; i < 1000; i += 1) await limiter.take(`key-${i}`);
    expect(limiter.size).toBe(3);
    // The last three are still limited; the first was forgotten and starts afresh.
    expect((await limiter.take('key-999')).ok).toBe(false);
    expect((await limiter.take('key-0')).ok).toBe(true);
  });

  it('treats a very long key like any other, and two long keys apart', async () => {
    const limiter = new KeyedLimiter(1, 60, 10);
    const long = 'x'.repeat(100_000);
    expect((await limiter.take(long)).ok).toBe(true);
    expect((await limiter.take(long)).ok).toBe(false);
    expect((await limiter.take(`${long}y`)).ok).toBe(true);
  });
});
