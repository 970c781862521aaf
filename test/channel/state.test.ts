import { MemoryStorage } from 'botbuilder';
import type { Storage, StoreItems } from '../../src/storage/Storage';
import { makeBot, say, sayActivity, textOf } from '../helpers/turnHarness';

/** MemoryStorage that records the keys of every write. */
function countingStorage(): Storage & { written: string[] } {
  const inner = new MemoryStorage();
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
});
