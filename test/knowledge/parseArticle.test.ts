import { parseArticle, type ParsedArticle } from '../../src/knowledge/parseArticle';
import type { Problem, Result } from '../../src/content/Problem';

/** A valid article; line numbers in the comments are the file's 1-based lines. */
const VALID = [
  '---', //                                 1
  'id: wpc-2011', //                        2
  'title: When is WPC?', //                 3
  'topic: WPC', //                          4
  'questions:', //                          5
  '  - When is WPC?', //                    6
  '  - When is the partner conference?', // 7
  'tags: [wpc, event]', //                  8
  'source: a.txt', //                       9
  'asOf: spring 2011', //                   10
  'related: [cloud-vs-on-premise]', //      11
  '---', //                                 12
  '', //                                    13
  'WPC takes place in July 2011.', //       14
  'It is in the summer.', //                15
  '', //                                    16
  '## More detail', //                      17
  '', //                                    18
  '- Registration is not covered.', //      19
  '',
].join('\n');

/** VALID with line `n` (1-based) replaced by `lines` (none to delete it). */
function withLine(n: number, ...lines: string[]): string {
  const all = VALID.split('\n');
  all.splice(n - 1, 1, ...lines);
  return all.join('\n');
}

function problemsOf(result: Result<ParsedArticle>): Problem[] {
  if (result.success) throw new Error('expected the article to be refused');
  return result.problems;
}

function parse(text: string): Problem[] {
  return problemsOf(parseArticle(text, 'wpc/wpc-2011.md'));
}

describe('parseArticle', () => {
  describe('a valid article', () => {
    const result = parseArticle(VALID, 'wpc/wpc-2011.md');

    it('parses every field', () => {
      if (!result.success) throw new Error(JSON.stringify(result.problems));
      expect(result.warnings).toEqual([]);
      expect(result.data.article).toEqual({
        id: 'wpc-2011',
        title: 'When is WPC?',
        topic: 'WPC',
        questions: ['When is WPC?', 'When is the partner conference?'],
        tags: ['wpc', 'event'],
        sources: ['a.txt'],
        asOf: 'spring 2011',
        historical: false,
        related: ['cloud-vs-on-premise'],
        shortAnswer: 'WPC takes place in July 2011. It is in the summer.',
        details: '## More detail\n\n- Registration is not covered.',
        passages: [
          { index: 0, kind: 'short', text: 'WPC takes place in July 2011. It is in the summer.', line: 14 },
          { index: 1, kind: 'item', heading: 'More detail', text: 'Registration is not covered.', line: 19 },
        ],
        sections: [],
        file: 'wpc/wpc-2011.md',
      });
    });

    it('aims questions at a section by its heading, whatever its case', () => {
      const r = parseArticle(withLine(11, 'related: [cloud-vs-on-premise]', 'sections:', '  more DETAIL:', '    - Is registration covered?'), 'wpc/wpc-2011.md');
      if (!r.success) throw new Error(JSON.stringify(r.problems));
      expect(r.data.article.sections).toEqual([{ heading: 'More detail', questions: ['Is registration covered?'] }]);
    });

    it('refuses section questions aimed at a heading the body does not have, naming the line of its questions and the headings there are', () => {
      const problems = parse(withLine(11, 'related: [cloud-vs-on-premise]', 'sections:', '  Venue:', '    - Where is WPC?'));
      expect(problems).toEqual([
        expect.objectContaining({ line: 14, severity: 'error', message: expect.stringMatching(/section "Venue" is not a heading of the body.*"More detail"/) }),
      ]);
    });

    it('knows the line of each front-matter value', () => {
      if (!result.success) throw new Error('expected success');
      expect(result.data.lineOf(['id'])).toBe(2);
      expect(result.data.lineOf(['questions', 1])).toBe(7);
      expect(result.data.lineOf(['asOf'])).toBe(10);
    });

    it('accepts Windows line endings and a byte-order mark', () => {
      expect(parseArticle(`\uFEFF${VALID.replace(/\n/g, '\r\n')}`, 'a.md').success).toBe(true);
    });

    it('accepts a list of sources', () => {
      const r = parseArticle(withLine(9, 'source: [a.txt, b.txt]'), 'a.md');
      if (!r.success) throw new Error(JSON.stringify(r.problems));
      expect(r.data.article.sources).toEqual(['a.txt', 'b.txt']);
    });

    it.each([['2011'], ['2011-07'], ['2011-07-10'], ['mid 2010'], ['"late 2010"']])('accepts asOf: %s', (value) => {
      expect(parseArticle(withLine(10, `asOf: ${value}`), 'a.md').success).toBe(true);
    });

    it('defaults tags and related to empty lists', () => {
      const r = parseArticle(withLine(11).replace('tags: [wpc, event]\n', ''), 'a.md');
      if (!r.success) throw new Error(JSON.stringify(r.problems));
      expect(r.data.article.tags).toEqual([]);
      expect(r.data.article.related).toEqual([]);
    });

    it('has empty details when the body is one paragraph', () => {
      const r = parseArticle(VALID.split('\n').slice(0, 15).join('\n'), 'a.md');
      if (!r.success) throw new Error(JSON.stringify(r.problems));
      expect(r.data.article.details).toBe('');
    });
  });

  describe('problems, each at its line', () => {
    it('reports missing front matter at line 1', () => {
      expect(parse('WPC takes place in July 2011.\n')).toEqual([expect.objectContaining({ file: 'wpc/wpc-2011.md', line: 1, severity: 'error' })]);
    });

    it('reports front matter that is never closed at line 1', () => {
      const problems = parse(withLine(12)); // the closing "---" removed
      expect(problems).toHaveLength(1);
      expect(problems[0]?.line).toBe(1);
    });

    it('reports a YAML syntax error at the line it is on', () => {
      expect(parse(withLine(3, 'title: When: is WPC?')).map((p) => p.line)).toEqual([3]);
      expect(parse(withLine(4, '\ttopic: WPC')).map((p) => p.line)).toContain(4);
    });

    it('reports a field given twice at the second one', () => {
      expect(parse(withLine(4, 'topic: WPC', 'topic: Events')).map((p) => p.line)).toEqual([5]);
    });

    it('reports an unknown field by name, inside the front matter', () => {
      const problems = parse(withLine(8, 'tagz: [wpc, event]'));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toContain('tagz');
      expect(problems[0]?.line).toBe(8);
    });

    it.each([
      ['id', 2],
      ['title', 3],
      ['topic', 4],
      ['asOf', 10],
    ])('reports a missing %s by name', (field, line) => {
      const problems = parse(withLine(line));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toContain(field);
      expect(problems[0]?.line).toBe(2);
    });

    it('reports missing questions by name', () => {
      const problems = parse(withLine(5).split('\n').filter((l) => !l.startsWith('  - When')).join('\n'));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toContain('questions');
    });

    it('reports a missing source by name', () => {
      const problems = parse(withLine(9));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toContain('source');
    });

    it('reports every missing field when the front matter is empty', () => {
      const problems = parse('---\n---\nAn answer.\n');
      for (const field of ['id', 'title', 'topic', 'questions', 'source', 'asOf']) {
        expect(problems.some((p) => p.message.includes(field))).toBe(true);
      }
    });

    it.each([['WPC_2011'], ['Wpc-2011'], ['wpc--2011'], ['-wpc'], ['"wpc 2011"']])('refuses the id %s at line 2', (id) => {
      const problems = parse(withLine(2, `id: ${id}`));
      expect(problems.map((p) => p.line)).toEqual([2]);
    });

    it.each([['July 2011'], ['2011-13'], ['2011-02-32'], ['soon'], ['11']])('refuses asOf: %s at line 10', (value) => {
      const problems = parse(withLine(10, `asOf: ${value}`));
      expect(problems.map((p) => p.line)).toEqual([10]);
    });

    it('refuses an empty title at its line', () => {
      expect(parse(withLine(3, 'title: ""')).map((p) => p.line)).toEqual([3]);
    });

    it('refuses an empty alternate question at its line', () => {
      expect(parse(withLine(7, '  - ""')).map((p) => p.line)).toEqual([7]);
    });

    it('refuses a related entry that is not an id at its line', () => {
      expect(parse(withLine(11, 'related:', '  - cloud-vs-on-premise', '  - Not An Id')).map((p) => p.line)).toEqual([13]);
    });

    it('refuses an article with no body', () => {
      const problems = parse(VALID.split('\n').slice(0, 12).join('\n'));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toMatch(/short answer/);
    });

    it('refuses a body that is only blank lines, pointing after the front matter', () => {
      const problems = parse(`${VALID.split('\n').slice(0, 12).join('\n')}\n\n\n`);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.line).toBeGreaterThan(12);
    });

    it.each([
      ['a heading', '## When is WPC?'],
      ['a list', '- July 2011'],
      ['a numbered list', '1. July 2011'],
      ['a quote', '> July 2011'],
      ['a table', '| when | July 2011 |'],
    ])('refuses a short answer that is %s, at its line', (_kind, line) => {
      const problems = parse(withLine(14, line).replace('It is in the summer.\n', ''));
      expect(problems.map((p) => p.line)).toEqual([14]);
    });

    it('points at the first line of a short answer that starts after extra blank lines', () => {
      expect(parse(withLine(14, '', '', '# Heading')).map((p) => p.line)).toEqual([16]);
    });
  });

  it('reports every problem at once, not just the first', () => {
    const text = withLine(14, '# Heading')
      .replace('id: wpc-2011', 'id: Bad Id')
      .replace('asOf: spring 2011', 'asOf: someday')
      .replace('title: When is WPC?', 'title: ""');
    const lines = parse(text).map((p) => p.line).sort((a, b) => a - b);
    expect(lines).toEqual([2, 3, 10, 14]);
  });

  it('says a list written as text must be a list, and how to write it, not that it is missing', () => {
    expect(parse(withLine(8, 'tags: wpc, event')).map((p) => `${p.line}: ${p.message}`)).toEqual([
      '8: tags must be a list, not text: write tags: [wpc, event], or each item on its own line starting with "- "',
    ]);
    expect(parse(withLine(5, 'questions: When is WPC?').replace(/^ {2}- .*\n/gm, '')).map((p) => p.message)).toEqual([
      'questions must be a list, not text: write questions: [When is WPC?], or each item on its own line starting with "- "',
    ]);
  });

  it('says a field given with no value is empty, and one left out is required', () => {
    expect(parse(withLine(8, 'tags:')).map((p) => p.message)).toEqual(['tags must be a list (the field is empty)']);
    expect(parse(withLine(4)).map((p) => p.message)).toEqual(['topic is required']);
  });

  it('accepts historical: true, and refuses a historical flag that is not true or false, at its line', () => {
    const r = parseArticle(withLine(10, 'asOf: spring 2011', 'historical: true'), 'a.md');
    if (!r.success) throw new Error(JSON.stringify(r.problems));
    expect(r.data.article.historical).toBe(true);
    expect(parse(withLine(10, 'asOf: spring 2011', 'historical: yes please')).map((p) => `${p.line}: ${p.message}`)).toEqual(['11: historical must be true or false']);
  });

  it('still reads the valid fields of a refused article, for the checks across files', () => {
    const r = parseArticle(withLine(8, 'tags: wpc, event'), 'a.md');
    if (r.success || !r.partial) throw new Error('expected a refused article with what could be read');
    expect(r.partial.article).toMatchObject({ id: 'wpc-2011', topic: 'WPC', tags: [], sources: ['a.txt'], related: ['cloud-vs-on-premise'] });
  });

  it('marks every problem as an error in the given file', () => {
    const problems = parse(withLine(2, 'id: Bad Id').replace('asOf: spring 2011', 'asOf: someday'));
    expect(problems.length).toBe(2);
    expect(problems.every((p) => p.file === 'wpc/wpc-2011.md' && p.severity === 'error')).toBe(true);
  });
});

describe('markup partners would not see', () => {
  function warningsOf(text: string): string[] {
    const result = parseArticle(text, 'wpc/wpc-2011.md');
    if (!result.success) throw new Error(JSON.stringify(result.problems));
    return result.warnings.map((w) => `${w.line}: ${w.message}`);
  }

  it('warns, with the line, about raw HTML and javascript: links in the body', () => {
    expect(warningsOf(withLine(15, 'It is <b>in the summer</b>.'))).toEqual([expect.stringMatching(/^15: raw HTML is not shown to partners/)]);
    expect(warningsOf(withLine(19, '- See [the agenda](javascript:alert(1)).'))).toEqual([expect.stringMatching(/^19: a javascript: link/)]);
  });

  it('leaves code, comparisons and plain text alone', () => {
    expect(warningsOf(withLine(15, 'Use `<br>` in code; 3 < 5 and 7 > 2 are fine.'))).toEqual([]);
    expect(warningsOf(withLine(19, '```', '<div>an example</div>', '```'))).toEqual([]);
  });
});
