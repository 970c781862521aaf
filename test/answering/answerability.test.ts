import { explain } from '../../src/answering/answer';
import { questionForm } from '../../src/answering/questionForm';
import type { Reply } from '../../src/answering/Reply';
import type { KnowledgeIndex } from '../../src/knowledge/KnowledgeIndex';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';

let index: KnowledgeIndex;

beforeAll(async () => {
  const kb = await loadKnowledge('knowledge');
  if (!kb.success) throw new Error(JSON.stringify(kb.problems));
  index = kb.data.index;
});

const texts = (r: Reply) => (r.kind === 'answer' || r.kind === 'partial' ? r.passages.map((p) => p.passage.text).join('\n') : '');

describe('passage choice', () => {
  it.each([
    ['how many customers did each top partner migrate?', /between 65 and 390/],
    ['what does BPOS stand for?', /Business Productivity Online Suite/],
    ['who at microsoft described the bpos upgrade plans?', /Betsy Frost Webb/],
    ['when is the preview of the new bpos expected?', /in the fall/],
    ['what has box.net added?', /Android/],
  ])('leads "%s" with the passage that holds the asked detail', (question, fact) => {
    const { reply, chosen } = explain(question, index);
    expect(reply.kind).toBe('answer');
    expect(chosen[0]?.passage.text).toMatch(fact);
  });

  it('shows the article title, and the short answer after a passage taken from the details', () => {
    const reply = explain('how many customers did each top partner migrate?', index).reply;
    if (reply.kind !== 'answer') throw new Error(reply.kind);
    expect(reply.article.title).toMatch(/top 10/);
    expect(reply.shortAnswer?.passage.index).toBe(0);
  });

  it('leads with the short answer when it answers, and adds nothing after it', () => {
    const reply = explain('when is wpc?', index).reply;
    if (reply.kind !== 'answer') throw new Error(reply.kind);
    expect(reply.passages[0]?.passage.index).toBe(0);
    expect(reply.shortAnswer).toBeUndefined();
  });

  it('shows a second passage, from another article, for the other half of a comparison', () => {
    const reply = explain('which is bigger, bpos paid seats or office web apps users?', index).reply;
    expect(texts(reply)).toMatch(/40 million/);
    expect(texts(reply)).toMatch(/20 million/);
  });

  it('answers an alternate question staff aimed at a section from that section', () => {
    const { reply, chosen } = explain('Is BPOS software as a service?', index);
    expect(reply).toMatchObject({ kind: 'answer', confidence: 1 });
    expect(chosen[0]?.passage.heading).toBe('How it is delivered');
  });
});

describe('answerability', () => {
  it.each([
    ['how many customers has CDW moved to BPOS?', 'CDW'],
    ['how many BPOS seats are in Europe?', 'Europe'],
    ['how many copies of Office 2010 in its first month?', 'first month'],
    ['how many live@edu schools are in the UK?', 'UK'],
    ['how many bpos seats were added in 2011?', '2011'],
  ])('gives "%s" a partial answer naming what the sources do not give (%s), never a different figure as the answer', (question, missing) => {
    const reply = explain(question, index).reply;
    expect(reply.kind).not.toBe('answer');
    if (reply.kind === 'partial') expect(reply.missing.join(' ')).toContain(missing);
  });

  it('says the sources give no figure when the figure in the passage counts something else', () => {
    const { reply, answerability } = explain('how many students use live@edu?', index);
    expect(reply.kind).toBe('partial');
    expect(answerability?.asksUnmet).toBe(true);
  });

  it('does not take a figure for one partner from a clause about all ten', () => {
    const { answerability, chosen } = explain('how many customers has CDW moved to BPOS?', index);
    expect(chosen.some((p) => /CDW/.test(p.passage.text))).toBe(true);
    expect(answerability?.asksUnmet).toBe(true);
  });

  it('treats a passage that says what the source does not give as a partial answer', () => {
    const reply = explain('which state adopted the government version of bpos?', index).reply;
    expect(reply.kind).toBe('partial');
    expect(texts(reply)).toMatch(/does not name the state/);
  });

  it('answers a yes/no question with a wrong premise by correcting it with the fact', () => {
    const reply = explain('wasn\'t WPC in June?', index).reply;
    expect(reply).toMatchObject({ kind: 'answer', corrects: 'june' });
    expect(texts(reply)).toMatch(/July 2011/);
  });

  it('answers when everything the question pins down is covered', () => {
    for (const q of ['how many schools use live@edu?', 'is dell on the top 10 list?', 'how many paid seats does bpos have?']) {
      const { reply, answerability } = explain(q, index);
      expect({ q, kind: reply.kind }).toEqual({ q, kind: 'answer' });
      expect(answerability?.missing).toEqual([]);
    }
  });

  it('does not let a figure tied to an early period answer "how many now?"', () => {
    const { answerability } = explain('how many office web apps users are there now?', index);
    expect(answerability?.asksUnmet).toBe(true);
  });
});

describe('questionForm', () => {
  const form = (q: string) => questionForm(q, index.search(q).words);

  it('reads what a question asks for', () => {
    expect(form('how many customers has CDW moved?')).toMatchObject({ asks: 'figure', unit: 'customers' });
    expect(form('when is wpc?').asks).toBe('date');
    expect(form('who runs online services?').asks).toBe('who');
    expect(form('which partner migrated 390 customers?').asks).toBe('who');
    expect(form('good selling points for bpos when pitching a customer?').asks).toBe('other');
    expect(form('who handles billing, us or microsoft?').asks).toBe('other');
  });

  it('reads what a question pins down: names, numbers, periods and kinds of figure', () => {
    const details = form('what was the exact total for CDW in the first month of 2012?').details.map((d) => [d.kind, d.typed]);
    expect(details).toEqual(expect.arrayContaining([['name', 'cdw'], ['period', 'first month'], ['period', '2012'], ['qualifier', 'exact'], ['qualifier', 'total']]));
  });

  it('does not pin down "this year" or "now": any as-of date in the sources answers them', () => {
    expect(form('how fast is bpos growing this year?').details).toEqual([]);
  });

  it('tells yes/no questions, with or without a tag', () => {
    expect(form('is wpc in june?').yesNo).toBe(true);
    expect(form('bpos only comes in one edition, right?').yesNo).toBe(true);
    expect(form('when is wpc?').yesNo).toBe(false);
  });
});
