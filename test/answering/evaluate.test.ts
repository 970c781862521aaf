import { evaluate, gateFailures, missingFacts, normalize, type Conversation, type Shown } from '../../src/answering/evaluate';
import { formatEvaluation } from '../../src/answering/evalReport';
import type { QuestionSet } from '../../src/knowledge/questionSet';

const answer = (articleId: string, text: string, confidence = 0.9): Shown => ({ band: 'answer', articleId, text, confidence });
const partial = (articleId: string, text: string): Shown => ({ band: 'partial', articleId, text, confidence: 0.4 });
const clarify = (articleId: string): Shown => ({ band: 'clarify', articleId, text: 'Did you mean one of these?', confidence: 0.3 });
const noAnswer = (text = "Sorry, I don't have an answer to that."): Shown => ({ band: 'noAnswer', articleId: null, text, confidence: 0.1 });

/** A fake bot: fixed replies per message, the same in every conversation. */
function bot(replies: Record<string, readonly Shown[]>): () => Conversation {
  return () => (q) => {
    const r = replies[q];
    if (!r) throw new Error(`unexpected question ${q}`);
    return r;
  };
}

const SET: QuestionSet = {
  inScope: [
    { q: 'when is wpc', line: 3, expect: 'wpc-2011', facts: ['July 2011'], detail: false },
    { q: 'top 10 total', line: 6, expect: 'top-cloud-partners', facts: ['1040'], detail: true },
    { q: 'bpos name', line: 9, expect: 'bpos-overview', facts: [['Business Productivity Online Suite', 'Business Productivity Online Services']], detail: true },
    { q: 'ambiguous', line: 12, expect: 'bpos-overview', facts: ['Exchange Online'], detail: false },
  ],
  nearScope: [
    { q: 'cdw alone', line: 20, about: 'a figure for CDW' },
    { q: 'europe seats', line: 22 },
    { q: 'venue', line: 24 },
  ],
  outOfScope: [
    { q: '747 seats', line: 30, shares: true },
    { q: 'weather', line: 31, shares: false },
    { q: 'manager', line: 32, shares: true },
  ],
  conversations: [
    {
      name: 'wpc then venue',
      line: 40,
      turns: [
        { q: 'when is wpc', line: 42, expect: 'wpc-2011', facts: ['July 2011'], honest: false },
        { q: 'and where?', line: 45, honest: true },
        { q: 'and the keynote?', line: 46, honest: true },
      ],
    },
  ],
};

const REPLIES: Record<string, readonly Shown[]> = {
  'when is wpc': [answer('wpc-2011', '**WPC** takes place in   July\n2011.')],
  'top 10 total': [answer('top-cloud-partners', 'MSPmentor estimated the combined total at 1,040 end customers.')],
  'bpos name': [answer('bpos-overview', 'BPOS is a hosted service.')],
  ambiguous: [clarify('bpos-overview')],
  'cdw alone': [partial('top-cloud-partners', "My sources don't give a figure for CDW. Here is what they do say: over 1,000 customers")],
  'europe seats': [answer('bpos-seats-growth', '40 million paid seats', 0.7)],
  venue: [noAnswer()],
  '747 seats': [noAnswer()],
  weather: [noAnswer()],
  manager: [partial('online-services-leadership', 'general manager')],
  'and where?': [noAnswer("My sources don't say where.")],
  'and the keynote?': [partial('wpc-2011', 'WPC takes place in July 2011.')],
};

describe('evaluate', () => {
  const result = evaluate(SET, bot(REPLIES));

  it('counts an in-scope question right only when every fact (or one of its alternatives) is in the text', () => {
    expect(result.inScope).toMatchObject({ total: 4, right: 2 });
    const wrong = result.items.filter((x) => x.category === 'inScope' && !x.right).map((x) => [x.line, x.why]);
    expect(wrong).toEqual([
      [9, 'does not show "Business Productivity Online Suite" or "Business Productivity Online Services"'],
      [12, 'does not show "Exchange Online"'],
    ]);
  });

  it('reports in-scope questions that ask a detail separately, and how often the expected article led', () => {
    expect(result.inScope.detail).toEqual({ total: 2, right: 1 });
    expect(result.inScope.articleFirst).toBe(4);
  });

  it('fails a near-scope question only for a confident answer; a partial answer or no answer is honest', () => {
    expect(result.nearScope).toEqual({ total: 3, right: 2 });
    expect(result.items.find((x) => x.q === 'europe seats')).toMatchObject({ right: false, why: 'answered confidently' });
  });

  it('fails an out-of-scope question that gets any article in the answer, partial or clarify band', () => {
    expect(result.outOfScope).toMatchObject({ total: 3, right: 2, shares: { total: 2, right: 1 } });
    expect(result.items.find((x) => x.q === 'manager')?.why).toBe('offered online-services-leadership (partial)');
  });

  it('fails an honest conversation turn that repeats the figure of the answer before it', () => {
    const turns = result.items.filter((x) => x.category === 'conversation');
    expect(turns.map((t) => [t.q, t.right])).toEqual([
      ['when is wpc', true],
      ['and where?', true],
      ['and the keynote?', false],
    ]);
    expect(turns[2]?.why).toBe('repeats the previous answer\'s "july 2011"');
    expect(result.conversations).toMatchObject({ turns: { total: 3, right: 2 }, honestTurns: { total: 2, right: 1 }, whole: { total: 1, right: 0 } });
  });

  it('does not count a figure the partner typed themselves as repeated', () => {
    const set: QuestionSet = { ...SET, inScope: [], nearScope: [], outOfScope: [], conversations: [{ name: 'c', line: 1, turns: [{ q: 'range', line: 2, facts: ['390'], honest: false }, { q: 'who did 390?', line: 3, honest: true }] }] };
    const r = evaluate(set, bot({ range: [answer('top-cloud-partners', 'between 65 and 390')], 'who did 390?': [partial('top-cloud-partners', "My sources don't name the partner who migrated 390.")] }));
    expect(r.conversations.honestTurns).toEqual({ total: 1, right: 1 });
  });

  it('tallies every turn by the most confident band among its replies, with how many were right', () => {
    expect(result.bands).toEqual({
      answer: { total: 5, right: 3 },
      partial: { total: 3, right: 1 },
      clarify: { total: 1, right: 0 },
      noAnswer: { total: 4, right: 4 },
      other: { total: 0, right: 0 },
    });
  });

  it('uses a fresh conversation per question and one conversation per case, asking turns in order', () => {
    const asked: string[][] = [];
    evaluate(SET, () => {
      const log: string[] = [];
      asked.push(log);
      return (q) => {
        log.push(q);
        return REPLIES[q] ?? [];
      };
    });
    expect(asked).toHaveLength(4 + 3 + 3 + 1);
    expect(asked[asked.length - 1]).toEqual(['when is wpc', 'and where?', 'and the keynote?']);
  });

  it('fails the gates below the figures the suite holds the bot to', () => {
    expect(gateFailures(result)).toEqual([
      'in-scope fact shown 50.0% is below 97%',
      'near-scope honest 66.7% is below 95%',
      'out-of-scope clean 66.7% is below 100%',
      'the answer band is right 60.0% of the time, below 98%',
    ]);
    const perfect = evaluate({ inScope: [SET.inScope[0]!], nearScope: [SET.nearScope[0]!], outOfScope: [SET.outOfScope[0]!], conversations: [] }, bot(REPLIES));
    expect(gateFailures(perfect)).toEqual([]);
  });

  it('prints each category, the band table and every miss with the text shown', () => {
    const text = formatEvaluation(result, 'q.yaml');
    expect(text).toMatch(/in-scope: every fact shown\s+50\.0%\s+2\/4/);
    expect(text).toMatch(/answer\s+5\s+3\s+60\.0%/);
    expect(text).toContain('q.yaml:9: [inScope] "bpos name" -> answer (bpos-overview, confidence 0.9)');
    expect(text).toContain('shown: BPOS is a hosted service.');
    expect(text).toMatch(/FAIL: /);
  });
});

describe('fact matching', () => {
  it('ignores case, folds whitespace and digit-group commas', () => {
    expect(normalize('Over  1,040\nEnd Customers')).toBe('over 1040 end customers');
    expect(missingFacts('over 1,040 customers', ['1040', ['10,000', '1,040']])).toEqual([]);
    expect(missingFacts('over 1,000 customers', ['1,040'])).toEqual(['1,040']);
  });
});
