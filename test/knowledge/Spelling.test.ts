import { englishWords } from '../../src/knowledge/englishWords';
import { Spelling, editDistance } from '../../src/knowledge/Spelling';
import { QUESTION_WORDS, STOP_WORDS } from '../../src/knowledge/words';

const FUNCTION_WORDS = [...QUESTION_WORDS, ...STOP_WORDS];

/** The knowledge base's words, with how often each occurs. */
const VOCABULARY = new Map<string, number>([
  ['conference', 3],
  ['worldwide', 2],
  ['partner', 5],
  ['change', 4],
  ['dashboard', 2],
  ['2010', 3],
  ['2011', 2],
  ['when', 5],
  ['the', 9],
]);

describe('Spelling', () => {
  const spelling = new Spelling(VOCABULARY, FUNCTION_WORDS, englishWords());

  it('corrects typos of knowledge-base words', () => {
    expect(spelling.correct('confrence')).toBe('conference');
    expect(spelling.correct('wolrdwide')).toBe('worldwide');
    expect(spelling.correct('partnr')).toBe('partner');
    expect(spelling.correct('dashbord')).toBe('dashboard');
  });

  it('returns a known word as it is', () => {
    expect(spelling.correct('conference')).toBe('conference');
  });

  it('leaves real English words alone when the dictionary has them', () => {
    expect(englishWords().has('charge')).toBe(true);
    expect(spelling.correct('charge')).toBeUndefined();
  });

  it('without a dictionary, the same word would be bent into a knowledge-base word', () => {
    // Shows the dictionary is what protects "charge" above.
    expect(new Spelling(VOCABULARY, FUNCTION_WORDS).correct('charge')).toBe('change');
  });

  it('does not bend an unrelated word into a knowledge-base word', () => {
    expect(spelling.correct('weather')).toBeUndefined();
    expect(spelling.correct('qwertyuiop')).toBeUndefined();
  });

  it('allows two edits from eight letters on, but only one below', () => {
    expect(spelling.correct('confrnce')).toBe('conference'); // 8 letters, 2 deletions
    expect(spelling.correct('dshbrd')).toBeUndefined(); // 6 letters, 3 deletions
    expect(spelling.correct('prtnr')).toBeUndefined(); // 5 letters, 2 deletions
  });

  it('corrects three-letter words only to function words', () => {
    expect(spelling.correct('wen')).toBe('when');
    const teh = spelling.correct('teh');
    expect(teh).toBeDefined();
    expect(STOP_WORDS.has(teh as string)).toBe(true);
  });

  it('never turns a three-letter word into a content word', () => {
    // "del" is one edit from "dell", a knowledge-base word, but short words are too easily confused.
    const withDell = new Spelling(new Map([...VOCABULARY, ['dell', 3]]), FUNCTION_WORDS, englishWords());
    expect(withDell.correct('del')).toBeUndefined();
  });

  it('leaves words with digits untouched', () => {
    expect(spelling.correct('2012')).toBeUndefined();
    expect(spelling.correct('2o1o')).toBeUndefined();
  });

  it('leaves one- and two-letter words untouched', () => {
    expect(spelling.correct('wh')).toBeUndefined();
  });

  it('prefers the commoner word when two are equally close', () => {
    const tie = new Spelling(new Map([['cart', 1], ['card', 7]]), []);
    expect(tie.correct('carx')).toBe('card');
  });
});

describe('editDistance', () => {
  it('is zero for equal words', () => {
    expect(editDistance('bpos', 'bpos', 2)).toBe(0);
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting', 5)).toBe(3);
    expect(editDistance('', 'abc', 5)).toBe(3);
    expect(editDistance('partner', 'partners', 2)).toBe(1);
  });

  it('counts swapping two neighbouring letters as one edit', () => {
    expect(editDistance('teh', 'the', 2)).toBe(1);
    expect(editDistance('wolrdwide', 'worldwide', 2)).toBe(1);
  });

  it('gives up past the limit and returns limit + 1', () => {
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(editDistance('abc', 'abcdef', 1)).toBe(2);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
  });

  it('returns the true distance when it is within the limit', () => {
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
  });
});
