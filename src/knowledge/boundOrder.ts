/**
 * The order in which `search` scores the articles a term brings: best possible score (bound) first, and
 * among equal bounds by article id, the order equal final scores are ranked in.
 *
 * An everyday word brings nearly every article (9,998 of 10,000 for "microsoft"), and their bounds
 * take few values. Grouping them in a `Map` by a floating-point bound boxes every key, and sorting a
 * group of thousands by id with a comparator costs more again: together, milliseconds per question. Here
 * bounds are grouped by a counting sort into buckets of width 1/BUCKETS, each bucket in id order (read
 * off the ranks the index already keeps), in time linear in the articles, with scratch arrays kept for
 * the index's lifetime. A bucket's ceiling bounds every article in it, so the scoring loop can stop at
 * the first bucket whose ceiling cannot place; within a bucket each article is still judged on its own
 * bound. Written by hand because a library sort would not do: even `TypedArray.prototype.sort` of
 * 10,000 numbers, with no key to carry, takes 0.5–0.8 ms on this machine.
 */
export const BUCKETS = 4096;
/** Bounds are at most about 1.05 (`search`'s score); any larger falls in the last bucket, whose ceiling is unbounded. */
const LAST = 2 * BUCKETS;
/** Below this share of all the articles, sorting the candidates by id rank costs less than reading every rank. */
const SORT_BELOW = 1 / 64;

export class BoundOrder {
  /** The articles arranged by `arrange`, by position, in scoring order. */
  readonly order: Int32Array;
  /** Each arranged article's bound, by position. */
  readonly boundAt: Float64Array;
  private readonly bucketAt: Uint16Array;
  private readonly marked: Uint8Array;
  private readonly starts = new Int32Array(LAST + 2);

  /**
   * @param idRank each article's place (by position) in the order of ids
   * @param byRank the position of the article at each place in that order
   */
  constructor(
    private readonly idRank: Int32Array,
    private readonly byRank: Int32Array,
  ) {
    const n = idRank.length;
    this.order = new Int32Array(n);
    this.boundAt = new Float64Array(n);
    this.bucketAt = new Uint16Array(n);
    this.marked = new Uint8Array(n);
  }

  /** The highest bound of any article in the bucket of the article at `at` (after `arrange`). */
  ceilingOf(at: number): number {
    const b = this.bucketAt[at] as number;
    return b >= LAST ? Infinity : b / BUCKETS;
  }

  /** The bucket of the article at `at` (after `arrange`): articles in one bucket are together in `order`. */
  bucketOf(at: number): number {
    return this.bucketAt[at] as number;
  }

  /**
   * Arranges the `articles` (positions) not yet `visited`, marking them visited and leaving out those
   * whose bound is not above 0, and returns how many it arranged: `order[0..count)`, highest bucket
   * first, each bucket by id rank.
   */
  arrange(articles: Int32Array, visited: Uint8Array, bound: (at: number) => number): number {
    const { order, boundAt, bucketAt, marked, starts, idRank, byRank } = this;
    let count = 0;
    let low = LAST;
    let high = 0;
    for (let i = 0; i < articles.length; i += 1) {
      const at = articles[i] as number;
      if (visited[at] === 1) continue;
      visited[at] = 1;
      const ub = bound(at);
      if (!(ub > 0)) continue;
      const b = Math.min(LAST, Math.ceil(ub * BUCKETS));
      boundAt[at] = ub;
      bucketAt[at] = b;
      // Gathered at the end of `order` for now; placed from the start below.
      order[order.length - 1 - count] = at;
      count += 1;
      if (b < low) low = b;
      if (b > high) high = b;
    }
    if (count === 0) return 0;
    starts.fill(0, low, high + 2);
    for (let k = order.length - count; k < order.length; k += 1) {
      const b = bucketAt[order[k] as number] as number;
      starts[b] = (starts[b] as number) + 1;
    }
    // Where each bucket starts, the highest first.
    let at0 = 0;
    for (let b = high; b >= low; b -= 1) {
      const size = starts[b] as number;
      starts[b] = at0;
      at0 += size;
    }
    const place = (at: number) => {
      const b = bucketAt[at] as number;
      const to = starts[b] as number;
      order[to] = at;
      starts[b] = to + 1;
    };
    if (count < SORT_BELOW * order.length) {
      const byId = Array.from(order.subarray(order.length - count)).sort((x, y) => (idRank[x] as number) - (idRank[y] as number));
      for (const at of byId) place(at);
    } else {
      for (let k = order.length - count; k < order.length; k += 1) marked[idRank[order[k] as number] as number] = 1;
      // Placing overwrites the gathered tail only after every article there is marked, and in rank order.
      for (let r = 0; r < marked.length; r += 1) {
        if (marked[r] === 0) continue;
        marked[r] = 0;
        place(byRank[r] as number);
      }
    }
    return count;
  }
}
