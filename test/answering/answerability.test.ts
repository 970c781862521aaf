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

  it('leads a figure question with the figure as it is rather than a hedged one ("1,040", not "over 1,000")', () => {
    const { reply, chosen } = explain('how many customers has the top 10 moved to bpos?', index);
    expect(reply.kind).toBe('answer');
    expect(chosen.map((p) => p.passage.text).join(' ')).toMatch(/1,040/);
  });

  it('leads with the section whose questions ask what the partner asks', () => {
    const { chosen } = explain('what kind of customers are behind the bpos seat numbers?', index);
    expect(chosen[0]?.passage.heading).toBe('Who the seats belong to');
  });

  it('leads a yes/no question with a wrong premise with the passage that corrects it', () => {
    const { chosen } = explain('wasn\'t WPC in June?', index);
    expect(chosen[0]?.passage.text).toMatch(/July 2011/);
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
    expect(reply).toMatchObject({ kind: 'answer', corrects: 'June' });
    expect(texts(reply)).toMatch(/July 2011/);
  });

  it('answers when everything the question pins down is covered', () => {
    for (const q of ['how many schools use live@edu?', 'is dell on the top 10 list?', 'how many paid seats does bpos have?']) {
      const { reply, answerability } = explain(q, index);
      expect({ q, kind: reply.kind }).toEqual({ q, kind: 'answer' });
      expect(answerability?.missing).toEqual([]);
    }
  });

  it.each([
    ['what did betsy frost webb do before running online services?', '"formerly" about Lync says nothing of her past'],
    ['when did office web apps go live?', 'the year of a cross-reference ("see the 2010 upgrade article") is no date'],
    ['how many partners are in the microsoft partner network?', '"Challenge two" labels a challenge; it counts no partners'],
    ['how many partners does microsoft have?', 'the 365 of "Office 365" counts nothing'],
    ['who runs mpn?', '"U.S." is no one\'s name'],
    ['which state uses the government version of bpos?', 'a person named elsewhere is no state'],
    ['how many bpos seats exactly?', '"passed 40 million" is no exact figure'],
  ])('does not answer "%s" outright: %s', (question) => {
    expect(explain(question, index).reply.kind).not.toBe('answer');
  });

  it.each([
    ['how many customers did the top partners move to bpos?', /1,040/, '"the source names only CDW and Dell" limits names, not this figure'],
    ['exact number of end customers the top ten partners moved?', /1,040/, 'a figure given as it is is the exact one'],
    ["what's the lowest and the highest number of customers moved by one top partner?", /65 and 390/, 'a range gives the lowest and the highest'],
    ['@Partner bot how many ppl pay for bpos now', /40 million/, 'paid seats count paying users'],
    ['what is ibm doing exactly?', /ADP/, '"exactly" asks for no figure here'],
  ])('answers "%s" (%s)', (question, fact) => {
    const reply = explain(question, index).reply;
    expect(reply.kind).toBe('answer');
    expect(texts(reply)).toMatch(fact);
  });

  it('limits a question about a name the list leaves out, not one the passage mentions', () => {
    expect(explain('is rackspace on microsoft\'s top 10 list?', index).reply.kind).toBe('partial');
    expect(explain('can an MSP afford to ignore cloud computing?', index).answerability?.limit).toBe(false);
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

  it('reads choices, descriptions and names for what they ask', () => {
    expect(form('Business Productivity Online Suite or Online Services, which one is the right name?').asks).toBe('other');
    expect(form('what kind of customers are behind the bpos seat numbers?').asks).toBe('other');
    expect(form("what's the exact release date of the bpos 2010 preview?").asks).toBe('date');
    expect(form('name of the microsoft exec quoted about bpos?').asks).toBe('who');
    expect(form('what was the total for the top 10?').asks).toBe('figure');
    expect(form('which state uses the government version?')).toMatchObject({ asks: 'who', place: 'state' });
  });

  it('pins "exactly", "each" and "total" down only for a figure or a date', () => {
    const qualifiers = (q: string) => form(q).details.filter((d) => d.kind === 'qualifier');
    expect(qualifiers('what is ibm doing exactly?')).toEqual([]);
    expect(qualifiers('does the dashboard cover every service or just some?')).toEqual([]);
    expect(form('how many seats exactly?').details.map((d) => d.qualifier)).toEqual(['exact']);
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
