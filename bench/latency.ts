/**
 * `npm run bench`: measures a turn over HTTP against the real bot process, and the answering core
 * alone. Sends partner questions from the evaluation set as `expectReplies` activities on loopback:
 * first one at a time (latency), then with a few concurrent clients (throughput). Bounded in count.
 *
 *   npm run bench -- [--requests 2000] [--concurrency 8]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decide } from '../src/answering/answer';
import { loadKnowledge } from '../src/knowledge/loadKnowledge';
import { parseQuestionSet } from '../src/knowledge/questionSet';

const ROOT = path.resolve(__dirname, '../..');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(s, 50).toFixed(2)} ms, p95 ${percentile(s, 95).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms, max ${(s[s.length - 1] ?? NaN).toFixed(2)} ms`;
}


async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } } });
  const requests = Math.min(20000, Math.max(1, Number(values.requests)));
  const concurrency = Math.min(64, Math.max(1, Number(values.concurrency)));
  const set = parseQuestionSet(readFileSync(path.join(ROOT, 'test/eval/questions.yaml'), 'utf8'), 'questions.yaml');
  if (!set.success) throw new Error('cannot read the evaluation set');
  const questions = [...set.data.questions.map((q) => q.q), ...set.data.outOfScope.map((q) => q.q)];

  // The answering core alone: what our code adds to each turn.
  const kb = await loadKnowledge(path.join(ROOT, 'knowledge'));
  if (!kb.success) throw new Error('knowledge did not load');
  const coreMs: number[] = [];
  for (let i = 0; i < 5000; i += 1) {
    const q = questions[i % questions.length] as string;
    const t = process.hrtime.bigint();
    decide(q, kb.data.index);
    coreMs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`answering core (decide), 5000 questions: ${summary(coreMs)}`);

  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/index.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_OPTIONS: '--no-deprecation' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        const m = /"port":(\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`bot exited with ${code}`)));
    });
    child.stdout.resume();
    const url = `http://127.0.0.1:${port}/api/messages`;
    let n = 0;
    const turn = async (): Promise<number> => {
      n += 1;
      const body = JSON.stringify({
        type: 'message',
        id: `b${n}`,
        channelId: 'emulator',
        deliveryMode: 'expectReplies',
        conversation: { id: `bench-${n % 50}` },
        from: { id: `partner-${n % 50}` },
        recipient: { id: 'bot' },
        text: questions[n % questions.length],
      });
      const t = process.hrtime.bigint();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return Number(process.hrtime.bigint() - t) / 1e6;
    };

    for (let i = 0; i < 200; i += 1) await turn(); // warm-up
    const sequential: number[] = [];
    for (let i = 0; i < requests; i += 1) sequential.push(await turn());
    console.log(`HTTP turn, one at a time, ${requests} requests: ${summary(sequential)}`);

    const concurrent: number[] = [];
    const started = Date.now();
    let left = requests;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left > 0) {
          left -= 1;
          concurrent.push(await turn());
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`HTTP turn, ${concurrency} concurrent clients, ${requests} requests: ${(requests / seconds).toFixed(0)} turns/s, ${summary(concurrent)}`);
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
