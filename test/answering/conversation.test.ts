import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { answerInConversation, CONTEXT_TTL_MS, isFollowUp, splitQuestions, type TopicContext } from '../../src/answering/conversation';
import { readMessage, readsAsQuestion, withoutMentions } from '../../src/answering/message';
import type { Reply } from '../../src/answering/Reply';
import type { KnowledgeIndex } from '../../src/knowledge/KnowledgeIndex';
import { explain } from '../../src/answering/answer';
import type { SmallTalkWords } from '../../src/answering/smallTalk';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { realContent } from '../helpers/realContent';

let index: KnowledgeIndex;
let smallTalk: SmallTalkWords;
const NOW = new Date('2026-11-28T10:00:00Z');

beforeAll(async () => {
  const kb = await loadKnowledge('knowledge');
  if (!kb.success) throw new Error(JSON.stringify(kb.problems));
  index = kb.data.index;
  smallTalk = (await realContent()).phrases.smallTalk;
});

const text = (r: Reply | undefined) => (r && (r.kind === 'answer' || r.kind === 'partial') ? r.passages.map((p) => p.passage.text).join('\n') : '');

/** Asks each message in order in one conversation; returns every turn. */
function chat(...messages: string[]) {
  let ctx: TopicContext | undefined;
  return messages.map((m) => {
    const turn = answerInConversation(m, index, ctx, NOW, smallTalk);
    ctx = turn.context;
    return turn;
  });
}

describe('follow-ups', () => {
  it('reads a short follow-up in the context of the last question', () => {
    const [, schools, countries] = chat('what is live@edu', 'how many schools use it?', 'and in how many countries?');
    expect(text(schools?.replies[0])).toMatch(/10,000 schools/);
    expect(text(countries?.replies[0])).toMatch(/130 countries/);
  });

  it('says honestly that the sources cannot answer a follow-up, without repeating the last figure', () => {
    const [first, europe] = chat('how fast is bpos growing', 'and in europe?');
    expect(text(first?.replies[0])).toMatch(/threefold/);
    const reply = europe?.replies[0];
    expect(reply?.kind).not.toBe('answer');
    expect(text(reply)).not.toMatch(/threefold/);
  });

  it('never bends a clear new question by the old context', () => {
    const [, wpc] = chat('can partners manage cloud billing?', 'when is the worldwide partner conference?');
    expect(wpc?.replies[0]).toMatchObject({ kind: 'answer', article: { id: 'wpc-2011' } });
  });

  it('reads "who\'s behind that?" as about the last answer', () => {
    const [, who] = chat('is bpos getting exchange 2010?', "who's behind that?");
    expect(text(who?.replies[0])).toMatch(/Betsy Frost Webb/);
  });

  it('forgets the context after a while', () => {
    const first = answerInConversation('is bpos getting exchange 2010?', index, undefined, NOW, smallTalk);
    const soon = answerInConversation("who's behind that?", index, first.context, new Date(NOW.getTime() + 60_000), smallTalk);
    const later = answerInConversation("who's behind that?", index, first.context, new Date(NOW.getTime() + CONTEXT_TTL_MS + 1000), smallTalk);
    expect(text(soon.replies[0])).toMatch(/Betsy Frost Webb/);
    expect(text(later.replies[0])).not.toMatch(/Betsy Frost Webb/);
  });

  it('remembers the passages shown, newest last, as plain data', () => {
    const [turn] = chat('how many schools use live@edu?');
    expect(turn?.context).toMatchObject({ articleId: 'live-at-edu', shown: ['live-at-edu#0'], at: NOW.toISOString() });
    expect(JSON.parse(JSON.stringify(turn?.context))).toEqual(turn?.context);
  });

  it('tells follow-ups from questions that stand alone', () => {
    expect(['and for schools?', "who's behind that?", 'where?', 'exact date?', 'how does that compare?'].every(isFollowUp)).toBe(true);
    expect(['different question: who is the GM of online services?', 'what are the main challenges for microsoft\'s cloud partner programme?'].some(isFollowUp)).toBe(false);
  });
});

describe('follow-ups that lean on the last answer', () => {
  it('keeps the follow-up cue of a message that starts with "and"', () => {
    const [, , together] = chat("who are microsoft's top 10 cloud partners in the us?", 'what about Dell, how many customers has it moved?', 'and all ten together?');
    expect(together?.replies[0]?.kind).toBe('answer');
    expect(text(together?.replies[0])).toMatch(/1,040/);
  });

  it('reads a fragment that names something ("and CDW?") against the last question, not on its own', () => {
    const [, cdw] = chat('how many customers have the top partners moved?', 'and CDW?');
    expect(cdw?.replies[0]?.kind).toBe('partial');
  });

  it('asks in a fragment what the last question asked ("and the Office 365 launch?" after "when")', () => {
    const [, launch] = chat('when is wpc?', 'and the office 365 launch?');
    expect(launch?.replies[0]?.kind).not.toBe('answer');
    expect(text(launch?.replies[0])).not.toMatch(/July 2011/);
  });

  it('remembers who a "who" answer named, for "she" and "they" next', () => {
    const [who, said] = chat('who runs online services at microsoft?', 'what did she say about the editions?');
    expect(who?.context?.names).toEqual(expect.arrayContaining(['Betsy', 'Webb']));
    expect(text(said?.replies[0])).toMatch(/Dedicated/);
  });

  it('sets the named side of a comparison beside the last figure', () => {
    const [, compare] = chat('how many customers have the top 10 partners migrated altogether?', 'how does that compare with bpos seats overall?');
    expect(compare?.replies.map(text).join('\n')).toMatch(/40 million/);
  });

  it('counts the short answer shown after a detail as shown', () => {
    const [first] = chat('how many customers did each top partner migrate?');
    expect(first?.context?.shown).toEqual(expect.arrayContaining(['top-cloud-partners#0']));
  });
});

describe('two questions in one message', () => {
  it('answers both', () => {
    const [turn] = chat('when is WPC and can partners bill cloud customers themselves?');
    expect(turn?.replies.map((r) => r.kind)).toEqual(['answer', 'answer']);
    expect(text(turn?.replies[0])).toMatch(/July 2011/);
    expect(text(turn?.replies[1])).toMatch(/did not let channel partners/);
  });

  it('reads a pronoun in the second question against the first', () => {
    const [turn] = chat('what does bpos stand for, and how many seats has it sold?');
    expect(turn?.replies.map(text).join('\n')).toMatch(/Business Productivity Online Suite[\s\S]*40 million/);
  });

  it('does not repeat one passage that answers both halves', () => {
    const [turn] = chat("what's the current BPOS seat number and how fast is it growing?");
    expect(turn?.replies).toHaveLength(1);
  });

  it('splits only where a new question starts', () => {
    expect(splitQuestions('when is wpc and can partners bill cloud customers themselves?')).toEqual(['when is wpc', 'can partners bill cloud customers themselves?']);
    expect(splitQuestions('two things: who is betsy frost webb? and what\'s the health dashboard for?')).toEqual(['who is betsy frost webb?', "what's the health dashboard for?"]);
    expect(splitQuestions('does bpos include exchange online and sharepoint online?')).toEqual(['does bpos include exchange online and sharepoint online?']);
    expect(splitQuestions('how many customers has the top 10 moved to bpos? I heard 10,000')).toHaveLength(1);
  });
});

describe('messages as partners write them', () => {
  it('removes @mentions of the bot', () => {
    expect(withoutMentions('@Partner bot when is wpc')).toBe('when is wpc');
    expect(withoutMentions('<at>Partner Bot</at> is wpc in july?')).toBe('is wpc in july?');
  });

  it('finds the question after the context a partner gives first', () => {
    expect(readMessage("Hello, I'm from a small MSP in Lagos. We resell BPOS. Is Office 365 a replacement of BPOS?")).toEqual({
      question: 'Is Office 365 a replacement of BPOS?',
      context: "Hello, I'm from a small MSP in Lagos. We resell BPOS.",
    });
  });

  it.each([
    ['Good morning! Could you please tell me when the Worldwide Partner Conference will take place? Thank you 🙏', 'wpc-2011'],
    ['We are a small MSP in Manchester. How many customers has each partner on the top 10 list migrated?', 'top-cloud-partners'],
    ['is microsoft prioritising cloud over on-premise?', 'cloud-vs-on-premise'],
  ])('answers "%s" as the terse question', (message, id) => {
    const [turn] = chat(message);
    expect(turn?.replies[0]).toMatchObject({ kind: 'answer', article: { id } });
  });

  it('knows a question from an answer to a form', () => {
    expect(['when is WPC?', 'can partners bill customers for bpos', 'what does bpos stand for'].every(readsAsQuestion)).toBe(true);
    expect(['not-an-email', 'Jane Doe', 'jane@contoso.com', 'Contoso Ltd', 'skip'].some(readsAsQuestion)).toBe(false);
  });
});

describe('answers asked again', () => {
  const LATER = new Date(NOW.getTime() + 5 * 60 * 1000);

  it('gives a question asked again in the same context the same replies, its context dated by the new turn', () => {
    const first = chat('what is live@edu', 'how many schools use it?');
    let ctx: TopicContext | undefined;
    const again = ['what is live@edu', 'how many schools use it?'].map((m) => {
      const turn = answerInConversation(m, index, ctx, LATER, smallTalk);
      ctx = turn.context;
      return turn;
    });
    expect(again.map((t) => text(t.replies[0]))).toEqual(first.map((t) => text(t.replies[0])));
    expect(text(again[1]?.replies[0])).toMatch(/10,000 schools/);
    expect(again.map((t) => t.context?.at)).toEqual([LATER.toISOString(), LATER.toISOString()]);
    expect(again[1]?.context?.shown).toEqual(first[1]?.context?.shown);
  });

  it('leaves out only what this conversation has seen when the sources lack what was pinned down', () => {
    const [first, europe] = chat('how fast is bpos growing', 'and in europe?');
    expect(text(europe?.replies[0])).not.toMatch(/threefold/);
    // Another conversation on the same subject that has not seen the growth figure is shown it.
    const context = first?.context as TopicContext;
    const elsewhere = answerInConversation('and in europe?', index, { ...context, shown: [] }, NOW, smallTalk);
    expect(elsewhere.replies[0]?.kind).toBe('partial');
    expect(text(elsewhere.replies[0])).toMatch(/threefold/);
  });

  it('reads a message again with the small-talk words it is given, not those of an earlier answer', () => {
    expect(explain('hello there', index).reply.kind).not.toBe('smallTalk');
    expect(explain('hello there', index, { smallTalk }).reply).toMatchObject({ kind: 'smallTalk', intent: 'greeting' });
    expect(answerInConversation('hello there', index, undefined, NOW, smallTalk).replies[0]?.kind).toBe('smallTalk');
  });

  it('answers from an edited article as soon as the edited knowledge base is in service', async () => {
    expect(text(chat('how many schools use live@edu?')[0]?.replies[0])).toMatch(/10,000 schools/);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-edit-'));
    try {
      await fs.cp('knowledge', dir, { recursive: true });
      const file = path.join(dir, 'education/live-at-edu.md');
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('10,000 schools', '12,000 schools'));
      const edited = await loadKnowledge(dir);
      if (!edited.success) throw new Error(JSON.stringify(edited.problems));
      const turn = answerInConversation('how many schools use live@edu?', edited.data.index, undefined, NOW, smallTalk);
      expect(text(turn.replies[0])).toMatch(/12,000 schools/);
      expect(text(turn.replies[0])).not.toMatch(/10,000/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
