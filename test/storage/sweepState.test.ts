import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStorage } from '../../src/storage/FileStorage';
import { sweepExpiredState } from '../../src/storage/sweepState';

describe('sweepExpiredState', () => {
  it('deletes conversation and partner state older than the expiry, and keeps tickets and recent state', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sweep-'));
    try {
      const store = new FileStorage(dir);
      await store.write({
        'webchat/conversations/old': { facts: {} },
        'msteams/users/old-user': { profile: {} },
        'tickets/PS-10001': { id: 'PS-10001' },
        'outbox/pending': { ids: [] },
      });
      // Everything written so far was last touched 40 days ago.
      const longAgo = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000);
      for (const f of await fs.readdir(dir)) await fs.utimes(path.join(dir, f), longAgo, longAgo);
      await store.write({ 'webchat/conversations/recent': { facts: {} } });

      expect(await sweepExpiredState(store, 30)).toBe(2);
      expect((await store.keys()).sort()).toEqual(['outbox/pending', 'tickets/PS-10001', 'webchat/conversations/recent']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps state written within the expiry', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sweep-'));
    try {
      const store = new FileStorage(dir);
      await store.write({ 'webchat/conversations/recent': { facts: {} } });
      expect(await sweepExpiredState(store, 30, new Date(Date.now() + 29 * 24 * 60 * 60 * 1000))).toBe(0);
      expect(await store.keys()).toEqual(['webchat/conversations/recent']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
