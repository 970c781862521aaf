import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TurnQueue } from '../../src/channel/server';
import { FileStorage } from '../../src/storage/FileStorage';
import { messageActivity, post, startBot, type RunningBot } from '../helpers/httpHarness';

interface Replies {
  activities: { text?: string; channelData?: { band?: string; articleId?: string | null } }[];
}

describe('a partner sending messages quickly', () => {
  let dir: string;
  let bot: RunningBot;
  let storage: FileStorage;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quick-'));
    storage = new FileStorage(dir);
    bot = await startBot({}, storage);
  });
  afterAll(async () => {
    await bot.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers every message and keeps the conversation state whole (no lost or failed turns)', async () => {
    const conversation = { id: 'quick-fire' };
    const questions = ['when is WPC?', 'what is BPOS?', 'what is live@edu?', 'who are the competitors?', 'how many seats has bpos sold?', 'what is office 365?', 'can partners bill customers?', 'who leads online services?'];
    const responses = await Promise.all(
      questions.map((q) => post(bot.url, { ...messageActivity(q, { deliveryMode: 'expectReplies' }), conversation })),
    );
    expect(responses.map((r) => r.status)).toEqual(questions.map(() => 200));
    const bands = responses.map((r) => (r.json as Replies).activities[0]?.channelData?.band);
    expect(bands.every((b) => b === 'answer')).toBe(true);
    expect(bot.logs.filter((l) => l.msg === 'turn error')).toEqual([]);

    const keys = await storage.keys();
    const conversationKey = keys.find((k) => k.includes('/conversations/quick-fire'));
    expect(conversationKey).toBeDefined();
    const state = (await storage.read([conversationKey as string]))[conversationKey as string] as { facts?: { recent?: { question: string }[] } };
    // The five most recent questions, in the order they were sent.
    expect(state.facts?.recent?.map((r) => r.question)).toEqual(questions.slice(-5));
  });
});

describe('TurnQueue', () => {
  it('runs turns of one conversation in order and others in parallel', async () => {
    const q = new TurnQueue();
    const log: string[] = [];
    const turn = async (key: string, name: string, ms: number) => {
      const release = await q.enter(key);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      release();
    };
    await Promise.all([turn('a', 'a1', 30), turn('a', 'a2', 1), turn('b', 'b1', 5)]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(q.size).toBe(0);
  });
});
