import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchQuestionsFor, generateKnowledge, type Vocabulary } from '../../bench/generateKnowledge';
import { decide } from '../../src/answering/answer';
import type { KnowledgeIndex } from '../../src/knowledge/KnowledgeIndex';
import { ArticleCache, loadKnowledge, type KnowledgeBase, type KnowledgeResult } from '../../src/knowledge/loadKnowledge';
import { Spelling } from '../../src/knowledge/Spelling';

function loaded(r: KnowledgeResult): KnowledgeBase {
  if (!r.success) throw new Error(r.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
  return r.data;
}

/** What a partner would get for a question, and the ranking under it (scores included). */
function outcome(index: KnowledgeIndex, q: string): unknown {
  const r = index.search(q, { limit: 5 });
  return {
    reply: decide(q, index),
    words: r.words.map((w) => [w.word, w.weight, w.known, w.anchor, w.everywhere]),
    gap: r.gap,
    hits: r.hits.map((h) => [h.article.id, h.score, h.coverage, h.about, h.exact, h.exactSection, h.passages.map((p) => [p.passage.index, p.coverage])]),
  };
}

describe('a sharded index reloaded in part', () => {
  let tmp: string;
  let dir: string;
  let v: Vocabulary;
  const files: string[] = [];

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-incremental-'));
    dir = path.join(tmp, 'kb');
    v = await generateKnowledge(dir, 400);
    const walk = async (rel: string): Promise<void> => {
      for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(child);
        else if (child.startsWith('generated/') && child.endsWith('.md')) files.push(child);
      }
    };
    await walk('');
    files.sort();
  }, 60_000);

  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('answers every question exactly as an index built from nothing, after edits, an addition and a removal', async () => {
    const cache = new ArticleCache();
    const first = loaded(await loadKnowledge(dir, new Date(), cache));
    expect(first.index.builtShards).toBe(128);

    // One article gets a new alternate question (asked word for word below) and a new rare word, one
    // is removed, one is added with a word no other article uses.
    const edited = path.join(dir, files[3] as string);
    const text = await fs.readFile(edited, 'utf8');
    await fs.writeFile(edited, text.replace('\nquestions:\n', '\nquestions:\n  - "How do quokkabilling credits reach resellers?"\n'));
    const changed = [files[3] as string];
    const removed = files[10] as string;
    const removedId = path.basename(removed, '.md');
    await fs.rm(path.join(dir, removed));
    changed.push(removed);
    // Links to the removed article go, as staff would fix them.
    for (const f of files) {
      if (f === removed) continue;
      const full = path.join(dir, f);
      const t = await fs.readFile(full, 'utf8');
      if (!t.includes(removedId)) continue;
      await fs.writeFile(full, t.replace(/^related: \[(.*)\]$/m, (_, list: string) => `related: [${list.split(', ').filter((x) => x !== removedId).join(', ')}]`));
      changed.push(f);
    }
    const addedText = (await fs.readFile(path.join(dir, files[20] as string), 'utf8'))
      .replace(/^id: .*$/m, 'id: added-zebrafoil')
      .replace(/^title: .*$/m, 'title: "What is the zebrafoil rebate for partners?"')
      .replace(/\nquestions:\n(?: {2}- .*\n)+/, '\nquestions:\n  - "Who can claim the zebrafoil rebate?"\n');
    await fs.writeFile(path.join(dir, 'generated', 'added-zebrafoil.md'), addedText);
    changed.push('generated/added-zebrafoil.md');

    const incremental = loaded(await loadKnowledge(dir, new Date(), cache));
    const full = loaded(await loadKnowledge(dir));
    // Only the shards holding the articles that changed were indexed again.
    expect(incremental.index.builtShards).toBeGreaterThan(0);
    expect(incremental.index.builtShards).toBeLessThanOrEqual(changed.length);
    expect(incremental.index.get(removedId)).toBeUndefined();
    expect(incremental.articles.map((a) => a.id)).toEqual(full.articles.map((a) => a.id));

    const { common, rare } = benchQuestionsFor(v, 40);
    const questions = [
      ...common,
      ...rare,
      'How do quokkabilling credits reach resellers?',
      'how do quokabilling credits reach resellers',
      'What is the zebrafoil rebate for partners?',
      'Who can claim the zebrafoil rebate?',
      'zebrafoyl rebate',
      ...full.articles.slice(0, 40).flatMap((a) => [a.title, ...a.questions.slice(0, 1)]),
    ];
    for (const q of questions) expect([q, outcome(incremental.index, q)]).toEqual([q, outcome(full.index, q)]);
    // The new article and the edit are found.
    expect(incremental.index.search('Who can claim the zebrafoil rebate?').hits[0]?.article.id).toBe('added-zebrafoil');
    expect(incremental.index.search('How do quokkabilling credits reach resellers?').hits[0]?.exact).toBe(true);
    // The index it replaced still answers as it did (turns in flight keep it).
    expect(first.index.get(removedId)?.id).toBe(removedId);
    expect(first.index.search('Who can claim the zebrafoil rebate?').hits[0]?.article.id).not.toBe('added-zebrafoil');

    // Then texts alone change (every article stays where it was): one article takes another's title as
    // an alternate question, one gets a new rare word.
    const taker = path.join(dir, files[30] as string);
    const titled = full.articles.find((a) => a.file === files[31]) as (typeof full.articles)[number];
    const takerText = await fs.readFile(taker, 'utf8');
    await fs.writeFile(taker, takerText.replace('\nquestions:\n', `\nquestions:\n  - "${titled.title.replace(/"/g, '')} for the wombatfern scheme"\n`));
    const again = loaded(await loadKnowledge(dir, new Date(), cache));
    const fullAgain = loaded(await loadKnowledge(dir));
    expect(again.index.builtShards).toBe(1);
    const more = [...questions, titled.title, `${titled.title} for the wombatfern scheme`, 'wombatfern', 'wombatfen scheme'];
    for (const q of more) expect([q, outcome(again.index, q)]).toEqual([q, outcome(fullAgain.index, q)]);
    expect(again.index.search('wombatfern scheme').hits[0]?.article.file).toBe(files[30]);
    // The index before it is untouched.
    expect(incremental.index.search('wombatfern scheme').hits.some((h) => h.article.file === files[30])).toBe(false);
  }, 120_000);

  it('indexes everything again when the synonyms change', async () => {
    const cache = new ArticleCache();
    loaded(await loadKnowledge(dir, new Date(), cache));
    const same = loaded(await loadKnowledge(dir, new Date(), cache));
    expect(same.index.builtShards).toBe(0);
    const synonyms = path.join(dir, 'synonyms.yaml');
    await fs.appendFile(synonyms, '\n# a comment staff added\n');
    const again = loaded(await loadKnowledge(dir, new Date(), cache));
    expect(again.index.builtShards).toBe(128);
  }, 120_000);

  it('reads again a settled file edited to the same size and the same modification time', async () => {
    const cache = new ArticleCache();
    // Settled: untouched for longer than a reload trusts a file's size and times.
    const file = path.join(dir, files[5] as string);
    const before = await fs.readFile(file, 'utf8');
    const st = await fs.stat(file);
    await new Promise((r) => setTimeout(r, 2200));
    const first = loaded(await loadKnowledge(dir, new Date(), cache));
    const id = path.basename(file, '.md');
    const title = first.index.get(id)?.title ?? '';
    const retitled = `${title.charAt(0) === title.charAt(0).toUpperCase() ? title.charAt(0).toLowerCase() : title.charAt(0).toUpperCase()}${title.slice(1)}`;
    const swapped = before.replace(title, retitled);
    expect(Buffer.byteLength(swapped)).toBe(Buffer.byteLength(before));
    await fs.writeFile(file, swapped);
    await fs.utimes(file, st.atime, st.mtime);
    const second = loaded(await loadKnowledge(dir, new Date(), cache));
    expect(second.index.get(id)?.title).toBe(retitled);
    expect(second.version.hash).not.toBe(first.version.hash);
    await fs.writeFile(file, before);
  }, 60_000);
});

describe('spelling correction', () => {
  it('corrects the same way whatever order the known words were counted in', () => {
    const words = ['billing', 'bioling', 'bidding', 'filling', 'partner', 'parnter', 'patrner'];
    const counts = new Map(words.map((w) => [w, 3]));
    const reversed = new Map([...counts].reverse());
    const a = new Spelling(counts, []);
    const b = new Spelling(reversed, []);
    for (const typo of ['bilding', 'bllling', 'ibllling', 'aprtner', 'partnr', 'pratner']) expect(b.correct(typo)).toBe(a.correct(typo));
    // equally common: the first alphabetically
    expect(a.correct('bixling')).toBe('billing');
    // the first two letters swapped
    expect(a.correct('aprtner')).toBe('partner');
  });
});
