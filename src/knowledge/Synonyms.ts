import { splitWords, stem } from './words';

/** One synonym group as staff write it: the term and the other ways partners say it. */
export interface SynonymGroup {
  readonly term: string;
  readonly also: readonly string[];
  /** Where the group is defined, for messages to staff. */
  readonly line: number;
}

const NONE: ReadonlySet<string> = new Set();

interface Phrase {
  readonly stems: readonly string[];
  readonly token: string;
}

/**
 * Folds every way of naming a thing into one token, on questions and articles alike, so that
 * "Worldwide Partner Conference", "partner conference" and "WPC" are the same word to the index.
 * Phrases are compared on stemmed words, longest phrase first, so plurals still match.
 */
export class Synonyms {
  private readonly byFirstStem = new Map<string, Phrase[]>();
  /** Every surface word that appears in a synonym phrase, for spelling correction. */
  readonly words: ReadonlySet<string>;
  /** For a word that appears in the phrases of exactly one group: that group's token. */
  private readonly soleGroup = new Map<string, string>();
  /** Each group's token and the words of its term as staff wrote it. */
  private readonly termWords = new Map<string, readonly string[]>();
  /** Tokens of terms written like web names (`box.net`, `live@edu`): names, whatever their words. */
  private readonly webNames = new Set<string>();
  /** For each token's stem: the stems of the words its phrases use ("seat" → user, paid, subscrib, ...). */
  private readonly phraseWordsByStem = new Map<string, Set<string>>();

  constructor(readonly groups: readonly SynonymGroup[]) {
    const words = new Set<string>();
    const groupsOf = new Map<string, Set<string>>();
    for (const group of groups) {
      const token = Synonyms.tokenFor(group.term);
      this.termWords.set(token, splitWords(group.term));
      if (/[.@]\w/.test(group.term)) this.webNames.add(token);
      for (const phrase of [group.term, ...group.also]) {
        const surface = splitWords(phrase);
        for (const w of surface) {
          words.add(w);
          const s = stem(w);
          groupsOf.set(s, (groupsOf.get(s) ?? new Set()).add(token));
        }
        const stems = surface.map(stem);
        const said = this.phraseWordsByStem.get(stem(token)) ?? new Set<string>();
        for (const x of stems) if (x !== stem(token)) said.add(x);
        this.phraseWordsByStem.set(stem(token), said);
        const first = stems[0];
        if (first === undefined) continue;
        const list = this.byFirstStem.get(first) ?? [];
        list.push({ stems, token });
        this.byFirstStem.set(first, list);
      }
    }
    for (const list of this.byFirstStem.values()) list.sort((a, b) => b.stems.length - a.stems.length);
    for (const [s, tokens] of groupsOf) {
      const [only] = tokens;
      if (tokens.size === 1 && only !== undefined) this.soleGroup.set(s, only);
    }
    this.words = words;
  }

  /**
   * The token of the one group whose phrases use this word, if exactly one does: a partner who types
   * only part of a name ("worldwide", "productivity") most likely means that group's term.
   */
  groupOfWord(word: string): string | undefined {
    return this.soleGroup.get(stem(word));
  }

  /**
   * Whether a group says a word in one of its phrases: the seats group says "users" ("paid users"). Both
   * are stems; `tokenStem` is the stem of the group's token.
   */
  says(tokenStem: string, wordStem: string): boolean {
    return this.phraseWordsByStem.get(tokenStem)?.has(wordStem) ?? false;
  }

  /** The stems of the words a group's phrases use, by the stem of its token (empty for other words). */
  wordsSaidBy(tokenStem: string): ReadonlySet<string> {
    return this.phraseWordsByStem.get(tokenStem) ?? NONE;
  }

  /** Whether `word` is the token a group folds into (`wpc`, `office365`, `healthservicesdashboard`). */
  isToken(word: string): boolean {
    return this.termWords.has(word);
  }

  /** How specific a group's term is: the most specific of its words (`specificity` rates one word). */
  specificityOf(token: string, specificity: (word: string) => number): number {
    const words = this.termWords.get(token) ?? [];
    return words.reduce((best, w) => Math.max(best, specificity(w)), 0);
  }

  /**
   * Whether a group's term is a name: it has a word that reads as a name (`wpc`, `lync`), or it puts a
   * word and a number together (`office 365`, `global 2000`).
   */
  isNamed(token: string, nameLike: (word: string) => boolean): boolean {
    if (this.webNames.has(token)) return true;
    const words = this.termWords.get(token) ?? [];
    const digits = words.filter((w) => /^\d+$/.test(w));
    return words.some((w) => !/^\d+$/.test(w) && nameLike(w)) || (digits.length > 0 && digits.length < words.length);
  }

  /** The single token a group's phrases fold into: its term's words run together ("office 365" → "office365"). */
  static tokenFor(term: string): string {
    return splitWords(term).join('');
  }

  /**
   * Replaces each synonym phrase in a word list by its group's token; other words pass through. With
   * `keepWords`, a phrase of several words also keeps its own words after the token, so a passage that
   * says "Business Productivity Online Services" still holds "online services".
   */
  fold(words: readonly string[], keepWords = false): string[] {
    const stems = words.map(stem);
    const out: string[] = [];
    for (let i = 0; i < words.length; ) {
      const match = this.byFirstStem.get(stems[i] as string)?.find((p) => p.stems.every((s, k) => stems[i + k] === s));
      if (match) {
        out.push(match.token);
        if (keepWords && match.stems.length > 1) out.push(...words.slice(i, i + match.stems.length));
        i += match.stems.length;
      } else {
        out.push(words[i] as string);
        i += 1;
      }
    }
    return out;
  }
}
