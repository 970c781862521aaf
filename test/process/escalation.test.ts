import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { partnerOf, spawnBot, type BotProcess } from '../helpers/botProcess';
import { startWebhookReceiver } from '../helpers/webhookReceiver';

const say = partnerOf('conv-escalation-e2e', { id: 'partner-42', name: 'Jane Doe' });

const SECRET = 'test-webhook-secret';

describe('escalation over HTTP with a flaky webhook and restarts', () => {
  it('delivers the ticket exactly once, signed, although the receiver fails for a while and the bot restarts twice', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'partner-bot-data-'));
    const receiver = await startWebhookReceiver(SECRET);
    receiver.failing = true;
    const env = {
      DATA_DIR: dataDir,
      ESCALATION_WEBHOOK_URL: receiver.url,
      ESCALATION_WEBHOOK_SECRET: SECRET,
      ESCALATION_RETRY_BASE_MS: '200',
      ESCALATION_RETRY_MAX_MS: '1000',
      SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
    };
    const bots: BotProcess[] = [];
    try {
      // First instance: the partner starts an escalation and gets half-way.
      let bot = await spawnBot(env);
      bots.push(bot);
      expect((await say(bot, 'I need someone from partner support')).map((a) => a.text).join(' ')).toMatch(/help you with/i);
      await say(bot, 'Can my BPOS customers move to Office 365 before July?');
      await say(bot, 'Jane Doe');
      bot.child.kill('SIGTERM');
      expect(await bot.exited()).toBe(0);

      // Second instance on the same data: the dialog resumes at the e-mail question.
      bot = await spawnBot(env);
      bots.push(bot);
      const resumed = await say(bot, 'jane@contoso.com');
      expect(resumed.map((a) => a.text).join(' ')).toMatch(/company/i);
      await say(bot, 'Contoso Ltd');
      await say(bot, '1234567');
      const confirm = await say(bot, 'skip');
      expect(confirm.map((a) => a.text).join(' ')).toMatch(/jane@contoso\.com/);
      const done = await say(bot, 'yes');
      const ticketId = done.find((a) => a.channelData?.ticketId)?.channelData?.ticketId;
      expect(ticketId).toMatch(/^PS-\d+$/);
      expect(done.some((a) => a.type === 'event' && a.name === 'handoff.initiate')).toBe(true);

      // The receiver is down: attempts fail and are retried; then this instance stops too.
      const deadline = Date.now() + 10_000;
      while (receiver.calls.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(receiver.calls.length).toBeGreaterThanOrEqual(2);
      expect(receiver.accepted()).toHaveLength(0);
      const pendingStatus = await say(bot, `status of ${ticketId as string}`);
      expect(pendingStatus[0]?.channelData?.delivery).toBe('pending');
      bot.child.kill('SIGTERM');
      expect(await bot.exited()).toBe(0);
      const failedWhileDown = receiver.calls.length;

      // Third instance; the receiver recovers: the queued ticket goes out once.
      receiver.failing = false;
      const recoveredAt = Date.now();
      bot = await spawnBot(env);
      bots.push(bot);
      await receiver.waitForAccepted(1, 15_000);
      await new Promise((r) => setTimeout(r, 2500)); // several poll intervals: nothing more may arrive
      expect(receiver.accepted()).toHaveLength(1);
      const [delivered] = receiver.accepted();
      expect(delivered?.idempotencyKey).toBe(ticketId);
      expect(delivered?.body.idempotencyKey).toBe(ticketId);
      expect(delivered?.body.ticket).toMatchObject({ id: ticketId, answers: { email: 'jane@contoso.com', company: 'Contoso Ltd', partnerId: '1234567' } });
      expect(receiver.calls.every((c) => c.signatureValid && c.idempotencyKey === ticketId)).toBe(true);
      const status = await say(bot, `status of ${ticketId as string}`);
      expect(status[0]?.channelData?.delivery).toBe('delivered');

      if (process.env.REPORT_FIGURES) {
        console.log(
          `delivery figures: ${failedWhileDown} failed attempts while the receiver was down, ${receiver.calls.length} calls in all, ` +
            `${receiver.accepted().length} accepted, delivered ${(delivered?.at ?? 0) - recoveredAt} ms after the receiver recovered (including the restart)`,
        );
      }
    } finally {
      for (const b of bots) b.child.kill('SIGKILL');
      await receiver.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
