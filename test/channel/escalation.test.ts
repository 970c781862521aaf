import { MemoryStorage, type Activity, type StoreItems } from 'botbuilder';
import { buttonsOf, lastMessage, makeBot, say, textOf } from '../helpers/turnHarness';

/** A store that notes, at each write, how many replies the partner had been sent so far. */
class WatchedStorage extends MemoryStorage {
  sentAtWrite: number[] = [];
  sent: () => number = () => 0;
  override async write(changes: StoreItems): Promise<void> {
    if (Object.keys(changes).some((k) => k.includes('/conversations/'))) this.sentAtWrite.push(this.sent());
    return super.write(changes);
  }
}

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

  it('writes each step of the request before the partner is told, so a restarted bot goes on from there', async () => {
    const storage = new WatchedStorage();
    const bot = await makeBot({ storage });
    storage.sent = () => bot.adapter.activeQueue.length;
    for (const text of ['talk to a person', 'A question']) {
      storage.sentAtWrite = [];
      await say(bot.adapter, text);
      expect(storage.sentAtWrite).toEqual([0]);
    }
    const restarted = await makeBot({ storage });
    const email = await say(restarted.adapter, 'Jane');
    expect(textOf(email)).toMatch(/Which e-mail address/);
    // A knowledge question asked mid-way is answered as plain text, without the answer's buttons.
    const midway = await say(restarted.adapter, 'when is WPC?');
    expect(midway[0]).toMatchObject({ channelData: { band: 'answer', articleId: 'wpc-2011' } });
    expect(midway[0]?.suggestedActions).toBeUndefined();
    expect(lastMessage(midway)).toMatchObject({ text: expect.stringMatching(/Which e-mail address/), inputHint: 'expectingInput' });
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
