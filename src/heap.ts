import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What `collectGarbage` freed, and how long the collection took. */
export interface Collected {
  readonly heapBeforeMb: number;
  readonly heapAfterMb: number;
  readonly ms: number;
}

/**
 * One full garbage collection now, where this Node.js lets a program ask for one; `undefined` where it
 * does not.
 *
 * Why: building the knowledge base leaves its working data (everything the build held across young
 * collections) in the old generation: with 10,000 articles, heap use is 500–640 MB at the end of the build,
 * of which 115 MB is still used. V8 collects it only when the old generation next reaches its limit,
 * which a bot serving questions may not do for hours; until then every young collection walks all of
 * those pages, and the median young pause was about 8 ms instead of about 3 ms (measured with
 * `npm run bench:scale`, which calls this after loading, as the bot does). The bot collects once, after the
 * build and before it listens, so no partner waits on the collection.
 *
 * Node.js has no API for this; `gc` is exposed by `--expose-gc`, or for a moment at run time, the way
 * jest's leak detector does it (`jest-leak-detector`), and hidden again.
 */
export function collectGarbage(): Collected | undefined {
  const gc = exposedGc();
  if (!gc) return undefined;
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  gc();
  const ms = performance.now() - started;
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  return { heapBeforeMb: mb(before), heapAfterMb: mb(process.memoryUsage().heapUsed), ms: Math.round(ms) };
}

function exposedGc(): (() => void) | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    // A Node.js whose V8 flags are frozen after start: no collection, nothing else changes.
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
