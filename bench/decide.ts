/**
 * `npm run bench:decide [-- --file test/eval/questions.yaml] [--rounds 30]`: the cost of the answering
 * core alone (`decide`: read the question, search, choose the passage, check answerability, band) on
 * every question of an evaluation file, in process, with no I/O. Prints the median and 90th percentile
 * per call, and the same beside a reference run of `JSON.parse` on a small activity in the same process
 * (so a figure from a busy machine can be compared with one from an idle one as a ratio).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { decide } from '../src/answering/answer';
import { loadDialogs } from '../src/dialogs/loadDialogs';
import { loadKnowledge } from '../src/knowledge/loadKnowledge';
import { benchArgs } from './harness';

const ROOT = path.resolve(__dirname, '../..');

/** Every question text in the file: each `q`, and plain strings in lists (older files). */
function questionsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => questionsIn(v, out));
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.q === 'string') out.push(record.q);
    if (Array.isArray(record.turns)) questionsIn(record.turns, out);
    for (const [k, v] of Object.entries(record)) if (Array.isArray(v) && k !== 'turns' && k !== 'facts') questionsIn(v, out);
  }
  return out;
}

function timeEach(run: () => void, rounds: number): number[] {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const t = process.hrtime.bigint();
    run();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const { values } = benchArgs({ options: { file: { type: 'string', default: 'test/eval/questions.yaml' }, rounds: { type: 'string', default: '30' } } });
  const rounds = Math.min(1000, Math.max(1, Number(values.rounds)));
  const questions = [...new Set(questionsIn(parse(readFileSync(path.resolve(ROOT, values.file), 'utf8'))))];
  const [kb, dialogs] = await Promise.all([loadKnowledge(path.join(ROOT, 'knowledge')), loadDialogs(path.join(ROOT, 'dialogs'))]);
  if (!kb.success || !dialogs.success) throw new Error('knowledge or dialogs did not load');
  const index = kb.data.index;
  // As the bot decides: small talk recognised first.
  const options = { smallTalk: dialogs.data.phrases.smallTalk };
  for (const q of questions) decide(q, index, options); // warm up: stems and spelling memos, JIT
  const activity = JSON.stringify({ type: 'message', id: '1', channelId: 'webchat', from: { id: 'u' }, conversation: { id: 'c' }, text: 'when is wpc?' });
  const costs: number[] = [];
  const reference: number[] = [];
  for (let r = 0; r < rounds; r += 1) {
    for (const q of questions) costs.push(...timeEach(() => decide(q, index, options), 1));
    reference.push(...timeEach(() => JSON.parse(activity), questions.length));
  }
  costs.sort((a, b) => a - b);
  reference.sort((a, b) => a - b);
  const p50 = percentile(costs, 50);
  const ref = percentile(reference, 50);
  console.log(`decide over ${questions.length} questions x ${rounds} rounds (${values.file}):`);
  console.log(`  median ${(p50 * 1000).toFixed(1)} us, p90 ${(percentile(costs, 90) * 1000).toFixed(1)} us, p99 ${(percentile(costs, 99) * 1000).toFixed(1)} us`);
  console.log(`  reference (JSON.parse of an activity): median ${(ref * 1000).toFixed(2)} us; decide median = ${(p50 / ref).toFixed(0)}x reference`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
