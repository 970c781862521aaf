import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFolderSnapshot } from '../../src/storage/JournalStorage';
import { partnerOf, spawnBot, type BotProcess } from '../helpers/botProcess';
import { startWebhookReceiver } from '../helpers/webhookReceiver';

const say = partnerOf('conv-crash', { id: 'partner-9', name: 'Sam' });

const until = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/**
 * After a restart every conversation is served again at once: a lock or journal left by the killed
 * process must not hold a partner's first turn (a stale lock used to be broken only after 10 s).
 */
const expectEveryPartnerServedPromptly = async (bot: BotProcess, partners: ReturnType<typeof partnerOf>[]) => {
  for (const say of partners) {
    const started = Date.now();
    const replies = await say(bot, 'what is BPOS?');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(replies.map((a) => a.text).join(' ')).toMatch(/BPOS/);
  }
};

describe('SIGKILL in the middle of an escalation and of a webhook delivery (file storage)', () => {
  it('resumes the dialog where it was and delivers the ticket once', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'partner-bot-crash-'));
    const receiver = await startWebhookReceiver('crash-secret');
    const env = {
      STORAGE: 'file',
      DATA_DIR: dataDir,
      ESCALATION_WEBHOOK_URL: receiver.url,
      ESCALATION_WEBHOOK_SECRET: 'crash-secret',
      ESCALATION_WEBHOOK_TIMEOUT_MS: '1500',
      ESCALATION_RETRY_BASE_MS: '200',
      SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
    };
    const bots: BotProcess[] = [];
    try {
      let bot = await spawnBot(env);
      bots.push(bot);
      await say(bot, 'talk to a person');
      await say(bot, 'Our customer cannot sign in since yesterday');
      const askedEmail = await say(bot, 'Sam Lee');
      expect(askedEmail.map((a) => a.text).join(' ')).toMatch(/e-mail/i);
      bot.child.kill('SIGKILL');
      expect(await bot.exited()).toBeNull();

      bot = await spawnBot(env);
      bots.push(bot);
      const resumed = await say(bot, 'sam@fabrikam.com');
      expect(resumed.map((a) => a.text).join(' ')).toMatch(/company/i);
      receiver.hanging = true; // the ticket system takes the request and never answers
      for (const text of ['Fabrikam', 'skip', 'skip']) await say(bot, text);
      const done = await say(bot, 'yes');
      const ticketId = done.find((a) => a.channelData?.ticketId)?.channelData?.ticketId as string;
      expect(ticketId).toMatch(/^PS-/);
      await until(() => receiver.calls.length >= 1, 10_000, 'the first delivery attempt');
      bot.child.kill('SIGKILL'); // mid-delivery: the attempt is under way, unanswered
      await bot.exited();

      receiver.hanging = false;
      bot = await spawnBot(env);
      bots.push(bot);
      await receiver.waitForAccepted(1, 20_000);
      await new Promise((r) => setTimeout(r, 2000));
      expect(receiver.accepted()).toHaveLength(1);
      expect(receiver.calls.every((c) => c.idempotencyKey === ticketId && c.signatureValid)).toBe(true);
      expect(new Set(receiver.calls.map((c) => c.body.ticket?.id))).toEqual(new Set([ticketId]));
      expect(receiver.accepted()[0]?.body.ticket?.answers).toMatchObject({ name: 'Sam Lee', email: 'sam@fabrikam.com', company: 'Fabrikam' });
      const status = await say(bot, `status of ${ticketId}`);
      expect(status[0]?.channelData?.delivery).toBe('delivered');
    } finally {
      for (const b of bots) b.child.kill('SIGKILL');
      await receiver.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SIGKILL under load (file storage without the journal, STORAGE_JOURNAL=off)', () => {
  // Up to three loaded runs and a restart: more than jest's default 30 s on a busy machine.
  jest.setTimeout(120_000);

  it('restarts serving every conversation without waiting on the locks the killed process held, and leaves no lock or temp files', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'partner-bot-kill-load-'));
    const env = { STORAGE: 'file', DATA_DIR: dataDir, STORAGE_JOURNAL: 'off' };
    const partners = Array.from({ length: 24 }, (_, i) => partnerOf(`conv-load-${i}`, { id: `partner-load-${i}`, name: `Partner ${i}` }));
    const left = (suffix: string) => fs.readdir(dataDir).then((names) => names.filter((n) => n.startsWith('.') && n.endsWith(suffix)));
    const bots: BotProcess[] = [];
    try {
      // Every conversation talks at once; the bot is killed in the middle (tried again in the rare case
      // that the kill falls between writes and leaves nothing behind).
      let leftOver: string[] = [];
      for (let attempt = 0; attempt < 3 && leftOver.length === 0; attempt++) {
        const bot = await spawnBot(env);
        bots.push(bot);
        let turns = 0;
        let stop = false;
        const load = partners.map(async (say) => {
          while (!stop) {
            await say(bot, 'when is WPC?').then(
              () => (turns += 1),
              () => (stop = true),
            );
          }
        });
        await until(() => turns >= 3 * partners.length, 30_000, 'the load to run');
        bot.child.kill('SIGKILL');
        await bot.exited();
        stop = true;
        await Promise.all(load);
        leftOver = [...(await left('.lock')), ...(await left('.tmp'))];
      }
      expect(leftOver.length).toBeGreaterThan(0);

      const bot = await spawnBot(env);
      bots.push(bot);
      await expectEveryPartnerServedPromptly(bot, partners);
      expect(bot.logs.find((l) => l.msg === 'removed files left by a stopped process')).toMatchObject({ locks: expect.any(Number) });
      expect(await left('.lock')).toEqual([]);
      expect(await left('.tmp')).toEqual([]);
    } finally {
      for (const b of bots) b.child.kill('SIGKILL');
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SIGKILL in the middle of a burst of turns (file storage with the journal, the default)', () => {
  jest.setTimeout(120_000);

  it('keeps the state of every turn whose reply a partner received, and restarts at once on the folder the killed bot held', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'partner-bot-kill-journal-'));
    const env = { STORAGE: 'file', DATA_DIR: dataDir, RATE_LIMIT_TURNS_PER_MINUTE: '10000', RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: '10000' };
    const count = 24;
    const partners = Array.from({ length: count }, (_, i) => partnerOf(`conv-burst-${i}`, { id: `partner-burst-${i}`, name: `Partner ${i}` }));
    const bots: BotProcess[] = [];
    try {
      const bot = await spawnBot(env);
      bots.push(bot);
      // acknowledged[i]: the number of the last question of conversation i whose reply came back.
      const acknowledged = Array.from({ length: count }, () => 0);
      let turns = 0;
      let stop = false;
      const load = partners.map(async (say, i) => {
        for (let n = 1; !stop; n++) {
          try {
            const replies = await say(bot, `when is WPC? (question ${n})`);
            if (replies.length > 0) acknowledged[i] = n;
            turns += 1;
          } catch {
            stop = true;
          }
        }
      });
      await until(() => turns >= 8 * count, 60_000, 'the burst to run');
      bot.child.kill('SIGKILL');
      await bot.exited();
      stop = true;
      await Promise.all(load);

      // What the disk holds: the per-key files with the journal replayed over them, as the next start sees it.
      const stored = await readFolderSnapshot(dataDir);
      for (let i = 0; i < count; i++) {
        const doc = stored.get(`webchat/conversations/conv-burst-${i}/`);
        expect(doc).toBeDefined();
        const recent = (JSON.parse(doc?.item ?? '{}') as { facts?: { recent?: { question: string }[] } }).facts?.recent ?? [];
        const last = Number(/question (\d+)/.exec(recent.at(-1)?.question ?? '')?.[1] ?? 0);
        // The turn acknowledged, or the one after it (under way when the bot was killed, its reply never received).
        expect([acknowledged[i], (acknowledged[i] as number) + 1]).toContain(last);
      }

      const again = await spawnBot(env);
      bots.push(again);
      await expectEveryPartnerServedPromptly(again, partners);
      expect(again.logs.find((l) => l.msg === 'storage journal replayed')).toMatchObject({ records: expect.any(Number) });
    } finally {
      for (const b of bots) b.child.kill('SIGKILL');
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
