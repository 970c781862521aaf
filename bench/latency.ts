/**
 * `npm run bench`: what a turn costs. Three measurements, all on loopback and bounded in count:
 *   1. the answering core alone (decide: analyse, search, band) on the evaluation questions;
 *   2. an HTTP turn (`expectReplies`) against botbuilder's echo bot, the floor set by the SDK;
 *   3. the same against the real bot process with the bundled knowledge base.
 * For 2 and 3: latency with one client at a time, then throughput with concurrent connections.
 *
 *   npm run bench -- [--requests 3000] [--connections 16]
 */
import path from 'node:path';
import { decide } from '../src/answering/answer';
import { loadKnowledge } from '../src/knowledge/loadKnowledge';
import { benchArgs, benchQuestions, load, percentile, ROOT, startServer } from './harness';

async function main(): Promise<void> {
  const { values } = benchArgs({ options: { requests: { type: 'string', default: '3000' }, connections: { type: 'string', default: '16' } } });
  const requests = Math.min(20000, Math.max(100, Number(values.requests)));
  const connections = Math.min(64, Math.max(1, Number(values.connections)));
  const questions = benchQuestions();

  const kb = await loadKnowledge(path.join(ROOT, 'knowledge'));
  if (!kb.success) throw new Error('knowledge did not load');
  const coreMs: number[] = [];
  for (let i = 0; i < 20000; i += 1) {
    const t = process.hrtime.bigint();
    decide(questions[i % questions.length] as string, kb.data.index);
    coreMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  coreMs.sort((a, b) => a - b);
  const mean = coreMs.reduce((s, x) => s + x, 0) / coreMs.length;
  console.log(`answering core (decide) over 20000 questions: mean ${mean.toFixed(3)} ms, p50 ${percentile(coreMs, 50).toFixed(3)} ms, p99 ${percentile(coreMs, 99).toFixed(3)} ms`);

  for (const [label, script, env] of [
    ['SDK echo bot (floor)', path.join(ROOT, 'dist/bench/echoServer.js'), {}],
    // State in memory, to compare the bot's own work with the echo bot; `npm run bench:storage` gives
    // the cost of each durable backend.
    ['partner bot (memory)', path.join(ROOT, 'dist/src/index.js'), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STORAGE: 'memory' }],
  ] as const) {
    const { port, child } = await startServer(script, env);
    try {
      await load(port, label, questions, requests, connections);
    } finally {
      child.kill('SIGTERM');
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
