import type { Activity } from 'botbuilder';
import { readLog } from '../../src/storage/QuestionLog';
import { makeBot, sayActivity } from '../helpers/turnHarness';

const BOT = { id: '28:bot-app-id', name: 'Partner Bot' };
const SAM = { id: '29:sam', name: 'Sam Lee', aadObjectId: 'aad-sam' };

function teamsTemplate(conversationType: 'personal' | 'channel' | 'groupChat'): Partial<Activity> {
  return {
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/amer/',
    from: SAM,
    recipient: BOT,
    conversation: {
      id: conversationType === 'personal' ? 'a:1-personal' : '19:channel@thread.tacv2;messageid=1',
      conversationType,
      isGroup: conversationType !== 'personal',
      tenantId: 'tenant-1',
      name: '',
    },
    channelData: conversationType === 'channel' ? { tenant: { id: 'tenant-1' }, team: { id: '19:team' }, channel: { id: '19:channel@thread.tacv2' } } : { tenant: { id: 'tenant-1' } },
  };
}

const mention = (who: { id: string; name: string }) => ({ type: 'mention', text: `<at>${who.name}</at>`, mentioned: { id: who.id, name: who.name } });
const card = (a: Partial<Activity> | undefined) => a?.attachments?.[0];
const data = (a: Partial<Activity> | undefined) => (a?.channelData ?? {}) as { band?: string; articleId?: string; intent?: string; questionId?: string };
const messages = (replies: Partial<Activity>[]) => replies.filter((r) => r.type === 'message');

describe('Microsoft Teams', () => {
  it('in a channel, stays quiet unless @mentioned', async () => {
    const bot = await makeBot({ template: teamsTemplate('channel') });
    expect(await sayActivity(bot.adapter, { type: 'message', text: 'when is WPC?' })).toEqual([]);
  });

  it('in a channel, answers when @mentioned, reading the question without its own mention but keeping others', async () => {
    const bot = await makeBot({ template: teamsTemplate('channel') });
    const replies = await sayActivity(bot.adapter, {
      type: 'message',
      text: '<at>Partner Bot</at> when is WPC? asking for <at>Alex Kim</at>',
      entities: [mention(BOT), mention({ id: '29:alex', name: 'Alex Kim' })],
    });
    const answer = messages(replies)[0];
    expect(data(answer)).toMatchObject({ band: 'answer', articleId: 'wpc-2011' });
    expect(card(answer)?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    await bot.questionLog.flush();
    const [logged] = (await readLog(bot.logDir, new Date(Date.now() - 60_000), new Date(Date.now() + 60_000))).questions;
    expect(logged?.question).not.toContain('Partner Bot');
    expect(logged?.question).toContain('<at>Alex Kim</at>');
  });

  it('in personal chat, answers everything with a typing indicator and an Adaptive Card (answer, source, as-of, follow-ups, feedback)', async () => {
    const bot = await makeBot({ template: teamsTemplate('personal') });
    const replies = await sayActivity(bot.adapter, { type: 'message', text: 'who are bpos competitors' });
    expect(replies[0]?.type).toBe('typing');
    const answer = messages(replies)[0];
    expect(data(answer)).toMatchObject({ band: 'answer', articleId: 'competitors' });
    const content = card(answer)?.content as { body: { text: string }[]; actions: { type: string; title: string; data: { msteams?: { type: string } } }[] };
    const texts = content.body.map((b) => b.text).join('\n');
    expect(texts).toMatch(/IBM/);
    expect(texts).toMatch(/mid 2010/);
    expect(content.actions.every((a) => a.type === 'Action.Submit' && a.data.msteams?.type === 'messageBack')).toBe(true);
    expect(content.actions.map((a) => a.title)).toEqual(expect.arrayContaining(['👍 Helpful', '👎 Not helpful']));
  });

  it('shows follow-up questions whole, as wrapping text beside a short button, not as button titles Teams cuts at about 50 characters', async () => {
    const bot = await makeBot({ template: teamsTemplate('personal') });
    const answer = messages(await sayActivity(bot.adapter, { type: 'message', text: 'when is WPC?' }))[0];
    type Submit = { type: string; title: string; data: { ask: string; msteams: { type: string; displayText: string } } };
    type Row = { type: string; selectAction?: Submit; columns: { items: { type: string; text?: string; wrap?: boolean; actions?: Submit[] }[] }[] };
    const content = card(answer)?.content as { body: Row[]; actions: { title: string }[] };
    const rows = content.body.filter((b) => b.type === 'ColumnSet' && b.selectAction);
    const texts = rows.map((r) => r.columns[0]?.items[0]);
    expect(texts.map((t) => t?.text)).toContain('What is Office 365 and what does it mean for my BPOS customers?');
    for (const [i, r] of rows.entries()) {
      expect(texts[i]?.wrap).toBe(true);
      const button = r.columns[1]?.items[0]?.actions?.[0];
      // The button is short; pressing it asks the whole question, shown as the partner's message.
      expect(button).toMatchObject({ type: 'Action.Submit', title: 'Ask', data: { ask: texts[i]?.text, msteams: { type: 'messageBack', displayText: texts[i]?.text } } });
    }
    expect(content.actions.every((a) => a.title.length <= 30)).toBe(true);
  });

  it('handles card button presses in a channel without an @mention: a follow-up question and feedback', async () => {
    const bot = await makeBot({ template: teamsTemplate('channel') });
    const first = messages(await sayActivity(bot.adapter, { type: 'message', text: '<at>Partner Bot</at> what is BPOS?', entities: [mention(BOT)] }))[0];
    const content = card(first)?.content as { body: { type: string; selectAction?: { data: Record<string, unknown> } }[]; actions: { title: string; data: Record<string, unknown> }[] };
    const actions = content.actions;
    const followUp = content.body.find((b) => b.type === 'ColumnSet' && b.selectAction)?.selectAction;
    const { msteams: _m, ...followUpValue } = followUp?.data ?? {};
    const next = messages(await sayActivity(bot.adapter, { type: 'message', text: '', value: followUpValue }))[0];
    expect(data(next)).toMatchObject({ band: 'answer' });
    expect(data(next).articleId).not.toBe('bpos-overview');
    const helpful = actions.find((a) => a.title.includes('Helpful'));
    const { msteams: _n, ...helpfulValue } = helpful?.data ?? {};
    const thanks = messages(await sayActivity(bot.adapter, { type: 'message', text: '', value: helpfulValue }))[0];
    expect(data(thanks)).toMatchObject({ intent: 'feedback' });
  });

  it('welcomes once on install in personal scope, and posts nothing when added to a team', async () => {
    const personal = await makeBot({ template: teamsTemplate('personal') });
    const installed = await sayActivity(personal.adapter, { type: 'installationUpdate', action: 'add' });
    expect(messages(installed).map((m) => data(m).intent)).toEqual(['welcome']);
    const added = await sayActivity(personal.adapter, { type: 'conversationUpdate', membersAdded: [BOT] });
    expect(messages(added)).toEqual([]);

    const team = await makeBot({ template: teamsTemplate('channel') });
    expect(messages(await sayActivity(team.adapter, { type: 'installationUpdate', action: 'add' }))).toEqual([]);
    expect(messages(await sayActivity(team.adapter, { type: 'conversationUpdate', membersAdded: [BOT, SAM] }))).toEqual([]);
  });

  describe('search from the compose box (composeExtension/query)', () => {
    async function query(parameters: { name: string; value: string }[]) {
      const bot = await makeBot({ template: teamsTemplate('personal') });
      const replies = await sayActivity(bot.adapter, { type: 'invoke', name: 'composeExtension/query', value: { commandId: 'searchKnowledge', parameters } });
      const response = replies.find((r) => r.type === 'invokeResponse')?.value as { status: number; body: { composeExtension: { attachments: { content: { body: { text: string }[] }; preview: { content: { title: string; text: string } } }[] } } };
      return response;
    }

    it('lists matching articles with title and a short-answer preview; picking one inserts the answer card', async () => {
      const res = await query([{ name: 'query', value: 'wpc july' }]);
      expect(res.status).toBe(200);
      const [first] = res.body.composeExtension.attachments;
      expect(first?.preview.content.title).toMatch(/WPC/);
      expect(first?.preview.content.text.length).toBeLessThanOrEqual(141);
      expect(first?.content.body.map((b) => b.text).join(' ')).toMatch(/July 2011/);
    });

    it('shows the most useful articles (one per topic) for an empty query or the initial run', async () => {
      const empty = await query([{ name: 'query', value: '' }]);
      const initial = await query([{ name: 'initialRun', value: 'true' }]);
      expect(empty.body.composeExtension.attachments.length).toBeGreaterThanOrEqual(5);
      expect(initial.body.composeExtension.attachments.length).toBe(empty.body.composeExtension.attachments.length);
    });

    it('never throws on hostile query text', async () => {
      const res = await query([{ name: 'query', value: 'title:bpos~2 +wpc -dell ^3 * "' }]);
      expect(res.status).toBe(200);
    });
  });

  it('never collects a partner\'s details in a channel: asking for a person there points to a private chat', async () => {
    const bot = await makeBot({ template: teamsTemplate('channel') });
    const replies = messages(await sayActivity(bot.adapter, { type: 'message', text: '<at>Partner Bot</at> I need to talk to a person', entities: [mention(BOT)] }));
    expect(replies).toHaveLength(1);
    expect(data(replies[0])).toMatchObject({ band: 'escalation', intent: 'private' });
    const link = (replies[0]?.attachments?.[0]?.content as { buttons: { value: string }[] }).buttons[0]?.value;
    expect(link).toBe('https://teams.microsoft.com/l/chat/0/0?users=28:bot-app-id');
    // The next channel message is not taken as an answer to "what's your e-mail?".
    const next = messages(await sayActivity(bot.adapter, { type: 'message', text: '<at>Partner Bot</at> what is BPOS?', entities: [mention(BOT)] }));
    expect(data(next[0])).toMatchObject({ band: 'answer', articleId: 'bpos-overview' });
    expect(await bot.tickets.list()).toEqual([]);
  });

  it('in a channel, turns suggested actions (which Teams shows only in one-to-one chats) into card buttons that work without a mention', async () => {
    const bot = await makeBot({ template: teamsTemplate('channel') });
    const clarify = messages(await sayActivity(bot.adapter, { type: 'message', text: '<at>Partner Bot</at> microsoft partners', entities: [mention(BOT)] }))[0];
    expect(data(clarify).band).toBe('clarify');
    expect(clarify?.suggestedActions).toBeUndefined();
    const rows = (clarify?.attachments?.[0]?.content as { body: { selectAction: { type: string; data: { ask: string; msteams: { type: string } } } }[] }).body;
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows[0]?.selectAction.type).toBe('Action.Submit');
    expect(rows[0]?.selectAction.data.msteams.type).toBe('messageBack');
    const { msteams: _m, ...value } = rows[0]?.selectAction.data ?? { msteams: undefined };
    const picked = messages(await sayActivity(bot.adapter, { type: 'message', text: '', value }))[0];
    expect(data(picked)).toMatchObject({ band: 'answer', articleId: data(clarify).articleId });
  });

  it('in personal chat, keeps suggested actions', async () => {
    const bot = await makeBot({ template: teamsTemplate('personal') });
    const clarify = messages(await sayActivity(bot.adapter, { type: 'message', text: 'microsoft partners' }))[0];
    expect(clarify?.suggestedActions?.actions.length).toBeGreaterThanOrEqual(2);
  });

  it('completes an escalation in personal chat without sending the handoff event Teams would refuse', async () => {
    const bot = await makeBot({ template: teamsTemplate('personal') });
    let all: Partial<Activity>[] = [];
    for (const text of ['talk to a person', 'A question', 'Sam Lee', 'sam@fabrikam.com', 'Fabrikam', 'skip', 'skip', 'yes']) {
      all = [...all, ...(await sayActivity(bot.adapter, { type: 'message', text }))];
    }
    expect(all.some((a) => a.type === 'event')).toBe(false);
    expect(all.map((a) => a.text ?? '').join('\n')).toMatch(/PS-10001/);
    expect(await bot.tickets.list()).toHaveLength(1);
  });
});
