import { respond } from '../../src/conversation/respond';
import { emptyFacts } from '../../src/conversation/facts';
import { buttonsOf, CoreConversation, dataOf, TicketDesk, textOf } from '../helpers/coreConversation';

/**
 * The rules of a turn, against `respond` alone: no adapter, no storage, no channel. What the partner
 * reads is each reply's text as every channel shows it.
 */
const last = <T>(xs: readonly T[]): T | undefined => xs[xs.length - 1];

async function through(c: CoreConversation, texts: readonly string[]) {
  let out = c.say(texts[0] ?? '');
  for (const text of texts.slice(1)) out = c.say(text);
  return out;
}

const SUPPORT_ANSWERS = ['A question', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip'];

describe('respond: questions for the knowledge base', () => {
  it('answers "when is WPC?" from the WPC article, records the question and offers feedback on it', async () => {
    const c = await CoreConversation.start();
    const out = c.say('when is WPC?');
    expect(dataOf(out)).toEqual([{ band: 'answer', articleId: 'wpc-2011', questionId: 'q1' }]);
    expect(textOf(out, c)).toMatch(/July 2011/);
    expect(c.effects).toEqual([expect.objectContaining({ kind: 'recordQuestion', id: 'q1', question: 'when is WPC?' })]);
    expect(c.facts).toMatchObject({ lastQuestionId: 'q1', noAnswerStreak: 0, recent: [{ question: 'when is WPC?', band: 'answer', articleId: 'wpc-2011' }] });
    expect(c.last?.searched).toBe(true);
    expect(c.last?.log).toMatchObject({ outcome: 'answer', articleId: 'wpc-2011', logged: true });
  });

  it('offers up to three related articles, and a follow-up button answers outright', async () => {
    const c = await CoreConversation.start();
    const followUps = buttonsOf(c.say('what is BPOS?'), c);
    expect(followUps.length).toBeGreaterThan(0);
    expect(followUps.length).toBeLessThanOrEqual(3);
    expect(dataOf(c.say(followUps[0] as string))[0]).toMatchObject({ band: 'answer' });
  });

  it('asks "did you mean" when unsure, and a title answers outright', async () => {
    const c = await CoreConversation.start();
    const out = c.say('microsoft partners');
    expect(dataOf(out)[0]?.band).toBe('clarify');
    const choices = buttonsOf(out, c);
    expect(choices.length).toBeGreaterThanOrEqual(2);
    expect(dataOf(c.say(choices[0] as string))[0]).toMatchObject({ band: 'answer', articleId: dataOf(out)[0]?.articleId });
  });

  it('says plainly when it has no answer, names what is not covered, and offers a person', async () => {
    const c = await CoreConversation.start();
    const none = c.say("what's the weather in seattle");
    expect(dataOf(none)[0]).toMatchObject({ band: 'noAnswer', articleId: null });
    expect(buttonsOf(none, c)).toContain('Talk to a person');
    const gap = (await CoreConversation.start()).say('how much does bpos cost per user per month');
    expect(dataOf(gap)[0]?.band).toBe('noAnswer');
  });

  it('gives a partial answer in its own band, with feedback', async () => {
    const c = await CoreConversation.start();
    const out = c.say('how many customers has CDW moved to BPOS?');
    expect(dataOf(out)[0]).toMatchObject({ band: 'partial', articleId: 'top-cloud-partners', questionId: 'q1' });
    expect(textOf(out, c)).toMatch(/^My sources don't give a figure for CDW\./);
  });

  it('names what the sources do not cover', async () => {
    const c = await CoreConversation.start();
    const out = c.say('how much will office 365 cost per user?');
    expect(dataOf(out)[0]?.band).toBe('noAnswer');
    expect(textOf(out, c)).toMatch(/pric|cost/i);
    expect(buttonsOf(out, c).length).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['hello', 'greeting'],
    ['thanks!', 'thanks'],
    ['help', 'help'],
    ['bye', 'goodbye'],
  ])('replies to small talk "%s" with a short scripted reply (%s), leaving the no-answer streak alone', async (text, intent) => {
    const c = await CoreConversation.start();
    c.say("what's the weather in seattle");
    expect(dataOf(c.say(text))[0]).toMatchObject({ band: 'smallTalk', intent });
    expect(c.facts.noAnswerStreak).toBe(1);
    expect(c.facts.lastQuestionId).toBe('q1');
  });

  it('lists the topics on "help" with example questions that get answers, and answers a question wrapped in a greeting', async () => {
    const c = await CoreConversation.start();
    const help = c.say('help');
    expect(textOf(help, c)).toMatch(/BPOS/);
    expect(textOf(help, c)).toMatch(/WPC/);
    const example = buttonsOf(help, c)[0];
    expect(dataOf(c.say(example as string))[0]?.band).toBe('answer');
    expect(dataOf(c.say('hi there, quick q - who are the competitors of BPOS?'))[0]).toMatchObject({ band: 'answer', articleId: 'competitors' });
  });

  it('answers both questions of a message that asks two, each recorded with its own part', async () => {
    const c = await CoreConversation.start();
    const out = c.say('when is WPC and can partners bill cloud customers themselves?');
    expect(dataOf(out).map((d) => d.articleId)).toEqual(['wpc-2011', 'partner-billing-policy']);
    expect(c.effects.filter((e) => e.kind === 'recordQuestion')).toHaveLength(2);
    expect(c.last?.log?.fields).toMatchObject({ questions: 2 });
  });

  it('reads a follow-up in the context of the last answer (kept in the facts), and is honest about what it does not say', async () => {
    const c = await CoreConversation.start();
    c.say('what is live@edu?');
    expect(c.facts.topic).toMatchObject({ articleId: 'live-at-edu' });
    const followUp = c.say('how many countries is it used in?');
    expect(dataOf(followUp)[0]).toMatchObject({ band: 'answer', articleId: 'live-at-edu' });
    expect(textOf(followUp, c)).toMatch(/130 countries/);
    expect(textOf(c.say('and in the UK?'), c)).not.toMatch(/130 countries/);
  });

  it('refuses an over-long message without searching it, and asks for text when there is none', async () => {
    const c = await CoreConversation.start({ maxQuestionChars: 50 });
    const long = c.say('when is WPC? '.repeat(10));
    expect(textOf(long, c)).toMatch(/50 characters/);
    expect(c.last?.searched).toBeUndefined();
    expect(c.last?.log).toMatchObject({ outcome: 'tooLong', fields: { chars: 129 } });
    const none = c.say('   ');
    expect(textOf(none, c)).toMatch(/only read typed messages/);
    expect(c.effects).toEqual([]);
  });

  it('without a question log, answers carry no feedback id and nothing is recorded', async () => {
    const c = await CoreConversation.start({ logQuestions: false });
    expect(dataOf(c.say('when is WPC?'))[0]).toEqual({ band: 'answer', articleId: 'wpc-2011' });
    expect(c.effects).toEqual([]);
    expect(c.facts.lastQuestionId).toBeUndefined();
  });

  it('does not change the facts it is given', async () => {
    const c = await CoreConversation.start();
    const facts = emptyFacts();
    const frozen = JSON.stringify(facts);
    respond({ message: { text: 'talk to a person', shared: false, addressed: true, from: { userId: 'u', conversationId: 'c', channelId: 'test' } }, facts, content: c.content, now: new Date() });
    expect(JSON.stringify(facts)).toBe(frozen);
  });
});

describe('respond: feedback, offers of a person', () => {
  it('"helpful" is thanked and recorded', async () => {
    const c = await CoreConversation.start();
    c.say('when is WPC?');
    const thanks = c.say('', { feedback: { feedback: 'helpful', questionId: 'q1' } });
    expect(dataOf(thanks)).toEqual([{ band: 'smallTalk', articleId: null, confidence: null, intent: 'feedback' }]);
    expect(c.effects).toContainEqual({ kind: 'recordFeedback', questionId: 'q1', feedback: 'helpful' });
    expect(c.last?.log).toMatchObject({ outcome: 'feedback', fields: { feedback: 'helpful' } });
  });

  it('"not helpful" apologises and offers a person; "yes" starts the request', async () => {
    const c = await CoreConversation.start();
    c.say('what is BPOS?');
    const sorry = c.say('', { feedback: { feedback: 'notHelpful', questionId: 'q1' } });
    expect(dataOf(sorry)[0]).toMatchObject({ band: 'noAnswer', intent: 'offer' });
    expect(buttonsOf(sorry, c)).toEqual(['Talk to a person', 'No']);
    expect(c.effects).toContainEqual({ kind: 'recordFeedback', questionId: 'q1', feedback: 'notHelpful' });
    expect(textOf(c.say('yes'), c)).toMatch(/help you with/i);
    expect(c.facts.escalation).toMatchObject({ scriptId: 'support', phase: 'collect', current: 'question' });
  });

  it('"that didn\'t help, talk to a person" is feedback on the last answer and a request for a person', async () => {
    const c = await CoreConversation.start();
    c.say('what is BPOS?');
    c.say("that didn't help, can I talk to a person?");
    expect(c.effects).toContainEqual({ kind: 'recordFeedback', questionId: 'q1', feedback: 'notHelpful' });
    expect(c.facts.escalation?.scriptId).toBe('support');
  });

  it('offers a person unprompted after a second no-answer in a row; "no" is acknowledged', async () => {
    const c = await CoreConversation.start();
    expect(dataOf(c.say("what's the weather in seattle")).some((d) => d.intent === 'offer')).toBe(false);
    const second = c.say('tell me a joke');
    expect(dataOf(second).some((d) => d.intent === 'offer')).toBe(true);
    expect(buttonsOf(second, c)).toEqual(['Yes', 'No']);
    expect(c.facts).toMatchObject({ pendingOffer: 'support', noAnswerStreak: 0 });
    expect(textOf(c.say('no'), c)).toMatch(/No problem/);
    expect(c.facts.pendingOffer).toBeUndefined();
    expect(c.last?.log).toMatchObject({ outcome: 'smallTalk', logged: false });
  });

  it('accepts the offer through the no-answer\'s "Talk to a person" button', async () => {
    const c = await CoreConversation.start();
    const none = c.say('how much does bpos cost per user per month');
    const button = buttonsOf(none, c).find((b) => /person/i.test(b));
    expect(textOf(c.say(button as string), c)).toMatch(/help you with/i);
  });
});

describe('respond: a request for a person', () => {
  it('asks each detail, confirms, asks for the ticket to be written, and only then gives the reference', async () => {
    const c = await CoreConversation.start();
    c.say('when is WPC?');
    const first = c.say('I need to talk to a human');
    expect(textOf(first, c)).toMatch(/partner support/i);
    expect(textOf(first, c)).toMatch(/help you with/i);
    expect(c.effects).toContainEqual({ kind: 'escalation', event: 'started' });
    expect(c.last?.log).toMatchObject({ outcome: 'escalationStarted', fields: { script: 'support' } });
    const confirm = await through(c, SUPPORT_ANSWERS);
    expect(textOf(confirm, c)).toMatch(/jane@contoso\.com/);
    expect(buttonsOf(confirm, c)).toEqual(['Yes', 'No']);
    expect(c.desk.tickets).toHaveLength(0);
    const done = c.say('yes');
    const [ticket] = c.desk.tickets;
    expect(ticket).toMatchObject({ scriptId: 'support', answers: { question: 'A question', name: 'Jane', email: 'jane@contoso.com', company: 'Contoso', partnerId: '', phone: '' } });
    expect(ticket?.history.map((h) => h.question)).toEqual(['when is WPC?']);
    expect(dataOf(done)).toEqual([{ band: 'escalation', articleId: null, confidence: null, ticketId: 'PS-10000' }]);
    expect(textOf(done, c)).toMatch(/PS-10000.*4 business hours/s);
    expect(c.effects).toEqual(expect.arrayContaining([{ kind: 'ticketOpened', ticket }, { kind: 'escalation', event: 'completed' }]));
    expect(c.facts).toMatchObject({ tickets: ['PS-10000'] });
    expect(c.facts.escalation).toBeUndefined();
    expect(c.profile).toEqual({ name: 'Jane', email: 'jane@contoso.com', company: 'Contoso' });
    expect(dataOf(c.say('when is WPC?'))[0]).toMatchObject({ band: 'answer', articleId: 'wpc-2011' });
  });

  it('when the ticket cannot be written, says so with the reference and asks for the confirmation again, answers kept', async () => {
    const desk = new TicketDesk();
    desk.failWith = 'ref-123';
    const c = await CoreConversation.start({ desk });
    await through(c, ['talk to a person', ...SUPPORT_ANSWERS]);
    const failed = c.say('yes');
    expect(textOf(failed, c)).toMatch(/couldn't record your request.*ref-123/s);
    expect(textOf(failed, c)).toMatch(/Shall I send it\?/);
    expect(c.facts.escalation).toMatchObject({ phase: 'confirm', answers: { email: 'jane@contoso.com' } });
    desk.failWith = undefined;
    c.say('yes');
    expect(desk.tickets).toHaveLength(1);
  });

  it.each([
    ['e-mail', ['talk to a person', 'Need help', 'Jane'], 'not-an-email', /e-mail address/i],
    ['phone', ['talk to a person', 'Need help', 'Jane', 'jane@contoso.com', 'Contoso', 'skip'], 'call me maybe', /phone number/i],
    ['partner id', ['talk to a person', 'Need help', 'Jane', 'jane@contoso.com', 'Contoso'], '12ab', /partner ID/i],
    ['too long', ['talk to a person', 'Need help'], 'J'.repeat(150), /100 characters/],
  ])('refuses a bad %s with the reason and the same question, keeping earlier answers', async (_kind, before, bad, reason) => {
    const c = await CoreConversation.start();
    const asked = textOf(await through(c, before), c);
    const progress = c.facts.escalation;
    const retry = c.say(bad);
    expect(textOf(retry, c)).toMatch(reason);
    expect(textOf(retry, c)).toContain(asked);
    expect(c.facts.escalation).toEqual(progress);
  });

  it('takes a bad e-mail as a bad e-mail, never as a knowledge question, and answers a real question asked mid-way', async () => {
    const c = await CoreConversation.start();
    const asked = textOf(await through(c, ['talk to a person', 'A question', 'Jane']), c);
    for (const bad of ['not-an-email', 'live edu', 'email']) {
      const retry = c.say(bad);
      expect(retry.every((o) => o.kind === 'text')).toBe(true);
      expect(textOf(retry, c)).toMatch(/doesn't look like an e-mail address/i);
    }
    const midway = c.say('how many schools use live@edu?');
    expect(midway[0]).toMatchObject({ kind: 'knowledge', plain: true });
    expect(textOf(midway, c)).toMatch(/10,000 schools/);
    expect(textOf([last(midway) ?? midway[0]!], c)).toBe(asked);
    expect(textOf(c.say('jane@contoso.com'), c)).toMatch(/company/i);
  });

  it('starts the billing script from a dispute and takes choices by number or close spelling', async () => {
    const c = await CoreConversation.start();
    const start = c.say('I think my customer was overcharged on the last invoice');
    expect(textOf(start, c)).toMatch(/billing/i);
    expect(buttonsOf(start, c).length).toBeGreaterThanOrEqual(3);
    expect(c.effects).toContainEqual(expect.objectContaining({ kind: 'recordQuestion', reply: { kind: 'escalate' } }));
    expect(c.facts.recent).toEqual([expect.objectContaining({ band: 'escalation' })]);
    const urgency = await through(c, ['1', 'Northwind Traders', 'skip']);
    expect(buttonsOf(urgency, c)).toEqual(['Low', 'Normal', 'High', 'Urgent']);
    expect(textOf(c.say('whenever'), c)).toMatch(/pick/i);
    const confirm = await through(c, ['hihg', 'We were billed twice.', 'Jane', 'jane@contoso.com', 'Contoso', 'skip']);
    expect(textOf(confirm, c)).toMatch(/An invoice or charge/);
    expect(textOf(confirm, c)).toMatch(/High/);
  });

  it('stops on "cancel", says so, and records nothing', async () => {
    const c = await CoreConversation.start();
    await through(c, ['talk to a person', 'A question']);
    const cancelled = c.say('Cancel.');
    expect(textOf(cancelled, c)).toMatch(/stopped/i);
    expect(c.facts.escalation).toBeUndefined();
    expect(c.effects).toContainEqual({ kind: 'escalation', event: 'cancelled' });
    expect(c.desk.tickets).toEqual([]);
    expect(dataOf(c.say('what is BPOS?'))[0]).toMatchObject({ band: 'answer', articleId: 'bpos-overview' });
  });

  it('explains the current step on "help" and at the confirmation, then asks again', async () => {
    const c = await CoreConversation.start();
    const asked = textOf(await through(c, ['talk to a person', 'A question', 'Jane']), c);
    const help = c.say('help');
    expect(help).toHaveLength(2);
    expect(textOf(help, c)).toMatch(/partner support will use to reply/);
    expect(textOf([help[1]!], c)).toBe(asked);
    await through(c, ['jane@contoso.com', 'Contoso', 'skip', 'skip']);
    expect(textOf(c.say('what?'), c)).toMatch(/Answer "yes" to send this/);
  });

  it('lets the partner change an answer at the confirmation', async () => {
    const c = await CoreConversation.start();
    await through(c, ['talk to a person', ...SUPPORT_ANSWERS]);
    const which = c.say('no');
    expect(buttonsOf(which, c)).toEqual(['Question', 'Name', 'E-mail', 'Company', 'Partner ID', 'Phone']);
    expect(textOf(c.say('e-mail'), c)).toMatch(/e-mail/i);
    expect(textOf(c.say('jane.doe@contoso.com'), c)).toMatch(/jane\.doe@contoso\.com/);
    c.say('yes');
    expect(c.desk.tickets[0]?.answers.email).toBe('jane.doe@contoso.com');
  });

  it('offers remembered details for reuse, reading the profile only for a question that remembers', async () => {
    const c = await CoreConversation.start({ profile: { name: 'Jane Doe', email: 'jane@contoso.com' } });
    c.say('talk to a person');
    expect(c.profileReads).toBe(0);
    const name = c.say('Second question');
    expect(c.profileReads).toBe(1);
    expect(buttonsOf(name, c)).toContain('Jane Doe');
    expect(textOf(name, c)).toMatch(/Tap "Jane Doe"/);
    expect(buttonsOf(c.say('Jane Doe'), c)).toContain('jane@contoso.com');
  });

  it('says when someone will pick it up when partner support is closed', async () => {
    const c = await CoreConversation.start({ hours: 'Mon-Fri 09:00-17:00', timeZone: 'Europe/London', now: new Date('2026-11-21T12:00:00Z') });
    await through(c, ['talk to a person', ...SUPPORT_ANSWERS]);
    const done = c.say('yes');
    expect(textOf(done, c)).toMatch(/closed/i);
    expect(textOf(done, c)).toMatch(/Monday at 09:00/);
  });

  it('a feedback press during a request is recorded and the question asked again', async () => {
    const c = await CoreConversation.start();
    c.say('when is WPC?');
    const asked = textOf(await through(c, ['talk to a person', 'A question']), c);
    const out = c.say('', { feedback: { feedback: 'helpful', questionId: 'q1' } });
    expect(textOf([last(out)!], c)).toBe(asked);
    expect(c.facts.escalation?.current).toBe('name');
  });

  it('an over-long message during a request is refused and the question asked again', async () => {
    const c = await CoreConversation.start({ maxQuestionChars: 40 });
    const asked = textOf(await through(c, ['talk to a person', 'A question']), c);
    const out = c.say('x'.repeat(60));
    expect(textOf(out, c)).toMatch(/40 characters/);
    expect(textOf([last(out)!], c)).toBe(asked);
  });

  it('a request of a script that no longer exists is dropped and the message read as a question', async () => {
    const c = await CoreConversation.start();
    c.facts = { ...c.facts, escalation: { scriptId: 'retired', answers: {}, phase: 'collect' } };
    expect(dataOf(c.say('when is WPC?'))[0]).toMatchObject({ band: 'answer' });
    expect(c.facts.escalation).toBeUndefined();
  });
});

describe('respond: shared conversations (Teams channels and group chats)', () => {
  it('ignores messages not addressed to the bot', async () => {
    const c = await CoreConversation.start({ shared: true });
    expect(c.say('when is WPC?', { addressed: false })).toEqual([]);
    expect(c.effects).toEqual([]);
    expect(c.last?.log).toBeUndefined();
  });

  it('never collects details there: the request moves to a one-to-one chat, or the partner is pointed to one', async () => {
    const moved = await CoreConversation.start({ shared: true, canMovePrivate: true });
    const out = moved.say('I need to talk to a person');
    expect(dataOf(out)).toEqual([{ band: 'escalation', articleId: null, confidence: null, intent: 'private' }]);
    expect(textOf(out, moved)).toMatch(/^Jane, I've sent you a private message/);
    expect(moved.facts.escalation).toBeUndefined();
    expect(moved.effects).toContainEqual({ kind: 'escalation', event: 'started' });
    expect(moved.last?.log).toMatchObject({ outcome: 'escalationMovedToPrivate' });

    const invited = await CoreConversation.start({ shared: true, canMovePrivate: false });
    expect(invited.say('talk to a person')).toEqual([{ kind: 'privateChatInvite' }]);
    expect(invited.last?.log).toMatchObject({ outcome: 'escalationInviteToPrivate' });
    expect(dataOf(invited.say('what is BPOS?'))[0]).toMatchObject({ band: 'answer', articleId: 'bpos-overview' });
  });
});

describe('respond: ticket status', () => {
  it('tells the partner where their ticket stands, by reference or as "my request", and never another conversation\'s', async () => {
    const desk = new TicketDesk();
    const c = await CoreConversation.start({ desk });
    expect(textOf(c.say('any update on my request?'), c)).toMatch(/haven't opened a request/);
    await through(c, ['talk to a person', ...SUPPORT_ANSWERS, 'yes']);
    const status = c.say("what's the status of ps-10000?");
    expect(dataOf(status)).toEqual([{ band: 'ticketStatus', articleId: null, confidence: null, ticketId: 'PS-10000', delivery: 'pending' }]);
    expect(textOf(status, c)).toMatch(/on its way/);
    expect(dataOf(c.say('any update on my request?'))[0]).toMatchObject({ ticketId: 'PS-10000' });

    const stranger = await CoreConversation.start({ desk, from: { userId: 'someone-else', conversationId: 'another-chat' } });
    const other = stranger.say('status of PS-10000');
    expect(dataOf(other)[0]?.band).not.toBe('ticketStatus');
    expect(textOf(other, stranger)).toMatch(/can't find PS-10000/);
    // The same partner in another conversation of the same channel may see it.
    const samePartner = await CoreConversation.start({ desk, from: { userId: 'user1', conversationId: 'another-chat' } });
    expect(dataOf(samePartner.say('status of PS-10000'))[0]).toMatchObject({ band: 'ticketStatus' });
  });
});
