import { isGenericHeading, splitPassages } from '../../src/knowledge/passages';

const body = (text: string) => splitPassages(text.split('\n'), 0);

describe('splitPassages', () => {
  it('makes the first paragraph the short answer, then each paragraph and list item a passage', () => {
    const { passages } = body(['First answer.', 'Still the answer.', '', 'A paragraph.', '', '- One item', '- Two', '  continued', '', 'Last.'].join('\n'));
    expect(passages.map((p) => [p.index, p.kind, p.text, p.line])).toEqual([
      [0, 'short', 'First answer. Still the answer.', 1],
      [1, 'paragraph', 'A paragraph.', 4],
      [2, 'item', 'One item', 6],
      [3, 'item', 'Two continued', 7],
      [4, 'paragraph', 'Last.', 10],
    ]);
  });

  it('keeps the ## heading a passage sits under, and lists the headings with their lines', () => {
    const { passages, headings } = body(['Answer.', '', '## The name', '', 'BPOS stands for ...', '', '### Deeper', '- x'].join('\n'));
    expect(passages.map((p) => p.heading)).toEqual([undefined, 'The name', 'Deeper']);
    expect(headings).toEqual([
      { text: 'The name', line: 3 },
      { text: 'Deeper', line: 7 },
    ]);
  });

  it('keeps a sentence introducing a list as the context of each item, not as a passage', () => {
    const { passages } = body(['Answer.', '', 'Points the source attributes to her:', '', '- One', '- Two'].join('\n'));
    expect(passages.map((p) => [p.text, p.lead])).toEqual([
      ['Answer.', undefined],
      ['One', 'Points the source attributes to her'],
      ['Two', 'Points the source attributes to her'],
    ]);
  });

  it('keeps nested items and numbered lists with their item, and a fenced block whole', () => {
    const { passages } = body(['Answer.', '', '1. First', '   - nested', '2. Second', '', '```', 'code', '', 'more', '```'].join('\n'));
    expect(passages.map((p) => p.text)).toEqual(['Answer.', 'First - nested', 'Second', '```\ncode\n\nmore\n```']);
  });

  it('tells catch-all headings from ones that name a subject', () => {
    expect(['More detail', 'more details', 'Background', 'Notes'].every(isGenericHeading)).toBe(true);
    expect(['The name', 'Government customers', 'Box.net'].some(isGenericHeading)).toBe(false);
  });
});
