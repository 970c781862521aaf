import { gapReason, findGaps, isGap, jaccard, type GapInput } from '../../src/answering/gaps';
import { questionWords } from '../../src/tools/kbGaps';
import { fixtureInputs, IN_WEEK } from '../helpers/questionLogFixture';
import { realContent } from '../helpers/realContent';

/** A stand-in analyzer: lower-case words minus a few stop words. */
const simple = (text: string): string[] =>
  (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !['the', 'is', 'a', 'of', 'what', 'does', 'do'].includes(w));

const q = (question: string, band: GapInput['band'], extra: Partial<GapInput> = {}): GapInput => ({ question, band, ...extra });

describe('isGap', () => {
  it('counts every no-answer, and answers or "did you mean" only when marked not helpful', () => {
    expect(isGap(q('x', 'noAnswer', { reason: 'noMatch' }))).toBe(true);
    expect(isGap(q('x', 'noAnswer', { reason: 'vague' }))).toBe(true);
    expect(isGap(q('x', 'noAnswer', { reason: 'notCovered', gap: 'prices' }))).toBe(true);
    expect(isGap(q('x', 'answer'))).toBe(false);
    expect(isGap(q('x', 'answer', { feedback: 'helpful' }))).toBe(false);
    expect(isGap(q('x', 'answer', { feedback: 'notHelpful' }))).toBe(true);
    expect(isGap(q('x', 'clarify'))).toBe(false);
    expect(isGap(q('x', 'clarify', { feedback: 'notHelpful' }))).toBe(true);
    expect(isGap(q('x', 'smallTalk', { feedback: 'notHelpful' }))).toBe(false);
    expect(isGap(q('x', 'escalation'))).toBe(false);
  });

  it('counts a partial answer as a gap, with its own reason', () => {
    expect(isGap(q('how many customers has CDW moved?', 'partial'))).toBe(true);
    expect(gapReason(q('how many customers has CDW moved?', 'partial'))).toBe('partial');
  });
});

describe('jaccard', () => {
  it('is shared over all words, and 1 for two empty sets', () => {
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
    expect(jaccard(new Set(['a']), new Set(['a']))).toBe(1);
    expect(jaccard(new Set(), new Set())).toBe(1);
    expect(jaccard(new Set(['a']), new Set())).toBe(0);
  });
});

describe('findGaps (stand-in analyzer)', () => {
  it('groups by word similarity, most asked first, with reasons, closest articles and subjects', () => {
    const groups = findGaps(
      [
        q('bpos cost', 'noAnswer', { reason: 'notCovered', gap: 'prices', articleId: 'bpos-overview' }),
        q('BPOS cost?', 'noAnswer', { reason: 'notCovered', gap: 'prices', articleId: 'bpos-overview' }),
        q('the cost of bpos', 'answer', { articleId: 'bpos-why', feedback: 'notHelpful' }),
        q('bpos cost', 'answer', { articleId: 'bpos-why', feedback: 'helpful' }),
        q('weather today', 'noAnswer', { reason: 'noMatch' }),
        q('xyz', 'clarify', { candidates: ['a', 'b'], feedback: 'notHelpful' }),
      ],
      { analyze: simple },
    );
    expect(groups).toEqual([
      {
        count: 3,
        examples: ['bpos cost', 'the cost of bpos'],
        reasons: { notCovered: 2, notHelpful: 1 },
        closestArticles: [
          { id: 'bpos-overview', count: 2 },
          { id: 'bpos-why', count: 1 },
        ],
        gaps: ['prices'],
      },
      { count: 1, examples: ['weather today'], reasons: { noMatch: 1 }, closestArticles: [], gaps: [] },
      { count: 1, examples: ['xyz'], reasons: { notHelpful: 1 }, closestArticles: [{ id: 'a', count: 1 }, { id: 'b', count: 1 }], gaps: [] },
    ]);
  });

  it('keeps questions below the similarity threshold apart, and joins them when the threshold is lower', () => {
    const records = [q('bpos cost month', 'noAnswer'), q('bpos editions list', 'noAnswer')];
    expect(findGaps(records, { analyze: simple })).toHaveLength(2);
    expect(findGaps(records, { analyze: simple, similarity: 0.2 })).toHaveLength(1);
  });

  it('merges groups that hit the same not-covered subject unless told not to', () => {
    const records = [
      q('wpc venue', 'noAnswer', { reason: 'notCovered', gap: 'where WPC is held' }),
      q('wpc location', 'noAnswer', { reason: 'notCovered', gap: 'where WPC is held' }),
    ];
    expect(findGaps(records, { analyze: simple }).map((g) => g.count)).toEqual([2]);
    expect(findGaps(records, { analyze: simple, mergeBySubject: false }).map((g) => g.count)).toEqual([1, 1]);
  });

  it('shows at most five distinct examples, most frequent first', () => {
    const records = [
      ...Array.from({ length: 3 }, () => q('alpha beta', 'noAnswer')),
      ...['alpha beta gamma', 'alpha beta delta', 'alpha beta eps', 'alpha beta zeta', 'alpha beta eta'].map((t) => q(t, 'noAnswer')),
      q('Alpha  beta!', 'noAnswer'),
    ];
    const [group, ...rest] = findGaps(records, { analyze: simple });
    expect(rest).toEqual([]);
    expect(group?.count).toBe(9);
    expect(group?.examples).toEqual(['alpha beta', 'alpha beta delta', 'alpha beta eps', 'alpha beta eta', 'alpha beta gamma']);
  });

  it('analyzes each distinct question once', () => {
    const analyze = jest.fn(simple);
    findGaps([q('a b', 'noAnswer'), q('A b?', 'noAnswer'), q('c d', 'noAnswer')], { analyze });
    expect(analyze).toHaveBeenCalledTimes(2);
  });

  it('rejects a similarity outside (0, 1]', () => {
    expect(() => findGaps([], { analyze: simple, similarity: 0 })).toThrow(RangeError);
    expect(() => findGaps([], { analyze: simple, similarity: 1.5 })).toThrow(RangeError);
  });

  it('returns nothing when nothing is a gap', () => {
    expect(findGaps([q('when is wpc', 'answer', { feedback: 'helpful' }), q('hi', 'smallTalk')], { analyze: simple })).toEqual([]);
  });
});

describe('findGaps over a recorded week, with the bot\'s analyzer', () => {
  it('puts the three price questions in one group and leaves answered-and-helpful questions out', async () => {
    const { kb } = await realContent();
    const groups = findGaps(fixtureInputs(), { analyze: questionWords(kb.index) });

    expect(groups.map((g) => g.count)).toEqual([4, 3, 2, 2, 1, 1, 1, 1]);
    const price = groups.find((g) => g.examples.includes('how much does bpos cost'));
    expect(price).toEqual({
      count: 3,
      examples: ['bpos price per user', 'how much does bpos cost', 'what does bpos cost'],
      reasons: { notCovered: 2, notHelpful: 1 },
      closestArticles: [{ id: 'bpos-why-customers-choose', count: 3 }],
      gaps: ['prices, costs per user and licensing terms'],
    });
    expect(groups[0]).toMatchObject({ count: 4, examples: ['where is wpc held', 'wpc location', 'wpc venue'], reasons: { notCovered: 4 } });

    const inGroups = new Set(groups.flatMap((g) => g.examples.map((e) => e.toLowerCase())));
    // Answered and helpful (or no feedback), small talk, escalation: not gaps.
    for (const text of ['when is wpc', 'what is bpos', 'bpos editions', 'hi', 'talk to a human', 'cloud', 'office web apps adoption']) {
      expect(inGroups.has(text)).toBe(false);
    }
    // Answered but marked not helpful: gaps.
    expect(inGroups.has('xbox games')).toBe(true);
    expect(inGroups.has('tell me about partners')).toBe(true);
    expect(groups.reduce((s, g) => s + g.count, 0)).toBe(IN_WEEK.filter((r) => fixtureInputs([r]).some(isGap)).length);
  });

  it('groups "bpos price per user" with the others only through the not-covered subject', async () => {
    const { kb } = await realContent();
    const analyze = questionWords(kb.index);
    expect(analyze('how much does bpos cost')).toEqual(['how', 'bpo', 'cost']);
    const counts = findGaps(fixtureInputs(), { analyze, mergeBySubject: false }).map((g) => g.count);
    expect(counts).not.toContain(3);
  });
});
