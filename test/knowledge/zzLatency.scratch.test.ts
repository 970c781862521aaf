import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeWatcher } from '../../src/knowledge/KnowledgeWatcher';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { createLogger } from '../../src/log';
it('latency', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-lat-'));
  await fs.cp(path.resolve(__dirname, '../../knowledge'), dir, { recursive: true });
  const l = await loadKnowledge(dir);
  if (!l.success) throw new Error();
  const w = new KnowledgeWatcher({ dir, initial: l.data, logger: createLogger('silent') });
  w.start(); await w.checkNow();
  const f = path.join(dir, 'billing/partner-billing-policy.md');
  const out: number[] = [];
  for (let i = 0; i < 12; i++) {
    await new Promise((r) => setTimeout(r, Math.random() * 500));
    const text = await fs.readFile(f, 'utf8');
    const t = performance.now();
    await fs.writeFile(f, text.replace(/^No\.[^,]*,/m, `No. As of spring 2011 (v${i}),`));
    while (!(w.current().index.get('partner-billing-policy')?.shortAnswer ?? '').includes(`(v${i})`)) await new Promise((r) => setTimeout(r, 2));
    out.push(Math.round(performance.now() - t));
  }
  await w.stop();
  await fs.rm(dir, { recursive: true, force: true });
  process.stderr.write(`LATENCY ${JSON.stringify(out)} median ${[...out].sort((a, b) => a - b)[6]}\n`);
}, 30000);
