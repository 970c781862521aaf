import { holdsPeriod } from '../../src/answering/answerability';
import { questionForm } from '../../src/answering/questionForm';
import { MONTHS, SEASONS, SEASON_ALIASES, SEASON_MONTHS, STOP_WORDS, lightStem, splitWords } from '../../src/knowledge/words';

describe('splitWords', () => {
  it('lower-cases and drops punctuation', () => {
    expect(splitWords('Hello, World! (BPOS) -- ok?')).toEqual(['hello', 'world', 'bpos', 'ok']);
  });

  it('joins digit groups so "1,040" is one number', () => {
    expect(splitWords('over 1,040 customers')).toEqual(['over', '1040', 'customers']);
    expect(splitWords('12,345,678 seats')).toEqual(['12345678', 'seats']);
  });

  it('does not join numbers that are only separated by a comma and a short group', () => {
    expect(splitWords('1,04')).toEqual(['1', '04']);
  });

  it('keeps Live@edu as one token', () => {
    expect(splitWords('What is Live@edu?')).toEqual(['what', 'is', 'live@edu']);
  });

  it('does not make a token of a lone or trailing @', () => {
    expect(splitWords('@bpos team@')).toEqual(['bpos', 'team']);
  });

  it('drops the possessive with straight and curly apostrophes', () => {
    expect(splitWords("Microsoft's plan")).toEqual(['microsoft', 'plan']);
    expect(splitWords('Microsoft’s plan')).toEqual(['microsoft', 'plan']);
    expect(splitWords('Microsoft`s plan')).toEqual(['microsoft', 'plan']);
  });

  it('joins contractions written with curly quotes into one word', () => {
    expect(splitWords('I don’t know')).toEqual(['i', 'dont', 'know']);
    expect(splitWords('‘quoted’ words')).toEqual(['quoted', 'words']);
  });

  it('ignores emoji', () => {
    expect(splitWords('I ❤️ BPOS 🎉')).toEqual(['i', 'bpos']);
  });

  it('folds full-width letters to plain ones', () => {
    expect(splitWords('ＢＰＯＳ')).toEqual(['bpos']);
  });

  it('keeps letters with accents and digits inside words', () => {
    expect(splitWords('Café O365')).toEqual(['café', 'o365']);
  });

  it('splits hyphenated and dotted words', () => {
    expect(splitWords('e-mail box.net')).toEqual(['e', 'mail', 'box', 'net']);
  });

  it('returns nothing for text without words', () => {
    expect(splitWords('?!... -- 🎉')).toEqual([]);
    expect(splitWords('')).toEqual([]);
  });
});

describe('lightStem', () => {
  it.each([
    ['prices', 'price'],
    ['seats', 'seat'],
    ['mailboxes', 'mailbox'],
    ['churches', 'church'],
    ['wishes', 'wish'],
    ['buzzes', 'buzz'],
  ])('folds the plural %s to %s', (plural, singular) => {
    expect(lightStem(plural)).toBe(singular);
  });

  it.each(['pricing', 'class', 'boss', 'dress', 'bus', 'gas', 'its'])('leaves %s alone', (word) => {
    expect(lightStem(word)).toBe(word);
  });
});

describe('STOP_WORDS', () => {
  it('holds filler but not subject words', () => {
    expect(STOP_WORDS.has('please')).toBe(true);
    expect(STOP_WORDS.has('the')).toBe(true);
    expect(STOP_WORDS.has('bpos')).toBe(false);
    expect(STOP_WORDS.has('when')).toBe(false);
  });
});

describe('one spelling for British and American English, and irregular past forms', () => {
  it('reads British spellings as their American twins', () => {
    expect(splitWords('organisation organised favour favourite programme centre licence cancelled analyse')).toEqual([
      'organization', 'organized', 'favor', 'favorite', 'program', 'center', 'license', 'canceled', 'analyze',
    ]);
  });

  it('leaves words alone whose "twin" is no English word', () => {
    expect(splitWords('promise enterprise exercise tour hour billing selling silence')).toEqual([
      'promise', 'enterprise', 'exercise', 'tour', 'hour', 'billing', 'selling', 'silence',
    ]);
  });

  it('reads irregular past forms as the verb, but not those that are mostly other words', () => {
    expect(splitWords('grew sold bought won')).toEqual(['grow', 'sell', 'buy', 'win']);
    expect(splitWords('left found paid known')).toEqual(['left', 'found', 'paid', 'known']);
  });
});

describe('the calendar words, one table for every reader', () => {
  it('gives each season three of the twelve months, and each season alias a season', () => {
    expect(MONTHS).toHaveLength(12);
    for (const season of SEASONS) {
      const months = SEASON_MONTHS.get(season) ?? [];
      expect(months).toHaveLength(3);
      for (const m of months) expect(MONTHS).toContain(m);
    }
    for (const target of SEASON_ALIASES.values()) expect(SEASONS).toContain(target);
  });

  it('reads months, their short forms and seasons in a question as periods, but "may" as the verb', () => {
    const periods = (q: string) => questionForm(q, []).details.filter((d) => d.kind === 'period').map((d) => d.typed);
    expect(periods('is wpc in july or in sept?')).toEqual(['july', 'sept']);
    expect(periods('is the preview due this autumn?')).toEqual(['autumn']);
    expect(periods('may partners bill their own customers?')).toEqual([]);
  });

  it('meets a season by its months and by its other name', () => {
    expect(holdsPeriod(new Set(['july']), 'summer')).toBe(true);
    expect(holdsPeriod(new Set(['fall']), 'autumn')).toBe(true);
    expect(holdsPeriod(new Set(['july']), 'winter')).toBe(false);
  });
});
