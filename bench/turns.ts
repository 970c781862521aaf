/**
 * `npm run bench:turns`: what a partner's turn costs next to the Bot Framework SDK's own floor, in one
 * run on one machine. botbuilder's echo bot (CloudAdapter, expectReplies) is the reference; the bot runs
 * with the bundled knowledge base on file storage (the default, with its journal), on file storage
 * without the journal (`STORAGE_JOURNAL=off`) and on memory storage. Each is driven
 * with 1 connection and with 50 connections (48 conversations asking knowledge questions, as partners
 * would) for a fixed time, and the bot's throughput and p99 are printed as ratios of the echo bot's.
 *
 *   npm run bench:turns -- [--seconds 6] [--rounds 3] [--targets file,memory] [--unseen] [--profile DIR]
 *
 * The questions repeat, as partners' do, and the bot keeps recent decisions per knowledge base; with
 * `--unseen` each question is sent with its words spaced differently turn after turn (the bot reads it
 * the same way), so no cache has seen it: the cost of a question asked for the first time.
 *
 * `--targets` picks which of the bot's storages to measure (file, nojournal, memory; all by default);
 * the echo bot always runs, as the floor.
 *
 * Each line also gives the server process's CPU time per turn (all its threads: file system work done
 * for it counts), which a busy machine disturbs much less than throughput.
 *
 * `--profile DIR`: instead of the rounds, each target runs once under `node --cpu-prof` (profiles kept in
 * DIR), driven with 50 connections for `--seconds`, and where its main thread's time went in that
 * window is printed per turn, by part (SDK, restify, state, storage, logging, validation, answering, ...;
 * see cpuProfile.ts). The profiler's own cost inflates every figure a little; compare parts, and runs.
 *
 * The machine is shared, so one round measures every target one after another (in a different order
 * each round), and the ratios printed are the median of each round's own ratios: a noisy minute
 * then hits the bot and the floor it is compared with alike. Throughput is turns completed divided by
 * the time they took.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { formatBreakdown, summariseProfile } from './cpuProfile';
import { benchArgs, knowledgeQuestions, ROOT, startServer } from './harness';

interface Run {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  turns: number;
  /** CPU time of the server process (all threads) per turn, ms. */
  cpuMsPerTurn: number;
}

const CONVERSATIONS = 48;

interface Target {
  readonly name: string;
  readonly label: string;
  readonly script: string;
  readonly env: Record<string, string>;
}
const CONNECTIONS = [1, 50] as const;

/**
 * The `variant`-th spelling of `text` that differs only in the spaces between words (one or two, by the
 * bits of `variant`): read the same way, but never the same message to a cache keyed on it.
 */
function spaced(text: string, variant: number): string {
  const words = text.split(' ');
  return words.reduce((out, word, i) => (i === 0 ? word : `${out}${(variant >> (i - 1)) & 1 ? '  ' : ' '}${word}`), '');
}

let unseen = false;

async function drive(port: number, questions: readonly string[], connections: number, seconds: number, amount?: number): Promise<Run> {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/messages`,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
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
              id: `t${n}`,
              channelId: 'emulator',
              deliveryMode: 'expectReplies',
              serviceUrl: 'http://127.0.0.1:1/',
              conversation: { id: `turns-${n % CONVERSATIONS}` },
              from: { id: `partner-${n % CONVERSATIONS}` },
              recipient: { id: 'bot' },
              text: unseen ? spaced(questions[n % questions.length] as string, Math.floor(n / questions.length)) : questions[n % questions.length],
            }),
          };
        },
      },
    ],
  });
  const done = result.requests.total;
  return { rps: done / Math.max(0.001, result.duration), p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors, turns: done, cpuMsPerTurn: 0 };
}

/** The process's user + system CPU time in ms, all its threads (clock ticks of 10 ms: only sums over many turns mean much). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
}

/** `drive`, with the server process's CPU time per turn (less sensitive than throughput to what else the machine runs). */
async function measure(pid: number, port: number, questions: readonly string[], connections: number, seconds: number): Promise<Run> {
  const before = cpuMs(pid);
  const run = await drive(port, questions, connections, seconds);
  return { ...run, cpuMsPerTurn: (cpuMs(pid) - before) / Math.max(1, run.turns) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** µs on the monotonic clock V8's profiler stamps its samples with. */
function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Each target once under the CPU profiler at 50 connections; prints where a turn's main-thread time goes. */
async function profileTargets(targets: readonly Target[], questions: readonly string[], seconds: number, dir: string): Promise<void> {
  for (const t of targets) {
    const profileDir = path.join(path.resolve(dir), t.name);
    await fs.rm(profileDir, { recursive: true, force: true });
    const { port, child } = await startServer(path.join(ROOT, t.script), t.env, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
    let run: Run;
    let from: number;
    let to: number;
    try {
      await drive(port, questions, 4, seconds, 400); // warm-up
      from = nowUs();
      run = await measure(child.pid as number, port, questions, 50, seconds);
      to = nowUs();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const file = (await fs.readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written in ${profileDir}`);
    console.log(`\n${t.label}: ${Math.round(run.rps)} turns/s, p99 ${run.p99} ms, CPU (all threads) ${run.cpuMsPerTurn.toFixed(2)} ms/turn; profile ${path.join(profileDir, file)}`);
    console.log(formatBreakdown(t.label, summariseProfile(path.join(profileDir, file), from, to), run.turns));
  }
}

async function main(): Promise<void> {
  const { values } = benchArgs({
    options: {
      seconds: { type: 'string', default: '6' },
      rounds: { type: 'string', default: '3' },
      targets: { type: 'string', default: 'file,nojournal,memory' },
      unseen: { type: 'boolean', default: false },
      profile: { type: 'string' },
    },
  });
  unseen = values.unseen;
  const seconds = Math.min(60, Math.max(2, Number(values.seconds)));
  const rounds = Math.min(9, Math.max(1, Number(values.rounds)));
  const questions = knowledgeQuestions();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-turns-'));
  const noJournalDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-turns-shared-'));
  const base = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  const picked = new Set(values.targets.split(',').map((t) => t.trim()));
  const targets = [
    { name: 'echo', label: 'SDK echo bot (floor)', script: 'dist/bench/echoServer.js', env: {} },
    { name: 'file', label: 'bot, file storage', script: 'dist/src/index.js', env: { ...base, STORAGE: 'file', DATA_DIR: dataDir } },
    { name: 'nojournal', label: 'bot, file, no journal', script: 'dist/src/index.js', env: { ...base, STORAGE: 'file', DATA_DIR: noJournalDir, STORAGE_JOURNAL: 'off' } },
    { name: 'memory', label: 'bot, memory storage', script: 'dist/src/index.js', env: { ...base, STORAGE: 'memory' } },
  ].filter((t) => t.name === 'echo' || picked.has(t.name));
  if (values.profile) {
    try {
      await profileTargets(targets, questions, seconds, values.profile);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(noJournalDir, { recursive: true, force: true });
    }
    return;
  }
  // results[round][target label|connections]
  const results: Map<string, Run>[] = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      const measured = new Map<string, Run>();
      results.push(measured);
      const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
      for (const t of order) {
        const { port, child } = await startServer(path.join(ROOT, t.script), t.env);
        try {
          await drive(port, questions, 4, seconds, 400); // warm-up
          for (const connections of CONNECTIONS) measured.set(`${t.label}|${connections}`, await measure(child.pid as number, port, questions, connections, seconds));
        } finally {
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        }
      }
      process.stderr.write(`round ${round + 1}/${rounds} done\n`);
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(noJournalDir, { recursive: true, force: true });
  }

  const floor = targets[0] as Target;
  for (const connections of CONNECTIONS) {
    console.log(`\n${connections} connection${connections === 1 ? '' : 's'} (${CONVERSATIONS} conversations, knowledge questions${unseen ? ' never seen before' : ''}, expectReplies), ${rounds} rounds of ${seconds} s:`);
    for (const t of targets) {
      const runs = results.map((r) => r.get(`${t.label}|${connections}`) as Run);
      const failed = runs.reduce((n, r) => n + r.failed, 0);
      const line = `  ${t.label.padEnd(22)} ${Math.round(median(runs.map((r) => r.rps)))} turns/s, p50 ${median(runs.map((r) => r.p50))} ms, p99 ${median(runs.map((r) => r.p99))} ms, CPU ${median(runs.map((r) => r.cpuMsPerTurn)).toFixed(2)} ms/turn${failed ? `, ${failed} failed` : ''}`;
      if (t === floor) {
        console.log(line);
        continue;
      }
      const throughput = results.map((r) => (r.get(`${t.label}|${connections}`) as Run).rps / (r.get(`${floor.label}|${connections}`) as Run).rps);
      const p99 = results.map((r) => (r.get(`${t.label}|${connections}`) as Run).p99 / Math.max(1, (r.get(`${floor.label}|${connections}`) as Run).p99));
      const cpu = results.map((r) => (r.get(`${t.label}|${connections}`) as Run).cpuMsPerTurn / Math.max(1e-6, (r.get(`${floor.label}|${connections}`) as Run).cpuMsPerTurn));
      console.log(
        `${line} | throughput ${median(throughput).toFixed(2)}x echo, p99 ${median(p99).toFixed(2)}x echo, CPU/turn ${median(cpu).toFixed(2)}x echo` +
          ` (rounds: ${throughput.map((x) => x.toFixed(2)).join(' ')} / ${p99.map((x) => x.toFixed(2)).join(' ')} / ${cpu.map((x) => x.toFixed(2)).join(' ')})`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
