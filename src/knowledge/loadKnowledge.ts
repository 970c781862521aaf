import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { asOfStart, type Article } from './Article';
import { parseGaps, parseSources, parseSynonyms, parseTopics, type SourceDoc, type TopicName } from './contentFiles';
import { KnowledgeIndex } from './KnowledgeIndex';
import { parseArticle, type ArticleResult, type ParsedArticle } from './parseArticle';
import type { Problem, Result } from '../content/Problem';
import { Synonyms } from './Synonyms';
import { splitWords } from './words';

/**
 * `localeCompare`'s order (a collator with the default locale is what it uses), without making a
 * collator for every comparison: sorting 10,000 file names costs a fraction.
 */
const compareText = new Intl.Collator().compare;

export const SYNONYMS_FILE = 'synonyms.yaml';
export const SOURCES_FILE = 'sources.yaml';
export const GAPS_FILE = 'not-covered.yaml';
export const TOPICS_FILE = 'topics.yaml';

/** A loaded, validated, searchable knowledge base. Immutable: a reload builds a new one. */
export interface KnowledgeBase {
  readonly index: KnowledgeIndex;
  readonly articles: readonly Article[];
  readonly sources: ReadonlyMap<string, SourceDoc>;
  /** Topics in the order `topics.yaml` lists them, then in the order they first appear. */
  readonly topics: readonly string[];
  /** The same topics as they read in a sentence (`say` in `topics.yaml`; otherwise as written), for the welcome and help. */
  readonly topicNames: readonly string[];
  readonly version: { readonly articles: number; readonly hash: string; readonly loadedAt: string };
}

/**
 * A failed load still says which articles it read (each refused one as far as it could be read), so
 * `kb:check` can give its warnings in the same run as the errors.
 */
export type KnowledgeResult =
  | { success: true; data: KnowledgeBase; warnings: Problem[] }
  | { success: false; problems: Problem[]; articles: readonly Article[] };

/** How long a file must have gone unchanged before it was read for its size and times to vouch for its text. */
export const SETTLED_MS = 2000;

export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

function sameFile(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

export function digestOf(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** One article file: its text's digest and what parsing it gave (its text too, when it was read). */
interface ArticleRead {
  readonly file: string;
  readonly text?: string;
  readonly digest: string;
  readonly result: ArticleResult;
}

/**
 * `lineOf` of an article file's parse, worked out from the file when first asked (and only while the
 * file still has the text whose digest is given; otherwise every line is 0).
 */
export function lazyLineOf(full: string, file: string, digest: string): ParsedArticle['lineOf'] {
  let lineOf: ParsedArticle['lineOf'] | undefined;
  return (at) => {
    if (!lineOf) {
      let text = '';
      try {
        text = readFileSync(full, 'utf8');
      } catch {
        // Gone since: no line to give.
      }
      const result = text !== '' && digestOf(text) === digest ? parseArticle(text, file) : undefined;
      lineOf = result?.success ? result.data.lineOf : () => 0;
    }
    return lineOf(at);
  };
}

/** One article file as a snapshot gives it back to the cache. */
export interface RestoredFile {
  readonly file: string;
  readonly digest: string;
  readonly stat?: FileStat;
  readonly parsed: ParsedArticle;
  readonly warnings: readonly Problem[];
  readonly words?: CheckedWords;
}

/** What the cross-check reads of one article's words. */
export interface CheckedWords {
  /** Each alternate question's key (words with synonyms folded), in order. */
  readonly questionKeys: readonly string[];
  /** The synonym terms (their tokens) the article mentions. */
  readonly terms: readonly string[];
}

/**
 * Parsed articles by file, kept from one load to the next so that a reload parses again only the files
 * whose text changed. Holds one entry per article file (files gone from the folder are forgotten).
 */
export class ArticleCache {
  private readonly byFile = new Map<string, { digest: string; result: ArticleResult; stat?: FileStat }>();
  /**
   * The last index built, with the text of the synonyms it was built with: the next load indexes again
   * only what changed (see `KnowledgeIndex.create`) when the synonyms are the same.
   */
  private last: { synonyms: string; index: KnowledgeIndex } | undefined;

  /** The last index built, when it was built with these synonyms (`synonyms.yaml`'s text). */
  previousIndex(synonyms: string): KnowledgeIndex | undefined {
    return this.last?.synonyms === synonyms ? this.last.index : undefined;
  }

  /** Remembers the index just built (the one before it is no longer held here). */
  rememberIndex(synonyms: string, index: KnowledgeIndex): void {
    this.last = { synonyms, index };
  }

  /** What the cross-check needs of each article's words, worked out once per article and synonyms. */
  private readonly checked = new WeakMap<Article, { synonyms: string; words: CheckedWords }>();

  /** `compute(article)`, remembered for as long as the article and the synonyms (their text) stay. */
  checkedWords(article: Article, synonyms: string, compute: (a: Article) => CheckedWords): CheckedWords {
    const known = this.checked.get(article);
    if (known?.synonyms === synonyms) return known.words;
    const words = compute(article);
    this.checked.set(article, { synonyms, words });
    return words;
  }

  private reads = 0;

  /** The last cross-check that found no problem (see `checkChanged`). */
  private check: CheckState | undefined;

  /** The last clean cross-check's state, handed over (the next check changes it): the cache forgets it. */
  takeCheck(): CheckState | undefined {
    const state = this.check;
    this.check = undefined;
    return state;
  }

  rememberCheck(state: CheckState | undefined): void {
    this.check = state;
  }

  /** How many article files `read` has read (rather than trusted by their stat) so far. */
  get filesRead(): number {
    return this.reads;
  }

  /** The last index built with the text of the synonyms it was built with, if any. */
  lastIndex(): { synonyms: string; index: KnowledgeIndex } | undefined {
    return this.last;
  }

  /** What is known of one article file: its text's digest, its parse, and its stat when it is trusted. */
  known(file: string): { readonly digest: string; readonly result: ArticleResult; readonly stat?: FileStat } | undefined {
    return this.byFile.get(file);
  }

  /** The cross-check's words of an article, when worked out with these synonyms. */
  knownWords(article: Article, synonyms: string): CheckedWords | undefined {
    const known = this.checked.get(article);
    return known?.synonyms === synonyms ? known.words : undefined;
  }

  /**
   * Takes over what a snapshot saved (see `snapshot.ts`): each article file as last read and parsed,
   * the cross-check's words, and the index built from them. The next load then reads again only the
   * files that changed since, and indexes again only their shards.
   */
  restore(files: readonly RestoredFile[], synonyms: string, index: KnowledgeIndex): void {
    for (const f of files) {
      this.byFile.set(f.file, { digest: f.digest, result: { success: true, data: f.parsed, warnings: [...f.warnings] }, ...(f.stat ? { stat: f.stat } : {}) });
      if (f.words) this.checked.set(f.parsed.article, { synonyms, words: f.words });
    }
    this.last = { synonyms, index };
  }

  /**
   * An article file read and parsed, or as it was last time: a file whose size, times and inode are
   * those it had when last read, and which had not been touched for `SETTLED_MS` when it was read, is
   * not read again (as git trusts a file's stat; a change written within the timestamps' granularity
   * of the previous read is read, since such a file is never trusted). A refused article is always read.
   */
  async read(full: string, file: string): Promise<ArticleRead> {
    return this.unchanged(full, file) ?? this.readNow(full, file);
  }

  /**
   * The file as last read when its stat vouches for it (see `read`), without reading it. A synchronous
   * stat: a few microseconds, where a promise each would cost more than the stat itself.
   */
  unchanged(full: string, file: string): ArticleRead | undefined {
    const known = this.byFile.get(file);
    if (!known?.stat || !known.result.success) return undefined;
    const now = statSync(full, { throwIfNoEntry: false });
    return now && sameFile(now, known.stat) ? { file, digest: known.digest, result: known.result } : undefined;
  }

  /**
   * The file as last read when its stat vouched for it then, without looking at it now: for a caller
   * that knows the file's size, mtime and inode are those it had at the last load (see `LoadOptions`).
   */
  trusted(file: string): ArticleRead | undefined {
    const known = this.byFile.get(file);
    return known?.stat && known.result.success ? { file, digest: known.digest, result: known.result } : undefined;
  }

  /** Reads and parses the file (the parse is reused when its text is the same as last time). */
  async readNow(full: string, file: string): Promise<ArticleRead> {
    const readAt = Date.now();
    this.reads += 1;
    const [st, text] = await Promise.all([fs.stat(full), fs.readFile(full, 'utf8')]);
    const entry = this.parsed(full, file, text, digestOf(text));
    // Trusted next time only when the file had settled before it was read, and did not change while read.
    const stat = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
    if (Math.max(st.mtimeMs, st.ctimeMs) < readAt - SETTLED_MS && Buffer.byteLength(text) === st.size) this.byFile.set(file, { ...entry, stat });
    return { file, text, ...entry };
  }

  /**
   * The file's parse. A parse kept here does not keep the file's YAML document (which `lineOf` reads) in
   * memory: where a front-matter value sits is worked out again from the file when a problem needs it.
   */
  private parsed(full: string, file: string, text: string, digest: string): { digest: string; result: ArticleResult } {
    const known = this.byFile.get(file);
    if (known && known.digest === digest) return { digest, result: known.result };
    const parsed = parseArticle(text, file);
    const result: ArticleResult = parsed.success ? { ...parsed, data: { article: parsed.data.article, lineOf: lazyLineOf(full, file, digest) } } : parsed;
    this.byFile.set(file, { digest, result });
    return { digest, result };
  }

  /** Forgets every file not in `files`. */
  keepOnly(files: readonly string[]): void {
    const keep = new Set(files);
    for (const file of this.byFile.keys()) if (!keep.has(file)) this.byFile.delete(file);
  }
}

/** How a load with an `ArticleCache` may save work, and what it reports of it. */
export interface LoadOptions {
  /**
   * Every article file (path relative to the folder) whose size, mtime or inode may differ from what
   * the previous load with the same cache saw (the watcher knows, from its look at the folder): any
   * other file the cache trusts is taken as it was without being stat'ed again. Without it, every
   * file's stat is checked. Ignored without a cache.
   */
  readonly changedSince?: ReadonlySet<string>;
  /** Filled in with how long each phase of the load took (ms), for the reload's log line. */
  readonly phases?: Record<string, number>;
}

/**
 * Reads and validates every article (`**\/*.md` except README.md), `synonyms.yaml` and `sources.yaml`
 * under `dir`, and builds the index. Every problem in every file is returned at once; the knowledge
 * base is built only when there are no errors.
 */
export async function loadKnowledge(dir: string, now: Date = new Date(), cache?: ArticleCache, options: LoadOptions = {}): Promise<KnowledgeResult> {
  const lap = stopwatch(options.phases);
  let files: string[];
  try {
    files = await listFiles(dir);
    lap('list');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { success: false, problems: [{ file: dir, line: 0, message: `cannot read the knowledge folder: ${e.code ?? e.message}`, severity: 'error' }], articles: [] };
  }
  const hash = createHash('sha256');
  const problems: Problem[] = [];
  const articleFiles = files.filter((f) => f.endsWith('.md') && path.basename(f).toLowerCase() !== 'readme.md');
  const read = await readArticles(dir, articleFiles, cache, options.changedSince);
  lap('read');
  const { good, refused, broken } = sortOut(read, hash, problems);
  const topics = sameTopicSpelling([...good, ...refused]);
  problems.push(...topics.problems);
  const parsed = good.map(topics.fix);
  cache?.keepOnly(articleFiles);
  const content = await readContentFiles(dir, hash, problems);
  if (content.topicNames) problems.push(...unusedTopics(content.topicNames, [...good, ...refused]));
  if (articleFiles.length === 0) problems.push({ file: dir, line: 0, message: 'no articles (*.md) found', severity: 'error' });

  const synonymsUsed = content.synonyms ?? new Synonyms([]);
  const checkWords = wordChecker(synonymsUsed);
  const wordsOf = cache ? (a: Article) => cache.checkedWords(a, content.synonymsText, checkWords) : checkWords;
  lap('prepare');
  const checkInput = { all: [...parsed, ...refused.map(topics.fix)], broken, sources: content.sources ?? new Map<string, SourceDoc>(), synonyms: synonymsUsed, now, wordsOf };
  // A cache remembers the last clean cross-check: when only some articles changed since, only they are
  // checked (`checkChanged`); anything it cannot vouch for is checked in full, as without a cache.
  const environment = `${content.synonymsText}\0${[...checkInput.sources.keys()].sort().join('\0')}`;
  const clean = cache && refused.length === 0 && broken.size === 0 ? checkChanged(checkInput, environment, cache) : false;
  if (!clean) {
    const checked = await crossCheck(checkInput);
    problems.push(...checked.problems);
    cache?.rememberCheck(checked.problems.length === 0 && refused.length === 0 && broken.size === 0 ? { ...checked.state, environment } : undefined);
  }
  lap('check');
  const { synonyms, sources, gaps, topicNames } = content;
  if (problems.some((p) => p.severity === 'error') || !synonyms || !sources || !gaps || !topicNames) {
    const read = [...parsed, ...refused.map(topics.fix)].map((p) => p.article).filter((a) => a.id !== '');
    return { success: false, problems: sortProblems(problems), articles: read.sort((a, b) => compareText(a.file, b.file)) };
  }

  const articles = parsed.map((p) => p.article).sort((a, b) => compareText(a.file, b.file));
  const index = await KnowledgeIndex.create(articles, synonyms, gaps, cache?.previousIndex(content.synonymsText));
  cache?.rememberIndex(content.synonymsText, index);
  lap('index');
  return {
    success: true,
    warnings: sortProblems(problems),
    data: {
      index,
      articles,
      sources,
      ...orderedTopics(articles, topicNames),
      version: { articles: articles.length, hash: hash.digest('hex').slice(0, 12), loadedAt: new Date().toISOString() },
    },
  };
}

/** The article files read: the ones that parsed, what could be read of the others, and the others' ids. */
function sortOut(texts: readonly ArticleRead[], hash: ReturnType<typeof createHash>, problems: Problem[]): { good: ParsedArticle[]; refused: ParsedArticle[]; broken: Set<string> } {
  const good: ParsedArticle[] = [];
  /** What could be read of refused articles: checked against the others too, in the same run. */
  const refused: ParsedArticle[] = [];
  /** Ids of articles that exist but did not parse: links to them are not reported again. */
  const broken = new Set<string>();
  for (const { file, text, digest, result } of texts) {
    hash.update(file).update('\0').update(digest).update('\0');
    if (result.success) {
      good.push(result.data);
      problems.push(...result.warnings);
    } else {
      problems.push(...result.problems);
      const id = result.partial?.article.id || /^id:\s*["']?([a-z0-9-]+)/m.exec(text ?? '')?.[1];
      if (id) broken.add(id);
      if (result.partial) refused.push(result.partial);
    }
  }
  return { good, refused, broken };
}

/** `synonyms.yaml`, `sources.yaml`, `not-covered.yaml` and `topics.yaml`, each undefined when it has errors. */
async function readContentFiles(dir: string, hash: ReturnType<typeof createHash>, problems: Problem[]) {
  let synonymsText = '';
  const synonyms = await readOptional(
    dir,
    SYNONYMS_FILE,
    hash,
    (t) => {
      synonymsText = t;
      return parseSynonyms(t, SYNONYMS_FILE);
    },
    problems,
  );
  const sources = await readOptional(dir, SOURCES_FILE, hash, (t) => parseSources(t, SOURCES_FILE), problems);
  const gaps = await readOptional(dir, GAPS_FILE, hash, (t) => parseGaps(t, GAPS_FILE), problems);
  const topicNames = await readOptional(dir, TOPICS_FILE, hash, (t) => parseTopics(t, TOPICS_FILE), problems);
  return { synonyms, synonymsText, sources, gaps, topicNames };
}

function unusedTopics(topicNames: readonly TopicName[], articles: readonly ParsedArticle[]): Problem[] {
  const used = new Set(articles.map((p) => p.article.topic.toLowerCase()));
  return topicNames
    .filter((t) => !used.has(t.topic.toLowerCase()))
    .map((t) => ({ file: TOPICS_FILE, line: t.line, message: `topic "${t.topic}" is not the topic of any article`, severity: 'warning' as const }));
}

/** What the cross-check reads of an article's words, with these synonyms. */
function wordChecker(synonyms: Synonyms): (a: Article) => CheckedWords {
  const tokens = new Set(synonyms.groups.map((g) => Synonyms.tokenFor(g.term)));
  return (a) => ({
    questionKeys: a.questions.map((q) => synonyms.fold(splitWords(q)).join(' ')),
    terms: [...new Set(synonyms.fold(splitWords(`${a.title} ${a.questions.join(' ')} ${a.tags.join(' ')} ${a.shortAnswer} ${a.details}`)).filter((w) => tokens.has(w)))],
  });
}

/** Files whose stat is checked between two turns of the event loop. */
const STAT_BATCH = 500;

/** Adds the time since the last lap to `phases[name]`. */
function stopwatch(phases: Record<string, number> | undefined): (name: string) => void {
  let last = performance.now();
  return (name) => {
    if (!phases) return;
    const t = performance.now();
    phases[name] = Math.round((phases[name] ?? 0) + t - last);
    last = t;
  };
}

/**
 * Every article file, read and parsed; with a cache, only the files that changed are. Given the files
 * that may have changed since the last load, the others the cache trusts are not even stat'ed.
 */
async function readArticles(dir: string, files: readonly string[], cache: ArticleCache | undefined, changedSince: ReadonlySet<string> | undefined): Promise<ArticleRead[]> {
  if (!cache) {
    return Promise.all(
      files.map(async (f): Promise<ArticleRead> => {
        const text = await fs.readFile(path.join(dir, f), 'utf8');
        return { file: f, text, digest: digestOf(text), result: parseArticle(text, f) };
      }),
    );
  }
  const out: (ArticleRead | undefined)[] = files.map(() => undefined);
  const changed: number[] = [];
  for (let i = 0; i < files.length; i += 1) {
    if (i % STAT_BATCH === STAT_BATCH - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    const f = files[i] as string;
    out[i] = (changedSince && !changedSince.has(f) ? cache.trusted(f) : undefined) ?? cache.unchanged(path.join(dir, f), f);
    if (!out[i]) changed.push(i);
  }
  await Promise.all(changed.map(async (i) => (out[i] = await cache.readNow(path.join(dir, files[i] as string), files[i] as string))));
  return out as ArticleRead[];
}

/** The topics in the order staff list them in `topics.yaml` (the rest after), each with how it reads. */
function orderedTopics(articles: readonly Article[], names: readonly TopicName[]): { topics: string[]; topicNames: string[] } {
  const present = [...new Set(articles.map((a) => a.topic))];
  const say = new Map(names.map((n) => [n.topic.toLowerCase(), n]));
  const rank = (t: string) => {
    const n = say.get(t.toLowerCase());
    return n ? names.indexOf(n) : names.length;
  };
  const topics = present.map((t, i) => ({ t, i })).sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i).map((x) => x.t);
  return { topics, topicNames: topics.map((t) => say.get(t.toLowerCase())?.say ?? t) };
}

/**
 * A topic written in another case ("wpc" beside "WPC") is the same topic, not a new one in the help
 * and welcome: every article gets the spelling most articles use (the first one on a tie), and each
 * article that spelled it differently gets a warning at its line.
 */
function sameTopicSpelling(parsed: readonly ParsedArticle[]): { problems: Problem[]; fix: (p: ParsedArticle) => ParsedArticle } {
  const spellings = new Map<string, Map<string, number>>();
  const ordered = [...parsed].sort((a, b) => compareText(a.article.file, b.article.file));
  for (const p of ordered) {
    const t = p.article.topic;
    if (t === '') continue;
    const key = t.toLowerCase();
    const counts = spellings.get(key) ?? new Map<string, number>();
    counts.set(t, (counts.get(t) ?? 0) + 1);
    spellings.set(key, counts);
  }
  const canonical = new Map<string, string>();
  for (const [key, counts] of spellings) {
    let best = '';
    let most = 0;
    for (const [spelling, n] of counts) if (n > most) [best, most] = [spelling, n];
    canonical.set(key, best);
  }
  const problems: Problem[] = [];
  for (const p of ordered) {
    const want = canonical.get(p.article.topic.toLowerCase());
    if (want !== undefined && want !== p.article.topic) {
      const others = spellings.get(p.article.topic.toLowerCase())?.get(want) ?? 0;
      problems.push({
        file: p.article.file,
        line: p.lineOf(['topic']),
        message: `topic "${p.article.topic}" is read as "${want}", as ${others} other article${others === 1 ? '' : 's'} write${others === 1 ? 's' : ''} it: write "${want}" (a topic differing only in case is the same topic)`,
        severity: 'warning',
      });
    }
  }
  const fix = (p: ParsedArticle): ParsedArticle => {
    const want = canonical.get(p.article.topic.toLowerCase());
    return want === undefined || want === p.article.topic ? p : { lineOf: p.lineOf, article: { ...p.article, topic: want } };
  };
  return { problems, fix };
}

/** Articles cross-checked between two turns of the event loop. */
const CHECK_BATCH = 1000;

/** What the cross-check is given. */
interface CheckInput {
  readonly all: readonly ParsedArticle[];
  readonly broken: ReadonlySet<string>;
  readonly sources: ReadonlyMap<string, SourceDoc>;
  readonly synonyms: Synonyms;
  readonly now: Date;
  readonly wordsOf: (a: Article) => CheckedWords;
}

/**
 * What a cross-check that found no problem leaves for the next one to check only what changed: the
 * articles it checked (in order), who owns each question key, and how many articles use each synonym term.
 * The maps are handed from one check to the next (and changed by it), never shared with a served index.
 */
export interface CheckState {
  /** The synonyms' text and the source names the check was made with. */
  readonly environment: string;
  readonly now: number;
  readonly articles: readonly Article[];
  readonly owners: Map<string, string>;
  readonly termUse: Map<string, number>;
}

/**
 * True when the articles, checked in full, would give no problem, found by checking only the articles
 * that changed since the last clean check (same synonyms and sources, same ids in the same order, no
 * earlier date): no other problem can arise, since every other article passed the same checks against
 * the same ids, sources and synonyms, and a date only moves further from the future. The last check's
 * state is updated to this one. False when it cannot say (a full check is then needed, and gives the
 * problems with their exact order and wording).
 */
function checkChanged(input: CheckInput, environment: string, cache: ArticleCache): boolean {
  const last = cache.takeCheck();
  const { all, sources, wordsOf } = input;
  const now = input.now.getTime();
  if (!last || last.environment !== environment || now < last.now || last.articles.length !== all.length) return false;
  const changed: number[] = [];
  for (let k = 0; k < all.length; k += 1) {
    const a = (all[k] as ParsedArticle).article;
    const before = last.articles[k] as Article;
    if (a === before) continue;
    if (a.id !== before.id) return false;
    changed.push(k);
  }
  const { owners, termUse } = last;
  for (const k of changed) {
    const before = last.articles[k] as Article;
    for (const key of wordsOf(before).questionKeys) if (owners.get(key) === before.id) owners.delete(key);
    for (const t of wordsOf(before).terms) termUse.set(t, (termUse.get(t) ?? 0) - 1);
  }
  const ids = new Set(last.articles.map((a) => a.id));
  for (const k of changed) {
    const a = (all[k] as ParsedArticle).article;
    if (a.related.some((id) => id === a.id || !ids.has(id))) return false;
    if (a.sources.some((x) => !sources.has(x))) return false;
    if (a.asOf !== '' && asOfStart(a.asOf).getTime() > now) return false;
    for (const key of wordsOf(a).questionKeys) {
      const owner = owners.get(key);
      if (owner !== undefined && owner !== a.id) return false;
      owners.set(key, a.id);
    }
    for (const t of wordsOf(a).terms) termUse.set(t, (termUse.get(t) ?? 0) + 1);
  }
  for (const g of input.synonyms.groups) if ((termUse.get(Synonyms.tokenFor(g.term)) ?? 0) <= 0) return false;
  cache.rememberCheck({ environment, now, articles: all.map((p) => p.article), owners, termUse });
  return true;
}

/** Problems that need more than one file to see: ids, links, sources, collisions, dates. */
async function crossCheck(input: CheckInput): Promise<{ problems: Problem[]; state: Omit<CheckState, 'environment'> }> {
  const { all, broken, sources, synonyms, now, wordsOf } = input;
  const problems: Problem[] = [];
  // A refused article whose id could not be read cannot be checked against the others.
  const parsed = all.filter((p) => p.article.id !== '');
  const error = (file: string, line: number, message: string) => problems.push({ file, line, message, severity: 'error' });
  const byId = new Map<string, ParsedArticle>();
  for (const p of parsed) {
    const first = byId.get(p.article.id);
    if (first) error(p.article.file, p.lineOf(['id']), `duplicate id "${p.article.id}" (also used by ${first.article.file})`);
    else byId.set(p.article.id, p);
  }

  const questionOwner = new Map<string, string>();
  for (let k = 0; k < parsed.length; k += 1) {
    // A large knowledge base is checked in batches: requests are served between them.
    if (k % CHECK_BATCH === CHECK_BATCH - 1) await new Promise<void>((resolve) => setImmediate(resolve));
    const p = parsed[k] as ParsedArticle;
    const a = p.article;
    a.related.forEach((id, i) => {
      if (!byId.has(id) && !broken.has(id)) error(a.file, p.lineOf(['related', i]), `related article "${id}" does not exist`);
      else if (id === a.id) error(a.file, p.lineOf(['related', i]), 'an article cannot be related to itself');
    });
    a.sources.forEach((s, i) => {
      if (!sources.has(s)) {
        const at = a.sources.length > 1 ? ['source', i] : ['source'];
        error(a.file, p.lineOf(at), `source "${s}" is not listed in ${SOURCES_FILE}`);
      }
    });
    if (a.asOf !== '' && asOfStart(a.asOf) > now) error(a.file, p.lineOf(['asOf']), `asOf "${a.asOf}" is in the future`);
    const keys = wordsOf(a).questionKeys;
    a.questions.forEach((q, i) => {
      const key = keys[i] ?? '';
      const owner = questionOwner.get(key);
      if (owner !== undefined && owner !== a.id) {
        error(a.file, p.lineOf(['questions', i]), `question "${q}" is also a question of article "${owner}"; partners asking it would get either`);
      } else questionOwner.set(key, a.id);
    });
  }

  const termUse = new Map<string, number>();
  for (const p of parsed) for (const t of wordsOf(p.article).terms) termUse.set(t, (termUse.get(t) ?? 0) + 1);
  for (const g of synonyms.groups) {
    if (!termUse.has(Synonyms.tokenFor(g.term))) {
      error(SYNONYMS_FILE, g.line, `synonym term "${g.term}" maps to nothing: no article mentions it or its alternatives`);
    }
  }
  return { problems, state: { now: now.getTime(), articles: parsed.map((p) => p.article), owners: questionOwner, termUse } };
}

async function readOptional<T>(
  dir: string,
  name: string,
  hash: ReturnType<typeof createHash>,
  parse: (text: string) => Result<T>,
  problems: Problem[],
): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, name), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      problems.push({ file: name, line: 0, message: `cannot read: ${code}`, severity: 'error' });
      return undefined;
    }
    text = '[]';
  }
  hash.update(name).update('\0').update(text).update('\0');
  const result = parse(text);
  if (!result.success) {
    problems.push(...result.problems);
    return undefined;
  }
  problems.push(...result.warnings);
  return result.data;
}

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => compareText(a.name, b.name))) {
    if (e.name.startsWith('.')) continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, child)));
    else if (e.isFile()) out.push(child);
  }
  return out;
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => compareText(a.file, b.file) || a.line - b.line);
}
