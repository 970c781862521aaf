import { evaluate } from '../../src/answering/evaluate';
import type { Reply } from '../../src/answering/Reply';
import type { Article } from '../../src/knowledge/Article';
import type { QuestionSet } from '../../src/knowledge/questionSet';

function article(id: string): Article {
  return { id, title: id, topic: 'T', questions: [id], tags: [], sources: ['a.txt'], asOf: '2011', related: [], shortAnswer: 'A.', details: '', file: `${id}.md` };
}

const answer = (id: string, confidence = 0.9): Reply => ({ kind: 'answer', article: article(id), confidence, followUps: [] });
const clarify = (ids: string[], confidence = 0.3): Reply => ({ kind: 'clarify', candidates: ids.map(article), confidence });
const noAnswer: Reply = { kind: 'noAnswer', reason: 'noMatch', confidence: 0.1 };

/** A fake bot: a fixed reply per question. */
function botFrom(replies: Record<string, Reply>): (q: string) => Reply {
  return (q) => {
    const r = replies[q];
    if (!r) throw new Error(`unexpected question ${q}`);
    return r;
  };
}

const SET: QuestionSet = {
  questions: [
    { q: 'answered right', expect: 'a', line: 3 },
    { q: 'answered wrong', expect: 'a', line: 5 },
    { q: 'clarified right', expect: 'b', line: 7 },
    { q: 'clarified, right one second', expect: 'b', line: 9 },
    { q: 'no answer', expect: 'c', line: 11 },
    { q: 'small talk', expect: 'c', line: 13 },
  ],
  outOfScope: [
    { q: 'weather', line: 16 },
    { q: 'joke', line: 17 },
    { q: 'football', line: 18 },
  ],
};

const REPLIES: Record<string, Reply> = {
  'answered right': answer('a'),
  'answered wrong': answer('b', 0.7),
  'clarified right': clarify(['b', 'a']),
  'clarified, right one second': clarify(['a', 'b']),
  'no answer': noAnswer,
  'small talk': { kind: 'smallTalk', intent: 'greeting' },
  weather: noAnswer,
  joke: answer('a', 0.6),
  football: clarify(['c']),
};

describe('evaluate', () => {
  const result = evaluate(SET, botFrom(REPLIES), ['a', 'b', 'c', 'd']);

  it('counts the questions', () => {
    expect(result.total).toBe(6);
    expect(result.outOfScope).toBe(3);
  });

  it('counts top-1 as the expected article answered or offered first', () => {
    expect(result.top1).toBe(2); // "answered right" and "clarified right"
  });

  it('counts answered as the expected article answered outright', () => {
    expect(result.answered).toBe(1);
  });

  it('lists every question not answered outright with the expected article, with its line', () => {
    expect(result.misses.map((m) => [m.line, m.kind, m.got])).toEqual([
      [5, 'answer', 'b'],
      [7, 'clarify', 'b'],
      [9, 'clarify', 'a'],
      [11, 'noAnswer', undefined],
      [13, 'smallTalk', undefined],
    ]);
  });

  it('records the confidence of each miss, with zero for small talk', () => {
    expect(result.misses.map((m) => m.confidence)).toEqual([0.7, 0.3, 0.3, 0.1, 0]);
  });

  it('counts an out-of-scope question as a false answer only when it is answered outright', () => {
    expect(result.falseAnswers).toEqual([{ q: 'joke', line: 17, got: 'a', confidence: 0.6 }]);
    expect(result.outOfScopeHeld).toBe(2);
  });

  it('lists the articles no question expects', () => {
    expect(result.unreached).toEqual(['d']);
  });

  it('scores a perfect run as perfect', () => {
    const perfect = evaluate(
      { questions: [{ q: 'answered right', expect: 'a', line: 1 }], outOfScope: [{ q: 'weather', line: 2 }] },
      botFrom(REPLIES),
      ['a'],
    );
    expect(perfect).toMatchObject({ total: 1, top1: 1, answered: 1, misses: [], outOfScopeHeld: 1, falseAnswers: [], unreached: [] });
  });

  it('handles an empty question set', () => {
    expect(evaluate({ questions: [], outOfScope: [] }, botFrom({}), ['a'])).toEqual({
      total: 0,
      top1: 0,
      answered: 0,
      misses: [],
      outOfScope: 0,
      outOfScopeHeld: 0,
      falseAnswers: [],
      unreached: ['a'],
    });
  });

  it('asks the bot each question exactly once', () => {
    const asked: string[] = [];
    const bot = botFrom(REPLIES);
    evaluate(SET, (q) => {
      asked.push(q);
      return bot(q);
    }, []);
    expect(asked).toEqual([...SET.questions.map((x) => x.q), ...SET.outOfScope.map((x) => x.q)]);
  });
});
