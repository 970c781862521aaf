import type { Analyzer } from './Analyzer';
import { MONTHS as MONTH_NAMES, SEASONS as SEASON_NAMES, TIME_MODIFIERS, splitWords, stem } from './words';

/**
 * One clause of a passage: a sentence, or the part of one between `;` `:` or a comma and a
 * conjunction. A figure answers a question only when the clause that holds it also holds what the
 * question pins down ("the ten had migrated over 1,000 customers" says nothing about CDW alone).
 */
export interface Clause {
  readonly text: string;
  /** Stems of the clause's index words (synonyms folded, stop words dropped). */
  readonly stems: ReadonlySet<string>;
  /** Every word as written, lower case, stop words included ("each", "only", "per"). */
  readonly surface: ReadonlySet<string>;
  /**
   * The figures it states, digits only ("1,040" → "1040", "40 million" → "40"; "threefold" → "3x").
   * Years are times, not figures.
   */
  readonly numbers: readonly string[];
  /** Stems of the thing each figure counts: the word after it ("40 million paid seats" → seat). */
  readonly counted: ReadonlySet<string>;
  /** It names a day, not only a month or a season ("July 12"). */
  readonly day: boolean;
  /** It says when something happens (a month, year, season, "later that year"), not only as of when. */
  readonly time: boolean;
  /** Capitalised words past the start of a sentence (names of people, companies, products), lower case. */
  readonly names: readonly string[];
  /** The same names as written (case kept), index by index. */
  readonly originalNames: readonly string[];
  /** It says what the sources do not give ("The source does not name the state"). */
  readonly limit: boolean;
}

/** What the answering core needs to know about a passage beyond its words. */
export interface PassageView {
  readonly clauses: readonly Clause[];
  readonly stems: ReadonlySet<string>;
  readonly surface: ReadonlySet<string>;
  /** The passage says what the sources do not give ("The source does not name the state"). */
  readonly limit: boolean;
}

const FOLD: ReadonlyMap<string, string> = new Map([['two', '2'], ['three', '3'], ['four', '4'], ['five', '5'], ['ten', '10'], ['hundred', '100']]);
const MONTHS = MONTH_NAMES.join('|');
const SEASONS = SEASON_NAMES.join('|');
/** What places a time within a year: "mid", "spring". */
const TIMES_IN_YEAR = [...TIME_MODIFIERS, ...SEASON_NAMES].join('|');
const TIME = new RegExp(`\\b(?:(?:${MONTHS})\\b|(?:${SEASONS})\\b|(?:19|20)\\d\\d\\b|later that year|this year|next year)`, 'i');
/** "as of mid 2010", "a mid 2010 report": when the source was written, not when a thing happens. */
export const AS_OF = new RegExp(`\\bas of (?:(?:${TIMES_IN_YEAR}) )?(?:(?:${MONTHS}) )?(?:19|20)\\d\\d\\b|\\b(?:(?:${TIMES_IN_YEAR}) )?(?:19|20)\\d\\d (?:report|article|item|source|news item)s?\\b`, 'gi');
const DAY = new RegExp(`\\b(?:${MONTHS}) \\d{1,2}(?:st|nd|rd|th)?\\b|\\b\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:${MONTHS})\\b`, 'i');
/** Words between a figure and the thing it counts ("40 million paid seats", "1,040 end customers"). */
const FIGURE_FILLERS = new Set(['million', 'thousand', 'billion', 'hundred', 'more', 'than', 'paid', 'end', 'new', 'and', 'or', 'of', 'the', 'over', 'some', 'about']);

/** The things a clause's figures count, as stems: the first word after each figure that is not a filler. */
function countedNouns(words: readonly string[], analyzer: Analyzer): Set<string> {
  const out = new Set<string>();
  words.forEach((w, i) => {
    if (!/^\d+x?$/.test(w) || /^(?:19|20)\d\d$/.test(w)) return;
    for (let k = i + 1; k < Math.min(words.length, i + 5); k += 1) {
      const next = words[k] ?? '';
      if (/^\d/.test(next)) continue;
      if (FIGURE_FILLERS.has(next)) continue;
      for (const x of analyzer.passageWords(next)) out.add(stem(x));
      break;
    }
  });
  return out;
}

const CROSS_REFERENCE = /\((?:see|details are in|more in)\b[^)]*\)/gi;
/** "Exchange 2010", "the 2010 products": a version, not a time ("July 2011", "Mid 2010" are times). */
const CAPITAL_TIMES = `${MONTHS}|${SEASONS}|${TIME_MODIFIERS.join('|')}`.replace(/\b\w/g, (c) => c.toUpperCase());
export const VERSION_YEAR = new RegExp(`\\b(?!(?:${CAPITAL_TIMES})\\b)[A-Z][\\w.]*\\s+(?:19|20)\\d\\d\\b|\\b(?:19|20)\\d\\d (?:products?|versions?|editions?|release)\\b`, 'g');
const LIMIT = /\b(?:does|do|did) not (?:say|name|give|cover|mention|state|specify|list|include)\b|\bgives? only\b|\bnames? only\b|\bonly (?:gives|names|mentions)\b|\bnot covered\b|\bno (?:figure|date|name)s? (?:is|are) given\b/i;

/**
 * A necessary condition for a clause to state a limit (`LIMIT`): every form of it has "not", "only" or
 * "no" as a whole word, and a clause's words keep their word boundaries in the passage's plain text.
 */
const MAY_LIMIT = /\b(?:not|only|no)\b/i;

/** The passage's text without markdown emphasis and with links as their text. */
function plainText(text: string): string {
  return text.replace(/[*_`]/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

/**
 * Splits a passage into clauses and notes the figures, times and names each one holds. The work is done
 * when a part of the view is first read: most questions read only `limit` of most passages they look
 * into, which the plain text usually settles without splitting it.
 */
export function viewPassage(text: string, analyzer: Analyzer): PassageView {
  return new LazyView(text, analyzer);
}

class LazyView implements PassageView {
  private clauseList: readonly Clause[] | undefined;
  private stemSet: ReadonlySet<string> | undefined;
  private surfaceSet: ReadonlySet<string> | undefined;
  private limited: boolean | undefined;

  constructor(
    private readonly text: string,
    private readonly analyzer: Analyzer,
  ) {}

  get clauses(): readonly Clause[] {
    this.clauseList ??= clausesOf(plainText(this.text), this.analyzer);
    return this.clauseList;
  }

  get stems(): ReadonlySet<string> {
    this.stemSet ??= new Set(this.clauses.flatMap((c) => [...c.stems]));
    return this.stemSet;
  }

  get surface(): ReadonlySet<string> {
    this.surfaceSet ??= new Set(this.clauses.flatMap((c) => [...c.surface]));
    return this.surfaceSet;
  }

  get limit(): boolean {
    this.limited ??= (this.clauseList !== undefined || MAY_LIMIT.test(plainText(this.text))) && this.clauses.some((c) => c.limit);
    return this.limited;
  }
}

function clausesOf(plain: string, analyzer: Analyzer): Clause[] {
  const clauses: Clause[] = [];
  for (const sentence of plain.split(/(?<=[.!?])\s+(?=[A-Z0-9"'(])/)) {
    const parts = sentence.split(/;|:\s|,\s(?=(?:and|but|or|while|whereas|although|though|which|according to|so|yet)\b)/);
    let first = true;
    for (const part of parts) {
      const clause = part.trim();
      if (clause === '') continue;
      clauses.push(viewClause(clause, analyzer, first));
      first = false;
    }
  }
  return clauses;
}

function viewClause(whole: string, analyzer: Analyzer, sentenceStart: boolean): Clause {
  // "(see the 2010 upgrade article)" points elsewhere: its year, figures and names are not this clause's.
  const text = whole.replace(CROSS_REFERENCE, ' ').replace(/\s+/g, ' ').trim();
  const words = splitWords(text);
  // "Challenge two": a number word that ends its clause after another word labels it; it counts nothing.
  const label = /\b\p{L}+\s+(?:one|two|three|four|five|six|seven|eight|nine|ten)\W*$/iu.test(text);
  // "Office 365", "Global 2000": a number after a capitalised word is part of a name.
  const named = new Set([...text.matchAll(/\b\p{Lu}[\p{L}.]*\s+(\d[\d,]*)\b/gu)].map((m) => (m[1] ?? '').replace(/,/g, '')));
  const numbers = words.flatMap((w, i) => {
    if (/^(?:19|20)\d\d$/.test(w) || named.has(w)) return [];
    if (label && i === words.length - 1) return [];
    if (/^\d+$/.test(w) || /^\d+x$/.test(w)) return [w];
    const fold = /^(\w+)fold$/.exec(w)?.[1];
    return fold ? [`${FOLD.get(fold) ?? fold}x`] : [];
  });
  const tokens = text.match(/[\p{L}\p{N}][\p{L}\p{N}@.&'’-]*/gu) ?? [];
  const originalNames = tokens.filter((t, i) => /^\p{Lu}/u.test(t) && !(sentenceStart && i === 0)).map((t) => t.replace(/['’]s$/, '').replace(/\.$/, ''));
  const names = originalNames.map((t) => t.toLowerCase());
  return {
    text,
    stems: new Set(analyzer.passageWords(text).map(stem)),
    surface: new Set(words),
    numbers,
    counted: countedNouns(words, analyzer),
    day: DAY.test(text),
    time: TIME.test(text.replace(AS_OF, ' ').replace(VERSION_YEAR, ' ')),
    names,
    originalNames,
    limit: LIMIT.test(text),
  };
}
