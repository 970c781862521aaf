/**
 * `npm run bench:directline`: whether a turn on the bot's own Direct Line gets dearer as the
 * conversation grows. Several conversations on file storage each have `exchanges` question-and-answer
 * exchanges one after another (post a question; the post returns once the bot's turn is done); the
 * median time of the first ten exchanges is compared with that of the last ten, and the bot process's
 * CPU time per exchange over each stretch likewise.
 *
 *   npm run bench:directline -- [--exchanges 200] [--conversations 5]
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { knowledgeQuestions, percentile, ROOT, startServer } from './harness';

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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { exchanges: { type: 'string', default: '200' }, conversations: { type: 'string', default: '5' } } });
  const exchanges = Math.min(1000, Math.max(20, Number(values.exchanges)));
  const conversations = Math.min(20, Math.max(1, Number(values.conversations)));
  const questions = knowledgeQuestions();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-dl-'));
  const { port, child } = await startServer(path.join(ROOT, 'dist/src/index.js'), { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', STORAGE: 'file', DATA_DIR: dataDir });
  const bot = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;
  const first: number[] = [];
  const last: number[] = [];
  let cpuFirst = 0;
  let cpuLast = 0;
  try {
    for (let c = 0; c < conversations; c += 1) {
      const issued = await post<{ token: string; conversationId: string }>(`${bot}/api/webchat/token`, undefined, {});
      await post(`${bot}/v3/directline/conversations`, issued.token, {});
      const url = `${bot}/v3/directline/conversations/${issued.conversationId}/activities`;
      for (let i = 0; i < exchanges; i += 1) {
        const inFirst = i < 10;
        const inLast = i >= exchanges - 10;
        const cpu0 = inFirst || inLast ? cpuMs(pid) : 0;
        const t = performance.now();
        await post(url, issued.token, { type: 'message', from: { id: 'x' }, text: questions[(c * 31 + i) % questions.length] });
        const ms = performance.now() - t;
        if (inFirst) {
          first.push(ms);
          cpuFirst += cpuMs(pid) - cpu0;
        }
        if (inLast) {
          last.push(ms);
          cpuLast += cpuMs(pid) - cpu0;
        }
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
  console.log(`${conversations} conversations x ${exchanges} exchanges on the bot's own Direct Line (file storage):`);
  console.log(`  exchanges 1-10:   median ${med1.toFixed(2)} ms, p90 ${percentile(first, 90).toFixed(2)} ms, bot CPU ${(cpuFirst / n).toFixed(2)} ms/exchange`);
  console.log(`  exchanges ${exchanges - 9}-${exchanges}: median ${medN.toFixed(2)} ms, p90 ${percentile(last, 90).toFixed(2)} ms, bot CPU ${(cpuLast / n).toFixed(2)} ms/exchange`);
  console.log(`  ratio (last / first): time ${(medN / med1).toFixed(2)}x, CPU ${(cpuLast / Math.max(1e-9, cpuFirst)).toFixed(2)}x`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
