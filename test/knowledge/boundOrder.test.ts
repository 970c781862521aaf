import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchQuestionsFor, generateKnowledge } from '../../bench/generateKnowledge';
import { BoundOrder, BUCKETS } from '../../src/knowledge/boundOrder';
import type { KnowledgeIndex, SearchResult } from '../../src/knowledge/KnowledgeIndex';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';

/** Ranks by id for positions 0..n-1 given as the order of ids (`byRank[r]` is the position at rank r). */
function ranks(byRank: number[]): { idRank: Int32Array; byRank: Int32Array } {
  const idRank = new Int32Array(byRank.length);
  byRank.forEach((at, r) => (idRank[at] = r));
  return { idRank, byRank: Int32Array.from(byRank) };
}

describe('BoundOrder', () => {
  // 40 articles; id order is positions reversed in pairs, so position order is not id order.
  const n = 40;
  const byRankList = Array.from({ length: n }, (_, r) => (r % 2 === 0 ? r + 1 : r - 1));
  const { idRank, byRank } = ranks(byRankList);
  const bounds = Array.from({ length: n }, (_, at) => [0.5, 0.25, 0, 0.75, -1][at % 5] as number);

  const arranged = (order: BoundOrder, count: number) => Array.from(order.order.subarray(0, count));

  it('puts the best bound first and equal bounds in id order, leaving out visited articles and bounds not above 0', () => {
    for (const candidates of [Array.from({ length: n }, (_, at) => at), [3, 6, 8, 9, 13]]) {
      const order = new BoundOrder(idRank, byRank);
      const visited = new Uint8Array(n);
      visited[8] = 1;
      const count = order.arrange(Int32Array.from(candidates), visited, (at) => bounds[at] as number);
      const expected = candidates
        .filter((at) => at !== 8 && (bounds[at] as number) > 0)
        .sort((x, y) => (bounds[y] as number) - (bounds[x] as number) || (idRank[x] as number) - (idRank[y] as number));
      expect(arranged(order, count)).toEqual(expected);
      // Every candidate is visited now, and a second look brings none of them again.
      for (const at of candidates) expect(visited[at]).toBe(1);
      expect(order.arrange(Int32Array.from(candidates), visited, (at) => bounds[at] as number)).toBe(0);
    }
  });

  it('gives each article a bucket ceiling no lower than its bound, and keeps its exact bound', () => {
    const order = new BoundOrder(idRank, byRank);
    const exact = (at: number) => 0.1 + at / 1000;
    const count = order.arrange(Int32Array.from({ length: n }, (_, at) => at), new Uint8Array(n), exact);
    for (const at of arranged(order, count)) {
      expect(order.ceilingOf(at)).toBeGreaterThanOrEqual(exact(at));
      expect(order.ceilingOf(at) - exact(at)).toBeLessThanOrEqual(1 / BUCKETS);
      expect(order.boundAt[at]).toBe(exact(at));
    }
    // Bounds beyond any score still sort first, under a ceiling that holds them.
    const huge = order.arrange(Int32Array.from([0, 1]), new Uint8Array(n), (at) => (at === 0 ? 5 : 0.5));
    expect(arranged(order, huge)).toEqual([0, 1]);
    expect(order.ceilingOf(0)).toBe(Infinity);
  });
});

describe('search on a generated knowledge base of 400 articles', () => {
  let tmp: string;
  let index: KnowledgeIndex;
  let questions: string[];

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-bounds-'));
    const v = await generateKnowledge(path.join(tmp, 'kb'), 400);
    const kb = await loadKnowledge(path.join(tmp, 'kb'));
    if (!kb.success) throw new Error('the generated knowledge base does not load');
    index = kb.data.index;
    const { common, rare } = benchQuestionsFor(v, 30);
    questions = [...common, ...rare];
  }, 60_000);

  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('gives the same best hits as ranking every article, for everyday words and for a rare word with a typo', () => {
    const view = (r: SearchResult) => r.hits.map((h) => [h.article.id, h.score]);
    let filledFromEverydayWords = 0;
    for (const q of questions) {
      const all = index.search(q, { limit: 10_000 });
      const few = index.search(q, { limit: 8 });
      expect([q, view(few)]).toEqual([q, view(all).slice(0, 8)]);
      // (Questions whose rarest word is in fewer than 8 articles fill the rest from the everyday words.)
      if (all.hits.length >= 8 && (all.hits[7]?.score ?? 1) < 0.1) filledFromEverydayWords += 1;
    }
    expect(filledFromEverydayWords).toBeGreaterThan(0);
  });
});
