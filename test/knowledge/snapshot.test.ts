import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreConversation } from '../../src/answering/evalConversation';
import type { SmallTalkWords } from '../../src/answering/smallTalk';
import type { Messages } from '../../src/answering/Messages';
import { loadDialogs } from '../../src/dialogs/loadDialogs';
import { ArticleCache, loadKnowledge, SETTLED_MS, type KnowledgeBase, type KnowledgeResult } from '../../src/knowledge/loadKnowledge';
import { allQuestions, parseQuestionSet } from '../../src/knowledge/questionSet';
import { KnowledgeSnapshot } from '../../src/knowledge/snapshot';
import { ROOT } from '../helpers/realContent';

function loaded(r: KnowledgeResult): KnowledgeBase {
  if (!r.success) throw new Error(r.problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'));
  return r.data;
}

/** Every log line the snapshot writes, as `level message reason`. */
class Lines {
  readonly lines: string[] = [];
  info = (d: object, m: string) => this.lines.push(`info ${m} ${(d as { reason?: string }).reason ?? ''}`);
  warn = (d: object, m: string) => this.lines.push(`warn ${m} ${(d as { reason?: string }).reason ?? ''}`);
}

const NEW_QUESTION = 'Can a reseller get zorbleflux credits for a trial?';

describe('the knowledge snapshot', () => {
  let tmp: string;
  let dir: string;
  let file: string;
  let words: { readonly messages: Messages; readonly smallTalk: SmallTalkWords };
  let questions: string[];

  /** What a partner is shown for each question, in one conversation per question. */
  const replies = (kb: KnowledgeBase) => questions.map((q) => coreConversation(kb, words, () => new Date('2026-01-15T12:00:00Z'))(q));

  /** A bot start: the snapshot (when there is one) handed to a new cache, then the folder loaded. */
  async function start(log = new Lines()): Promise<{ kb: KnowledgeBase; restored: boolean; cache: ArticleCache; snapshot: KnowledgeSnapshot; log: Lines }> {
    const cache = new ArticleCache();
    const snapshot = new KnowledgeSnapshot(file, dir, log);
    const restored = await snapshot.restore(cache);
    const kb = loaded(await loadKnowledge(dir, new Date(), cache));
    return { kb, restored, cache, snapshot, log };
  }

  /**
   * Waits until no file in the folder was touched (written, or its times set: that moves its ctime)
   * within `SETTLED_MS`, as in a deployed folder: only then does a saved stat vouch for a file's text.
   */
  async function settle(): Promise<void> {
    let latest = 0;
    for (const f of await fs.readdir(dir, { recursive: true })) {
      const st = await fs.stat(path.join(dir, f));
      latest = Math.max(latest, st.mtimeMs, st.ctimeMs);
    }
    const wait = latest + SETTLED_MS + 50 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  async function startAndSave(): Promise<KnowledgeBase> {
    const s = await start();
    s.snapshot.save(s.cache, s.kb.version.hash);
    await s.snapshot.settled();
    return s.kb;
  }

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-snapshot-'));
    dir = path.join(tmp, 'knowledge');
    file = path.join(tmp, 'data', 'knowledge-index.snapshot');
    await fs.cp(path.join(ROOT, 'knowledge'), dir, { recursive: true });
    // Settled files, as a deployed knowledge folder is: their stat vouches for their text.
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const f of await fs.readdir(dir, { recursive: true })) await fs.utimes(path.join(dir, f), hourAgo, hourAgo);
    const dialogs = await loadDialogs(path.join(ROOT, 'dialogs'));
    if (!dialogs.success) throw new Error('dialogs do not load');
    words = { messages: dialogs.data.messages, smallTalk: dialogs.data.phrases.smallTalk };
    const set = parseQuestionSet(readFileSync(path.join(ROOT, 'knowledge/eval.yaml'), 'utf8'), 'eval.yaml');
    if (!set.success) throw new Error('eval.yaml does not parse');
    questions = [...allQuestions(set.data), NEW_QUESTION];
  });

  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await fs.rm(path.join(tmp, 'data'), { recursive: true, force: true });
  });

  it('gives a restarted bot the same replies as one that built everything, without indexing anything again', async () => {
    const built = await startAndSave();
    const again = await start();
    expect(again.restored).toBe(true);
    expect(again.kb.index.builtShards).toBe(0);
    expect(again.kb.version.hash).toBe(built.version.hash);
    expect(replies(again.kb)).toEqual(replies(built));
    expect(again.kb.articles.map((a) => a.id)).toEqual(built.articles.map((a) => a.id));
  });

  it('serves an edit made while the bot was stopped, as a full build would', async () => {
    await startAndSave();
    const article = (await fs.readdir(dir, { recursive: true })).find((f) => f.endsWith('.md') && !f.endsWith('README.md')) as string;
    const full = path.join(dir, article);
    const before = await fs.readFile(full, 'utf8');
    try {
      await fs.writeFile(full, before.replace('\nquestions:\n', `\nquestions:\n  - ${NEW_QUESTION}\n`));
      const again = await start();
      const fresh = loaded(await loadKnowledge(dir));
      expect(again.restored).toBe(true);
      // Only the edited article's shard is indexed again.
      expect(again.kb.index.builtShards).toBe(1);
      const shown = replies(again.kb);
      expect(shown).toEqual(replies(fresh));
      // The new alternate question is answered from the edited article.
      const id = fresh.articles.find((a) => a.file === article)?.id;
      expect(shown.at(-1)?.[0]?.articleId).toBe(id);
      // Saved again with the edit: the next start indexes nothing.
      again.snapshot.save(again.cache, again.kb.version.hash);
      await again.snapshot.settled();
      const third = await start();
      expect(third.kb.index.builtShards).toBe(0);
      expect(replies(third.kb)).toEqual(shown);
    } finally {
      await fs.writeFile(full, before);
    }
  });

  it('reports a problem at its line in an article it did not parse again', async () => {
    await startAndSave();
    const cache = new ArticleCache();
    const snapshot = new KnowledgeSnapshot(file, dir, new Lines());
    expect(await snapshot.restore(cache)).toBe(true);
    // An article's `related` now names one that is gone: the unchanged article's line is still found.
    const target = (await fs.readdir(dir, { recursive: true })).filter((f) => f.endsWith('.md') && !f.endsWith('README.md')).sort();
    const fresh = loaded(await loadKnowledge(dir));
    const linked = fresh.articles.find((a) => a.related.length > 0);
    if (!linked) throw new Error('no article links another');
    const gone = fresh.articles.find((a) => a.id === linked.related[0]);
    if (!gone || !target.includes(gone.file)) throw new Error('the linked article has no file');
    const goneText = await fs.readFile(path.join(dir, gone.file), 'utf8');
    await fs.rm(path.join(dir, gone.file));
    try {
      const [fromSnapshot, full] = [await loadKnowledge(dir, new Date(), cache), await loadKnowledge(dir)];
      expect(fromSnapshot.success).toBe(false);
      const problems = (r: KnowledgeResult) => (r.success ? [] : r.problems.filter((p) => p.file === linked.file));
      expect(problems(fromSnapshot).length).toBeGreaterThan(0);
      expect(problems(fromSnapshot)).toEqual(problems(full));
      expect(problems(fromSnapshot).every((p) => p.line > 0)).toBe(true);
    } finally {
      await fs.writeFile(path.join(dir, gone.file), goneText);
      const hourAgo = new Date(Date.now() - 3_600_000);
      await fs.utimes(path.join(dir, gone.file), hourAgo, hourAgo);
    }
  });

  const damages: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['cut short', (b) => b.subarray(0, Math.floor(b.length / 2)), /damaged/],
    ['with a byte changed', (b) => Buffer.from(b).fill(b[b.length >> 1] === 0x41 ? 0x42 : 0x41, b.length >> 1, (b.length >> 1) + 1), /damaged/],
    ['written by another version of the bot', (b) => Buffer.concat([b.subarray(0, 12), Buffer.from('x'), b.subarray(13)]), /another version/],
    ['not a snapshot at all', () => Buffer.from('{"articles": []}\n'), /not a knowledge snapshot/],
    ['empty', () => Buffer.alloc(0), /not a knowledge snapshot/],
  ];
  it.each(damages)('is not used when it is %s: the bot builds in full, says why and answers the same', async (_what, damage, reason) => {
    const built = await startAndSave();
    await fs.writeFile(file, damage(await fs.readFile(file)));
    const again = await start();
    expect(again.restored).toBe(false);
    expect(again.log.lines.join('\n')).toMatch(new RegExp(`warn knowledge snapshot not used.*${reason.source}`));
    expect(again.kb.index.builtShards).toBe(128);
    expect(replies(again.kb)).toEqual(replies(built));
  });

  it('is not written again when nothing changed, and leaves no temporary file', async () => {
    await settle();
    await startAndSave();
    const first = await fs.stat(file);
    const unchanged = await start();
    unchanged.snapshot.save(unchanged.cache, unchanged.kb.version.hash);
    await unchanged.snapshot.settled();
    expect((await fs.stat(file)).mtimeMs).toBe(first.mtimeMs);
    expect(unchanged.log.lines.some((l) => l.includes('snapshot saved'))).toBe(false);
    // No temporary file is left beside it.
    expect(await fs.readdir(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('saved just after an edit, is saved once more when the edited file has settled, and then not again', async () => {
    const article = (await fs.readdir(dir, { recursive: true })).find((f) => f.endsWith('.md') && !f.endsWith('README.md')) as string;
    const full = path.join(dir, article);
    await fs.writeFile(full, await fs.readFile(full));
    await startAndSave();
    // The edit was too recent for its stat to vouch for its text: the next start reads it again...
    await settle();
    const second = await start();
    expect(second.cache.filesRead).toBe(1);
    second.snapshot.save(second.cache, second.kb.version.hash);
    await second.snapshot.settled();
    expect(second.log.lines.some((l) => l.includes('snapshot saved'))).toBe(true);
    // ...and saves it with the file's settled stat, so the start after that reads nothing and writes nothing.
    const third = await start();
    expect(third.cache.filesRead).toBe(0);
    third.snapshot.save(third.cache, third.kb.version.hash);
    await third.snapshot.settled();
    expect(third.log.lines.some((l) => l.includes('snapshot saved'))).toBe(false);
  });

  it('removes the temporary file of a save a stopped process left, and keeps a recent one', async () => {
    const left = `${file}.999999.tmp`;
    const recent = `${file}.999998.tmp`;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(left, 'half a snapshot');
    await fs.writeFile(recent, 'a save in progress');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(left, hourAgo, hourAgo);
    await startAndSave();
    expect((await fs.readdir(path.dirname(file))).sort()).toEqual([path.basename(file), path.basename(recent)].sort());
  });

  it('logs that there is none yet on a first start, and builds', async () => {
    const first = await start();
    expect(first.restored).toBe(false);
    expect(first.log.lines).toEqual([expect.stringMatching(/^info knowledge snapshot not used.*none saved yet/)]);
    expect(first.kb.index.builtShards).toBe(128);
  });
});
