import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStorage } from '../../src/storage/FileStorage';
import { startFakeTeams, type ConnectorCall } from '../helpers/fakeTeams';
import { post, startBot, type RunningBot } from '../helpers/httpHarness';

const STAFF_CHANNEL = '19:staff-channel@thread.tacv2';
let n = 0;

function teamsActivity(serviceUrl: string, conversation: Record<string, unknown>, from: { id: string; name: string }, fields: Record<string, unknown>) {
  n += 1;
  return {
    type: 'message',
    id: `msg-${n}`,
    channelId: 'msteams',
    serviceUrl,
    conversation,
    from,
    recipient: { id: '28:bot', name: 'Partner Bot' },
    ...fields,
  };
}

const texts = (calls: ConnectorCall[]) => calls.map((c) => JSON.stringify(c.body));

describe('escalations in the staff Teams channel (STAFF_TEAMS_CHANNEL)', () => {
  it('posts each ticket as a card; "Take it" and "Resolve" update the card and tell the partner, also after a restart', async () => {
    const teams = await startFakeTeams();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'staff-'));
    const env = { STAFF_TEAMS_CHANNEL: STAFF_CHANNEL, STAFF_TEAMS_SERVICE_URL: teams.url, SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' };
    let bot: RunningBot | undefined;
    try {
      bot = await startBot(env, new FileStorage(dir));
      const partnerConversation = { id: 'a:partner-1on1', conversationType: 'personal', tenantId: 't1' };
      const partner = { id: '29:jane', name: 'Jane Doe' };
      for (const text of ['talk to a person', 'Need help moving 40 BPOS seats', 'Jane Doe', 'jane@contoso.com', 'Contoso', 'skip', 'skip', 'yes']) {
        const res = await post(bot.url, teamsActivity(teams.url, partnerConversation, partner, { text }));
        expect(res.status).toBe(200);
      }
      const created = teams.calls.find((c) => c.method === 'POST' && c.path === '/v3/conversations');
      expect(created).toBeDefined();
      expect(created?.body.channelData).toMatchObject({ channel: { id: STAFF_CHANNEL } });
      const card = JSON.stringify(created?.body.activity);
      expect(card).toMatch(/PS-10001/);
      expect(card).toMatch(/jane@contoso\.com/);
      expect(card).toMatch(/Need help moving 40 BPOS seats/);
      expect(card).toMatch(/Take it/);
      const thread = created?.response?.id ?? '';
      expect(thread).toMatch(/;messageid=\d+$/);

      // A partner cannot press "Take it" for themselves: outside the staff channel it is ignored.
      const before = teams.calls.length;
      await post(bot.url, teamsActivity(teams.url, partnerConversation, partner, { text: '', value: { staffAction: 'take', ticketId: 'PS-10001' } }));
      expect(texts(teams.calls.slice(before)).join('\n')).not.toMatch(/is now looking at your request/);

      // Staff press "Take it" on the card, in the channel thread.
      const staffThread = { id: thread, conversationType: 'channel', isGroup: true, tenantId: 't1' };
      const riley = { id: '29:riley', name: 'Riley Chen' };
      const cardId = thread.split('messageid=')[1];
      const mark = teams.calls.length;
      await post(bot.url, teamsActivity(teams.url, staffThread, riley, { text: '', replyToId: cardId, value: { staffAction: 'take', ticketId: 'PS-10001' }, channelData: { channel: { id: STAFF_CHANNEL } } }));
      const afterTake = teams.calls.slice(mark);
      const update = afterTake.find((c) => c.method === 'PUT');
      expect(update?.path).toBe(`/v3/conversations/${encodeURIComponent(thread)}/activities/${cardId}`);
      expect(JSON.stringify(update?.body)).toMatch(/Taken by Riley Chen/);
      const toPartner = afterTake.find((c) => c.method === 'POST' && c.path.startsWith(`/v3/conversations/${encodeURIComponent(partnerConversation.id)}/activities`));
      expect(JSON.stringify(toPartner?.body)).toMatch(/Riley Chen from partner support is now looking at your request PS-10001/);

      // A restart: the stored conversation references still reach the partner.
      await bot.close();
      bot = await startBot(env, new FileStorage(dir));
      const mark2 = teams.calls.length;
      await post(bot.url, teamsActivity(teams.url, staffThread, riley, { text: '', replyToId: cardId, value: { staffAction: 'resolve', ticketId: 'PS-10001' }, channelData: { channel: { id: STAFF_CHANNEL } } }));
      const afterResolve = teams.calls.slice(mark2);
      expect(JSON.stringify(afterResolve.find((c) => c.method === 'PUT')?.body)).toMatch(/Resolved by Riley Chen/);
      expect(texts(afterResolve.filter((c) => c.path.startsWith(`/v3/conversations/${encodeURIComponent(partnerConversation.id)}/`))).join('\n')).toMatch(/marked your request PS-10001 as resolved/);
    } finally {
      await bot?.close();
      await teams.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('moves an escalation asked for in a channel into a one-to-one chat it opens, and continues there', async () => {
    const teams = await startFakeTeams();
    let bot: RunningBot | undefined;
    try {
      bot = await startBot({ SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' });
      const channel = { id: '19:general@thread.tacv2;messageid=5', conversationType: 'channel', isGroup: true, tenantId: 't1' };
      const jane = { id: '29:jane', name: 'Jane Doe' };
      const res = await post(
        bot.url,
        teamsActivity(teams.url, channel, jane, {
          text: '<at>Partner Bot</at> I need to talk to a person',
          entities: [{ type: 'mention', text: '<at>Partner Bot</at>', mentioned: { id: '28:bot', name: 'Partner Bot' } }],
          channelData: { tenant: { id: 't1' }, channel: { id: '19:general@thread.tacv2' } },
        }),
      );
      expect(res.status).toBe(200);
      const created = teams.calls.find((c) => c.method === 'POST' && c.path === '/v3/conversations');
      expect(created?.body).toMatchObject({ isGroup: false, members: [{ id: '29:jane' }] });
      const privateId = created?.response?.id ?? '';
      const inPrivate = teams.calls.filter((c) => c.path.startsWith(`/v3/conversations/${encodeURIComponent(privateId)}/activities`));
      expect(texts(inPrivate).join('\n')).toMatch(/help you with/i);
      const inChannel = teams.calls.filter((c) => c.path.startsWith(`/v3/conversations/${encodeURIComponent(channel.id)}/activities`));
      expect(texts(inChannel).join('\n')).toMatch(/private message/);
      expect(texts(inChannel).join('\n')).not.toMatch(/help you with|e-mail/i);

      // The partner answers in the private chat and the request goes on there.
      const mark = teams.calls.length;
      await post(bot.url, teamsActivity(teams.url, { id: privateId, conversationType: 'personal', tenantId: 't1' }, jane, { text: 'Moving 40 seats to Office 365' }));
      expect(texts(teams.calls.slice(mark)).join('\n')).toMatch(/name/i);
    } finally {
      await bot?.close();
      await teams.close();
    }
  });
});
