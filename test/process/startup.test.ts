import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FileStorage } from '../../src/storage/FileStorage';
import { spawnBot, spawnRaw } from '../helpers/botProcess';

jest.setTimeout(60_000);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('start-up', () => {
  it('serves no request before set-up has finished: until then the port refuses connections; the first answer is a whole one', async () => {
    const port = await freePort();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'startup-'));
    const child = spawnRaw({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

    const answers: (number | 'refused')[] = [];
    try {
      const deadline = Date.now() + 45_000;
      // What a portal page does the moment the instance is up: ask for a widget token (signed with the stored key).
      while (Date.now() < deadline && !answers.includes(200)) {
        const answer = await fetch(`http://127.0.0.1:${port}/api/webchat/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
          (r) => r.status,
          () => 'refused' as const,
        );
        answers.push(answer);
        if (answer === 'refused') await new Promise((r) => setTimeout(r, 20));
      }
      expect(answers.at(-1)).toBe(200);
      expect(answers.filter((a) => a !== 'refused' && a !== 200)).toEqual([]);
      expect(answers.length).toBeGreaterThan(1); // it was polled while starting, not only once it was up
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('sweeps expired conversation state as soon as it serves, and SIGTERM stops its periodic jobs with the rest', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'startup-sweep-'));
    try {
      const store = new FileStorage(dataDir);
      await store.write({ 'webchat/conversations/forgotten': { facts: {} }, 'tickets/PS-10001': { id: 'PS-10001' } });
      const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
      for (const f of await fs.readdir(dataDir)) await fs.utimes(path.join(dataDir, f), longAgo, longAgo);
      const bot = await spawnBot({ DATA_DIR: dataDir, STATE_TTL_DAYS: '30' });
      try {
        const deadline = Date.now() + 15_000;
        while (!bot.logs.some((l) => l.msg === 'expired conversation state deleted') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(bot.logs.find((l) => l.msg === 'expired conversation state deleted')).toMatchObject({ deleted: 1, ttlDays: 30 });
        bot.child.kill('SIGTERM');
        expect(await bot.exited()).toBe(0);
        expect(bot.logs.find((l) => l.msg === 'stopped')).toBeDefined();
        expect(bot.logs.filter((l) => typeof l.msg === 'string' && / failed$/.test(l.msg))).toEqual([]);
      } finally {
        bot.child.kill('SIGKILL');
      }
      const keys = await new FileStorage(dataDir).keys();
      expect(keys).toContain('tickets/PS-10001');
      expect(keys).not.toContain('webchat/conversations/forgotten');
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
