import { LRUCache } from 'lru-cache';
import lunr from 'lunr';
import type { Article } from './Article';
import { Analyzer, type QueryWord } from './Analyzer';
import { BoundOrder } from './boundOrder';
import { englishWords } from './englishWords';
import type { Gap } from './contentFiles';
import { isGenericHeading, type Passage } from './passages';
import { viewPassage, type PassageView } from './passageView';
import { LayeredMap, type EditableMap } from './layeredMap';
import { Spelling } from './Spelling';
import { Synonyms } from './Synonyms';
import { isNameLike, specificity, wordUse } from './wordFrequency';
import { FIGURE_KINDS, MONTHS, QUESTION_QUALIFIERS, QUESTION_WORDS, SEASONS, STOP_WORDS, lightStem, splitWords, stem } from './words';

/** A question word with its weight: how much it says about which passage is meant. */
export interface WeightedWord extends QueryWord {
  /** Inverse document frequency times how specific the word is in everyday English; 0 for everyday words. */
  readonly weight: number;
  /** Whether any article contains the word. */
  readonly known: boolean;
  /**
   * The word names something the knowledge base is about (BPOS, WPC, CDW, Live@edu): a name, not an
   * everyday word, and used by some article. A question with no such word is on the knowledge base's
   * subject only if the knowledge base covers all of it.
   */
  readonly anchor: boolean;
  /** Most articles use the word (bpos, microsoft): it cannot tell passages apart. */
  readonly everywhere: boolean;
  /** The word reads as a name (Europe, CDW, WPC) rather than an everyday word. */
  readonly nameLike: boolean;
  /** How specific the word is in everyday English (0 everyday, 1 rare or a name). */
  readonly specificity: number;
}

/** A passage and how much of the question it covers. */
export interface PassageHit {
  readonly article: Article;
  readonly passage: Passage;
  readonly view: PassageView;
  /** Share (0..1) of the question's weight covered, counting the article's title, questions and tags less. */
  readonly coverage: number;
  /** Question words (index form) in the passage itself: its text, heading, list lead or section questions. */
  readonly own: ReadonlySet<string>;
  /** Question words in the article's title or the passage's heading: they frame every passage under them. */
  readonly framed: ReadonlySet<string>;
  /** Question words found only elsewhere in the article (its questions, tags, other passages). */
  readonly elsewhere: ReadonlySet<string>;
  /** Of those, the ones in the article's alternate questions or tags (what staff say the article is about). */
  readonly described: ReadonlySet<string>;
  /**
   * Share (0..1) of the question's weight in the passage's heading and the questions staff aimed at its
   * section: how much the section is about the question, whatever its text says. 0 outside a section.
   */
  readonly sectionCoverage: number;
}

export interface Hit {
  readonly article: Article;
  /**
   * The article's rank: partly how much of the question (its question words too) its title and questions
   * are about, mostly its best passage's coverage.
   */
  readonly score: number;
  /** The best passage's coverage. */
  readonly coverage: number;
  /** Share (0..1) of the question's weight in the article's title, alternate questions, section questions and tags. */
  readonly about: number;
  /** The question is, word for word, the article's title or one of its alternate questions. */
  readonly exact: boolean;
  /** The question is, word for word, a question staff aimed at this section (heading). */
  readonly exactSection?: string;
  /** The article's passages, best first. */
  readonly passages: readonly PassageHit[];
}

export interface SearchResult {
  /** The question's words, then the words of the context (marked `context`). */
  readonly words: readonly WeightedWord[];
  /** What the question asks that the sources are known not to cover (from `not-covered.yaml`). */
  readonly gap?: string;
  /** The light stems of the `not-covered.yaml` phrase the question matched (with `gap`). */
  readonly gapStems?: readonly string[];
  /** Best first. Empty when the question has no content words. */
  readonly hits: readonly Hit[];
}

export interface SearchOptions {
  /** Most hits to return (default 5). */
  readonly limit?: number;
  /**
   * Text that surrounds the question (the sentences before it, or the conversation's last question):
   * its words can only help a passage, never count against one.
   */
  readonly context?: string;
  /**
   * The context is the conversation's last question and this one follows it up ("when does that
   * launch?"): its words count (at half weight) for and against a passage, and the names in it are
   * read for not-covered subjects too.
   */
  readonly followUp?: boolean;
}

/** Credit for a question word found around a passage rather than in it. */
const CREDIT = { own: 1, title: 0.9, questions: 0.75, tags: 0.6, implied: 0.6, elsewhere: 0.4 } as const;
/** Weight of a word no article contains, before its everyday-English specificity. */
const UNKNOWN_WEIGHT = 1.6;
/** How much of an article's rank comes from its title and questions (the rest from its best passage). */
const ABOUT_SHARE = 0.4;
/**
 * Numbers, dates and the kind of figure wanted ("lowest", "combined") count less towards which passage
 * is meant: the answerability check holds the passage to them, and a wrong figure in a question ("4
 * million, right?") must not hide the subject.
 */
const DETAIL_WEIGHT = 0.3;
/** How much a word of the context counts beside a word of the question itself. */
const CONTEXT_WEIGHT = 0.5;
/** Bonus for an article whose title names what the question names (breaks ties, never outranks coverage). */
const TITLE_NAME_BONUS = 0.05;
/** What a question word counts towards aboutness, beside a content word of the same rarity. */
const HINT_SHARE = 0.5;
const NO_STEMS: ReadonlySet<string> = new Set();
/** The fields of the lunr documents: an article's title, questions and tags; a passage's text, heading and section questions. */
const FIELDS = ['title', 'questions', 'tags', 'text', 'heading', 'section'] as const;
/**
 * lunr's inverted index of a shard, compact: each term's number (`terms`), and for term `t` and field `f`
 * (by position in `FIELDS`) the numbers of the shard's documents that hold it, ascending, at
 * `docs[offsets[t * FIELDS.length + f] .. offsets[t * FIELDS.length + f + 1]]`. An article's documents are
 * numbered together: its own, then its passages'. Two typed arrays per shard rather than an array per
 * term and field: most terms are in few documents, and an array each would cost more than its numbers.
 */
export interface Postings {
  readonly terms: ReadonlyMap<string, number>;
  readonly offsets: Int32Array;
  readonly docs: Int32Array;
}
/** Fields of a passage's lunr document, of those its heading and section questions, of an article's. */
const PASSAGE_FIELDS = ['text', 'heading', 'section'] as const;
const SECTION_FIELDS = ['heading', 'section'] as const;
const QUESTIONS_FIELD = ['questions'] as const;
const TAGS_FIELD = ['tags'] as const;
/** Passed by `create` only: the constructor leaves the build to it. */
const DEFERRED: unique symbol = Symbol('deferred');
/** Longest piece of an index build between two turns of the event loop, in ms. */
const SLICE_MS = 15;
/**
 * How many shards the index is split into. An article's shard comes from its file's path, so the edit of
 * one article indexes again only the articles of its shard (about 1/128 of the knowledge base) and
 * shares the other shards with the index being replaced. Each shard is one pair of lunr builders.
 * At most 256 (a shard number is a byte).
 */
const SHARDS = 128;
/** More than the titles, questions and section questions of any one article (orders exact-question owners). */
const EXACT_SLOTS = 1_000_000;
/** Most remembered word weights (a bound on memory whatever partners type). */
const MAX_WEIGHTS = 20_000;
/** What a word read as a term from part of the term's phrase weighs, beside the term written out. */
const GUESS_WEIGHT = 0.5;
/**
 * Most terms whose flags are kept laid out by position (one byte per article each): the words partners
 * ask with most are looked up again and again.
 */
const MAX_DENSE = 256;
/** Most passage views kept (a bound on memory however many passages partners' questions reach). */
const MAX_VIEWS = 5_000;
/** Share of articles from which a word is "everywhere". */
const EVERYWHERE = 0.6;
/**
 * Room for rounding when an article's best possible score is compared with a score worked out in full
 * (scores this close count as equal, and the article id decides, as it does between equal scores).
 */
const BOUND_SLACK = 1e-9;
/** Where in an article a term is: in a passage; in a heading or section questions; in the title, questions, tags. */
const IN_PASSAGE = 1;
const IN_SECTION = 2;
const IN_TITLE = 4;
const IN_QUESTIONS = 8;
const IN_TAGS = 16;
const FIELD_FLAGS: Readonly<Record<(typeof FIELDS)[number], number>> = {
  title: IN_TITLE,
  questions: IN_QUESTIONS,
  tags: IN_TAGS,
  text: IN_PASSAGE,
  heading: IN_PASSAGE | IN_SECTION,
  section: IN_PASSAGE | IN_SECTION,
};

/** One shard of the index: some articles, their lunr documents' postings (numbered within the shard). */
interface Shard {
  /** The shard's articles, in the order of `articles` (file order). */
  readonly entries: readonly ArticleEntry[];
  readonly postings: Postings;
  /** Each article's first document number in the shard (and one past the last article's). */
  readonly docStart: Int32Array;
  /** Each document's article (by place in `entries`). */
  readonly docArticle: Int32Array;
}
const EMPTY_SHARD: Shard = { entries: [], postings: { terms: new Map(), offsets: new Int32Array(1), docs: new Int32Array(0) }, docStart: new Int32Array(1), docArticle: new Int32Array(0) };

/** An article whose title or question (or a section's question) is asked by a question key. */
export interface ExactTarget {
  readonly key: string;
  readonly article: string;
  readonly section?: string;
  /** Its place among the article's titles and questions (the first one asked wins). */
  readonly slot: number;
}

/** What one article adds to the figures taken over the whole knowledge base. */
interface Contribution {
  /** Its stems (document frequency). */
  readonly stems: ReadonlySet<string>;
  /** The question words its title and questions ask with (stems). */
  readonly asked: ReadonlySet<string>;
  /** Its surface words, with counts (spelling correction's targets). */
  readonly vocabulary: ReadonlyMap<string, number>;
  readonly exact: readonly ExactTarget[];
}

/** The articles that hold a term (by position, ascending), each with where it is (`IN_...` flags). */
interface TermArticles {
  readonly articles: Int32Array;
  readonly flags: Uint8Array;
}

/** What `search` needs to rank candidates by their best possible score before scoring any in full. */
interface Bounds {
  /** The weighty terms, the one that can add most to a score first. */
  readonly order: readonly string[];
  /** An upper bound of the score of the article at a position. */
  readonly of: (at: number) => number;
  /** An upper bound of the score of any article that holds none of the first `taken` terms of `order`. */
  rest(taken: number): number;
  /** Share of the question's names the article's title names. */
  titled(entry: ArticleEntry): number;
}

interface PassageEntry {
  readonly ref: string;
  readonly article: Article;
  readonly passage: Passage;
}

interface ArticleEntry {
  readonly article: Article;
  /** The ref of the article's own lunr document (title, questions, tags). */
  readonly ref: string;
  readonly passages: readonly PassageEntry[];
  /** Stems of the article's title, its passages' headings (by passage index), and all its words. */
  readonly title: ReadonlySet<string>;
  readonly headings: ReadonlyMap<number, ReadonlySet<string>>;
  /** Stems of the question words (why, who, how) its title, alternate and section questions ask with. */
  readonly asks: ReadonlySet<string>;
  /** Stems of its title and every heading (they frame its passages). */
  readonly framing: ReadonlySet<string>;
  /** The stems of the words its terms say in their phrases (see `implied`). */
  readonly implied: ImpliedWords;
}

/** What an article's entry keeps besides its article (see `ArticleEntry`), as `state()` gives it. */
export interface EntryState {
  readonly id: string;
  readonly title: ReadonlySet<string>;
  readonly headings: ReadonlyMap<number, ReadonlySet<string>>;
  readonly asks: ReadonlySet<string>;
  readonly framing: ReadonlySet<string>;
  /** The stems of its terms whose phrases say other words (see `ImpliedWords`). */
  readonly sayers: readonly string[];
}

/** One shard as `state()` gives it: its articles' entries (in order), postings and document numbers. */
export interface ShardState {
  readonly entries: readonly EntryState[];
  readonly postings: Postings;
  readonly docStart: Int32Array;
  readonly docArticle: Int32Array;
}

/**
 * Everything a built index holds that took work to make (a snapshot saves it, see `snapshot.ts`): the
 * shards and the corpus-wide figures. The articles and synonyms it was built from are given back with it
 * to `restore`.
 */
export interface IndexState {
  readonly shards: readonly ShardState[];
  readonly docFrequency: ReadonlyMap<string, number>;
  readonly questionFrequency: ReadonlyMap<string, number>;
  readonly vocabularyCounts: ReadonlyMap<string, number>;
  readonly exact: ReadonlyMap<string, readonly ExactTarget[]>;
}

/**
 * The searchable knowledge base. This is the only module that touches lunr. Every passage is a lunr
 * document (its text, heading and section questions), and so is every article (title, alternate
 * questions, tags); lunr finds which question words each one holds, and the ranking is the share of
 * the question's weight a passage covers. Partner text is never given to lunr's query parser (which
 * throws on `:` `~` `^` and treats `-` `+` `*` as operators): it is split into words first and each
 * word becomes a plain term clause.
 */
/**
 * A passage scored against a question. Its view is worked out only when read: the answering core looks
 * into a few passages per question, and every article scored brings all of its passages. (A class, so
 * that the getter is one on the prototype rather than a closure made for each of the dozens of passages
 * a question scores.)
 */
class ScoredPassage implements PassageHit {
  readonly passage: Passage;
  constructor(
    readonly article: Article,
    private readonly entry: PassageEntry,
    private readonly views: { of(p: PassageEntry): PassageView },
    readonly coverage: number,
    readonly own: ReadonlySet<string>,
    readonly framed: ReadonlySet<string>,
    readonly elsewhere: ReadonlySet<string>,
    readonly described: ReadonlySet<string>,
    readonly sectionCoverage: number,
  ) {
    this.passage = entry.passage;
  }

  get view(): PassageView {
    return this.views.of(this.entry);
  }
}

export class KnowledgeIndex {
  /** The index's shards: an article's shard comes from its file's path (`shardOf`). */
  private shards: readonly Shard[] = [];
  /** Each shard's first article position (and one past the last article's). */
  private shardBase = new Int32Array(SHARDS + 1);
  /** Each article's shard (by position). */
  private shardAt = new Uint8Array(0);
  private analyzer: Analyzer;
  private readonly plain: Analyzer;
  private readonly byId: ReadonlyMap<string, Article>;
  private entries = new Map<string, ArticleEntry>();
  /** The same entries by position (shard by shard), and each article's position. */
  private entryList: ArticleEntry[] = [];
  private position = new Map<string, number>();
  /** The stems of every word of the synonyms' phrases: the only words an article can say through a term. */
  private get phraseWords(): ReadonlySet<string> {
    this.phraseWordSet ??= new Set(this.synonyms.groups.flatMap((g) => [...this.synonyms.wordsSaidBy(stem(Synonyms.tokenFor(g.term)))]));
    return this.phraseWordSet;
  }
  private phraseWordSet: ReadonlySet<string> | undefined;

  /** Each article's place (by position) in the order of ids that breaks ties between equal scores. */
  private idRank = new Int32Array(0);
  /** The order `bestByBound` scores candidates in, with its scratch space (one search at a time). */
  private get boundOrder(): BoundOrder {
    if (!this.boundOrderOf) {
      const byRank = new Int32Array(this.idRank.length);
      this.idRank.forEach((rank, at) => (byRank[rank] = at));
      this.boundOrderOf = new BoundOrder(this.idRank, byRank);
    }
    return this.boundOrderOf;
  }
  private boundOrderOf: BoundOrder | undefined;
  /** Clause views of the passages looked into most recently. */
  private readonly views: { of(p: PassageEntry): PassageView };
  /** For each term looked up so far, the articles that hold it (bounded by the index's own terms). */
  private readonly termCache = new Map<string, TermArticles>();
  /** For each key of a title or question, every article (and section) that asks it; the first article in file order wins. */
  private exact: EditableMap<readonly ExactTarget[]> = new Map<string, readonly ExactTarget[]>();
  /** In how many articles each stem is. */
  private docFrequency: EditableMap<number> = new Map<string, number>();
  /** How often each surface word occurs in the knowledge base (spelling correction's targets). */
  private vocabularyCounts: EditableMap<number> = new Map<string, number>();
  private readonly weights = new Map<string, WeightedWord>();
  /** In how many articles' titles and questions each question word (why, who, ...) is asked. */
  private questionFrequency: EditableMap<number> = new Map<string, number>();
  /** Each article's place in `articles` (the order in which an exact question's owner is chosen). */
  private readonly order: ReadonlyMap<string, number>;
  private gaps: readonly { about: string; stems: string[] }[] = [];
  /** The rest of the build, for `create` to run in slices. */
  private pending: Generator<void, void, void> | undefined;

  /**
   * The index, built at once. A server builds with `create`, which lets other work run while it builds.
   * Given the `previous` index of the same knowledge base (built with the same synonyms), only the
   * shards holding an article that was added, changed (a new `Article` object) or removed are indexed
   * again; the rest are shared with it. The result is the same as building from nothing.
   */
  constructor(
    readonly articles: readonly Article[],
    private readonly synonyms: Synonyms,
    gaps: readonly Gap[] = [],
    previous?: KnowledgeIndex,
    deferred?: typeof DEFERRED,
  ) {
    this.byId = new Map(articles.map((a) => [a.id, a]));
    // The same ids in the same order as the previous index (only texts changed): the same order map.
    const sameOrder = previous !== undefined && previous.articles.length === articles.length && articles.every((a, i) => previous.articles[i]?.id === a.id);
    this.order = sameOrder ? previous.order : new Map(articles.map((a, i) => [a.id, i]));
    const plain = new Analyzer(synonyms);
    this.plain = plain;
    // lru-cache moves a hit to the front in its own typed arrays, so only a new view (and the one it
    // evicts) changes its Map; a hand-made LRU over a Map deleted and set the key again on every hit.
    const recent = new LRUCache<PassageEntry, PassageView>({ max: MAX_VIEWS });
    this.views = {
      of(p) {
        let view = recent.get(p);
        if (!view) recent.set(p, (view = viewPassage(p.passage.text, plain)));
        return view;
      },
    };
    this.analyzer = plain;
    const steps = this.build(gaps, plain, previous);
    if (deferred === DEFERRED) this.pending = steps;
    else for (let step = steps.next(); !step.done; step = steps.next());
  }

  /**
   * Builds the index in slices of at most about `SLICE_MS` of work, letting the event loop run between
   * them (a server keeps answering, health checks included, while a large knowledge base is indexed).
   * With a `previous` index (same synonyms), only the shards whose articles changed are built again.
   */
  static async create(articles: readonly Article[], synonyms: Synonyms, gaps: readonly Gap[] = [], previous?: KnowledgeIndex): Promise<KnowledgeIndex> {
    const index = new KnowledgeIndex(articles, synonyms, gaps, previous, DEFERRED);
    const steps = index.pending;
    index.pending = undefined;
    if (!steps) return index;
    let slice = performance.now();
    for (let step = steps.next(); !step.done; step = steps.next()) {
      if (performance.now() - slice < SLICE_MS) continue;
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    return index;
  }

  private built = 0;

  /** How many shards were built (rather than shared with a previous index) when this index was made. */
  get builtShards(): number {
    return this.built;
  }

  /** The work of building the index, yielding between small pieces of it. */
  private *build(gaps: readonly Gap[], plain: Analyzer, previous: KnowledgeIndex | undefined): Generator<void, void, void> {
    const articles = this.articles;
    const synonyms = this.synonyms;
    // What stays: every article of the previous index whose object is the same (an unchanged file).
    const kept = new Set<Article>();
    if (previous) for (const a of articles) if (previous.byId.get(a.id) === a) kept.add(a);
    const removed = previous ? previous.articles.filter((a) => this.byId.get(a.id) !== a) : [];
    const dirty = new Set<number>();
    if (previous) {
      // The previous index's figures, shared rather than copied (it may still be serving).
      this.docFrequency = LayeredMap.over(previous.docFrequency);
      this.questionFrequency = LayeredMap.over(previous.questionFrequency);
      this.vocabularyCounts = LayeredMap.over(previous.vocabularyCounts);
      this.exact = LayeredMap.over(previous.exact);
      yield;
      // What the articles that went (or changed) added to the corpus-wide figures is taken out again.
      for (const a of removed) {
        yield;
        dirty.add(shardOf(a.file));
        this.count(contribution(a, plain), -1);
      }
    } else {
      for (const w of synonyms.words) add(this.vocabularyCounts, w, 2);
      for (const w of [...STOP_WORDS, ...QUESTION_WORDS]) add(this.vocabularyCounts, w, 5);
    }
    const byShard: ArticleEntry[][] = Array.from({ length: SHARDS }, () => []);
    for (const a of articles) {
      const old = kept.has(a) ? previous?.entries.get(a.id) : undefined;
      if (old) {
        byShard[shardOf(a.file)]?.push(old);
        continue;
      }
      yield;
      const c = contribution(a, plain);
      this.count(c, 1);
      dirty.add(shardOf(a.file));
      byShard[shardOf(a.file)]?.push(entryOf(a, c, plain, synonyms));
    }
    const shards: Shard[] = [];
    for (let s = 0; s < SHARDS; s += 1) {
      const reuse = previous && !dirty.has(s) ? previous.shards[s] : undefined;
      if (reuse) {
        shards.push(reuse);
        continue;
      }
      this.built += 1;
      shards.push(yield* buildShard(byShard[s] ?? [], plain));
    }
    this.place(shards, previous);
    yield;
    this.finish(gaps);
  }

  /**
   * Numbers the articles shard by shard (their positions) and keeps the shards. When every article is
   * where it was in `previous` (the same ids at the same positions: only articles' texts changed), the
   * numbering is taken over from it and only the rebuilt shards' entries are put in.
   */
  private place(shards: readonly Shard[], previous?: KnowledgeIndex): void {
    if (previous && samePlaces(shards, previous.shards)) {
      this.shards = shards;
      this.shardAt = previous.shardAt;
      this.shardBase = previous.shardBase;
      this.position = previous.position;
      this.idRank = previous.idRank;
      this.entryList = previous.entryList.slice();
      this.entries = new Map(previous.entries);
      shards.forEach((shard, s) => {
        if (shard === previous.shards[s]) return;
        const base = this.shardBase[s] as number;
        shard.entries.forEach((entry, k) => {
          this.entryList[base + k] = entry;
          this.entries.set(entry.article.id, entry);
        });
      });
      return;
    }
    this.shards = shards;
    this.shardAt = new Uint8Array(this.articles.length);
    shards.forEach((shard, s) => {
      this.shardBase[s] = this.entryList.length;
      for (const entry of shard.entries) {
        this.shardAt[this.entryList.length] = s;
        this.entries.set(entry.article.id, entry);
        this.position.set(entry.article.id, this.entryList.length);
        this.entryList.push(entry);
      }
    });
    this.shardBase[SHARDS] = this.entryList.length;
    const byId = Array.from(this.entryList, (_, at) => at).sort((x, y) => compareIds(this.entryList[x]?.article.id ?? '', this.entryList[y]?.article.id ?? ''));
    this.idRank = new Int32Array(this.entryList.length);
    byId.forEach((at, rank) => (this.idRank[at] = rank));
  }

  /** Spelling correction from the knowledge base's words, and the not-covered phrases in index form. */
  private finish(gaps: readonly Gap[]): void {
    this.analyzer = new Analyzer(this.synonyms, new Spelling(this.vocabularyCounts, [...QUESTION_WORDS, ...STOP_WORDS], wordsInUse));
    this.gaps = gaps.flatMap((g) => g.asks.map((phrase) => ({ about: g.about, stems: this.analyzer.phraseStems(phrase) })));
  }

  /** What this index holds that took work to make, for a snapshot (shared, not copied: treat it as read-only). */
  state(): IndexState {
    return {
      shards: this.shards.map((shard) => ({
        entries: shard.entries.map((e) => ({ id: e.article.id, title: e.title, headings: e.headings, asks: e.asks, framing: e.framing, sayers: e.implied.sayers })),
        postings: shard.postings,
        docStart: shard.docStart,
        docArticle: shard.docArticle,
      })),
      docFrequency: this.docFrequency,
      questionFrequency: this.questionFrequency,
      vocabularyCounts: this.vocabularyCounts,
      exact: this.exact,
    };
  }

  /**
   * The index `state()` gave, for the same articles (the same texts, in the same order) and synonyms:
   * the same index as building it again, without the work. Throws when the state does not fit the
   * articles (an article missing, in another shard, or a shard count that differs).
   */
  static restore(articles: readonly Article[], synonyms: Synonyms, gaps: readonly Gap[], state: IndexState): KnowledgeIndex {
    const index = new KnowledgeIndex(articles, synonyms, gaps, undefined, DEFERRED);
    index.pending = undefined;
    if (state.shards.length !== SHARDS) throw new Error(`the index has ${state.shards.length} shards, not ${SHARDS}`);
    const byId = new Map(articles.map((a) => [a.id, a]));
    let count = 0;
    const shards = state.shards.map((shard, s): Shard => {
      const entries = shard.entries.map((e): ArticleEntry => {
        const a = byId.get(e.id);
        if (!a || shardOf(a.file) !== s) throw new Error(`article "${e.id}" is not in shard ${s}`);
        count += 1;
        return { article: a, ref: `a|${a.id}`, passages: passageEntries(a), title: e.title, headings: e.headings, asks: e.asks, framing: e.framing, implied: new ImpliedWords(e.sayers, synonyms) };
      });
      return entries.length === 0 ? EMPTY_SHARD : { entries, postings: shard.postings, docStart: shard.docStart, docArticle: shard.docArticle };
    });
    if (count !== articles.length) throw new Error(`the index holds ${count} articles, not ${articles.length}`);
    index.docFrequency = new Map(state.docFrequency);
    index.questionFrequency = new Map(state.questionFrequency);
    index.vocabularyCounts = new Map(state.vocabularyCounts);
    index.exact = new Map(state.exact);
    index.place(shards);
    index.finish(gaps);
    return index;
  }

  /** The lists of `exact` this index made itself (the others are shared with the index it was built from). */
  private readonly ownLists = new WeakSet<readonly ExactTarget[]>();

  /** Adds (`by` 1) or takes out (`by` -1) what one article gives the corpus-wide figures. */
  private count(c: Contribution, by: 1 | -1): void {
    for (const s of c.stems) add(this.docFrequency, s, by);
    for (const s of c.asked) add(this.questionFrequency, s, by);
    for (const [w, n] of c.vocabulary) add(this.vocabularyCounts, w, by * n);
    for (const e of c.exact) {
      const list = this.exact.get(e.key);
      if (by === 1) {
        // Lists taken over from a previous index are shared with it: copied once before the first change.
        if (list === undefined) this.exact.set(e.key, [e]);
        else if (this.ownLists.has(list)) (list as ExactTarget[]).push(e);
        else {
          const mine = [...list, e];
          this.ownLists.add(mine);
          this.exact.set(e.key, mine);
        }
        continue;
      }
      const next = (list ?? []).filter((x) => x.article !== e.article);
      if (next.length > 0) {
        this.ownLists.add(next);
        this.exact.set(e.key, next);
      } else this.exact.delete(e.key);
    }
  }

  /** The article (and section) a question asked word for word belongs to: the first in file order. */
  private exactFor(key: string): ExactTarget | undefined {
    const list = this.exact.get(key);
    if (!list) return undefined;
    let best: ExactTarget | undefined;
    let bestAt = Infinity;
    for (const e of list) {
      const at = (this.order.get(e.article) ?? Infinity) * EXACT_SLOTS + e.slot;
      if (at < bestAt) [best, bestAt] = [e, at];
    }
    return best;
  }

  get(id: string): Article | undefined {
    return this.byId.get(id);
  }

  /** A passage of an article, by index. */
  passage(articleId: string, index: number): Passage | undefined {
    return this.entries.get(articleId)?.passages.find((p) => p.passage.index === index)?.passage;
  }

  /** The index form of a phrase's words (typos fixed, synonyms folded, stop words dropped), stemmed. */
  stemsOf(text: string): string[] {
    return this.analyzer.question(text).words.map((w) => stem(w.word));
  }

  /** Stems of the words of a passage's heading (empty for none or a catch-all "More detail"). */
  headingStems(articleId: string, passageIndex: number): ReadonlySet<string> {
    return this.entries.get(articleId)?.headings.get(passageIndex) ?? NO_STEMS;
  }

  /** The stem the index uses for one word already in index form. */
  stem(word: string): string {
    return stem(word);
  }

  /** Whether a word is one of the knowledge base's named terms (a synonym group: BPOS, Lync, SaaS, ...). */
  isTerm(word: string): boolean {
    return this.synonyms.isToken(word) || this.synonyms.words.has(word);
  }

  /**
   * Whether an article says a word through one of its terms, without using the word itself: the seats
   * article says "users" through its term "seats" ("paid users").
   */
  implies(articleId: string, word: string): boolean {
    return this.entries.get(articleId)?.implied.has(stem(word)) ?? false;
  }

  /**
   * Whether a figure counting `counted` (a stem) counts the `unit` a question asks about: the same
   * thing, or a term whose phrases name it ("40 million paid seats" counts paying users).
   */
  sameUnit(unit: string, counted: string): boolean {
    const u = stem(unit);
    // "40 million paid seats" counts paying users; "1,000 customers" does not count seats.
    if (u === counted || this.synonyms.says(counted, u)) return true;
    // "how many people ...": a count of persons (users, students, members) counts people; customers are
    // as often companies.
    return PEOPLE.has(u) && PERSONS_COUNTED.has(counted);
  }

  /** The analyzer partners' words go through (typos, synonyms, stop words). */
  get words(): Analyzer {
    return this.analyzer;
  }

  /** Ranks passages (and so articles) for a partner's question. Never throws on any input. */
  search(question: string, options: SearchOptions = {}): SearchResult {
    const limit = options.limit ?? 5;
    const { words, gap: matched, typed, subject } = this.questionWords(question, options);
    const gap = matched ? { gap: matched.about, gapStems: matched.stems } : {};
    if (!subject) return { words, hits: [], ...gap };

    // The same key as the titles' and alternate questions', but from the typo-corrected words. A
    // follow-up read with the last question ("and for BPOS?" after "can I bill for it?") asks more than
    // its own words: that they match an article's question ("What is BPOS?") is no exact match.
    const exact = options.followUp === true && options.context ? undefined : this.exactFor([...new Set(typed)].sort().join(' '));
    const terms = [...new Set(words.filter((w) => w.kind === 'content' && w.weight > 0).map((w) => stem(w.word)))];
    // Only the articles holding a question word (or the exact match) are candidates, and of those only
    // the ones whose best possible score could still reach the top `limit` are scored in full: the work
    // per question grows with the articles that could answer it, not with the size of the knowledge base.
    const softContext = options.followUp === true;
    const bound = this.bounds(words, terms, softContext);
    const exactAt = exact ? this.position.get(exact.article) : undefined;
    const isExactHit = (h: Hit) => h.exact || h.exactSection !== undefined;
    const score = (at: number) => this.scoreArticle(at, { terms, words, softContext, titled: bound.titled, exact: exactAt === at ? exact : undefined });
    const hits: Hit[] = [];
    const exactHit = exactAt !== undefined ? score(exactAt) : undefined;
    if (exactHit) hits.push(exactHit);
    hits.push(...this.bestByBound(bound, score, limit - hits.length, exactAt));
    // An exact question match always leads; otherwise the best passage's coverage.
    hits.sort((a, b) => Number(isExactHit(b)) - Number(isExactHit(a)) || b.score - a.score || compareIds(a.article.id, b.article.id));
    return { words, hits: hits.filter((h) => h.score > 0 || isExactHit(h)).slice(0, limit), ...gap };
  }

  /**
   * The question's words, weighed, then the context's (marked `context`); the not-covered subject it
   * asks about; its typo-corrected words (for the exact-question key); whether there is anything to search on.
   */
  private questionWords(question: string, options: SearchOptions): { words: WeightedWord[]; gap: { about: string; stems: string[] } | undefined; typed: string[]; subject: boolean } {
    const analyzed = this.analyzer.question(question);
    const around = options.context ? this.analyzer.question(options.context) : undefined;
    const own = dedupe(analyzed.words.map((w) => this.weigh(this.completeName(w))));
    const seen = new Set(own.map((w) => w.word));
    const contextWords = (around?.words ?? [])
      .map((w) => this.weigh(this.completeName(w)))
      .filter((w) => !seen.has(w.word) && seen.add(w.word))
      .map((w) => ({ ...w, context: true }));
    // A follow-up inherits the names it points back to ("when does that launch?" after Office 365),
    // not the rest of the last question ("where is it held?" does not make the next question about venues).
    const contextNames = contextWords.filter((w) => w.anchor || this.synonyms.isToken(w.word)).map((w) => lightStem(w.word));
    const stemsForGaps = options.followUp ? new Set([...analyzed.allStems, ...contextNames]) : analyzed.allStems;
    const gap = this.gaps.find((g) => g.stems.length > 0 && g.stems.every((s) => stemsForGaps.has(s)));
    const subject = own.some((w) => w.kind === 'content') || contextWords.length > 0;
    return { words: [...own, ...contextWords], gap, typed: analyzed.words.map((w) => w.word), subject };
  }

  /** The article at a position scored in full against the question: its passages ranked, its rank. */
  private scoreArticle(
    at: number,
    q: { terms: readonly string[]; words: readonly WeightedWord[]; softContext: boolean; titled: (entry: ArticleEntry) => number; exact: ExactTarget | undefined },
  ): Hit | undefined {
    const entry = this.entryList[at];
    if (!entry) return undefined;
    const matches = this.matchArticle(at, q.terms);
    const articleMatch = matches.get(`a|${entry.article.id}`);
    const passageMatches = entry.passages.map((p) => matches.get(p.ref));
    const passages = entry.passages.map((p, i) => this.scorePassage(entry, p, passageMatches, i, articleMatch, q.words, q.softContext));
    passages.sort((a, b) => b.coverage - a.coverage || a.passage.index - b.passage.index);
    const best = passages[0];
    if (!best) return undefined;
    const { about, asked } = this.aboutness(entry, articleMatch, passageMatches, q.words);
    // The article whose title names what the question names comes first among equals.
    const titled = q.titled(entry);
    const exact = q.exact;
    return {
      article: entry.article,
      score: ABOUT_SHARE * asked + (1 - ABOUT_SHARE) * best.coverage + TITLE_NAME_BONUS * titled,
      coverage: best.coverage,
      about,
      exact: exact !== undefined && exact.section === undefined,
      ...(exact?.section !== undefined ? { exactSection: exact.section } : {}),
      passages,
    };
  }

  /**
   * The `slots` best-scoring articles (other than the one at `skip`), scoring as few as can be. Terms
   * that weigh most first (they are the rarest): after each, the articles it brought are scored best
   * bound first, while their bound can still displace the `slots` best scored so far (a bound equal to
   * the worst of them still wins with an earlier article id, as in the final order); articles holding
   * none of the terms taken so far are left unseen once even the best of them could not.
   */
  private bestByBound(bound: Bounds, score: (at: number) => Hit | undefined, slots: number, skip: number | undefined): Hit[] {
    const kept: Hit[] = [];
    const rankOf = (h: Hit) => this.idRank[this.position.get(h.article.id) ?? -1] ?? -1;
    const beaten = (ub: number, rank?: number) => {
      const worst = kept.length >= slots ? kept[slots - 1] : undefined;
      if (worst === undefined) return false;
      if (ub + BOUND_SLACK < worst.score) return true;
      return rank !== undefined && ub - BOUND_SLACK <= worst.score && rank > rankOf(worst);
    };
    const visited = new Uint8Array(this.entryList.length);
    if (skip !== undefined) visited[skip] = 1;
    const arranged = this.boundOrder;
    for (let i = 0; i < bound.order.length && slots > 0; i += 1) {
      if (i > 0 && beaten(bound.rest(i))) break;
      // The articles it brings, best bound first (in buckets of near-equal bounds, each bucket in the final
      // order among equal scores: once one is beaten on its id, those after it with the same bound are too).
      const count = arranged.arrange(this.termArticles(bound.order[i] as string).articles, visited, bound.of);
      let bucket = -1;
      for (let j = 0; j < count; j += 1) {
        const at = arranged.order[j] as number;
        if (arranged.bucketOf(at) !== bucket) {
          bucket = arranged.bucketOf(at);
          if (beaten(arranged.ceilingOf(at))) break;
        }
        if (beaten(arranged.boundAt[at] as number, this.idRank[at] as number)) continue;
        const hit = score(at);
        if (!hit || hit.score <= 0) continue;
        // Into its place in the order kept (best first; equal scores by article id), without sorting.
        kept.push(hit);
        for (let k = kept.length - 1; k > 0; k -= 1) {
          const ahead = kept[k - 1] as Hit;
          if ((ahead.score - hit.score || compareIds(hit.article.id, ahead.article.id)) >= 0) break;
          kept[k] = ahead;
          kept[k - 1] = hit;
        }
        if (kept.length > slots) kept.pop();
      }
    }
    return kept;
  }

  /**
   * Share of the question's weight in the article's title, questions, section questions and tags
   * (`about`), and the same counting the question words too (`asked`, for the rank).
   */
  private aboutness(
    entry: ArticleEntry,
    articleMatch: Map<string, Set<string>> | undefined,
    passageMatches: readonly (Map<string, Set<string>> | undefined)[],
    words: readonly WeightedWord[],
  ): { about: number; asked: number } {
    let covered = 0;
    let total = 0;
    let askedCovered = 0;
    let askedTotal = 0;
    // A question with no subject of its own ("why does that matter?") is about what its context is about,
    // not whichever article asks "why".
    const subject = words.some((w) => w.kind === 'content' && !w.context && w.weight > 0);
    for (const w of words) {
      if (w.context || (w.kind !== 'content' && !subject)) continue;
      const s = stem(w.word);
      const inQuestions = articleMatch?.get('title')?.has(s) === true || articleMatch?.get('questions')?.has(s) === true || passageMatches.some((m) => m?.get('section')?.has(s) || m?.get('heading')?.has(s));
      // A question word says which kind of question it is ("why ..."): an article whose questions ask
      // the same kind ranks a little higher (the rarer the kind in the knowledge base, the more).
      if (w.kind !== 'content') {
        const weight = this.hintWeight(w.word);
        if (entry.asks.has(s)) askedCovered += weight;
        askedTotal += weight;
        continue;
      }
      const credit = inQuestions ? 1 : articleMatch?.get('tags')?.has(s) ? CREDIT.tags : 0;
      covered += w.weight * credit;
      total += w.weight;
    }
    return {
      about: total > 0 ? covered / total : 0,
      asked: total > 0 ? (covered + askedCovered) / (total + askedTotal) : 0,
    };
  }

  /**
   * For each of the article's lunr documents that holds a question word, the stems of the question
   * words it holds, by field. Only words that weigh something are looked up (`terms`): an everyday word
   * ("good", "name") or a question word cannot change the ranking.
   */
  private matchArticle(at: number, terms: readonly string[]): Map<string, Map<string, Set<string>>> {
    // The postings are read directly rather than through `Index.query`: only which documents hold which
    // words is needed, not lunr's own scores, which it would compute (and sort) for every document found.
    const out = new Map<string, Map<string, Set<string>>>();
    const entry = this.entryList[at];
    if (!entry) return out;
    const shard = this.shards[this.shardAt[at] as number];
    if (!shard) return out;
    const start = shard.docStart[at - (this.shardBase[this.shardAt[at] as number] as number)] as number;
    const end = start + 1 + entry.passages.length;
    const { offsets, docs } = shard.postings;
    for (const term of terms) {
      const t = shard.postings.terms.get(term);
      if (t === undefined) continue;
      FIELDS.forEach((field, f) => {
        const to = offsets[t * FIELDS.length + f + 1] as number;
        for (let j = lowerBound(docs, start, offsets[t * FIELDS.length + f] as number, to); j < to && (docs[j] as number) < end; j += 1) {
          const doc = docs[j] as number;
          const ref = doc === start ? entry.ref : (entry.passages[doc - start - 1]?.ref ?? '');
          let byField = out.get(ref);
          if (!byField) {
            byField = new Map();
            out.set(ref, byField);
          }
          byField.set(field, (byField.get(field) ?? new Set()).add(term));
        }
      });
    }
    return out;
  }

  /** Where (`IN_...` flags) each article holds a term, by position, for the terms looked up most recently. */
  private readonly recentFlags = new LRUCache<string, Uint8Array>({ max: MAX_DENSE });
  /** No article holds it. */
  private get noFlags(): Uint8Array {
    if (this.noFlagsArray?.length !== this.entryList.length) this.noFlagsArray = new Uint8Array(this.entryList.length);
    return this.noFlagsArray;
  }
  private noFlagsArray: Uint8Array | undefined;

  /** `denseFlags` of a term, remembered for the `MAX_DENSE` terms looked up most recently. */
  private denseFlags(term: string): Uint8Array {
    let d = this.recentFlags.get(term);
    if (!d) this.recentFlags.set(term, (d = denseFlags(this.termArticles(term), this.entryList.length)));
    return d;
  }

  /** For each word said through terms (a stem), the articles that say it (1 at their position), remembered. */
  private readonly impliedCache = new Map<string, Uint8Array>();
  /** For each term whose phrases say other words (its stem), the articles that use it, by position. */
  private sayerArticles: Map<string, number[]> | undefined;

  /**
   * Which articles (by position) say a word through one of their terms (`ImpliedWords.has`), from the
   * articles each term is used by. Only words of some synonym phrase are asked for, so few are kept.
   */
  private impliedBy(stemmed: string): Uint8Array {
    const known = this.impliedCache.get(stemmed);
    if (known) return known;
    if (!this.sayerArticles) {
      const byTerm = new Map<string, number[]>();
      this.entryList.forEach((entry, at) => {
        for (const t of entry.implied.sayers) {
          const list = byTerm.get(t);
          if (list) list.push(at);
          else byTerm.set(t, [at]);
        }
      });
      this.sayerArticles = byTerm;
    }
    const out = new Uint8Array(this.entryList.length);
    for (const [t, list] of this.sayerArticles) if (this.synonyms.wordsSaidBy(t).has(stemmed)) for (const at of list) out[at] = 1;
    this.impliedCache.set(stemmed, out);
    return out;
  }

  /** For each question word (a stem), the articles whose questions ask with it (1 at their position), remembered. */
  private readonly askingCache = new Map<string, Uint8Array>();

  private askingWith(stemmed: string): Uint8Array {
    const known = this.askingCache.get(stemmed);
    if (known) return known;
    const out = Uint8Array.from(this.entryList, (entry) => (entry.asks.has(stemmed) ? 1 : 0));
    this.askingCache.set(stemmed, out);
    return out;
  }

  /** The articles that hold a term, from lunr's postings, remembered. */
  private termArticles(term: string): TermArticles {
    const known = this.termCache.get(term);
    if (known) return known;
    // Gathered by position (an everyday word is in thousands of articles), then read off in order.
    const byPosition = new Uint8Array(this.entryList.length);
    let count = 0;
    this.shards.forEach((shard, s) => {
      const t = shard.postings.terms.get(term);
      if (t === undefined) return;
      const { offsets, docs } = shard.postings;
      const base = this.shardBase[s] as number;
      FIELDS.forEach((field, f) => {
        const bit = FIELD_FLAGS[field];
        const to = offsets[t * FIELDS.length + f + 1] as number;
        for (let j = offsets[t * FIELDS.length + f] as number; j < to; j += 1) {
          const at = base + (shard.docArticle[docs[j] as number] as number);
          if (byPosition[at] === 0) count += 1;
          byPosition[at] = (byPosition[at] as number) | bit;
        }
      });
    });
    const articles = new Int32Array(count);
    const flags = new Uint8Array(count);
    for (let at = 0, k = 0; k < count; at += 1) {
      if (byPosition[at] === 0) continue;
      articles[k] = at;
      flags[k] = byPosition[at] as number;
      k += 1;
    }
    const found = { articles, flags };
    this.termCache.set(term, found);
    return found;
  }

  /**
   * What the bounds weigh: the question's weight (its own words, the context's, the question words'),
   * each weighty content word, each question word, and what each weighty stem can add to a score.
   */
  private boundWeights(words: readonly WeightedWord[]) {
    const subject = words.some((w) => w.kind === 'content' && !w.context && w.weight > 0);
    let total = 0;
    let contextTotal = 0;
    let hintTotal = 0;
    const weighty: { stem: string; weight: number; context: boolean }[] = [];
    const hints: { stem: string; weight: number }[] = [];
    const value = new Map<string, number>();
    for (const w of words) {
      if (w.kind === 'content') {
        if (w.context) contextTotal += w.weight * CONTEXT_WEIGHT;
        else total += w.weight;
        const s = stem(w.word);
        if (w.weight > 0) {
          weighty.push({ stem: s, weight: w.weight, context: w.context === true });
          value.set(s, (value.get(s) ?? 0) + w.weight * (w.context ? CONTEXT_WEIGHT : 1));
        }
      } else if (!w.context && subject) {
        const weight = this.hintWeight(w.word);
        hintTotal += weight;
        hints.push({ stem: stem(w.word), weight });
      }
    }
    return { total, contextTotal, hintTotal, weighty, hints, value };
  }

  /**
   * Upper bounds of the score `search` gives an article: every question word the article holds (in
   * lunr's postings) counted as in the passage itself, every one in its title, questions, tags, heading or
   * section questions as fully about it, and one it only says through a term (`implied`) at that credit.
   */
  private bounds(words: readonly WeightedWord[], terms: readonly string[], softContext: boolean): Bounds {
    const { total, contextTotal, hintTotal, weighty, hints, value } = this.boundWeights(words);
    // The bound of every article holding the first word is taken (thousands for an everyday word), so
    // what it reads is laid out by position beforehand: where each weighty word is in each article, which
    // articles say it through a term, which ask with each question word, which name the question's names
    // in their title. A title's stems are its title field's terms (both are the stems of its index words).
    const dense = new Map<string, Uint8Array>();
    const flagsOf = (t: string) => {
      let d = dense.get(t);
      if (!d) dense.set(t, (d = this.denseFlags(t)));
      return d;
    };
    for (const t of terms) flagsOf(t);
    const none = this.noFlags;
    const flags = weighty.map((w) => dense.get(w.stem) ?? none);
    const weights = Float64Array.from(weighty, (w) => w.weight);
    const inContext = Uint8Array.from(weighty, (w) => (w.context ? 1 : 0));
    // Only a word of some synonym phrase can be said through a term (`implied`).
    const implied = weighty.map((w) => (this.phraseWords.has(w.stem) ? this.impliedBy(w.stem) : none));
    const hintWeights = Float64Array.from(hints, (h) => h.weight);
    const asking = hints.map((h) => this.askingWith(h.stem));
    const names = words.filter((w) => w.anchor && !w.context && !w.everywhere).map((w) => stem(w.word));
    const nameFlags = names.map(flagsOf);
    const titled = (entry: ArticleEntry) => {
      let named = 0;
      for (const s of names) if (entry.title.has(s)) named += 1;
      return names.length > 0 ? named / names.length : 0;
    };
    const titledAt = (at: number) => {
      let named = 0;
      for (const f of nameFlags) if (((f[at] as number) & IN_TITLE) !== 0) named += 1;
      return names.length > 0 ? named / names.length : 0;
    };
    /** The score from the weight of the words present (as coverage, in the context, as aboutness). */
    const score = (present: number, presentContext: number, about: number, asked: number, titledShare: number): number => {
      const coverageTotal = softContext ? total + contextTotal : total + presentContext;
      const coverage = coverageTotal > 0 ? Math.min(1, (present + presentContext) / coverageTotal) : 0;
      const aboutness = total > 0 ? Math.min(1, (about + asked) / (total + hintTotal)) : 0;
      return ABOUT_SHARE * aboutness + (1 - ABOUT_SHARE) * coverage + TITLE_NAME_BONUS * titledShare;
    };
    const order = [...value.keys()].sort((a, b) => (value.get(b) ?? 0) - (value.get(a) ?? 0));
    return {
      order,
      titled,
      of: (at) => {
        if (at < 0 || at >= this.entryList.length) return 0;
        let asked = 0;
        for (let h = 0; h < asking.length; h += 1) if ((asking[h] as Uint8Array)[at] === 1) asked += hintWeights[h] as number;
        let present = 0;
        let presentContext = 0;
        let about = 0;
        for (let k = 0; k < weights.length; k += 1) {
          const f = (flags[k] as Uint8Array)[at] as number;
          const weight = weights[k] as number;
          // No word given: at most what it says through a term.
          const coverage = f === 0 ? ((implied[k] as Uint8Array)[at] === 1 ? CREDIT.implied : 0) : (BOUND_COVERAGE[f] as number);
          if (inContext[k] === 1) presentContext += weight * coverage * CONTEXT_WEIGHT;
          else {
            present += weight * coverage;
            about += weight * (BOUND_ABOUT[f] as number);
          }
        }
        return score(present, presentContext, about, asked, titledAt(at));
      },
      rest: (taken) => {
        const without = new Set(order.slice(0, taken));
        const titledShare = names.length > 0 ? names.filter((s) => !without.has(s)).length / names.length : 0;
        let present = 0;
        let presentContext = 0;
        let about = 0;
        for (const w of weighty) {
          const coverage = without.has(w.stem) ? CREDIT.implied : 1;
          if (w.context) presentContext += w.weight * coverage * CONTEXT_WEIGHT;
          else {
            present += w.weight * coverage;
            about += without.has(w.stem) ? 0 : w.weight;
          }
        }
        return score(present, presentContext, about, hintTotal, titledShare);
      },
    };
  }


  private scorePassage(
    entry: ArticleEntry,
    p: PassageEntry,
    passageMatches: readonly (Map<string, Set<string>> | undefined)[],
    i: number,
    articleMatch: Map<string, Set<string>> | undefined,
    words: readonly WeightedWord[],
    softContext: boolean,
  ): PassageHit {
    const mine = passageMatches[i];
    const views = this.views;
    const has = holds;
    const heading = entry.headings.get(p.passage.index);
    // Made when a word goes in: most passages hold few of the question's words.
    let own: Set<string> | undefined;
    let framed: Set<string> | undefined;
    let elsewhere: Set<string> | undefined;
    let described: Set<string> | undefined;
    let covered = 0;
    let total = 0;
    let sectioned = 0;
    let asked = 0;
    for (const w of words) {
      if (w.kind !== 'content') continue;
      const s = stem(w.word);
      if (!w.context) {
        asked += w.weight;
        if (has(mine, SECTION_FIELDS, s)) sectioned += w.weight;
      }
      let credit = 0;
      if (has(mine, PASSAGE_FIELDS, s)) {
        credit = CREDIT.own;
        (own ??= new Set()).add(w.word);
      } else if (entry.title.has(s) || heading?.has(s)) {
        credit = CREDIT.title;
        (framed ??= new Set()).add(w.word);
      } else if (has(articleMatch, QUESTIONS_FIELD, s)) {
        credit = CREDIT.questions;
        (elsewhere ??= new Set()).add(w.word);
        (described ??= new Set()).add(w.word);
      } else if (has(articleMatch, TAGS_FIELD, s)) {
        credit = CREDIT.tags;
        (elsewhere ??= new Set()).add(w.word);
        (described ??= new Set()).add(w.word);
      } else if (passageMatches.some((m, k) => k !== i && has(m, PASSAGE_FIELDS, s))) {
        credit = CREDIT.elsewhere;
        (elsewhere ??= new Set()).add(w.word);
      } else if (entry.implied.has(s)) {
        // Said through one of the article's terms ("users": the article counts "paid seats").
        credit = CREDIT.implied;
        (elsewhere ??= new Set()).add(w.word);
      }
      if (w.context) {
        // Context around a question can only help: it counts when the passage has it, and is ignored
        // otherwise. The last question of the conversation counts both ways, at half weight.
        if (softContext) {
          covered += w.weight * credit * CONTEXT_WEIGHT;
          total += w.weight * CONTEXT_WEIGHT;
        } else if (credit > 0) {
          covered += w.weight * credit * CONTEXT_WEIGHT;
          total += w.weight * credit * CONTEXT_WEIGHT;
        }
        continue;
      }
      covered += w.weight * credit;
      total += w.weight;
    }
    return new ScoredPassage(entry.article, p, views, total > 0 ? covered / total : 0, own ?? NO_STEMS, framed ?? NO_STEMS, elsewhere ?? NO_STEMS, described ?? NO_STEMS, asked > 0 ? sectioned / asked : 0);
  }

  /** A word no article uses that belongs to one synonym group's phrases stands for that group. */
  private completeName(w: QueryWord): QueryWord {
    if (w.kind === 'hint' || this.docFrequency.has(stem(w.word))) return w;
    const token = this.synonyms.groupOfWord(w.word);
    return token ? { ...w, word: token, typed: w.typed ?? w.word, guessed: true } : w;
  }

  /** What a question word (why, who, when) counts towards an article's aboutness. */
  private hintWeight(word: string): number {
    const n = this.articles.length;
    const df = this.questionFrequency.get(stem(word)) ?? 0;
    return df === 0 ? 0 : HINT_SHARE * Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** `weigh`, remembered: a word's weight depends only on the word, how it was typed and the knowledge base. */
  private weigh(w: QueryWord): WeightedWord {
    const key = `${w.kind}|${w.guessed === true ? 1 : 0}|${w.word}|${w.typed ?? ''}`;
    const known = this.weights.get(key);
    if (known) return known;
    if (this.weights.size >= MAX_WEIGHTS) this.weights.clear();
    const weighed = this.weighWord(w);
    this.weights.set(key, weighed);
    return weighed;
  }

  private weighWord(w: QueryWord): WeightedWord {
    const n = this.articles.length;
    const df = this.docFrequency.get(stem(w.word)) ?? 0;
    const idf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
    const group = this.synonyms.isToken(w.word);
    const typed = w.typed ?? w.word;
    const spec = group ? Math.max(specificity(w.word), this.synonyms.specificityOf(w.word, specificity)) : Math.min(specificity(w.word), specificity(typed));
    const kind = QUESTION_QUALIFIERS.get(w.typed ?? w.word) ?? QUESTION_QUALIFIERS.get(w.word);
    // A guess from part of a term's phrase ("alternative" for competitors) counts for less than the term.
    const guess = w.guessed === true ? GUESS_WEIGHT : 1;
    const detail = /^\d+x?$/.test(w.word) || TIME_WORDS.has(w.word) || (kind !== undefined && FIGURE_KINDS.has(kind)) ? DETAIL_WEIGHT : 1;
    const weight = w.kind === 'hint' ? 0 : (df > 0 ? idf(df) * (0.4 + 0.6 * spec) * (spec === 0 ? 0 : 1) : UNKNOWN_WEIGHT * spec) * detail * guess;
    const nameLike = group ? this.synonyms.isNamed(w.word, isNameLike) : isNameLike(w.word) && isNameLike(typed);
    return {
      ...w,
      known: df > 0,
      weight,
      nameLike: w.kind === 'content' && nameLike,
      specificity: spec,
      anchor: df > 0 && w.kind === 'content' && nameLike && !w.guessed,
      everywhere: df >= EVERYWHERE * n,
    };
  }
}

/**
 * Dictionary words that people actually use (the subtitle counts have them): never read as typos. A
 * word the dictionary lists but nobody says ("biling") is far likelier a typo ("billing").
 */
const wordsInUse = { has: (word: string) => englishWords().has(word) && wordUse(word).rank !== undefined };

/** Words that count persons in general, and the stems of things counted that are persons. */
const PEOPLE = new Set(['people', 'peopl', 'person', 'individu']);
const PERSONS_COUNTED = new Set(['user', 'student', 'subscrib', 'member', 'attende', 'employe', 'peopl', 'person']);

/** Months and seasons, weighed as details; "may" is left out (in a question, nearly always the verb). */
const TIME_WORDS: ReadonlySet<string> = new Set([...MONTHS, ...SEASONS].filter((w) => w !== 'may'));

/** The order of article ids among equal scores: `localeCompare`'s, at a fraction of its cost per comparison. */
const compareIds = new Intl.Collator().compare;

/** Where in each article (by position) a term is (`IN_...` flags; 0 where it is not). */
function denseFlags(list: TermArticles, articles: number): Uint8Array {
  const out = new Uint8Array(articles);
  for (let i = 0; i < list.articles.length; i += 1) out[list.articles[i] as number] = list.flags[i] as number;
  return out;
}

/**
 * The most a word can give an article that holds it where `f` says (`IN_...` flags, not 0): as a
 * passage's coverage (`scorePassage`: in the passage, full credit; else in the title or a heading, which
 * frame every passage, then its questions, then its tags), and towards the article's aboutness
 * (`aboutness`). A word in a heading is in that passage's heading field, so without `IN_PASSAGE` the word
 * frames a passage only through the title. A word said through a term gives no more than one anywhere
 * in the article, so it counts only where the article does not use the word.
 */
const BOUND_COVERAGE = Float64Array.from({ length: 32 }, (_, f) =>
  (f & IN_PASSAGE) !== 0 ? CREDIT.own : (f & IN_TITLE) !== 0 ? CREDIT.title : (f & IN_QUESTIONS) !== 0 ? CREDIT.questions : (f & IN_TAGS) !== 0 ? CREDIT.tags : 0,
);
const BOUND_ABOUT = Float64Array.from({ length: 32 }, (_, f) => ((f & (IN_TITLE | IN_QUESTIONS | IN_SECTION)) !== 0 ? 1 : (f & IN_TAGS) !== 0 ? CREDIT.tags : 0));

/** Whether two lists of shards hold the same article ids in the same places. */
function samePlaces(a: readonly Shard[], b: readonly Shard[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((shard, s) => {
    const other = b[s];
    if (shard === other) return true;
    if (!other || other.entries.length !== shard.entries.length) return false;
    return shard.entries.every((e, k) => other.entries[k]?.article.id === e.article.id);
  });
}

/** The first index in `sorted[from..to]` (ascending) whose value is at least `value` (`to` if none). */
function lowerBound(sorted: Int32Array, value: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a document's matches (stems by field) hold a stem in one of the fields. */
function holds(m: Map<string, Set<string>> | undefined, fields: readonly string[], s: string): boolean {
  if (!m) return false;
  for (const f of fields) if (m.get(f)?.has(s) === true) return true;
  return false;
}

function dedupe(words: WeightedWord[]): WeightedWord[] {
  const seen = new Set<string>();
  return words.filter((w) => !seen.has(w.word) && seen.add(w.word));
}

/**
 * A document's lunr ref: its number behind a letter. lunr files a posting's documents in an object under
 * their refs; a bare number there would be an array index, and V8 backs an object's array indices with an
 * array as long as the largest index, so each term would cost memory in proportion to the shard's size.
 */
function docRef(n: number): string {
  return `d${n}`;
}

/** The shard of an article's file (FNV-1a of its path): the same in every build. */
function shardOf(file: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i += 1) {
    h ^= file.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}

function add(counts: EditableMap<number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/** What one article gives the corpus-wide figures (worked out again, from the article, to take it out). */
function contribution(a: Article, plain: Analyzer): Contribution {
  const text = [a.title, ...a.questions, ...a.tags, ...a.passages.map((p) => `${p.heading ?? ''} ${p.lead ?? ''} ${p.text}`), ...a.sections.flatMap((s) => s.questions)].join('\n');
  const stems = new Set(plain.passageWords(text).map(stem));
  const asked = new Set([a.title, ...a.questions, ...a.sections.flatMap((x) => x.questions)].flatMap((q) => plain.indexWords(q)).filter((w) => QUESTION_WORDS.has(w)).map(stem));
  // Every surface word, so spelling correction has targets.
  const vocabulary = new Map<string, number>();
  for (const w of splitWords([a.title, ...a.questions, ...a.tags, a.shortAnswer, a.details, ...a.sections.flatMap((s) => s.questions)].join('\n'))) add(vocabulary, w, 1);
  const exact: ExactTarget[] = [];
  let slot = 0;
  const key = (text: string, section?: string) => {
    const k = plain.key(text);
    if (k !== '') exact.push({ key: k, article: a.id, slot, ...(section !== undefined ? { section } : {}) });
    slot += 1;
  };
  for (const text of [a.title, ...a.questions]) key(text);
  for (const s of a.sections) for (const q of s.questions) key(q, s.heading);
  return { stems, asked, vocabulary, exact };
}

function passageEntries(a: Article): PassageEntry[] {
  return a.passages.map((p) => ({ ref: `p|${a.id}|${p.index}`, article: a, passage: p }));
}

/**
 * The words an article says through its terms without using them ("paid seats" says users): the words
 * of the phrases of each term it uses, looked up in the synonyms rather than copied for every article.
 */
class ImpliedWords {
  constructor(
    /** The stems of the article's terms whose phrases say other words. */
    readonly sayers: readonly string[],
    private readonly synonyms: Synonyms,
  ) {}

  has(stemmed: string): boolean {
    for (const t of this.sayers) if (this.synonyms.wordsSaidBy(t).has(stemmed)) return true;
    return false;
  }
}

/** What search keeps about an article besides its postings. */
function entryOf(a: Article, c: Contribution, plain: Analyzer, synonyms: Synonyms): ArticleEntry {
  const stemsOf = (text: string) => new Set(plain.indexWords(text).map(stem));
  const passages = passageEntries(a);
  const headings = new Map<number, ReadonlySet<string>>();
  for (const p of a.passages) {
    const heading = p.heading !== undefined && !isGenericHeading(p.heading) ? p.heading : '';
    if (heading) headings.set(p.index, stemsOf(heading));
  }
  const title = stemsOf(a.title);
  return {
    article: a,
    ref: `a|${a.id}`,
    passages,
    title,
    headings,
    asks: c.asked,
    framing: new Set([...title, ...[...headings.values()].flatMap((h) => [...h])]),
    implied: new ImpliedWords(
      [...c.stems].filter((s) => synonyms.wordsSaidBy(s).size > 0),
      synonyms,
    ),
  };
}

/**
 * lunr builds one shard's inverted index, kept in a compact form (document numbers, see `Postings`):
 * lunr's own form (an object per term, field and document) and the vectors and token set `build()`
 * makes for lunr's own scoring, which this index does not use, would cost most of the time and memory
 * of a large knowledge base.
 */
function* buildShard(entries: readonly ArticleEntry[], plain: Analyzer): Generator<void, Shard, void> {
  if (entries.length === 0) return EMPTY_SHARD;
  const docStart = new Int32Array(entries.length + 1);
  const docArticle: number[] = [];
  let docs = 0;
  entries.forEach((entry, k) => {
    docStart[k] = docs;
    docs += 1 + entry.passages.length;
    for (let d = 0; d <= entry.passages.length; d += 1) docArticle.push(k);
  });
  docStart[entries.length] = docs;
  // Each field's words go in stemmed (by the same Porter stemmer lunr's pipeline runs, remembered) and
  // once each: only which documents hold a term is read, never how often.
  const terms = (words: readonly string[]) => [...new Set(words.map((w) => stem(w.toLowerCase())))];
  const builderFor = (fields: readonly string[]) => {
    const builder = new lunr.Builder();
    builder.ref('id');
    for (const field of fields) builder.field(field);
    return builder;
  };
  // An article's own document and its passages' have no field in common: one builder for each kind.
  const articleBuilder = builderFor(['title', 'questions', 'tags']);
  const passageBuilder = builderFor(['text', 'heading', 'section']);
  for (let k = 0; k < entries.length; k += 1) {
    yield;
    const entry = entries[k] as ArticleEntry;
    const a = entry.article;
    const start = docStart[k] as number;
    articleBuilder.add({
      id: docRef(start),
      title: terms(plain.indexWords(a.title)),
      questions: terms(a.questions.flatMap((q) => plain.indexWords(q))),
      tags: terms(a.tags.flatMap((t) => plain.indexWords(t))),
    });
    entry.passages.forEach((pe, i) => {
      const p = pe.passage;
      const heading = p.heading !== undefined && !isGenericHeading(p.heading) ? p.heading : '';
      const section = a.sections.find((x) => x.heading === p.heading)?.questions ?? [];
      passageBuilder.add({
        id: docRef(start + 1 + i),
        text: terms(plain.passageWords(`${p.lead ?? ''} ${p.text}`)),
        heading: terms(plain.indexWords(heading)),
        section: terms(section.flatMap((q) => plain.indexWords(q))),
      });
    });
  }
  // Each term's documents, field by field, in one array: lunr keeps a posting's documents under their
  // refs, which an object lists in the order they were added (ascending: documents go in in order).
  type Inverted = Record<string, Partial<Record<string, Record<string, unknown>>>>;
  const inverted = [articleBuilder.invertedIndex, passageBuilder.invertedIndex] as unknown as Inverted[];
  const byArticle = inverted[0] as Inverted;
  const byPassage = inverted[1] as Inverted;
  const termList = [...new Set([...Object.keys(byArticle), ...Object.keys(byPassage)])];
  const termNumbers = new Map<string, number>();
  const offsets = new Int32Array(termList.length * FIELDS.length + 1);
  const all: number[] = [];
  for (let t = 0; t < termList.length; t += 1) {
    if (t % 500 === 499) yield;
    const term = termList[t] as string;
    termNumbers.set(term, t);
    FIELDS.forEach((field, f) => {
      offsets[t * FIELDS.length + f] = all.length;
      const held = (f < 3 ? byArticle : byPassage)[term]?.[field];
      if (held) for (const ref of Object.keys(held)) all.push(Number(ref.slice(1)));
    });
  }
  offsets[termList.length * FIELDS.length] = all.length;
  const postings: Postings = { terms: termNumbers, offsets, docs: Int32Array.from(all) };
  return { entries, postings, docStart, docArticle: Int32Array.from(docArticle) };
}
