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
 * Three floods by default: from 8 and from 320 connections with the default settings, where the bot
 * holds each 429 back for a second (RATE_LIMIT_REFUSAL_PAUSE_MS) and so slows a flooder that waits
 * for each answer to one request a second per connection; and from 8 connections with that pause
 * off, where the flood runs as fast as the bot can refuse it (as it would from more connections than
 * the 4096 refusals the bot holds at once).
 *
 *   npm run bench:flood -- [--questions 1500] [--rounds 2] [--floods 8,320,8:0]   (connections[:pause ms])
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { parseConfig } from '../src/config';
import { benchArgs, benchQuestions, percentile, ROOT, startServer } from './harness';

/** Questions per partner conversation: well under the per-conversation limit of a minute. */
const PER_CONVERSATION = 10;

async function main(): Promise<void> {
  const { values } = benchArgs({ options: { questions: { type: 'string', default: '1500' }, rounds: { type: 'string', default: '2' }, floods: { type: 'string', default: '8,320,8:0' } } });
  const perPhase = Math.min(10000, Math.max(50, Number(values.questions)));
  const rounds = Math.min(10, Math.max(1, Number(values.rounds)));
  const defaults = parseConfig({});
  if (!defaults.success) throw defaults.error;
  const limits = defaults.data.limits;
  const scenarios = values.floods.split(',').map((f) => {
    const [connections, pause] = f.split(':');
    return { connections: Math.min(10000, Math.max(1, Number(connections) || 8)), pauseMs: pause === undefined ? limits.refusalPauseMs : Math.max(0, Number(pause) || 0) };
  });
  const questions = benchQuestions();
  console.log(`default limits: ${limits.turnsPerMinute} turns a minute per conversation, ${limits.partnerTurnsPerMinute} per partner; 429s held back ${limits.refusalPauseMs} ms`);
  for (const { connections, pauseMs } of scenarios) {
    // The default limits, stated explicitly (the benchmark harness lifts them for the cost benchmarks).
    const { port, child } = await startServer(path.join(ROOT, 'dist/src/index.js'), {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      STORAGE: 'memory',
      RATE_LIMIT_TURNS_PER_MINUTE: String(limits.turnsPerMinute),
      RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: String(limits.partnerTurnsPerMinute),
      RATE_LIMIT_REFUSAL_PAUSE_MS: String(pauseMs),
    });
    try {
      await measure(port, connections, pauseMs, perPhase, rounds, questions);
    } finally {
      child.kill('SIGTERM');
    }
  }
}

async function measure(port: number, connections: number, pauseMs: number, perPhase: number, rounds: number, questions: readonly string[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
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
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
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
    console.log(`\none conversation flooding from ${connections} connections, 429s held back ${pauseMs} ms; well-behaved partners ask one question at a time (${q.length} questions in each state, ${rounds} rounds):`);
    console.log(`  quiet:       p50 ${percentile(q, 50).toFixed(2)} ms, p99 ${percentile(q, 99).toFixed(2)} ms`);
    console.log(`  under flood: p50 ${percentile(f, 50).toFixed(2)} ms, p99 ${percentile(f, 99).toFixed(2)} ms`);
    console.log(`  p99 under flood / p99 quiet: ${ratio.toFixed(2)}x (target: at most 2x)`);
    for (const [i, got] of floods.entries()) {
      console.log(`  flood ${i + 1}: ${got.requests} requests, ${got.perSecond}/s, status ${JSON.stringify(got.statusCodes)}${got.errors ? `, ${got.errors} errors` : ''}`);
    }
  } finally {
    agent.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
