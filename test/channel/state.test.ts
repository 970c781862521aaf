import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';
import { JournalStorage } from '../../src/storage/JournalStorage';
import type { Storage, StoreItems } from '../../src/storage/Storage';
import { makeBot, say, sayActivity, textOf } from '../helpers/turnHarness';

/** A storage (MemoryStorage by default) that records the keys of every write. */
function countingStorage(inner: Storage = new MemoryStorage()): Storage & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    read: (keys) => inner.read(keys),
    write: (changes: StoreItems) => {
      written.push(...Object.keys(changes));
      return inner.write(changes);
    },
    delete: (keys) => inner.delete(keys),
  };
}

const conversationKey = (keys: string[]) => keys.filter((k) => k.includes('/conversations/'));
const userKey = (keys: string[]) => keys.filter((k) => k.includes('/users/'));

describe('conversation and partner state', () => {
  it('is written once for a turn that changes it, and what was written is what the next bot (a restart) sees', async () => {
    const storage = countingStorage();
    const { adapter } = await makeBot({ storage });
    await say(adapter, 'when is WPC?');
    expect(conversationKey(storage.written)).toHaveLength(1);
    expect(userKey(storage.written)).toEqual([]); // the partner's details were not touched

    // A restarted bot on the same storage carries on from what was written: the recent questions (which
    // a ticket would list) hold both.
    const restarted = await makeBot({ storage });
    expect(textOf(await say(restarted.adapter, 'what is BPOS?'))).toMatch(/BPOS/);
    expect(conversationKey(storage.written)).toHaveLength(2);
    const stored = await storage.read(conversationKey(storage.written).slice(0, 1));
    const facts = Object.values(stored)[0]?.facts as { recent: { question: string }[] } | undefined;
    expect(facts?.recent.map((r) => r.question)).toEqual(expect.arrayContaining(['when is WPC?', 'what is BPOS?']));
  });

  it('is not written for a turn that changes nothing', async () => {
    const storage = countingStorage();
    const { adapter } = await makeBot({ storage });
    await say(adapter, 'when is WPC?');
    const before = storage.written.length;
    // A message with no text gets the "I can only read text" reply and changes nothing the bot remembers.
    const replies = await sayActivity(adapter, { type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1/x.png' }] });
    expect(textOf(replies).length).toBeGreaterThan(0);
    expect(storage.written.length).toBe(before);
  });

  it('on the journal (the default storage): written when a turn changes it, as it was changed, and not when a turn changes nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'state-journal-'));
    const { store } = await JournalStorage.open(dir, { checkpointMs: 60_000 });
    try {
      const storage = countingStorage(store);
      const { adapter } = await makeBot({ storage });
      await say(adapter, 'when is WPC?');
      await say(adapter, 'what is BPOS?');
      expect(conversationKey(storage.written)).toHaveLength(2);
      const before = storage.written.length;
      await sayActivity(adapter, { type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1/x.png' }] });
      expect(storage.written.length).toBe(before);
      const stored = await store.read(conversationKey(storage.written).slice(0, 1));
      const facts = Object.values(stored)[0]?.facts as { recent: { question: string }[] } | undefined;
      expect(facts?.recent.map((r) => r.question)).toEqual(expect.arrayContaining(['when is WPC?', 'what is BPOS?']));
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
