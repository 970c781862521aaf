/**
 * `npm run bench:directline`: whether a turn on the bot's own Direct Line gets dearer as the
 * conversation grows. Some conversations on file storage are first taken to `exchanges - 10`
 * question-and-answer exchanges (not measured); then new conversations start (each welcomed before it
 * is measured), and their exchanges 1-10 are interleaved with exchanges `exchanges - 9` to `exchanges`
 * of the long ones (out of any escalation script a question started, so both answer questions):
 * each pair asks the same question, one post of each in turn, alternating which goes
 * first (a post returns once the bot's turn is done), so both are measured under the same load. The
 * medians are compared, and the bot process's CPU time per exchange likewise.
 *
 *   npm run bench:directline -- [--exchanges 200] [--conversations 5]
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchArgs, knowledgeQuestions, percentile, ROOT, startServer } from './harness';

/**
 * The CPU time the process (every thread: the main one, libuv's pool doing file I/O, the garbage
 * collector's) has had, in ms, from the scheduler's per-thread nanosecond counters; the 10 ms clock
 * ticks of /proc/<pid>/stat where those are not available.
 */
function cpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // A thread that ended between listing and reading.
      }
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // No schedstat: fall back to the ticks below.
  }
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
  const { values } = benchArgs({ options: { exchanges: { type: 'string', default: '200' }, conversations: { type: 'string', default: '5' } } });
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
    const url = `${bot}/v3/directline/conversations/${issued.conversationId}/activities`;
    // The welcome is sent after the start returns: wait for it, so that its turn is not counted in exchange 1.
    for (let tries = 0; tries < 100; tries += 1) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${issued.token}` } });
      const set = (await res.json()) as { activities?: { from?: { role?: string } }[] };
      if (set.activities?.some((a) => a.from?.role === 'bot')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return { url, token: issued.token, index, exchanges: 0 };
  };
  const exchange = async (c: Conversation, text = questions[(c.index * 31 + c.exchanges) % questions.length] as string): Promise<{ ms: number; cpu: number }> => {
    const cpu0 = cpuMs(pid);
    const t = performance.now();
    await post(c.url, c.token, { type: 'message', from: { id: 'x' }, text });
    c.exchanges += 1;
    return { ms: performance.now() - t, cpu: cpuMs(pid) - cpu0 };
  };
  const first: number[] = [];
  const last: number[] = [];
  const cpuFirst: number[] = [];
  const cpuLast: number[] = [];
  try {
    const long = await Promise.all(Array.from({ length: conversations }, (_, i) => open(i)));
    for (const c of long) {
      while (c.exchanges < exchanges - 11) await exchange(c);
      // Some questions start an escalation script (a billing "refund", say), whose prompts then take the
      // turns: leave it, so that the long conversations answer questions as the young ones do.
      await exchange(c, 'cancel');
    }
    const young = await Promise.all(Array.from({ length: conversations }, (_, i) => open(conversations + i)));
    for (let step = 0; step < 10; step += 1) {
      for (let i = 0; i < conversations; i += 1) {
        // The same question in both (answers differ in cost), the young one first on every other step.
        const text = questions[(i * 31 + step * 7 + 500) % questions.length] as string;
        const pair = step % 2 === 0 ? [young[i], long[i]] : [long[i], young[i]];
        for (const c of pair as Conversation[]) {
          const r = await exchange(c, text);
          if (c === young[i]) {
            first.push(r.ms);
            cpuFirst.push(r.cpu);
          } else {
            last.push(r.ms);
            cpuLast.push(r.cpu);
          }
        }
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
  const stretch = (label: string, ms: number[], cpu: number[]) => {
    const m = sorted(ms);
    const c = sorted(cpu);
    console.log(`  ${label} median ${percentile(m, 50).toFixed(2)} ms, p90 ${percentile(m, 90).toFixed(2)} ms; bot CPU per exchange: mean ${(sum(c) / c.length).toFixed(2)} ms, median ${percentile(c, 50).toFixed(2)} ms`);
  };
  console.log(`load average at the start ${load0}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (2 shared cores: compare runs at similar load)`);
  console.log(`${conversations} conversations at exchanges 1-10 interleaved with ${conversations} at ${exchanges - 9}-${exchanges}, on the bot's own Direct Line (file storage):`);
  stretch('exchanges 1-10:  ', first, cpuFirst);
  stretch(`exchanges ${exchanges - 9}-${exchanges}:`, last, cpuLast);
  const ratio = (a: number, b: number) => (a / Math.max(1e-9, b)).toFixed(2);
  console.log(
    `  ratio (exchanges ${exchanges - 9}-${exchanges} / exchanges 1-10): time ${ratio(percentile(sorted(last), 50), percentile(sorted(first), 50))}x, CPU mean ${ratio(sum(cpuLast), sum(cpuFirst))}x, CPU median ${ratio(percentile(sorted(cpuLast), 50), percentile(sorted(cpuFirst), 50))}x`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
