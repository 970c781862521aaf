import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Whether an action may go ahead; when not, how long until it may. */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number; readonly first: boolean };

/**
 * At most `points` actions per key in each window of `windowSeconds` (a fixed window that starts at
 * the key's first action), counted by rate-limiter-flexible's in-process limiter.
 *
 * That limiter keeps a record for every key seen in the current window and has no bound on how many;
 * keys here come from requests (client addresses, conversation and partner ids), so this class bounds
 * them: it tracks each key's window end in insertion order (which, with one window length, is also
 * expiry order), drops expired keys from the front, and beyond `maxKeys` forgets the key whose window
 * started longest ago. Long keys are hashed, so each costs the same.
 */
export class KeyedLimiter {
  private readonly limiter: RateLimiterMemory;
  /** Key → end of its window (ms since the epoch), oldest window first. */
  private readonly windows = new Map<string, number>();

  constructor(
    readonly points: number,
    readonly windowSeconds: number,
    private readonly maxKeys: number,
  ) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be a whole number of at least 1');
    this.limiter = new RateLimiterMemory({ points, duration: windowSeconds });
  }

  /** Counts one action for `key`. */
  async take(key: string): Promise<Verdict> {
    const k = compact(key);
    this.track(k);
    try {
      await this.limiter.consume(k);
      return { ok: true };
    } catch (res) {
      if (res instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)), first: res.consumedPoints === this.points + 1 };
      throw res;
    }
  }

  /** Keys tracked now (each with a window that has not ended, or not yet been swept). */
  get size(): number {
    return this.windows.size;
  }

  private track(key: string): void {
    const now = Date.now();
    const end = this.windows.get(key);
    if (end !== undefined && end > now) return;
    if (end !== undefined) this.windows.delete(key);
    for (const [oldest, oldestEnd] of this.windows) {
      if (oldestEnd > now && this.windows.size < this.maxKeys) break;
      this.windows.delete(oldest);
      void this.limiter.delete(oldest);
    }
    this.windows.set(key, now + this.windowSeconds * 1000);
  }
}

/** Keys of any length cost the same (about 0.75 KB each, with the limiter's record and its timer): long ones are replaced by a hash. */
function compact(key: string): string {
  return key.length <= 24 ? key : `#${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`;
}
