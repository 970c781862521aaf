import type { Activity } from 'botbuilder';
import { buttonsOf, lastMessage, makeBot, say, textOf } from '../helpers/turnHarness';

const data = (a: Partial<Activity> | undefined) => (a?.channelData ?? {}) as { band?: string; ticketId?: string; articleId?: string | null; intent?: string };

describe('escalation to partner support (turn tests)', () => {
  it('walks the happy path: asks each detail, confirms, records the ticket before replying, and gives the reference', async () => {
    const bot = await makeBot();
    const first = await say(bot.adapter, 'I need to talk to a human');
    expect(textOf(first)).toMatch(/partner support/i);
    expect(textOf(first)).toMatch(/help you with/i);
    await say(bot.adapter, 'Can my customers keep BPOS after Office 365 launches?');
    await say(bot.adapter, 'Jane Doe');
    await say(bot.adapter, 'jane@contoso.com');
    await say(bot.adapter, 'Contoso Ltd');
    await say(bot.adapter, 'skip');
    const confirm = await say(bot.adapter, 'skip');
    expect(textOf(confirm)).toMatch(/jane@contoso\.com/);
    expect(textOf(confirm)).toMatch(/Contoso Ltd/);
    expect(buttonsOf(lastMessage(confirm))).toEqual(expect.arrayContaining(['Yes', 'No']));
    expect(await bot.tickets.list()).toHaveLength(0);

    const done = await say(bot.adapter, 'yes');
    const ticketId = data(lastMessage(done)).ticketId;
    expect(ticketId).toMatch(/^PS-\d{5}$/);
    expect(textOf(done)).toContain(ticketId as string);
    expect(textOf(done)).toMatch(/4 business hours/);
    const stored = await bot.tickets.get(ticketId as string);
    expect(stored).toMatchObject({
      scriptId: 'support',
      answers: { name: 'Jane Doe', email: 'jane@contoso.com', company: 'Contoso Ltd', partnerId: '', phone: '' },
      channelId: 'test',
      delivery: { status: 'pending' },
    });
    expect(stored?.partner.userId).toBeTruthy();
    expect(done.some((a) => a.type === 'event' && a.name === 'handoff.initiate')).toBe(true);
    expect(bot.kicks()).toBe(1);

    const after = await say(bot.adapter, 'when is WPC?');
    expect(data(lastMessage(after))).toMatchObject({ band: 'answer', articleId: 'wpc-2011' });
  });

  it('includes the last questions and the articles shown in the ticket', async () => {
    const bot = await makeBot();
    await say(bot.adapter, 'when is WPC?');
    await say(bot.adapter, 'how much does bpos cost per user per month');
    await say(bot.adapter, 'talk to a person');
    for (const answer of ['Pricing for a customer', 'Sam', 'sam@fabrikam.com', 'Fabrikam', 'skip', 'skip']) await say(bot.adapter, answer);
    const done = await say(bot.adapter, 'yes');
    const ticket = await bot.tickets.get(data(lastMessage(done)).ticketId as string);
    expect(ticket?.history.map((h) => h.question)).toEqual(['when is WPC?', 'how much does bpos cost per user per month']);
    expect(ticket?.history[0]).toMatchObject({ band: 'answer', articleId: 'wpc-2011' });
    expect(ticket?.history[1]).toMatchObject({ band: 'noAnswer' });
  });

  it.each([
    ['e-mail', ['talk to a person', 'Need help', 'Jane'], 'not-an-email', /e-mail address/i, 'jane@contoso.com'],
    ['phone', ['talk to a person', 'Need help', 'Jane', 'jane@contoso.com', 'Contoso', 'skip'], 'call me maybe', /phone number/i, '+44 20 7946 0000'],
    ['partner id', ['talk to a person', 'Need help', 'Jane', 'jane@contoso.com', 'Contoso'], '12ab', /partner ID/i, '1234567'],
  ])('re-asks a bad %s with the reason, then accepts a good one', async (_kind, before, bad, reason, good) => {
    const bot = await makeBot();
    let question = '';
    for (const text of before) question = textOf(await say(bot.adapter, text));
    const retry = await say(bot.adapter, bad);
    expect(textOf(retry)).toMatch(reason);
    expect(textOf(retry)).toContain(question.split('\n')[0]?.slice(0, 20) ?? '');
    const next = await say(bot.adapter, good);
    expect(textOf(next)).not.toMatch(reason);
  });

  it('takes a bad e-mail as a bad e-mail, never as a knowledge question, and answers a real question asked mid-way', async () => {
    const bot = await makeBot();
    for (const text of ['talk to a person', 'A question', 'Jane']) await say(bot.adapter, text);
    for (const bad of ['not-an-email', 'live edu', 'email']) {
      const retry = await say(bot.adapter, bad);
      expect(retry.every((a) => data(a).articleId === undefined || data(a).articleId === null)).toBe(true);
      expect(textOf(retry)).toMatch(/doesn't look like an e-mail address/i);
    }
    const question = await say(bot.adapter, 'how many schools use live@edu?');
    expect(question.some((a) => data(a).articleId === 'live-at-edu')).toBe(true);
    expect(textOf(question)).toMatch(/10,000 schools/);
    expect(textOf(question)).toMatch(/e-mail/i);
    const next = await say(bot.adapter, 'jane@contoso.com');
    expect(textOf(next)).toMatch(/company/i);
  });

  it('refuses an answer that is too long, saying how long it may be, and keeps the earlier answers', async () => {
    const bot = await makeBot();
    await say(bot.adapter, 'talk to a person');
    await say(bot.adapter, 'Need help with a customer');
    const retry = await say(bot.adapter, 'J'.repeat(150));
    expect(textOf(retry)).toMatch(/100/);
    await say(bot.adapter, 'Jane');
    for (const answer of ['jane@contoso.com', 'Contoso', 'skip']) await say(bot.adapter, answer);
    const confirm = await say(bot.adapter, 'skip');
    expect(textOf(confirm)).toMatch(/Need help with a customer/);
  });

  it('starts the billing script from a billing dispute and accepts choices by number or close spelling', async () => {
    const bot = await makeBot();
    const start = await say(bot.adapter, 'I think my customer was overcharged on the last invoice');
    expect(textOf(start)).toMatch(/billing/i);
    expect(buttonsOf(lastMessage(start)).length).toBeGreaterThanOrEqual(3);
    await say(bot.adapter, '1');
    await say(bot.adapter, 'Northwind Traders');
    await say(bot.adapter, 'skip');
    const urgency = await say(bot.adapter, 'skip');
    expect(buttonsOf(lastMessage(urgency))).toEqual(expect.arrayContaining(['High']));
    const bad = await say(bot.adapter, 'whenever');
    expect(textOf(bad)).toMatch(/pick/i);
    await say(bot.adapter, 'hihg');
    for (const answer of ['We were billed twice for 40 seats in March.', 'Jane', 'jane@contoso.com', 'Contoso']) await say(bot.adapter, answer);
    const confirm = await say(bot.adapter, 'skip');
    expect(textOf(confirm)).toMatch(/An invoice or charge/);
    expect(textOf(confirm)).toMatch(/High/);
    const done = await say(bot.adapter, 'yes');
    const ticket = await bot.tickets.get(data(lastMessage(done)).ticketId as string);
    expect(ticket).toMatchObject({ scriptId: 'billing', answers: { about: 'An invoice or charge', urgency: 'High', customer: 'Northwind Traders' } });
  });

  it('stops on "cancel" at any step, says so, and records nothing', async () => {
    const bot = await makeBot();
    await say(bot.adapter, 'talk to a person');
    await say(bot.adapter, 'A question');
    const cancelled = await say(bot.adapter, 'cancel');
    expect(textOf(cancelled)).toMatch(/stopped|cancel/i);
    expect(await bot.tickets.list()).toHaveLength(0);
    const next = await say(bot.adapter, 'what is BPOS?');
    expect(data(lastMessage(next))).toMatchObject({ band: 'answer', articleId: 'bpos-overview' });
  });

  it('explains the current step on "help" and asks it again without losing earlier answers', async () => {
    const bot = await makeBot();
    await say(bot.adapter, 'talk to a person');
    await say(bot.adapter, 'A question about billing');
    const asked = textOf(await say(bot.adapter, 'Jane'));
    const help = await say(bot.adapter, 'help');
    expect(help.length).toBeGreaterThanOrEqual(2);
    expect(textOf(help)).toContain(asked.split('\n')[0] ?? '');
    await say(bot.adapter, 'jane@contoso.com');
    await say(bot.adapter, 'Contoso');
    await say(bot.adapter, 'skip');
    const confirm = await say(bot.adapter, 'skip');
    expect(textOf(confirm)).toMatch(/A question about billing/);
    expect(textOf(confirm)).toMatch(/Jane/);
  });

  it('answers a knowledge question asked instead of an answer, then repeats the question', async () => {
    const bot = await makeBot();
    await say(bot.adapter, 'talk to a person');
    await say(bot.adapter, 'A question');
    const emailQuestion = textOf(await say(bot.adapter, 'Jane'));
    const interrupted = await say(bot.adapter, 'when is WPC?');
    expect(interrupted.some((a) => data(a).articleId === 'wpc-2011')).toBe(true);
    expect(textOf(interrupted)).toMatch(/July 2011/);
    expect(textOf([interrupted[interrupted.length - 1] ?? {}])).toContain(emailQuestion.split('\n')[0] ?? '');
    const next = await say(bot.adapter, 'jane@contoso.com');
    expect(textOf(next)).toMatch(/company/i);
  });

  it('lets the partner change an answer at the confirmation', async () => {
    const bot = await makeBot();
    for (const text of ['talk to a person', 'A question', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip']) await say(bot.adapter, text);
    const which = await say(bot.adapter, 'no');
    expect(buttonsOf(lastMessage(which))).toEqual(expect.arrayContaining(['E-mail']));
    const again = await say(bot.adapter, 'e-mail');
    expect(textOf(again)).toMatch(/e-mail/i);
    const confirm = await say(bot.adapter, 'jane.doe@contoso.com');
    expect(textOf(confirm)).toMatch(/jane\.doe@contoso\.com/);
    const done = await say(bot.adapter, 'yes');
    const ticket = await bot.tickets.get(data(lastMessage(done)).ticketId as string);
    expect(ticket?.answers.email).toBe('jane.doe@contoso.com');
  });

  it('offers remembered details for reuse on the next request instead of asking blindly', async () => {
    const bot = await makeBot();
    for (const text of ['talk to a person', 'First question', 'Jane Doe', 'jane@contoso.com', 'Contoso Ltd', '1234567', 'skip', 'yes']) await say(bot.adapter, text);
    await say(bot.adapter, 'talk to a person');
    const name = await say(bot.adapter, 'Second question');
    expect(buttonsOf(lastMessage(name))).toContain('Jane Doe');
    expect(textOf(name)).toMatch(/Jane Doe/);
    const email = await say(bot.adapter, 'Jane Doe');
    expect(buttonsOf(lastMessage(email))).toContain('jane@contoso.com');
  });

  it('says when someone will pick it up when partner support is closed', async () => {
    const saturdayNoon = new Date('2026-11-21T12:00:00Z');
    const bot = await makeBot({ hours: 'Mon-Fri 09:00-17:00', timeZone: 'Europe/London', now: () => saturdayNoon });
    for (const text of ['talk to a person', 'A question', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip']) await say(bot.adapter, text);
    const done = await say(bot.adapter, 'yes');
    expect(textOf(done)).toMatch(/closed/i);
    expect(textOf(done)).toMatch(/Monday at 09:00/);
  });

  it('offers a person unprompted after a second no-answer in a row, and "yes" starts the request', async () => {
    const bot = await makeBot();
    const first = await say(bot.adapter, "what's the weather in seattle");
    expect(first.some((a) => data(a).intent === 'offer')).toBe(false);
    const second = await say(bot.adapter, 'tell me a joke');
    const offer = second.find((a) => data(a).intent === 'offer');
    expect(offer).toBeDefined();
    expect(buttonsOf(offer)).toEqual(expect.arrayContaining(['Yes', 'No']));
    const started = await say(bot.adapter, 'yes');
    expect(textOf(started)).toMatch(/help you with/i);
  });

  it('accepts the offer after a no-answer through its "Talk to a person" button', async () => {
    const bot = await makeBot();
    const noAnswer = await say(bot.adapter, 'how much does bpos cost per user per month');
    const button = buttonsOf(lastMessage(noAnswer)).find((b) => /person/i.test(b));
    expect(button).toBeDefined();
    expect(textOf(await say(bot.adapter, button as string))).toMatch(/help you with/i);
  });

  it('tells the partner where a ticket stands, and never shows another conversation\'s ticket', async () => {
    const bot = await makeBot();
    for (const text of ['talk to a person', 'A question', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip']) await say(bot.adapter, text);
    const done = await say(bot.adapter, 'yes');
    const id = data(lastMessage(done)).ticketId as string;
    const status = await say(bot.adapter, `what's the status of ${id.toLowerCase()}?`);
    expect(data(lastMessage(status))).toMatchObject({ band: 'ticketStatus', ticketId: id });
    expect(textOf(status)).toMatch(/on its way|recorded/i);
    expect(data(lastMessage(await say(bot.adapter, 'any update on my request?')))).toMatchObject({ ticketId: id });

    const stranger = await makeBot({ storage: bot.storage, as: { userId: 'someone-else', conversationId: 'another-chat' } });
    const other = await say(stranger.adapter, `status of ${id}`);
    expect(data(lastMessage(other)).band).not.toBe('ticketStatus');
    expect(textOf(other)).toMatch(/can't find/i);
    expect(textOf(other)).not.toMatch(/Jane|contoso|on its way/i);
  });
});
