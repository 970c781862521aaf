import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArticleCache, loadKnowledge, type KnowledgeBase } from '../../src/knowledge/loadKnowledge';
import type { Problem, Result } from '../../src/content/Problem';

interface ArticleSpec {
  id: string;
  topic?: string;
  tags?: string;
  title?: string;
  questions?: string[];
  source?: string;
  asOf?: string;
  related?: string[];
  body?: string;
}

/**
 * An article file. Lines: 1 ---, 2 id, 3 title, 4 topic, 5 questions:, 6.. one per question, then
 * source, asOf, related, ---, body.
 */
function article(a: ArticleSpec): string {
  const questions = a.questions ?? [`What is ${a.id}?`];
  return [
    '---',
    `id: ${a.id}`,
    `title: ${a.title ?? `All about ${a.id}`}`,
    `topic: ${a.topic ?? 'Testing'}`,
    'questions:',
    ...questions.map((q) => `  - ${q}`),
    `source: ${a.source ?? 'a.txt'}`,
    `asOf: ${a.asOf ?? 'spring 2011'}`,
    `related: [${(a.related ?? []).join(', ')}]`,
    ...(a.tags !== undefined ? [`tags: ${a.tags}`] : []),
    '---',
    a.body ?? `The answer about ${a.id}.`,
    '',
  ].join('\n');
}

const SOURCES = '- file: a.txt\n  title: Source A\n  period: spring 2011\n';

const made: string[] = [];

/** Writes files into a new temporary knowledge folder and returns its path. */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'knowledge-test-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text);
  }
  return dir;
}

afterAll(async () => {
  await Promise.all(made.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

function loaded(result: Result<KnowledgeBase>): KnowledgeBase {
  if (!result.success) throw new Error(`expected the knowledge base to load, got:\n${JSON.stringify(result.problems, null, 2)}`);
  return result.data;
}

function problemsOf(result: Result<KnowledgeBase> | { success: false; problems: Problem[] }): Problem[] {
  if (result.success) throw new Error('expected the knowledge base to be refused');
  return result.problems;
}

const where = (p: Problem) => `${p.file}:${p.line}`;

describe('loadKnowledge', () => {
  it.each([
    ['a folder that does not exist', '/no/such/knowledge/folder'],
    ['a path that is a file', __filename],
  ])('reports %s as a problem instead of throwing', async (_name, dir) => {
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/cannot read the knowledge folder/);
  });

  it('loads articles from nested folders and skips README files', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'README.md': '# How to write articles\n',
      'alpha/one.md': article({ id: 'one', related: ['two'] }),
      'beta/deeper/two.md': article({ id: 'two' }),
      'beta/readme.md': 'not an article either',
      '.hidden/three.md': 'ignored: hidden folder',
    });
    const kb = loaded(await loadKnowledge(dir));
    expect(kb.articles.map((a) => [a.file, a.id])).toEqual([
      ['alpha/one.md', 'one'],
      ['beta/deeper/two.md', 'two'],
    ]);
    expect(kb.version.articles).toBe(2);
    expect(kb.topics).toEqual(['Testing']);
    expect(kb.sources.get('a.txt')?.title).toBe('Source A');
    expect(kb.index.get('two')?.file).toBe('beta/deeper/two.md');
  });

  it('loads without synonyms.yaml and not-covered.yaml', async () => {
    const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one' }) });
    expect(loaded(await loadKnowledge(dir)).articles).toHaveLength(1);
  });

  it('names both files of a duplicate id', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'a/one.md': article({ id: 'one' }),
      'b/one.md': article({ id: 'one', questions: ['Something else?'] }),
    });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems).toHaveLength(1);
    expect(where(problems[0] as Problem)).toBe('b/one.md:2');
    expect(problems[0]?.message).toContain('a/one.md');
  });

  it('reports a related id that does not exist at its file and line', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'one.md': article({ id: 'one', related: ['two', 'nope'] }),
      'two.md': article({ id: 'two' }),
    });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems.map(where)).toEqual(['one.md:9']);
    expect(problems[0]?.message).toContain('nope');
  });

  it('refuses an article related to itself', async () => {
    const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one', related: ['one'] }) });
    expect(problemsOf(await loadKnowledge(dir)).map(where)).toEqual(['one.md:9']);
  });

  it('reports a source that sources.yaml does not list, at its line', async () => {
    const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one', source: 'b.txt' }) });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems.map(where)).toEqual(['one.md:7']);
    expect(problems[0]?.message).toContain('b.txt');
  });

  it('reports the missing one of several sources at its own line', async () => {
    const text = article({ id: 'one', source: 'SOURCES' }).replace('source: SOURCES', 'source:\n  - a.txt\n  - b.txt');
    const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': text });
    expect(problemsOf(await loadKnowledge(dir)).map(where)).toEqual(['one.md:9']);
  });

  it('reports a synonym term that no article mentions, at its line in synonyms.yaml', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'synonyms.yaml': '- term: widget\n  also: [gadget]\n- term: zebra\n  also: [striped horse]\n',
      'one.md': article({ id: 'one', body: 'A gadget answer.' }),
    });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems.map(where)).toEqual(['synonyms.yaml:3']);
    expect(problems[0]?.message).toContain('zebra');
  });

  it('refuses two articles with the same alternate question, at the second', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'one.md': article({ id: 'one', questions: ['When is the launch?'] }),
      'two.md': article({ id: 'two', questions: ['Who runs it?', 'when is the launch'] }),
    });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems.map(where)).toEqual(['two.md:7']);
    expect(problems[0]?.message).toContain('one');
  });

  it('counts a question that names the same thing by a synonym as the same question', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'synonyms.yaml': '- term: wpc\n  also: [partner conference]\n',
      'one.md': article({ id: 'one', questions: ['When is WPC?'] }),
      'two.md': article({ id: 'two', questions: ['When is partner conference?'] }),
    });
    expect(problemsOf(await loadKnowledge(dir)).map(where)).toEqual(['two.md:6']);
  });

  it('lets different questions about the same thing live in different articles', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'synonyms.yaml': '- term: wpc\n  also: [partner conference]\n',
      'one.md': article({ id: 'one', questions: ['When is WPC?'] }),
      'two.md': article({ id: 'two', questions: ['Where is the partner conference?'] }),
    });
    expect(loaded(await loadKnowledge(dir)).articles).toHaveLength(2);
  });

  it('refuses an asOf in the future at its line, judged against the given date', async () => {
    const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one', asOf: '2012-03' }) });
    const problems = problemsOf(await loadKnowledge(dir, new Date('2011-06-01T00:00:00Z')));
    expect(problems.map(where)).toEqual(['one.md:8']);
    expect(loaded(await loadKnowledge(dir, new Date('2012-03-02T00:00:00Z'))).articles).toHaveLength(1);
  });

  it('reads a season as its first month when judging the future', async () => {
    const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one', asOf: 'fall 2011' }) });
    expect((await loadKnowledge(dir, new Date('2011-08-15T00:00:00Z'))).success).toBe(false);
    expect((await loadKnowledge(dir, new Date('2011-09-15T00:00:00Z'))).success).toBe(true);
  });

  it('reports every problem in every file at once', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'a/one.md': article({ id: 'one', related: ['missing'] }),
      'b/one.md': article({ id: 'one', questions: ['Other?'], source: 'b.txt' }),
      'c/broken.md': 'no front matter here\n',
    });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems.map(where).sort()).toEqual(['a/one.md:9', 'b/one.md:2', 'b/one.md:7', 'c/broken.md:1']);
  });

  it('checks a refused article against the others in the same run: its unknown source and links too', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'one.md': article({ id: 'one', tags: 'a, b', source: 'nope.txt', related: ['missing'] }),
      'two.md': article({ id: 'two' }),
    });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems.map((p) => `${where(p)} ${p.message}`)).toEqual([
      'one.md:7 source "nope.txt" is not listed in sources.yaml',
      'one.md:9 related article "missing" does not exist',
      'one.md:10 tags must be a list, not text: write tags: [a, b], or each item on its own line starting with "- "',
    ]);
  });

  it('reads a topic written in another case as the topic most articles spell, with a warning at its line', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'a.md': article({ id: 'a', topic: 'Billing policy' }),
      'b.md': article({ id: 'b', topic: 'Billing policy' }),
      'c.md': article({ id: 'c', topic: 'billing Policy' }),
      'd.md': article({ id: 'd', topic: 'WPC' }),
    });
    const result = await loadKnowledge(dir);
    const kb = loaded(result);
    expect(kb.topics).toEqual(['Billing policy', 'WPC']);
    expect(kb.articles.find((a) => a.id === 'c')?.topic).toBe('Billing policy');
    if (!result.success) throw new Error('unreachable');
    expect(result.warnings.map((p) => `${where(p)} ${p.message}`)).toEqual([
      'c.md:4 topic "billing Policy" is read as "Billing policy", as 2 other articles write it: write "Billing policy" (a topic differing only in case is the same topic)',
    ]);
  });

  it('orders topics and words them as topics.yaml says, and warns of a listed topic no article has', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES,
      'topics.yaml': '- topic: wpc\n  say: the Worldwide Partner Conference\n- topic: Gone\n  say: something\n- topic: Billing policy\n  say: partner billing policy\n',
      'a.md': article({ id: 'a', topic: 'Billing policy' }),
      'b.md': article({ id: 'b', topic: 'Extra' }),
      'c.md': article({ id: 'c', topic: 'WPC' }),
    });
    const result = await loadKnowledge(dir);
    const kb = loaded(result);
    expect(kb.topics).toEqual(['WPC', 'Billing policy', 'Extra']);
    expect(kb.topicNames).toEqual(['the Worldwide Partner Conference', 'partner billing policy', 'Extra']);
    if (!result.success) throw new Error('unreachable');
    expect(result.warnings.map((p) => `${where(p)} ${p.message}`)).toEqual(['topics.yaml:3 topic "Gone" is not the topic of any article']);
  });

  it('passes on problems in sources.yaml, synonyms.yaml and not-covered.yaml', async () => {
    const dir = await folder({
      'sources.yaml': SOURCES + SOURCES,
      'synonyms.yaml': '- term: one\n  also: []\n',
      'not-covered.yaml': 'about: prices\n',
      'one.md': article({ id: 'one' }),
    });
    const files = problemsOf(await loadKnowledge(dir)).map((p) => p.file);
    expect(files).toEqual(expect.arrayContaining(['sources.yaml', 'synonyms.yaml', 'not-covered.yaml']));
  });

  it('refuses a folder with no articles', async () => {
    const dir = await folder({ 'sources.yaml': SOURCES, 'README.md': '# nothing yet\n' });
    const problems = problemsOf(await loadKnowledge(dir));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.file).toBe(dir);
  });

  describe('version hash', () => {
    const files = { 'sources.yaml': SOURCES, 'one.md': article({ id: 'one' }), 'two.md': article({ id: 'two' }) };

    it('is the same for the same content', async () => {
      const first = loaded(await loadKnowledge(await folder(files)));
      const second = loaded(await loadKnowledge(await folder(files)));
      expect(first.version.hash).toMatch(/^[0-9a-f]{12}$/);
      expect(second.version.hash).toBe(first.version.hash);
    });

    it('changes when an article changes', async () => {
      const dir = await folder(files);
      const before = loaded(await loadKnowledge(dir)).version.hash;
      await fs.writeFile(path.join(dir, 'two.md'), article({ id: 'two', body: 'A corrected answer.' }));
      expect(loaded(await loadKnowledge(dir)).version.hash).not.toBe(before);
    });

    it('changes when sources.yaml changes', async () => {
      const dir = await folder(files);
      const before = loaded(await loadKnowledge(dir)).version.hash;
      await fs.writeFile(path.join(dir, 'sources.yaml'), SOURCES.replace('Source A', 'Source A, renamed'));
      expect(loaded(await loadKnowledge(dir)).version.hash).not.toBe(before);
    });

    it('changes when an article is renamed', async () => {
      const dir = await folder(files);
      const before = loaded(await loadKnowledge(dir)).version.hash;
      await fs.rename(path.join(dir, 'two.md'), path.join(dir, 'zwei.md'));
      expect(loaded(await loadKnowledge(dir)).version.hash).not.toBe(before);
    });

    it('does not change when a README changes', async () => {
      const dir = await folder({ ...files, 'README.md': 'first' });
      const before = loaded(await loadKnowledge(dir)).version.hash;
      await fs.writeFile(path.join(dir, 'README.md'), 'second');
      expect(loaded(await loadKnowledge(dir)).version.hash).toBe(before);
    });
  });

  describe('with an article cache (reloads)', () => {
    it('serves an edited article from its new text and keeps the unchanged ones as they were', async () => {
      const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one' }), 'two.md': article({ id: 'two', title: 'Old title' }) });
      const cache = new ArticleCache();
      const first = loaded(await loadKnowledge(dir, new Date(), cache));
      await fs.writeFile(path.join(dir, 'two.md'), article({ id: 'two', title: 'New title' }));
      const second = loaded(await loadKnowledge(dir, new Date(), cache));
      expect(second.index.get('two')?.title).toBe('New title');
      expect(second.version.hash).not.toBe(first.version.hash);
      // not parsed again: the very same article
      expect(second.index.get('one')).toBe(first.index.get('one'));
      expect(second.index.search('New title').hits[0]?.article.id).toBe('two');
    });

    it('reports a broken edit the same way, and forgets deleted files', async () => {
      const dir = await folder({ 'sources.yaml': SOURCES, 'one.md': article({ id: 'one' }), 'two.md': article({ id: 'two' }) });
      const cache = new ArticleCache();
      loaded(await loadKnowledge(dir, new Date(), cache));
      await fs.writeFile(path.join(dir, 'two.md'), article({ id: 'two', related: ['nowhere'] }));
      const withCache = problemsOf(await loadKnowledge(dir, new Date(), cache)).map(where);
      expect(withCache).toEqual(problemsOf(await loadKnowledge(dir)).map(where));
      await fs.rm(path.join(dir, 'two.md'));
      const kb = loaded(await loadKnowledge(dir, new Date(), cache));
      expect(kb.articles.map((a) => a.id)).toEqual(['one']);
    });

    it('after each edit, refuses or accepts the folder with the same problems as a load without the cache', async () => {
      const synonyms = '- term: WPC\n  also: [worldwide partner conference]\n';
      const three = (spec: Partial<ArticleSpec> = {}) => article({ id: 'three', questions: ['When is the WPC held?'], related: ['one'], ...spec });
      const dir = await folder({
        'sources.yaml': SOURCES,
        'synonyms.yaml': synonyms,
        'one.md': article({ id: 'one', questions: ['Who can bill customers?'] }),
        'two.md': article({ id: 'two', questions: ['How do partners get paid?'] }),
        'sub/three.md': three(),
      });
      const cache = new ArticleCache();
      const now = new Date('2012-01-01T00:00:00Z');
      loaded(await loadKnowledge(dir, now, cache));
      // Each step edits one article (or adds or removes one): every problem the cross-check knows, each
      // made in a clean folder (a reload after a clean load checks only what changed), then fixed.
      const steps: [string, string | undefined][] = [
        ['two.md', article({ id: 'two', questions: ['How are partners paid?'] })],
        ['two.md', article({ id: 'two', questions: ['How are partners paid?', 'who can bill customers'] })],
        ['two.md', article({ id: 'two', questions: ['How are partners paid?'] })],
        ['sub/three.md', three({ questions: ['When is the worldwide partner conference held?', 'When is it?'] })],
        ['one.md', article({ id: 'one', questions: ['When is it?'] })],
        ['one.md', article({ id: 'one', questions: ['Who can bill customers?'] })],
        ['sub/three.md', three({ related: ['one', 'three'] })],
        ['sub/three.md', three()],
        ['sub/three.md', three({ related: ['gone'] })],
        ['sub/three.md', three()],
        ['sub/three.md', three({ source: 'b.txt' })],
        ['sub/three.md', three()],
        ['sub/three.md', three({ asOf: '2013' })],
        ['sub/three.md', three()],
        ['sub/three.md', three({ questions: ['When is it held?'] })],
        ['sub/three.md', three()],
        ['two.md', article({ id: 'one' })],
        ['two.md', article({ id: 'two', questions: ['How are partners paid?'] })],
        ['four.md', article({ id: 'four', related: ['two'] })],
        ['two.md', undefined],
        ['four.md', article({ id: 'four' })],
        ['sub/three.md', three({ asOf: '2011' })],
      ];
      for (const [file, text] of steps) {
        if (text === undefined) await fs.rm(path.join(dir, file));
        else await fs.writeFile(path.join(dir, file), text);
        const cached = await loadKnowledge(dir, now, cache);
        const full = await loadKnowledge(dir, now);
        const summary = (r: typeof full) => (r.success ? { ids: r.data.articles.map((x) => x.id), hash: r.data.version.hash } : r.problems);
        expect([file, summary(cached)]).toEqual([file, summary(full)]);
      }
      // The last step loads: a clean folder again after every kind of problem.
      expect((await loadKnowledge(dir, now, cache)).success).toBe(true);
    });
  });
});
