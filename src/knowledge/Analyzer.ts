import type { Spelling } from './Spelling';
import type { Synonyms } from './Synonyms';
import { QUESTION_WORDS, STOP_WORDS, lightStem, splitWords } from './words';

const GENERIC = new Set(['a', 'an', 'the', 'of', 'is', 'are', 'to', 'for', 'be', 'do', 'does', 'in', 'on', 'and', 'or']);

/** One word of a partner's question after analysis. */
export interface QueryWord {
  /** The word as the index knows it (typo corrected, synonyms folded), e.g. `wpc`. */
  readonly word: string;
  /** What the partner typed, when it differs from `word`. */
  readonly typed?: string;
  /** `hint` for question words (who, when, ...): they rank but are never the subject. */
  readonly kind: 'content' | 'hint';
  /** From the text around the question (earlier sentences, the conversation): it can only help a match. */
  readonly context?: boolean;
  /** Read as a synonym group's name from one of its words ("worldwide" for WPC): a guess, never the subject. */
  readonly guessed?: boolean;
}

/**
 * Turns text into the words the index works with. Articles and questions go through the same steps
 * (split, fold synonyms, drop stop words); questions are also spell-corrected first.
 */
export class Analyzer {
  constructor(
    private readonly synonyms: Synonyms,
    private readonly spelling?: Spelling,
  ) {}

  /** Words of an article field, for indexing. */
  indexWords(text: string): string[] {
    return this.synonyms.fold(splitWords(text)).filter((w) => !STOP_WORDS.has(w));
  }

  /** Words of a passage: as `indexWords`, but a synonym phrase also keeps its own words. */
  passageWords(text: string): string[] {
    return this.synonyms.fold(splitWords(text), true).filter((w) => !STOP_WORDS.has(w));
  }

  /**
   * Words of a partner's question, each marked as content or hint, plus the light stems of every word
   * (stop words included) for matching the phrases of `not-covered.yaml`.
   */
  question(text: string): { words: QueryWord[]; allStems: Set<string> } {
    const typed = withoutFillerPhrases(splitWords(text));
    const corrected = typed.map((w) => (STOP_WORDS.has(w) || !this.spelling ? w : (this.spelling.correct(w) ?? w)));
    const folded = this.synonyms.fold(corrected);
    // fold() keeps unfolded words in place, so a one-word result lines up with what was typed only
    // when no phrase was folded; corrections are reported per word in that case.
    const aligned = folded.length === typed.length;
    const out: QueryWord[] = [];
    folded.forEach((word, i) => {
      if (STOP_WORDS.has(word)) return;
      const original = aligned ? typed[i] : undefined;
      out.push({
        word,
        ...(original !== undefined && original !== word ? { typed: original } : {}),
        kind: QUESTION_WORDS.has(word) ? 'hint' : 'content',
      });
    });
    return { words: out, allStems: new Set(folded.map(lightStem)) };
  }

  /** Light stems of a phrase with synonyms folded and only the most generic words dropped. */
  phraseStems(text: string): string[] {
    return this.synonyms.fold(splitWords(text)).filter((w) => !GENERIC.has(w)).map(lightStem);
  }

  /** A key that is equal for two texts asking the same thing in the same words, ignoring filler and order. */
  key(text: string): string {
    return [...new Set(this.indexWords(text))].sort().join(' ');
  }
}

/**
 * Set phrases partners wrap a question in that never name its subject ("from a partner point of view",
 * "to be honest"): their words are everyday words that would otherwise count ("point", "view", "honest").
 */
const FILLER_PHRASES: readonly (readonly string[])[] = [
  ['point', 'of', 'view'], ['points', 'of', 'view'], ['to', 'be', 'honest'], ['to', 'be', 'fair'], ['as', 'far', 'as', 'i', 'know'],
  ['by', 'the', 'way'], ['at', 'the', 'end', 'of', 'the', 'day'], ['the', 'deal', 'with'], ['the', 'story', 'with'], ['the', 'lowdown', 'on'], ['the', 'scoop', 'on'], ['in', 'a', 'nutshell'], ['for', 'what', 'it', 'is', 'worth'],
  ['for', 'what', 'its', 'worth'], ['from', 'my', 'perspective'], ['in', 'my', 'opinion'], ['if', 'you', 'dont', 'mind'], ['in', 'other', 'words'],
  // time and attribution phrases whose everyday words would otherwise count as things the question names
  ['so', 'far'], ['up', 'to', 'now'], ['until', 'now'], ['as', 'of', 'now'], ['right', 'now'], ['at', 'the', 'moment'], ['according', 'to'],
  // who a greeting is addressed to: "hi team", "morning everyone"
  ...['hi', 'hello', 'hey', 'morning', 'afternoon', 'evening', 'thanks', 'cheers'].flatMap((g) => ['team', 'everyone', 'there', 'all', 'guys', 'folks', 'mate', 'support'].map((to) => [g, to])),
];

/** The filler phrases by their first word. */
const FILLER_BY_FIRST: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const out = new Map<string, (readonly string[])[]>();
  for (const p of FILLER_PHRASES) {
    const first = p[0] as string;
    const list = out.get(first);
    if (list) list.push(p);
    else out.set(first, [p]);
  }
  return out;
})();

/** The first filler phrase (in `FILLER_PHRASES` order) that starts at `words[i]`. */
function fillerAt(words: readonly string[], i: number): readonly string[] | undefined {
  const candidates = FILLER_BY_FIRST.get(words[i] as string);
  if (!candidates) return undefined;
  next: for (const p of candidates) {
    for (let k = 1; k < p.length; k += 1) if (words[i + k] !== p[k]) continue next;
    return p;
  }
  return undefined;
}

function withoutFillerPhrases(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const phrase = fillerAt(words, i);
    if (phrase) {
      i += phrase.length;
      continue;
    }
    out.push(words[i] as string);
    i += 1;
  }
  return out;
}
