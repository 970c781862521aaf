/**
 * One size of `npm run bench:scale`, in its own process: loads the knowledge folder given, then times
 * `decide` on generated questions, as the bot decides (small talk recognised first). Prints one JSON line.
 *
 *   node dist/bench/scaleWorker.js <knowledge-dir> <questions>
 */
import path from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { decide, type DecideOptions } from '../src/answering/answer';
import { loadDialogs } from '../src/dialogs/loadDialogs';
import { collectGarbage } from '../src/heap';
import { loadKnowledge } from '../src/knowledge/loadKnowledge';
import { benchQuestionsFor, rng, vocabulary } from './generateKnowledge';
import { ROOT } from './harness';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The garbage collections (with their kind and pause) while `run` runs. */
async function collectionsDuring(run: () => Promise<void>): Promise<{ kind: number; duration: number }[]> {
  const seen: { kind: number; duration: number }[] = [];
  let started = Infinity;
  let ended = Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      if (e.startTime >= started && e.startTime <= ended) seen.push({ kind: e.detail?.kind ?? 0, duration: e.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  started = performance.now();
  await run();
  ended = performance.now();
  // Entries are delivered after the run, on the event loop.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return seen;
}

async function main(): Promise<void> {
  const [dir, n] = process.argv.slice(2);
  if (!dir) throw new Error('usage: scaleWorker <knowledge-dir> <questions>');
  const dialogs = await loadDialogs(path.join(ROOT, 'dialogs'));
  if (!dialogs.success) throw new Error('the dialogs did not load');
  const started = performance.now();
  const kb = await loadKnowledge(dir);
  const loadMs = performance.now() - started;
  if (!kb.success) throw new Error(`knowledge did not load: ${kb.problems.slice(0, 3).map((p) => `${p.file}:${p.line} ${p.message}`).join('; ')}`);
  const rssAfterLoadMb = process.memoryUsage().rss / 2 ** 20;
  // As the bot does after its load, before it listens (`collectGarbage` says why).
  const collected = collectGarbage();
  const options: DecideOptions = { smallTalk: dialogs.data.phrases.smallTalk };
  // The same vocabulary the generator used (same seed), to make questions from.
  const v = vocabulary(rng(42));
  const { common, rare } = benchQuestionsFor(v, Number(n ?? 500));
  // Warm-up (JIT, stems) on questions made with another seed: the timed questions are all new to the
  // answer cache, as a partner's unseen question is.
  const warm = benchQuestionsFor(v, 20, 99);
  // Wall time per question, and the process's CPU time (all its threads: the garbage collector's helpers
  // too), which a busy machine's other work does not add to.
  const time = async (qs: readonly string[], warmUp: readonly string[]) => {
    for (const q of warmUp) decide(q, kb.data.index, options);
    const wall: number[] = [];
    const cpu: number[] = [];
    const asked = [...new Set(qs)];
    const collections = await collectionsDuring(async () => {
      for (const q of asked) {
        // Each question in a turn of its own, as the bot answers each message: V8's own tasks (the steps
        // of an old-generation collection under way) run between turns, not inside a question.
        await new Promise((resolve) => setImmediate(resolve));
        const c = process.cpuUsage();
        const t = performance.now();
        decide(q, kb.data.index, options);
        wall.push(performance.now() - t);
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
      }
    });
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const young = collections.filter((e) => e.kind === constants.NODE_PERFORMANCE_GC_MINOR);
    const full = collections.filter((e) => e.kind !== constants.NODE_PERFORMANCE_GC_MINOR);
    const per100 = (n: number) => (100 * n) / Math.max(1, asked.length);
    return {
      p50: percentile(wall, 50),
      p99: percentile(wall, 99),
      max: wall[wall.length - 1] ?? NaN,
      cpuP50: percentile(cpu, 50),
      cpuP99: percentile(cpu, 99),
      // The garbage collector's pauses land on whichever question is running: how many questions in 100
      // met a young-generation collection, and how long those took (the longest, and the median).
      gc: {
        youngPer100: per100(young.length),
        youngMedianMs: percentile(young.map((e) => e.duration).sort((a, b) => a - b), 50),
        youngMaxMs: Math.max(0, ...young.map((e) => e.duration)),
        fullPer100: per100(full.length),
        fullMaxMs: Math.max(0, ...full.map((e) => e.duration)),
      },
    };
  };
  const figures = { loadMs, rssAfterLoadMb, collected: collected ?? null, peakRssMb: process.resourceUsage().maxRSS / 1024, common: await time(common, warm.common), rare: await time(rare, warm.rare) };
  console.log(JSON.stringify(figures));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
