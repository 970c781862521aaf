import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decide, relatedNamedBy, unresolvedPointers } from '../../src/answering/answer';
import type { KnowledgeIndex } from '../../src/knowledge/KnowledgeIndex';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/content/Problem';

/**
 * A knowledge base staff might write about another product: the overview points to "the next release
 * article" in words that are not the pointed article's id (`telvora-roadmap`), only its title's.
 */
const FILES: Record<string, string> = {
  'sources.yaml': '- file: a.txt\n  title: Telvora newsletter\n  period: spring 2011\n',
  'telvora-overview.md': [
    '---',
    'id: telvora-overview',
    'title: What is Telvora?',
    'topic: Telvora',
    'questions:',
    '  - What is Telvora?',
    'source: a.txt',
    'asOf: spring 2011',
    'related: [telvora-prices, telvora-roadmap]',
    '---',
    'Telvora is a hosted telephony service that partners resell to small offices.',
    '',
    '## More detail',
    '',
    '- Telvora was due to move to a new platform in the fall; details are in the next release article.',
    '',
  ].join('\n'),
  'telvora-roadmap.md': [
    '---',
    'id: telvora-roadmap',
    'title: What will the next Telvora release bring?',
    'topic: Telvora',
    'questions:',
    '  - When is the next Telvora release?',
    'source: a.txt',
    'asOf: spring 2011',
    'related: [telvora-overview]',
    '---',
    'As of spring 2011, the new platform was to add call recording and a voicemail inbox, with a preview in the fall.',
    '',
  ].join('\n'),
  'telvora-prices.md': [
    '---',
    'id: telvora-prices',
    'title: How are Telvora lines sold?',
    'topic: Telvora',
    'questions:',
    '  - Is Telvora sold per line?',
    'source: a.txt',
    'asOf: spring 2011',
    'related: [telvora-overview]',
    '---',
    'As of spring 2011, Telvora was sold per line through partners.',
    '',
    '## More detail',
    '',
    '- For support terms, see the warranty article.',
    '',
  ].join('\n'),
};

let dir: string;
let index: KnowledgeIndex;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pointers-'));
  for (const [name, text] of Object.entries(FILES)) await fs.writeFile(path.join(dir, name), text);
  const kb = await loadKnowledge(dir);
  if (!kb.success) throw new Error(kb.problems.map(formatProblem).join('\n'));
  index = kb.data.index;
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const article = (id: string) => {
  const a = index.get(id);
  if (!a) throw new Error(id);
  return a;
};

describe('a cross-reference is resolved through the article\'s related ids', () => {
  it('names the related article whose title holds the pointer\'s words, whatever its id', () => {
    expect(relatedNamedBy('next release', article('telvora-overview'), index)?.id).toBe('telvora-roadmap');
  });

  it('names no article when no related article is named by the pointer, or two are equally', () => {
    // "telvora" is in every article's id and title: it tells the two related ones apart no better than nothing.
    expect(relatedNamedBy('telvora', article('telvora-overview'), index)).toBeUndefined();
    expect(relatedNamedBy('warranty', article('telvora-overview'), index)).toBeUndefined();
    // Only related articles are meant: the overview is not related to itself, and the prices article lists only it.
    expect(relatedNamedBy('next release', article('telvora-prices'), index)).toBeUndefined();
  });

  it('answers a question the pointer sentence matches with the article it points to', () => {
    const reply = decide("what's in the next telvora release?", index);
    if (reply.kind !== 'answer' && reply.kind !== 'partial') throw new Error(reply.kind);
    expect(reply.article.id).toBe('telvora-roadmap');
    expect(reply.passages.map((p) => p.passage.text).join('\n')).toMatch(/call recording/);
  });
});

describe('kb:check', () => {
  it('warns of a cross-reference that names none of its article\'s related articles, at its file and line', () => {
    const warnings = unresolvedPointers(index);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file: 'telvora-prices.md', line: 15, severity: 'warning' });
    expect(warnings[0]?.message).toMatch(/^"see the warranty article" names none of the related articles \(telvora-overview\)/);
  });
});
