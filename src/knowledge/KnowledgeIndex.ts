import lunr from 'lunr';
import type { Article } from './Article';
import { Analyzer, type QueryWord } from './Analyzer';
import { englishWords } from './englishWords';
import { Spelling } from './Spelling';
import type { Gap } from './contentFiles';
import type { Synonyms } from './Synonyms';
import { QUESTION_WORDS, STOP_WORDS, splitWords, stem } from './words';

/** A question word with its weight: how much it says about which article is meant. */
export interface WeightedWord extends QueryWord {
  /** Inverse document frequency; words the knowledge base has never seen weigh as much as its rarest. */
  readonly weight: number;
  /** Whether any article contains the word. */
  readonly known: boolean;
}

export interface Hit {
  readonly article: Article;
  /** lunr's relevance score (BM25 with field boosts); only comparable within one search. */
  readonly score: number;
  /** Share (0..1) of the question's content weight that this article contains. */
  readonly coverage: number;
  /** The question is, word for word, the article's title or one of its alternate questions. */
  readonly exact: boolean;
}

export interface SearchResult {
  readonly words: readonly WeightedWord[];
  /** What the question asks that the sources are known not to cover (from `not-covered.yaml`). */
  readonly gap?: string;
  /** Best first. Empty when the question has no content words. */
  readonly hits: readonly Hit[];
}

/** Field boosts: alternate questions and title above tags above the body (short answer, then the rest). */
const FIELDS = { questions: 10, title: 8, tags: 4, answer: 2, details: 1 } as const;
/**
 * A question word found only in an article's details (its fine print, often "the source does not
 * cover X") is weaker evidence that the article answers the question than one found in its title,
 * alternate questions, tags or short answer.
 */
const DETAILS_ONLY_CREDIT = 0.4;
const HINT_BOOST = 0.25;
/**
 * Weight of a word no article contains. High enough that a question about something else
 * ("price", "weather") is not answered from the words it shares with an article, low enough that one
 * unfamiliar word beside strong ones still reaches "did you mean".
 */
const UNKNOWN_WEIGHT = 1.0;

/**
 * The searchable knowledge base. This is the only module that touches lunr. Partner text is never
 * given to lunr's query parser (which throws on `:` `~` `^` and treats `-` `+` `*` as operators): it is
 * split into words first and each word becomes a plain term clause.
 */
export class KnowledgeIndex {
  private readonly index: lunr.Index;
  private readonly analyzer: Analyzer;
  private readonly byId: ReadonlyMap<string, Article>;
  private readonly exact = new Map<string, string>();
  private readonly docFrequency = new Map<string, number>();
  private readonly gaps: readonly { about: string; stems: string[] }[];

  constructor(
    readonly articles: readonly Article[],
    private readonly synonyms: Synonyms,
    gaps: readonly Gap[] = [],
  ) {
    this.byId = new Map(articles.map((a) => [a.id, a]));
    const plain = new Analyzer(synonyms);
    const docs = articles.map((a) => ({
      id: a.id,
      title: plain.indexWords(a.title),
      questions: a.questions.flatMap((q) => plain.indexWords(q)),
      tags: a.tags.flatMap((t) => plain.indexWords(t)),
      answer: plain.indexWords(a.shortAnswer),
      details: plain.indexWords(a.details),
    }));

    for (const d of docs) {
      const stems = new Set([...d.title, ...d.questions, ...d.tags, ...d.answer, ...d.details].map(stem));
      for (const s of stems) this.docFrequency.set(s, (this.docFrequency.get(s) ?? 0) + 1);
    }
    this.analyzer = new Analyzer(synonyms, new Spelling(vocabulary(articles, synonyms), [...QUESTION_WORDS, ...STOP_WORDS], englishWords()));
    for (const a of articles) {
      for (const text of [a.title, ...a.questions]) {
        const key = this.analyzer.key(text);
        if (key !== '' && !this.exact.has(key)) this.exact.set(key, a.id);
      }
    }
    this.gaps = gaps.flatMap((g) => g.asks.map((phrase) => ({ about: g.about, stems: this.analyzer.phraseStems(phrase) })));
    this.index = lunr(function build() {
      this.pipeline.reset();
      this.searchPipeline.reset();
      this.pipeline.add(lunr.stemmer);
      this.searchPipeline.add(lunr.stemmer);
      this.ref('id');
      for (const [field, boost] of Object.entries(FIELDS)) this.field(field, { boost });
      for (const d of docs) this.add(d);
    });
  }

  get(id: string): Article | undefined {
    return this.byId.get(id);
  }

  /** Ranks articles for a partner's question. Never throws on any input. */
  search(question: string, limit = 5): SearchResult {
    const analyzed = this.analyzer.question(question);
    const words = dedupe(analyzed.words.map((w) => this.weigh(this.completeName(w))));
    const content = words.filter((w) => w.kind === 'content');
    const gap = this.gaps.find((g) => g.stems.length > 0 && g.stems.every((s) => analyzed.allStems.has(s)))?.about;
    if (content.length === 0) return { words, hits: [], ...(gap ? { gap } : {}) };

    const total = content.reduce((sum, w) => sum + w.weight, 0);
    const results = this.index.query((q) => {
      for (const w of words) {
        q.term(w.word, { boost: w.kind === 'hint' ? HINT_BOOST : 1, presence: lunr.Query.presence.OPTIONAL });
      }
    });
    // The same key as the titles' and alternate questions', but from the typo-corrected words.
    const exactId = this.exact.get([...new Set(analyzed.words.map((w) => w.word))].sort().join(' '));
    const hits: Hit[] = [];
    for (const r of results) {
      const article = this.byId.get(r.ref);
      if (!article) continue;
      const matched = r.matchData.metadata as Record<string, Record<string, unknown> | undefined>;
      const covered = content.reduce((sum, w) => sum + w.weight * credit(matched[stem(w.word)]), 0);
      hits.push({ article, score: r.score, coverage: total > 0 ? covered / total : 0, exact: article.id === exactId });
    }
    // An exact question match always leads; otherwise lunr's order stands.
    hits.sort((a, b) => Number(b.exact) - Number(a.exact));
    return { words, hits: hits.slice(0, limit), ...(gap ? { gap } : {}) };
  }

  /** A word no article uses that belongs to one synonym group's phrases stands for that group. */
  private completeName(w: QueryWord): QueryWord {
    if (w.kind === 'hint' || this.docFrequency.has(stem(w.word))) return w;
    const token = this.synonyms.groupOfWord(w.word);
    return token ? { ...w, word: token, typed: w.typed ?? w.word } : w;
  }

  private weigh(w: QueryWord): WeightedWord {
    const n = this.articles.length;
    const df = this.docFrequency.get(stem(w.word)) ?? 0;
    const idf = (d: number) => Math.log(1 + (n - d + 0.5) / (d + 0.5));
    return { ...w, known: df > 0, weight: df > 0 ? idf(df) : UNKNOWN_WEIGHT };
  }
}

function dedupe(words: WeightedWord[]): WeightedWord[] {
  const seen = new Set<string>();
  return words.filter((w) => !seen.has(w.word) && seen.add(w.word));
}

function credit(fields: Record<string, unknown> | undefined): number {
  if (!fields) return 0;
  const names = Object.keys(fields);
  return names.length === 1 && names[0] === 'details' ? DETAILS_ONLY_CREDIT : 1;
}

/** Every surface word the knowledge base uses, with counts, so spelling correction has targets. */
function vocabulary(articles: readonly Article[], synonyms: Synonyms): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (w: string, by = 1) => counts.set(w, (counts.get(w) ?? 0) + by);
  for (const a of articles) {
    const text = [a.title, ...a.questions, ...a.tags, a.shortAnswer, a.details].join('\n');
    for (const w of splitWords(text)) add(w);
  }
  for (const w of synonyms.words) add(w, 2);
  for (const w of [...STOP_WORDS, ...QUESTION_WORDS]) add(w, 5);
  return counts;
}
