import { parseGaps, parseSources, parseSynonyms } from '../../src/knowledge/contentFiles';
import type { Problem, Result } from '../../src/content/Problem';
import { Synonyms } from '../../src/knowledge/Synonyms';
import { splitWords, stem } from '../../src/knowledge/words';

const synonyms = new Synonyms([
  { term: 'wpc', also: ['worldwide partner conference', 'partner conference', 'wpc 2011'], line: 1 },
  { term: 'office 365', also: ['o365', 'microsoft 365'], line: 3 },
  { term: 'mpn', also: ['microsoft partner network', 'partner network'], line: 5 },
  { term: 'small businesses', also: ['smb'], line: 7 },
  { term: 'live@edu', also: ['live at edu'], line: 9 },
]);

const fold = (text: string) => synonyms.fold(splitWords(text));

function problemsOf<T>(result: Result<T>): Problem[] {
  if (result.success) throw new Error('expected the file to be refused');
  return result.problems;
}

function dataOf<T>(result: Result<T>): T {
  if (!result.success) throw new Error(`expected the file to parse, got: ${JSON.stringify(result.problems)}`);
  return result.data;
}

describe('Synonyms.fold', () => {
  it('turns every way of naming a thing into one token', () => {
    expect(fold('When is the Worldwide Partner Conference?')).toEqual(['when', 'is', 'the', 'wpc']);
    expect(fold('when is WPC')).toEqual(['when', 'is', 'wpc']);
    expect(fold('Office 365 or O365')).toEqual(['office365', 'or', 'office365']);
  });

  it('prefers the longest phrase', () => {
    // "microsoft partner network" must not be read as "microsoft" + "partner network".
    expect(fold('Microsoft Partner Network')).toEqual(['mpn']);
    // "wpc 2011" is one phrase: the year is swallowed, not left as a separate word.
    expect(fold('wpc 2011 dates')).toEqual(['wpc', 'dates']);
  });

  it('matches plurals and singulars of a phrase', () => {
    expect(fold('partner conferences in 2011')).toEqual(['wpc', 'in', '2011']);
    expect(fold('the partner networks')).toEqual(['the', 'mpn']);
    expect(fold('a small business')).toEqual(['a', 'smallbusinesses']);
  });

  it('passes other words through, including part of a phrase', () => {
    expect(fold('worldwide partner')).toEqual(['worldwide', 'partner']);
    expect(fold('dell and cdw')).toEqual(['dell', 'and', 'cdw']);
  });

  it('keeps a term written with @ as one token', () => {
    expect(fold('what is live at edu')).toEqual(['what', 'is', 'live@edu']);
  });
});

describe('Synonyms.tokenFor', () => {
  it('runs the words of a term together', () => {
    expect(Synonyms.tokenFor('Office 365')).toBe('office365');
    expect(Synonyms.tokenFor('wpc')).toBe('wpc');
  });
});

describe('Synonyms.groupOfWord', () => {
  it('names the only group whose phrases use a word', () => {
    expect(synonyms.groupOfWord('worldwide')).toBe('wpc');
    expect(synonyms.groupOfWord('conferences')).toBe('wpc');
    expect(synonyms.groupOfWord('network')).toBe('mpn');
    expect(synonyms.groupOfWord('365')).toBe('office365');
  });

  it('names no group for a word several groups share', () => {
    expect(synonyms.groupOfWord('partner')).toBeUndefined();
    expect(synonyms.groupOfWord('microsoft')).toBeUndefined();
  });

  it('names no group for a word no phrase uses', () => {
    expect(synonyms.groupOfWord('weather')).toBeUndefined();
  });
});

describe('Synonyms.says', () => {
  const seats = new Synonyms([{ term: 'seats', also: ['paid users', 'paying customers'], line: 1 }]);

  it('says the words of its phrases, by stem', () => {
    expect(seats.says(stem('seats'), stem('users'))).toBe(true);
    expect(seats.says(stem('seats'), stem('customer'))).toBe(true);
    expect([...seats.wordsSaidBy(stem('seats'))]).toEqual(expect.arrayContaining([stem('paid'), stem('users')]));
  });

  it('says nothing of words outside its phrases, and a word says nothing of the group', () => {
    expect(seats.says(stem('seats'), stem('schools'))).toBe(false);
    expect(seats.says(stem('users'), stem('seats'))).toBe(false);
    expect(seats.wordsSaidBy(stem('schools')).size).toBe(0);
  });
});

describe('parseSynonyms', () => {
  it('refuses the plural of a phrase that belongs to another term (plurals fold alike)', () => {
    const text = ['- term: wpc', '  also: [partner conference]', '- term: mpn', '  also: [partner conferences]', ''].join('\n');
    const problems = problemsOf(parseSynonyms(text, 'synonyms.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4 });
  });

  it('reads the groups with their lines', () => {
    const parsed = dataOf(parseSynonyms('- term: wpc\n  also: [partner conference]\n- term: mpn\n  also:\n    - partner network\n', 'synonyms.yaml'));
    expect(parsed.groups.map((g) => [g.term, g.line])).toEqual([
      ['wpc', 1],
      ['mpn', 3],
    ]);
    expect(parsed.fold(['partner', 'network'])).toEqual(['mpn']);
  });

  it('refuses a phrase listed under two terms, at the line of the second', () => {
    const text = ['- term: wpc', '  also: [partner conference]', '- term: mpn', '  also:', '    - partner network', '    - Partner  Conference', ''].join('\n');
    const problems = problemsOf(parseSynonyms(text, 'synonyms.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'synonyms.yaml', line: 6, severity: 'error' });
    expect(problems[0]?.message).toContain('wpc');
  });

  it('refuses a term that is also another term\'s synonym', () => {
    const problems = problemsOf(parseSynonyms('- term: wpc\n  also: [mpn]\n- term: mpn\n  also: [partner network]\n', 'synonyms.yaml'));
    expect(problems.map((p) => p.line)).toEqual([3]);
  });

  it('allows the same term to appear in two entries', () => {
    const parsed = dataOf(parseSynonyms('- term: wpc\n  also: [wpc 2011]\n- term: wpc\n  also: [wpc11]\n', 'synonyms.yaml'));
    expect(parsed.fold(['wpc11'])).toEqual(['wpc']);
  });

  it('refuses phrases without words, each at its own line', () => {
    const text = ['- term: "!!"', '  also: [ok]', '- term: lync', '  also:', '    - ocs', '    - "--"', ''].join('\n');
    const problems = problemsOf(parseSynonyms(text, 'synonyms.yaml'));
    expect(problems.map((p) => p.line)).toEqual([1, 6]);
  });

  it('refuses an empty phrase and an empty also list, with their lines', () => {
    const text = ['- term: wpc', '  also: []', '- term: lync', '  also:', '    - ocs', '    - "  "', ''].join('\n');
    const problems = problemsOf(parseSynonyms(text, 'synonyms.yaml'));
    expect(problems.map((p) => p.line).sort()).toEqual([2, 6]);
  });

  it('refuses an unknown key in an entry', () => {
    const problems = problemsOf(parseSynonyms('- term: wpc\n  also: [x]\n  alsoo: [y]\n', 'synonyms.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('alsoo');
  });

  it('refuses a file that is not a list', () => {
    const problems = problemsOf(parseSynonyms('term: wpc\nalso: [x]\n', 'synonyms.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe('synonyms.yaml');
  });
});

describe('parseSources', () => {
  const entry = (file: string, title: string) => `- file: ${file}\n  title: ${title}\n  period: spring 2011\n`;

  it('maps each source by its file name', () => {
    const map = dataOf(parseSources(entry('a.txt', 'A') + entry('b.txt', 'B'), 'sources.yaml'));
    expect([...map.keys()]).toEqual(['a.txt', 'b.txt']);
    expect(map.get('b.txt')).toEqual({ file: 'b.txt', title: 'B', period: 'spring 2011' });
  });

  it('refuses a file listed twice, at the line of the second', () => {
    const problems = problemsOf(parseSources(entry('a.txt', 'A') + entry('b.txt', 'B') + entry('a.txt', 'A again'), 'sources.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'sources.yaml', line: 7 });
    expect(problems[0]?.message).toContain('a.txt');
  });

  it('refuses an entry without a title, at its line', () => {
    const problems = problemsOf(parseSources(entry('a.txt', 'A') + '- file: b.txt\n  period: mid 2010\n', 'sources.yaml'));
    expect(problems.map((p) => p.line)).toEqual([4]);
  });
});

describe('parseGaps', () => {
  it('reads subjects and their phrases', () => {
    const gaps = dataOf(parseGaps('- about: prices\n  asks: [pricing, cost per user]\n', 'not-covered.yaml'));
    expect(gaps).toEqual([{ about: 'prices', asks: ['pricing', 'cost per user'] }]);
  });

  it('reports every badly shaped entry at once, each at its line', () => {
    const text = [
      '- about: prices', //        1
      '  asks: [pricing]', //      2
      '- about: margins', //       3
      '  asks: []', //             4  empty list
      '- about: where', //         5  no asks
      '- asks: [venue]', //        6  no about
      '- about: dates', //         7
      '  asks: next wpc', //       8  not a list
      '',
    ].join('\n');
    const problems = problemsOf(parseGaps(text, 'not-covered.yaml'));
    expect(problems.map((p) => p.line)).toEqual([4, 5, 6, 8]);
    expect(problems.every((p) => p.file === 'not-covered.yaml')).toBe(true);
  });

  it('refuses a file that is a single mapping instead of a list', () => {
    expect(problemsOf(parseGaps('about: prices\nasks: [pricing]\n', 'not-covered.yaml'))).toHaveLength(1);
  });

  it('reports a YAML syntax error with its line', () => {
    const problems = problemsOf(parseGaps('- about: prices\n  asks: [pricing\n', 'not-covered.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/YAML/);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });
});
