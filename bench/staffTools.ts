/**
 * `npm run bench:tools [-- --runs 5]`: how long staff wait for each staff command on the built tree
 * (the build current, as after `npm run build`), run the way staff run them (`npm run ask -- "..."`),
 * plus the bot's start (`npm start` until it listens). Each is timed from spawn to exit, wall clock,
 * over several runs taken in turn (run 1 of every command, then run 2, ...) so a change in the
 * machine's load falls on all of them alike. Beside them, two reference runs on the same machine at
 * the same time: `node -e 0` (Node.js's own start-up) and `npm run` of a script that only starts
 * Node.js (npm's own overhead, in an empty package), so a figure from a busy machine can be read
 * against one from an idle machine as a ratio. The `ask` median is also shown against its 2 s target.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs } from './harness';

const ROOT = path.resolve(__dirname, '../..');
/** What `npm run ask -- "when is WPC?"` should take at most, wall clock, on a busy 2-core machine. */
const ASK_TARGET_S = 2;

interface Command {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Kind of run: a reference, a staff command, or a server timed until it listens. */
  readonly kind: 'reference' | 'tool' | 'server';
  readonly env?: Record<string, string>;
}

/** The environment for a child: this one without what a parent `npm run` adds, plus `extra`. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  return { ...env, ...extra };
}

/** Runs `c` once; resolves with its wall time in seconds. A command that fails stops the benchmark. */
function timeOnce(c: Command): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(c.command, c.args, { cwd: c.cwd, env: childEnv(c.env), stdio: ['ignore', 'pipe', 'pipe'], detached: c.kind === 'server' });
    let out = '';
    let err = '';
    let listening = false;
    const timer = setTimeout(() => {
      if (child.pid) process.kill(c.kind === 'server' ? -child.pid : child.pid, 'SIGKILL');
      reject(new Error(`${c.label}: no result within 120 s`));
    }, 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (c.kind !== 'server' || listening) return;
      out += chunk.toString('utf8');
      if (/"port":\d+/.test(out)) {
        listening = true;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        clearTimeout(timer);
        // The whole group (npm, the shell and the bot): the bot shuts down on SIGTERM.
        child.once('exit', () => resolve(seconds));
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 20_000) err += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (listening) return;
      clearTimeout(timer);
      if (c.kind === 'server') reject(new Error(`${c.label} exited (${code ?? signal}) before listening:\n${err.slice(-3000)}`));
      else if (code !== 0) reject(new Error(`${c.label} failed (${code ?? signal}):\n${err.slice(-3000)}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e9);
    });
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const { values } = benchArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number of at least 1');

  const empty = mkdtempSync(path.join(os.tmpdir(), 'bench-tools-'));
  const noLog = path.join(empty, 'questions');
  const data = path.join(empty, 'data');
  writeFileSync(path.join(empty, 'package.json'), `${JSON.stringify({ name: 'noop', private: true, scripts: { noop: 'node -e 0' } })}\n`);
  const node = process.execPath;
  const npm = (...args: string[]): Pick<Command, 'command' | 'args' | 'cwd'> => ({ command: 'npm', args: ['run', '--silent', ...args], cwd: ROOT });
  const commands: Command[] = [
    { label: 'node -e 0', command: node, args: ['-e', '0'], cwd: ROOT, kind: 'reference' },
    { label: 'npm run noop (node -e 0)', command: 'npm', args: ['run', '--silent', 'noop'], cwd: empty, kind: 'reference' },
    { label: 'npm run ask -- "when is WPC?"', ...npm('ask', '--', 'when is WPC?'), kind: 'tool' },
    { label: 'node dist/src/tools/ask.js "when is WPC?"', command: node, args: ['dist/src/tools/ask.js', 'when is WPC?'], cwd: ROOT, kind: 'tool' },
    { label: 'npm run kb:check', ...npm('kb:check'), kind: 'tool' },
    { label: 'npm run eval', ...npm('eval'), kind: 'tool' },
    { label: 'npm run kb:gaps (no questions logged)', ...npm('kb:gaps', '--', '--log', noLog), kind: 'tool' },
    { label: 'npm run tickets (none stored)', ...npm('tickets', '--', '--data', data), kind: 'tool' },
    {
      label: 'npm start, until listening',
      ...npm('start'),
      kind: 'server',
      env: { PORT: '0', HOST: '127.0.0.1', STORAGE: 'memory', LOG_LEVEL: 'info', NODE_OPTIONS: '--no-deprecation' },
    },
  ];

  const times = new Map<Command, number[]>(commands.map((c) => [c, []]));
  const loadBefore = loadAverage();
  try {
    for (let r = 0; r < runs; r += 1) {
      for (const c of commands) times.get(c)?.push(await timeOnce(c));
      process.stderr.write(`run ${r + 1} of ${runs} done\n`);
    }
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  const loadAfter = loadAverage();

  const [nodeRef, npmRef] = commands.map((c) => median(times.get(c) ?? [])) as [number, number];
  console.log(`Staff commands on the built tree, wall clock, ${runs} runs each (Node.js ${process.version}, ${os.cpus().length} cores)`);
  console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${loadAfter} after\n`);
  console.log(`${'command'.padEnd(46)}${'median'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'× node'.padStart(9)}${'× npm noop'.padStart(12)}`);
  for (const c of commands) {
    const t = times.get(c) ?? [];
    const m = median(t);
    console.log(
      `${c.label.padEnd(46)}${m.toFixed(2).padStart(7)}s${Math.min(...t).toFixed(2).padStart(7)}s${Math.max(...t).toFixed(2).padStart(7)}s` +
        `${(m / nodeRef).toFixed(1).padStart(9)}${(m / npmRef).toFixed(2).padStart(12)}`,
    );
  }
  const ask = median(times.get(commands[2] as Command) ?? []);
  console.log(
    `\nnpm run ask: median ${ask.toFixed(2)} s against the ${ASK_TARGET_S} s target: ${ask <= ASK_TARGET_S ? 'within it' : 'OVER it'} ` +
      `(${(ask - npmRef).toFixed(2)} s beyond npm running an empty Node.js script)`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
