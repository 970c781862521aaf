/**
 * `npm run bench:flood`: does one conversation flooding the bot hold up everyone else?
 *
 * A real bot process on loopback (memory storage, the default fair-use limits). Well-behaved
 * partners ask one question at a time (each conversation and partner stays within its limits: a new
 * one every few questions), and their latency is measured in alternating phases: quiet, then while
 * another process floods /api/messages from one conversation (`expectReplies`) as fast as it can
 * over several connections. Prints the partners' p50 and p99 in each state, the ratio of the p99s
 * (target: under flood within 2x quiet), and what the flood got (mostly 429s).
 *
 * Two floods by default, from 8 and from 320 connections. The bot holds each 429 back for a second
 * (up to 4096 at once), which slows a flooder that waits for each answer down to one request a second
 * per connection; `--connections 5000` floods from more connections than that, so that the rest
 * are answered at once and the flood runs as fast as the bot can refuse it.
 *
 *   npm run bench:flood -- [--questions 400] [--rounds 2] [--connections 8,320]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config';
import { benchQuestions, percentile, ROOT, startServer } from './harness';

/** Questions per partner conversation: well under the per-conversation limit of a minute. */
const PER_CONVERSATION = 10;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { questions: { type: 'string', default: '400' }, rounds: { type: 'string', default: '2' }, connections: { type: 'string', default: '8,320' } } });
  const perPhase = Math.min(5000, Math.max(50, Number(values.questions)));
  const rounds = Math.min(10, Math.max(1, Number(values.rounds)));
  const scenarios = values.connections.split(',').map((c) => Math.min(10000, Math.max(1, Number(c) || 8)));
  const defaults = parseConfig({});
  if (!defaults.success) throw defaults.error;
  const limits = defaults.data.limits;
  // The default limits, stated explicitly (the benchmark harness lifts them for the cost benchmarks).
  const { port, child } = await startServer(path.join(ROOT, 'dist/src/index.js'), {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    STORAGE: 'memory',
    RATE_LIMIT_TURNS_PER_MINUTE: String(limits.turnsPerMinute),
    RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: String(limits.partnerTurnsPerMinute),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const questions = benchQuestions();
  let asked = 0;
  const partner = async (): Promise<number> => {
    const n = asked++;
    const conversation = Math.floor(n / PER_CONVERSATION);
    const body = JSON.stringify({
      type: 'message',
      id: `q${n}`,
      channelId: 'emulator',
      deliveryMode: 'expectReplies',
      conversation: { id: `partner-conversation-${conversation}` },
      from: { id: `partner-${conversation}` },
      recipient: { id: 'bot' },
      text: questions[n % questions.length],
    });
    const t0 = process.hrtime.bigint();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/api/messages', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (status !== 200) throw new Error(`a well-behaved partner got ${status}`);
    return ms;
  };
  const phase = async (count: number): Promise<number[]> => {
    const ms: number[] = [];
    for (let i = 0; i < count; i += 1) ms.push(await partner());
    return ms;
  };
  const flood = async <T>(connections: number, during: () => Promise<T>): Promise<{ result: T; flood: { requests: number; perSecond: number; errors: number; statusCodes: Record<string, number> } }> => {
    const flooder = spawn(process.execPath, [path.join(ROOT, 'dist/bench/floodClient.js'), String(port), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    flooder.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<void>((resolve) => flooder.on('exit', () => resolve()));
    await new Promise((r) => setTimeout(r, 1000)); // let the flood reach full speed
    try {
      const result = await during();
      flooder.kill('SIGTERM');
      await exited;
      return { result, flood: JSON.parse(out.trim().split('\n').pop() ?? '{}') as { requests: number; perSecond: number; errors: number; statusCodes: Record<string, number> } };
    } finally {
      flooder.kill('SIGKILL');
    }
  };

  try {
    await phase(100); // warm-up
    console.log(`default limits: ${limits.turnsPerMinute} turns a minute per conversation, ${limits.partnerTurnsPerMinute} per partner`);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    for (const connections of scenarios) {
      // Quiet and flooded phases alternate, so a change in the machine's load falls on both.
      const quiet: number[] = [];
      const flooded: number[] = [];
      const floods: { requests: number; perSecond: number; errors: number; statusCodes: Record<string, number> }[] = [];
      for (let round = 0; round < rounds; round += 1) {
        quiet.push(...(await phase(perPhase)));
        const { result, flood: got } = await flood(connections, () => phase(perPhase));
        flooded.push(...result);
        floods.push(got);
      }
      const q = sorted(quiet);
      const f = sorted(flooded);
      const ratio = percentile(f, 99) / percentile(q, 99);
      console.log(`\none conversation flooding from ${connections} connections; well-behaved partners ask one question at a time (${q.length} questions in each state, ${rounds} rounds):`);
      console.log(`  quiet:       p50 ${percentile(q, 50).toFixed(2)} ms, p99 ${percentile(q, 99).toFixed(2)} ms`);
      console.log(`  under flood: p50 ${percentile(f, 50).toFixed(2)} ms, p99 ${percentile(f, 99).toFixed(2)} ms`);
      console.log(`  p99 under flood / p99 quiet: ${ratio.toFixed(2)}x (target: at most 2x)`);
      for (const [i, got] of floods.entries()) {
        console.log(`  flood ${i + 1}: ${got.requests} requests, ${got.perSecond}/s, status ${JSON.stringify(got.statusCodes)}${got.errors ? `, ${got.errors} errors` : ''}`);
      }
    }
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
