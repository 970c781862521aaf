/**
 * One size of `npm run bench:scale`, in its own process: loads the knowledge folder given, then times
 * `decide` on generated questions. Prints one JSON line.
 *
 *   node dist/bench/scaleWorker.js <knowledge-dir> <questions>
 */
import { decide } from '../src/answering/answer';
import { loadKnowledge } from '../src/knowledge/loadKnowledge';
import { benchQuestionsFor, rng, vocabulary } from './generateKnowledge';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const [dir, n] = process.argv.slice(2);
  if (!dir) throw new Error('usage: scaleWorker <knowledge-dir> <questions>');
  const started = performance.now();
  const kb = await loadKnowledge(dir);
  const loadMs = performance.now() - started;
  if (!kb.success) throw new Error(`knowledge did not load: ${kb.problems.slice(0, 3).map((p) => `${p.file}:${p.line} ${p.message}`).join('; ')}`);
  const rssAfterLoadMb = process.memoryUsage().rss / 2 ** 20;
  // The same vocabulary the generator used (same seed), to make questions from.
  const v = vocabulary(rng(42));
  const { common, rare } = benchQuestionsFor(v, Number(n ?? 500));
  const time = (qs: readonly string[]) => {
    for (const q of qs.slice(0, 20)) decide(q, kb.data.index); // warm-up
    const ms = qs.map((q) => {
      const t = performance.now();
      decide(q, kb.data.index);
      return performance.now() - t;
    });
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  };
  const figures = { loadMs, rssAfterLoadMb, peakRssMb: process.resourceUsage().maxRSS / 1024, common: time(common), rare: time(rare) };
  console.log(JSON.stringify(figures));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
