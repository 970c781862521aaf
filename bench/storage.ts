/**
 * `npm run bench:storage`: the cost of a turn on each storage backend the bot can use here:
 * memory, file (a temp folder) and Azure Blob on a local Azurite. Each turn reads and writes the
 * conversation's and the partner's state; 50 conversations take turns. Loopback only, bounded.
 *
 *   npm run bench:storage -- [--requests 2000] [--connections 16]
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite } from '../test/helpers/azurite';
import { benchArgs, benchQuestions, load, ROOT, startServer } from './harness';

async function main(): Promise<void> {
  const { values } = benchArgs({ options: { requests: { type: 'string', default: '2000' }, connections: { type: 'string', default: '16' } } });
  const requests = Math.min(20000, Math.max(100, Number(values.requests)));
  const connections = Math.min(64, Math.max(1, Number(values.connections)));
  const questions = benchQuestions();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-storage-'));
  const azurite = await startAzurite();
  const base = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  try {
    for (const [label, env] of [
      ['memory', { STORAGE: 'memory' }],
      ['file', { STORAGE: 'file', DATA_DIR: dataDir }],
      ['blob (Azurite)', { STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite.connectionString, BLOB_CONTAINER: 'bench' }],
    ] as const) {
      const { port, child } = await startServer(path.join(ROOT, 'dist/src/index.js'), { ...base, ...env });
      try {
        await load(port, label, questions, requests, connections);
      } finally {
        child.kill('SIGTERM');
      }
    }
  } finally {
    await azurite.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
