/** Shared by the benchmarks: start a server process, drive it with autocannon, summarise. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import autocannon from 'autocannon';
import { parse as parseYaml } from 'yaml';
import { allQuestions, parseQuestionSet } from '../src/knowledge/questionSet';

export const ROOT = path.resolve(__dirname, '../..');

/** The evaluation set's questions, in-scope and out-of-scope: realistic partner traffic. */
export function benchQuestions(): string[] {
  const set = parseQuestionSet(readFileSync(path.join(ROOT, 'test/eval/questions.yaml'), 'utf8'), 'questions.yaml');
  if (!set.success) throw new Error('cannot read the evaluation set');
  return allQuestions(set.data);
}

/** Every title and alternate question of the bundled articles: questions the knowledge base answers. */
export function knowledgeQuestions(): string[] {
  const dir = path.join(ROOT, 'knowledge');
  const out: string[] = [];
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    if (!file.endsWith('.md') || path.basename(file) === 'README.md') continue;
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(path.join(dir, file), 'utf8'))?.[1];
    const fm = front ? (parseYaml(front) as { title?: string; questions?: string[] }) : {};
    out.push(...(fm.title ? [fm.title] : []), ...(fm.questions ?? []));
  }
  if (out.length === 0) throw new Error('no questions in knowledge/');
  return out;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * The benchmarks measure what a turn costs, sending hundreds of turns per conversation: the bot's
 * fair-use limits are lifted for them (`npm run bench:flood` measures the limits themselves).
 */
const LIMITS_LIFTED: Record<string, string> = {
  RATE_LIMIT_TURNS_PER_MINUTE: '1000000',
  RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: '1000000',
  RATE_LIMIT_TOKENS_PER_MINUTE: '1000000',
  RATE_LIMIT_CONVERSATIONS_PER_MINUTE: '1000000',
};

/** Starts a server script that prints a JSON line with its port; resolves with the port. `nodeOptions`: flags for node (e.g. `--cpu-prof`). */
export async function startServer(script: string, env: Record<string, string>, nodeOptions: readonly string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--no-deprecation', ...nodeOptions, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...LIMITS_LIFTED, ...env },
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

export async function load(port: number, label: string, questions: readonly string[], requests: number, connections: number): Promise<void> {
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


/**
 * A benchmark's options (`parseArgs`), or its usage: printed for `--help`, and with the reason for an
 * unknown or malformed option (exit code 2), rather than a stack trace.
 */
export function benchArgs<const C extends ParseArgsConfig>(config: C): ReturnType<typeof parseArgs<C>> {
  const usage = () => {
    const script = path.relative(ROOT, process.argv[1] ?? '').replace(/^dist\//, '').replace(/\.js$/, '.ts');
    const options = Object.entries(config.options ?? {}).map(([name, o]) => `  --${name}${o.type === 'string' ? ' <value>' : ''}${o.default !== undefined ? ` (default ${String(o.default)})` : ''}`);
    return [`options (what each does: the comment at the top of ${script}):`, ...options].join('\n');
  };
  if (process.argv.slice(2).includes('--help')) {
    console.log(usage());
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${usage()}`);
    process.exit(2);
  }
}
