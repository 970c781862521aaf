/**
 * `npm run bench:directline`: whether a turn on the bot's own Direct Line gets dearer as the
 * conversation grows. Some conversations on file storage are first taken to `exchanges - 10`
 * question-and-answer exchanges (not measured); then new conversations start, and their exchanges 1-10
 * are interleaved with exchanges `exchanges - 9` to `exchanges` of the long ones, one post of each in
 * turn (a post returns once the bot's turn is done), so both are measured under the same load. The
 * medians are compared, and the bot process's CPU time per exchange likewise.
 *
 *   npm run bench:directline -- [--exchanges 200] [--conversations 5]
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { knowledgeQuestions, percentile, ROOT, startServer } from './harness';

/** The process's user + system CPU time in ms (clock ticks of 10 ms: only sums over many posts mean much). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
}

async function post<T>(url: string, token: string | undefined, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

interface Conversation {
  readonly url: string;
  readonly token: string;
  readonly index: number;
  exchanges: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { exchanges: { type: 'string', default: '200' }, conversations: { type: 'string', default: '5' } } });
  const exchanges = Math.min(1000, Math.max(20, Number(values.exchanges)));
  const conversations = Math.min(20, Math.max(1, Number(values.conversations)));
  const questions = knowledgeQuestions();
  const load0 = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-dl-'));
  const { port, child } = await startServer(path.join(ROOT, 'dist/src/index.js'), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STORAGE: 'file', DATA_DIR: dataDir });
  const bot = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;
  const open = async (index: number): Promise<Conversation> => {
    const issued = await post<{ token: string; conversationId: string }>(`${bot}/api/webchat/token`, undefined, {});
    await post(`${bot}/v3/directline/conversations`, issued.token, {});
    return { url: `${bot}/v3/directline/conversations/${issued.conversationId}/activities`, token: issued.token, index, exchanges: 0 };
  };
  const exchange = async (c: Conversation): Promise<{ ms: number; cpu: number }> => {
    const cpu0 = cpuMs(pid);
    const t = performance.now();
    await post(c.url, c.token, { type: 'message', from: { id: 'x' }, text: questions[(c.index * 31 + c.exchanges) % questions.length] });
    c.exchanges += 1;
    return { ms: performance.now() - t, cpu: cpuMs(pid) - cpu0 };
  };
  const first: number[] = [];
  const last: number[] = [];
  let cpuFirst = 0;
  let cpuLast = 0;
  try {
    const long = await Promise.all(Array.from({ length: conversations }, (_, i) => open(i)));
    for (const c of long) while (c.exchanges < exchanges - 10) await exchange(c);
    const young = await Promise.all(Array.from({ length: conversations }, (_, i) => open(conversations + i)));
    for (let step = 0; step < 10; step += 1) {
      for (let i = 0; i < conversations; i += 1) {
        const a = await exchange(young[i] as Conversation);
        first.push(a.ms);
        cpuFirst += a.cpu;
        const b = await exchange(long[i] as Conversation);
        last.push(b.ms);
        cpuLast += b.cpu;
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  first.sort((a, b) => a - b);
  last.sort((a, b) => a - b);
  const n = conversations * 10;
  const med1 = percentile(first, 50);
  const medN = percentile(last, 50);
  console.log(`load average at the start ${load0}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (2 shared cores: compare runs at similar load)`);
  console.log(`${conversations} conversations at exchanges 1-10 interleaved with ${conversations} at ${exchanges - 9}-${exchanges}, on the bot's own Direct Line (file storage):`);
  console.log(`  exchanges 1-10:   median ${med1.toFixed(2)} ms, p90 ${percentile(first, 90).toFixed(2)} ms, bot CPU ${(cpuFirst / n).toFixed(2)} ms/exchange`);
  console.log(`  exchanges ${exchanges - 9}-${exchanges}: median ${medN.toFixed(2)} ms, p90 ${percentile(last, 90).toFixed(2)} ms, bot CPU ${(cpuLast / n).toFixed(2)} ms/exchange`);
  console.log(`  ratio (last / first): time ${(medN / med1).toFixed(2)}x, CPU ${(cpuLast / Math.max(1e-9, cpuFirst)).toFixed(2)}x`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
