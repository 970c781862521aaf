import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryStorage, type Activity } from 'botbuilder';
import { escalationFromDialogState } from '../../src/conversation/legacyState';
import { buttonsOf, lastMessage, makeBot, say, textOf } from '../helpers/turnHarness';
import { realContent } from '../helpers/realContent';

/**
 * Conversation and partner state exactly as the version that ran escalations as botbuilder dialogs
 * saved it in the middle of a request (test/fixtures/legacyState/*.json, written by that version): a
 * bot upgraded mid-request goes on where the partner was.
 */
type Documents = Record<string, Record<string, unknown>>;

function fixture(name: string): Documents {
  return JSON.parse(readFileSync(path.join(__dirname, '../fixtures/legacyState', `${name}.json`), 'utf8')) as Documents;
}

async function storageWith(docs: Documents): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const items = Object.fromEntries(Object.entries(docs).map(([key, doc]) => [key, { ...doc, eTag: '*' }]));
  await storage.write(items);
  return storage;
}

const data = (a: Partial<Activity> | undefined) => (a?.channelData ?? {}) as { band?: string; ticketId?: string };
const CONVERSATION = 'test/conversations/Convo1/';

describe('state saved by the version with botbuilder dialogs, mid-escalation', () => {
  it('collect: the next answer is taken for the question being asked, and the earlier answers are kept', async () => {
    const storage = await storageWith(fixture('collect'));
    const bot = await makeBot({ storage });
    const company = await say(bot.adapter, 'jane@contoso.com');
    expect(textOf(company)).toMatch(/Which company/);
    for (const answer of ['Contoso Ltd', 'skip']) await say(bot.adapter, answer);
    const confirm = await say(bot.adapter, 'skip');
    expect(textOf(confirm)).toMatch(/Can my customers keep BPOS\?/);
    expect(textOf(confirm)).toMatch(/Jane Doe/);
    expect(textOf(confirm)).toMatch(/jane@contoso\.com/);
    const done = await say(bot.adapter, 'yes');
    const ticket = await bot.tickets.get(data(lastMessage(done)).ticketId as string);
    expect(ticket).toMatchObject({ scriptId: 'support', answers: { question: 'Can my customers keep BPOS?', name: 'Jane Doe', email: 'jane@contoso.com', company: 'Contoso Ltd' } });
    // The question asked before the request, kept by the old version, is in the ticket's history.
    expect(ticket?.history.map((h) => h.question)).toEqual(['when is WPC?']);
  });

  it('collect: a bad answer is refused with the reason and the same question, as before the upgrade', async () => {
    const bot = await makeBot({ storage: await storageWith(fixture('collect')) });
    const retry = await say(bot.adapter, 'not-an-email');
    expect(textOf(retry)).toMatch(/doesn't look like an e-mail address/);
    expect(textOf(retry)).toMatch(/Which e-mail address/);
  });

  it('confirm: "yes" records the ticket with every answer given before the upgrade', async () => {
    const bot = await makeBot({ storage: await storageWith(fixture('confirm')) });
    const done = await say(bot.adapter, 'yes');
    const id = data(lastMessage(done)).ticketId as string;
    expect(id).toMatch(/^PS-\d+$/);
    expect(textOf(done)).toContain(id);
    expect((await bot.tickets.get(id))?.answers).toEqual({ question: 'Need help with billing', name: 'Jane Doe', email: 'jane@contoso.com', company: 'Contoso Ltd', partnerId: '', phone: '' });
  });

  it('edit: the answer to change is asked again, then the confirmation shows the new one', async () => {
    const bot = await makeBot({ storage: await storageWith(fixture('edit')) });
    const again = await say(bot.adapter, 'E-mail');
    expect(textOf(again)).toMatch(/Which e-mail address/);
    const confirm = await say(bot.adapter, 'jane.doe@contoso.com');
    expect(textOf(confirm)).toMatch(/jane\.doe@contoso\.com/);
    expect(buttonsOf(lastMessage(confirm))).toEqual(['Yes', 'No']);
  });

  it('a billing request continues with its own script, and "cancel" still stops it', async () => {
    const bot = await makeBot({ storage: await storageWith(fixture('billingCollect')) });
    const help = await say(bot.adapter, 'help');
    expect(textOf(help)).toMatch(/subscription name or ID/);
    const cancelled = await say(bot.adapter, 'cancel');
    expect(textOf(cancelled)).toMatch(/stopped/);
    expect(await bot.tickets.list()).toHaveLength(0);
  });

  it('the old dialog stack is removed once read, and the request is kept in the new form', async () => {
    const storage = await storageWith(fixture('collect'));
    const bot = await makeBot({ storage });
    await say(bot.adapter, 'jane@contoso.com');
    const saved = (await storage.read([CONVERSATION]))[CONVERSATION] as Record<string, unknown>;
    expect(saved.dialogState).toBeUndefined();
    expect(saved.facts).toMatchObject({ escalation: { scriptId: 'support', phase: 'collect', current: 'company', answers: { email: 'jane@contoso.com' } } });
  });

  it('reads the request out of each saved dialog stack, and nothing out of one it does not recognise', async () => {
    const { scripts } = await realContent();
    const stack = (name: string) => (fixture(name)[CONVERSATION] as { dialogState: unknown }).dialogState;
    expect(escalationFromDialogState(stack('collect'), scripts)).toEqual({ scriptId: 'support', phase: 'collect', current: 'email', answers: { question: 'Can my customers keep BPOS?', name: 'Jane Doe' } });
    expect(escalationFromDialogState(stack('confirm'), scripts)).toMatchObject({ scriptId: 'support', phase: 'confirm' });
    expect(escalationFromDialogState(stack('edit'), scripts)).toMatchObject({ scriptId: 'support', phase: 'edit' });
    expect(escalationFromDialogState(stack('billingCollect'), scripts)).toMatchObject({ scriptId: 'billing', phase: 'collect', current: 'subscription' });
    expect(escalationFromDialogState({ dialogStack: [] }, scripts)).toBeUndefined();
    expect(escalationFromDialogState({ dialogStack: [{ id: 'escalation:retired-script', state: {} }] }, scripts)).toBeUndefined();
    expect(escalationFromDialogState('garbage', scripts)).toBeUndefined();
  });
});
