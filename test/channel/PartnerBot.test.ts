import { ActivityTypes, type TestAdapter, type Activity } from 'botbuilder';
import type { ReplyData } from '../../src/conversation/outgoing';
import { readLog } from '../../src/storage/QuestionLog';
import { makeBot, sayActivity } from '../helpers/turnHarness';

async function makeAdapter(maxQuestionChars = 1000): Promise<TestAdapter> {
  return (await makeBot({ maxQuestionChars })).adapter;
}

const data = (a: Partial<Activity>): ReplyData => a.channelData as ReplyData;
/** The buttons that send text back (follow-ups, did-you-mean, talk to a person); not feedback. */
const buttons = (a: Partial<Activity>): string[] => (a.suggestedActions?.actions ?? []).filter((x) => x.type === 'imBack').map((x) => String(x.value));

/** Sends one message and returns the bot's single reply. */
async function ask(adapter: TestAdapter, text: string): Promise<Partial<Activity>> {
  let reply: Partial<Activity> | undefined;
  await adapter.send(text).assertReply((a) => {
    reply = a;
  });
  if (!reply) throw new Error('no reply');
  return reply;
}

describe('PartnerBot turns', () => {
  it('answers "when is WPC?" with the WPC article, naming July 2011, its source and as-of date', async () => {
    const reply = await ask(await makeAdapter(), 'when is WPC?');
    expect(data(reply)).toMatchObject({ band: 'answer', articleId: 'wpc-2011' });
    expect(reply.text).toMatch(/July 2011/);
    expect(reply.text).toMatch(/MSPmentor/);
    expect(reply.text).toMatch(/spring 2011/);
    expect(data(reply).confidence).toBeGreaterThan(0.5);
  });

  it('offers up to three related articles as suggested actions that themselves get confident answers', async () => {
    const adapter = await makeAdapter();
    const reply = await ask(adapter, 'what is BPOS?');
    const followUps = buttons(reply);
    expect(followUps.length).toBeGreaterThan(0);
    expect(followUps.length).toBeLessThanOrEqual(3);
    const next = await ask(adapter, followUps[0] as string);
    expect(data(next).band).toBe('answer');
    expect(data(next).articleId).not.toBe('bpos-overview');
  });

  it('asks "did you mean" with article titles when unsure, and a title button answers outright', async () => {
    const adapter = await makeAdapter();
    const reply = await ask(adapter, 'microsoft partners');
    expect(data(reply).band).toBe('clarify');
    const choices = buttons(reply);
    expect(choices.length).toBeGreaterThanOrEqual(2);
    expect(choices.length).toBeLessThanOrEqual(4);
    const picked = await ask(adapter, choices[0] as string);
    expect(data(picked)).toMatchObject({ band: 'answer', articleId: data(reply).articleId });
  });

  it('asks for text when a message has none (an attachment only)', async () => {
    const adapter = await makeAdapter();
    let reply: Partial<Activity> | undefined;
    await adapter
      .send({ type: ActivityTypes.Message, attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1/x.png' }] })
      .assertReply((a) => {
        reply = a;
      });
    expect(data(reply as Partial<Activity>).band).toBe('noAnswer');
  });

  it('welcomes a partner who joins, but not the bot joining', async () => {
    const adapter = await makeAdapter();
    const joined = (id: string): Partial<Activity> => ({
      type: ActivityTypes.ConversationUpdate,
      membersAdded: [{ id, name: id }],
      recipient: { id: 'bot', name: 'bot' },
    });
    await adapter.send(joined('bot')).assertNoReply('no welcome for the bot itself', 300);
    let welcome: Partial<Activity> | undefined;
    await adapter.send(joined('partner-1')).assertReply((a) => {
      welcome = a;
    });
    expect(data(welcome as Partial<Activity>)).toMatchObject({ band: 'smallTalk', intent: 'welcome' });
    expect(welcome?.text).toMatch(/help/i);
  });

  it('survives hostile input: lunr syntax, control characters, huge words, emoji', async () => {
    const adapter = await makeAdapter();
    for (const text of ['title:bpos~2 +wpc -dell ^3 *', '\u0000\u0007\u001b[31m', 'a'.repeat(900), '😀👍', '"""', '{{constructor}}', '__proto__']) {
      const reply = await ask(adapter, text);
      expect(reply.type).toBe('message');
      expect(['answer', 'partial', 'clarify', 'noAnswer', 'smallTalk']).toContain(data(reply).band);
    }
  });

  describe('answers from passages', () => {
    it('leads with the passage that answers, keeping the title, source and as-of date, with the short answer after it', async () => {
      const reply = await ask(await makeAdapter(), 'how many customers did each top partner migrate?');
      expect(data(reply)).toMatchObject({ band: 'answer', articleId: 'top-cloud-partners', passages: ['top-cloud-partners#1', 'top-cloud-partners#2'] });
      const text = reply.text ?? '';
      expect(text.indexOf('between 65 and 390')).toBeGreaterThan(text.indexOf('top 10 U.S. cloud partners'));
      expect(text.indexOf('between 65 and 390')).toBeLessThan(text.indexOf('In short:'));
      expect(text).toMatch(/MSPmentor news item.*spring 2011/);
    });

    it('gives a partial answer in its own band: what the sources do not say, what they do say with the source, and a person', async () => {
      const reply = await ask(await makeAdapter(), 'how many customers has CDW moved to BPOS?');
      expect(data(reply)).toMatchObject({ band: 'partial', articleId: 'top-cloud-partners', missing: ['CDW'] });
      const text = reply.text ?? '';
      expect(text).toMatch(/^My sources don't give a figure for CDW\./);
      expect(text).toMatch(/Here is what they do say:/);
      expect(text).toMatch(/Accurate as of spring 2011/);
      expect(buttons(reply)).toContain('Talk to a person');
      expect((reply.suggestedActions?.actions ?? []).filter((x) => x.type === 'messageBack')).toHaveLength(2);
    });

    it('answers both questions of a message that asks two', async () => {
      const replies = await sayActivity((await makeBot()).adapter, 'when is WPC and can partners bill cloud customers themselves?');
      const answers = replies.filter((a) => a.type === 'message');
      expect(answers.map((a) => data(a).articleId)).toEqual(['wpc-2011', 'partner-billing-policy']);
      expect(answers[0]?.text).toMatch(/July 2011/);
      expect(answers[1]?.text).toMatch(/did not let channel partners/);
    });

    it('reads a follow-up in the context of the last answer, also after a restart (the context is in conversation state)', async () => {
      const first = await makeBot();
      await ask(first.adapter, 'what is live@edu?');
      const restarted = await makeBot({ storage: first.storage });
      const followUp = await ask(restarted.adapter, 'how many countries is it used in?');
      expect(data(followUp)).toMatchObject({ band: 'answer', articleId: 'live-at-edu' });
      expect(followUp.text).toMatch(/130 countries/);
      const honest = await ask(restarted.adapter, 'and in the UK?');
      expect(data(honest).band).not.toBe('answer');
      expect(honest.text).not.toMatch(/130 countries/);
    });

    it('still loads conversation state saved before follow-ups were understood', async () => {
      const bot = await makeBot();
      await ask(bot.adapter, 'when is WPC?');
      const stateKey = 'test/conversations/Convo1/';
      const saved = (await bot.storage.read([stateKey]))[stateKey] as { facts?: Record<string, unknown> } | undefined;
      expect(saved?.facts?.topic).toMatchObject({ articleId: 'wpc-2011' });
      delete saved?.facts?.topic;
      await bot.storage.write({ [stateKey]: { ...saved, eTag: '*' } });
      const next = await ask((await makeBot({ storage: bot.storage })).adapter, 'what is BPOS?');
      expect(data(next)).toMatchObject({ band: 'answer', articleId: 'bpos-overview' });
    });
  });

  describe('feedback on answers', () => {
    it('puts helpful / not helpful buttons under an answer, and "helpful" is thanked and logged', async () => {
      const bot = await makeBot();
      const reply = await ask(bot.adapter, 'when is WPC?');
      const feedback = (reply.suggestedActions?.actions ?? []).filter((x) => x.type === 'messageBack');
      expect(feedback).toHaveLength(2);
      const helpful = feedback[0];
      expect(helpful?.value).toMatchObject({ feedback: 'helpful', questionId: data(reply).questionId });
      const thanks = await sendValue(bot.adapter, helpful?.value);
      expect(data(thanks)).toMatchObject({ intent: 'feedback' });
      await bot.questionLog.flush();
      const log = await readLog(bot.logDir, new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
      expect(log.questions).toEqual([expect.objectContaining({ question: 'when is WPC?', articleId: 'wpc-2011', band: 'answer', feedback: 'helpful' })]);
      expect(JSON.stringify(log)).not.toContain('"user1"');
    });

    it('"not helpful" apologises, offers a person, and "yes" starts the request', async () => {
      const bot = await makeBot();
      const reply = await ask(bot.adapter, 'what is BPOS?');
      const notHelpful = (reply.suggestedActions?.actions ?? []).find((x) => x.type === 'messageBack' && (x.value as { feedback?: string }).feedback === 'notHelpful');
      const sorry = await sendValue(bot.adapter, notHelpful?.value);
      expect(data(sorry)).toMatchObject({ band: 'noAnswer', intent: 'offer' });
      expect(buttons(sorry)).toContain('Talk to a person');
      const started = await sayActivity(bot.adapter, 'yes');
      expect(started.map((a) => a.text ?? '').join('\n')).toMatch(/help you with/i);
      await bot.questionLog.flush();
      const log = await readLog(bot.logDir, new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
      expect(log.questions[0]).toMatchObject({ articleId: 'bpos-overview', feedback: 'notHelpful' });
    });

    it('ignores a forged feedback value that is not well-formed and treats the turn as a message', async () => {
      const bot = await makeBot();
      const reply = await sendValue(bot.adapter, { feedback: 'helpful', questionId: { $ne: null } }, 'what is BPOS?');
      expect(data(reply)).toMatchObject({ band: 'answer', articleId: 'bpos-overview' });
    });
  });
});

/** Sends a message carrying `value` (what a messageBack button sends) and returns the bot's last reply. */
async function sendValue(adapter: TestAdapter, value: unknown, text = ''): Promise<Partial<Activity>> {
  const replies = await sayActivity(adapter, { type: ActivityTypes.Message, text, value });
  const last = [...replies].reverse().find((r) => r.type === 'message');
  if (!last) throw new Error('no reply');
  return last;
}
