import { partnerOf, spawnBot, type BotProcess } from '../helpers/botProcess';
import { startAzurite } from '../helpers/azurite';
import { startWebhookReceiver } from '../helpers/webhookReceiver';

const say = partnerOf('conv-scale-out', { id: 'partner-5', name: 'Alex' });

describe('two bot instances behind a load balancer, sharing Azure Blob storage (Azurite)', () => {
  it('continues an escalation started on one instance on the other, and delivers exactly one ticket', async () => {
    const azurite = await startAzurite();
    const receiver = await startWebhookReceiver('scale-secret');
    const env = {
      STORAGE: 'blob',
      BLOB_CONNECTION_STRING: azurite.connectionString,
      BLOB_CONTAINER: 'scale-out-test',
      ESCALATION_WEBHOOK_URL: receiver.url,
      ESCALATION_WEBHOOK_SECRET: 'scale-secret',
      SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
    };
    const bots: BotProcess[] = [];
    try {
      const [one, two] = await Promise.all([spawnBot(env), spawnBot(env)]);
      bots.push(one, two);
      expect(one.url).not.toBe(two.url);

      expect((await say(one, 'I need to speak to someone')).map((a) => a.text).join(' ')).toMatch(/help you with/i);
      await say(one, 'Moving 300 BPOS seats: who handles the billing?');
      await say(one, 'Alex Kim');
      // The load balancer sends the rest of the conversation to the other instance.
      const resumed = await say(two, 'alex@northwind.com');
      expect(resumed.map((a) => a.text).join(' ')).toMatch(/company/i);
      for (const text of ['Northwind', 'skip', 'skip']) await say(two, text);
      const done = await say(two, 'yes');
      const ticketId = done.find((a) => a.channelData?.ticketId)?.channelData?.ticketId as string;
      expect(ticketId).toMatch(/^PS-/);

      // Both instances run the delivery worker on the shared outbox.
      await receiver.waitForAccepted(1, 15_000);
      await new Promise((r) => setTimeout(r, 3000));
      expect(receiver.calls).toHaveLength(1);
      expect(receiver.accepted()[0]?.body.ticket).toMatchObject({ id: ticketId, answers: { name: 'Alex Kim', email: 'alex@northwind.com' } });
      // Either instance can tell the partner it arrived.
      expect((await say(one, `status of ${ticketId}`))[0]?.channelData?.delivery).toBe('delivered');
    } finally {
      for (const b of bots) b.child.kill('SIGKILL');
      await receiver.close();
      await azurite.stop();
    }
  });
});
