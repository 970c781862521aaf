import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';
import { FileStorage } from '../../../src/storage/FileStorage';
import { DirectLineClient, issueToken, openStream } from '../../helpers/directLineClient';
import { staffPress, startFakeTeams } from '../../helpers/fakeTeams';
import { post, startBot, type RunningBot } from '../../helpers/httpHarness';

const STAFF_CHANNEL = '19:staff-channel@thread.tacv2';

describe('proactive messages reach the open widget', () => {
  it('a ticket opened in the widget and taken by staff in Teams: the partner sees it in the open stream, also after a restart', async () => {
    const teams = await startFakeTeams();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'widget-staff-'));
    const env = { STAFF_TEAMS_CHANNEL: STAFF_CHANNEL, STAFF_TEAMS_SERVICE_URL: teams.url, SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' };
    let bot: RunningBot | undefined;
    try {
      bot = await startBot(env, new FileStorage(dir));
      const issued = await issueToken(bot.url);
      const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
      const { streamUrl } = await client.start();
      const stream = await openStream(streamUrl);
      for (const text of ['talk to a person', 'Which Office 365 plan suits a 40-seat BPOS customer?', 'Jane Doe', 'jane@contoso.com', 'Contoso', 'skip', 'skip']) {
        await client.ask(text);
      }
      const done = await client.ask('yes');
      expect(done.text).toMatch(/PS-10001/);
      const staffAction = (action: 'take' | 'resolve') => staffPress(teams, STAFF_CHANNEL, action, 'PS-10001');
      expect((await post(bot.url, staffAction('take'))).status).toBe(200);
      await stream.waitFor((a) => /Riley Chen from partner support is now looking at your request PS-10001/.test(a.text ?? ''));
      // Nothing went to Teams for the widget's conversation.
      expect(teams.calls.some((c) => c.path.includes(encodeURIComponent(issued.conversationId)))).toBe(false);
      stream.ws.close();

      // After a restart, the stored reference still reaches the widget (which reads the transcript).
      await bot.close();
      bot = await startBot(env, new FileStorage(dir));
      await post(bot.url, staffAction('resolve'));
      const again = await issueToken(bot.url, { resume: issued.resume });
      expect(again.resumed).toBe(true);
      const reloaded = new DirectLineClient(bot.url, again.token, again.conversationId);
      await reloaded.waitFor((a) => /marked your request PS-10001 as resolved/.test(a.text ?? ''));
    } finally {
      await bot?.close();
      await teams.close();
    }
  });

  it('two instances on one store: a stream open on one gets what the other stored, within its 3-second look', async () => {
    const storage = new MemoryStorage();
    const a = await startBot({}, storage);
    const b = await startBot({}, storage);
    try {
      const issued = await issueToken(a.url);
      const onA = new DirectLineClient(a.url, issued.token, issued.conversationId);
      const { streamUrl } = await onA.start();
      const stream = await openStream(streamUrl);
      // The same partner's next request lands on the other instance (no affinity).
      const onB = new DirectLineClient(b.url, issued.token, issued.conversationId);
      const started = Date.now();
      await onB.send('when is WPC?');
      await stream.waitFor((a) => /July 2011/.test(a.text ?? ''), 6000);
      expect(Date.now() - started).toBeLessThan(4500);
      stream.ws.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
