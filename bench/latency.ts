/**
 * `npm run bench`: what a turn costs. Three measurements, all on loopback and bounded in count:
 *   1. the answering core alone (decide: analyse, search, band) on the evaluation questions;
 *   2. an HTTP turn (`expectReplies`) against botbuilder's echo bot, the floor set by the SDK;
 *   3. the same against the real bot process with the bundled knowledge base.
 * For 2 and 3: latency with one client at a time, then throughput with concurrent connections.
 *
 *   npm run bench -- [--requests 3000] [--connections 16]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { decide } from '../src/answering/answer';
import { loadKnowledge } from '../src/knowledge/loadKnowledge';
import { parseQuestionSet } from '../src/knowledge/questionSet';

const ROOT = path.resolve(__dirname, '../..');

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Starts a server script that prints a JSON line with its port; resolves with the port. */
async function startServer(script: string, env: Record<string, string>): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--no-deprecation', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('utf8');
      const m = /"port":(\d+)/.exec(buf);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining log lines, as a log collector would
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { port, child };
}

async function load(port: number, label: string, questions: readonly string[], requests: number, connections: number): Promise<void> {
  let n = 0;
  const run = (conns: number, amount: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/api/messages`,
      connections: conns,
      amount,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            n += 1;
            return {
              ...req,
              body: JSON.stringify({
                type: 'message',
                id: `b${n}`,
                channelId: 'emulator',
                deliveryMode: 'expectReplies',
                conversation: { id: `bench-${n % 50}` },
                from: { id: `partner-${n % 50}` },
                recipient: { id: 'bot' },
                text: questions[n % questions.length],
              }),
            };
          },
        },
      ],
    });
  await run(4, 500); // warm-up
  const one = await run(1, requests);
  const many = await run(connections, requests * 2);
  const bad = one.non2xx + many.non2xx + one.errors + many.errors;
  console.log(
    `${label.padEnd(22)} one at a time: p50 ${one.latency.p50} ms, p99 ${one.latency.p99} ms | ` +
      `${connections} connections: ${Math.round(many.requests.average)} turns/s, p50 ${many.latency.p50} ms, p99 ${many.latency.p99} ms` +
      (bad > 0 ? ` | ${bad} failed requests` : ''),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, connections: { type: 'string', default: '16' } } });
  const requests = Math.min(20000, Math.max(100, Number(values.requests)));
  const connections = Math.min(64, Math.max(1, Number(values.connections)));
  const set = parseQuestionSet(readFileSync(path.join(ROOT, 'test/eval/questions.yaml'), 'utf8'), 'questions.yaml');
  if (!set.success) throw new Error('cannot read the evaluation set');
  const questions = [...set.data.questions.map((q) => q.q), ...set.data.outOfScope.map((q) => q.q)];

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
    ['partner bot', path.join(ROOT, 'dist/src/index.js'), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }],
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
