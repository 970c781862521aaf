import { formatProblem } from '../../src/content/Problem';
import { loadDialogs, type Dialogs } from '../../src/dialogs/loadDialogs';
import { CoreConversation, textOf } from '../helpers/coreConversation';
import { dialogsCopy } from '../helpers/dialogsCopy';

/**
 * Staff change the bot's words in `dialogs/` only: a copy of the bundled folder, edited as staff would,
 * loaded the way the bot loads it at start-up, changes what partners read in a conversation.
 */
const copy = dialogsCopy();
const { edit } = copy;

async function loaded(): Promise<Dialogs> {
  const dialogs = await loadDialogs(copy.dir());
  if (!dialogs.success) throw new Error(dialogs.problems.map(formatProblem).join('\n'));
  return dialogs.data;
}

describe('a staff edit in dialogs/ changes what the bot says', () => {
  it('a greeting added to phrases.yaml is answered with the greeting from messages.yaml, as reworded', async () => {
    const before = await CoreConversation.start({ dialogs: await loaded() });
    expect(textOf(before.say("G'day!"), before)).not.toMatch(/^Hello/);
    await edit('phrases.yaml', (t) => t.replace('phrases: [hi, hello,', 'phrases: [hi, "g\'day", hello,'));
    await edit('messages.yaml', (t) => t.replace(/^greeting: .*$/m, 'greeting: "Welcome back! Ask me about {topics}."'));
    const c = await CoreConversation.start({ dialogs: await loaded() });
    const text = textOf(c.say("G'day!"), c);
    expect(text).toMatch(/^Welcome back! Ask me about BPOS, .* and Office Web Apps\.$/);
    expect(textOf(c.say('hello'), c)).toBe(text);
  });

  it('a request for a person worded in phrases.yaml starts the support script; a cancel phrase added there stops it', async () => {
    const before = await CoreConversation.start({ dialogs: await loaded() });
    before.say('Fetch me a manager, please!');
    expect(before.facts.escalation).toBeUndefined();
    await edit('phrases.yaml', (t) => t.replace('talkToPerson:\n  phrases: [escalate,', 'talkToPerson:\n  phrases: [fetch me a manager, escalate,'));
    await edit('phrases.yaml', (t) => t.replace('cancel:\n  phrases:\n', 'cancel:\n  phrases:\n    - scrap that\n'));
    const c = await CoreConversation.start({ dialogs: await loaded() });
    const support = c.content.scripts.find((s) => s.id === 'support');
    expect(textOf(c.say('Fetch me a manager, please!'), c)).toContain(support?.intro ?? 'no support script');
    expect(c.facts.escalation).toBeDefined();
    expect(textOf(c.say('Scrap that.'), c)).toBe(support?.cancelled);
    expect(c.facts.escalation).toBeUndefined();
    expect(c.effects).toContainEqual({ kind: 'escalation', event: 'cancelled' });
  });

  it('the words for a skipped answer in messages.yaml are what the confirmation shows', async () => {
    await edit('messages.yaml', (t) => t.replace('answerSkipped: (skipped)', 'answerSkipped: "(left blank)"'));
    const c = await CoreConversation.start({ dialogs: await loaded() });
    let out = c.say('talk to a person');
    for (const answer of ['A question', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip']) out = c.say(answer);
    const confirm = textOf(out, c);
    expect(confirm).toMatch(/: \(left blank\)/);
    expect(confirm).not.toMatch(/\(skipped\)/);
  });

  it('the words for a delivery time that was not recorded come from messages.yaml', async () => {
    await edit('messages.yaml', (t) => t.replace('earlierDate: an earlier date', 'earlierDate: a day we did not note down'));
    const c = await CoreConversation.start({ dialogs: await loaded() });
    let out = c.say('talk to a person');
    for (const answer of ['A question', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip', 'yes']) out = c.say(answer);
    const ticket = c.desk.tickets[0];
    if (!ticket) throw new Error(`no ticket opened: ${textOf(out, c)}`);
    ticket.delivery = { status: 'delivered', attempts: 1 };
    expect(textOf(c.say(`status of ${ticket.id}`), c)).toBe(`${ticket.id} was delivered to partner support on a day we did not note down. They will reply to you directly.`);
  });
});
