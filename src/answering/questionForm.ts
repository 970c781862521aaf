import type { WeightedWord } from '../knowledge/KnowledgeIndex';
import { MONTHS as MONTH_NAMES, MONTH_ABBREVIATIONS, QUESTION_QUALIFIERS, SEASONS as SEASON_NAMES, STOP_WORDS, splitWords, stem, type Qualifier } from '../knowledge/words';

/** What kind of fact a question asks for. */
export type Asks = 'figure' | 'date' | 'who' | 'where' | 'other';

/** Something a question pins down, which the passage that answers it must also cover. */
export interface Detail {
  /**
   * `name`: a company, place, product or person (CDW, Europe, Lync); `number`: a figure the partner
   * gives (747, 500); `period`: a time the question is about (2012, first month, June); `qualifier`:
   * the kind of figure wanted (each, total, minimum, average, exact, percentage).
   */
  readonly kind: 'name' | 'number' | 'period' | 'qualifier';
  /** The words as the partner typed them ("first month", "CDW"). */
  readonly typed: string;
  /** Index-form words (names, numbers) or surface words (periods, qualifiers) to look for. */
  readonly words: readonly string[];
  /** For qualifiers: the kind of figure (`total`, `each`, `minimum`, `maximum`, `average`, `exact`, `share`, `alone`). */
  readonly qualifier?: Qualifier;
}

export type { Qualifier } from '../knowledge/words';

/** The shape of a question: what it asks for and what it pins down. */
export interface QuestionForm {
  readonly asks: Asks;
  /** Answered by yes or no ("is WPC in June?", "BPOS only comes in one edition, right?"). */
  readonly yesNo: boolean;
  /** For a figure: the thing counted, in index form ("customers" in "how many customers ..."). */
  readonly unit?: string;
  /** The thing counted is an event ("migrations", "deployments"), told by a verb in the sources. */
  readonly eventUnit?: boolean;
  readonly details: readonly Detail[];
  /** Asks for the other one ("and the other big challenge?", "who else"). */
  readonly other: boolean;
  /** Asks about now ("how many now?", "currently"): a figure tied to an early period does not answer it. */
  readonly now: boolean;
  /** Asks for a day ("what date", "which days in July"): a month or a season does not answer it. */
  readonly day: boolean;
  /** "which state ...", "which city ...": the kind of place the name asked for must be (its stem). */
  readonly place?: string;
}

const QUALIFIERS = QUESTION_QUALIFIERS;

/** Months as a question names them, in full or short; "may" is left out (in a question, nearly always the verb). */
const MONTHS: ReadonlySet<string> = new Set([...MONTH_NAMES, ...MONTH_ABBREVIATIONS].filter((m) => m !== 'may'));
const SEASONS: ReadonlySet<string> = new Set(SEASON_NAMES);
const PERIOD_NOUNS = new Set(['day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years', 'quarter', 'quarters', 'decade', 'q1', 'q2', 'q3', 'q4']);
/** Words before a period noun that mean "now": any as-of date in the sources answers them. */
const PRESENT = new Set(['this', 'current', 'currently', 'these', 'today', 'now', 'so']);
/** Words before a period noun that pick a particular one. */
const PERIOD_PICKS = new Set(['first', 'last', 'next', 'previous', 'past', 'coming', 'second', 'third', 'initial', 'final', 'per', 'each', 'every', 'a', 'one', 'that']);

const YES_NO_START = /^(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|isnt|arent|wasnt|werent|doesnt|dont|didnt|wont|cant|shouldnt|hasnt|havent|may|might|must)$/;
const TAG_QUESTION = /(?:,|\s)\s*(?:right|correct|yes|yeah|true|no|isn'?t (?:it|that|she|he|they)|aren'?t (?:they|there|we)|didn'?t (?:it|they|he|she)|doesn'?t (?:it|he|she)|don'?t (?:they|we)|wasn'?t (?:it|that)|won'?t (?:it|they)|is that (?:right|correct|so)|is it)\s*\??\s*$/i;
/** Things a "which ..." question names with a proper name. */
const NAMED_THINGS = new Set(['partner', 'partners', 'company', 'companies', 'vendor', 'vendors', 'firm', 'firms', 'reseller', 'resellers', 'provider', 'providers', 'person', 'people', 'exec', 'executive', 'state', 'states', 'country', 'countries', 'customer', 'customers', 'msp', 'msps', 'one', 'ones', 'distributor']);
const PLACE_THINGS = new Set(['city', 'venue', 'place', 'location', 'hotel', 'country', 'region']);
const DATE_THINGS = new Set(['date', 'dates', 'day', 'days', 'month', 'year', 'time', 'week']);
/** Adjectives that come between "how many" and the thing counted ("how many paid seats"). */
const COUNT_ADJECTIVES = new Set(['paid', 'new', 'active', 'total', 'more', 'different', 'other', 'free', 'paying', 'big', 'large', 'small', 'individual', 'end']);

/**
 * Reads the shape of a question from its words: what it asks for (a figure, a date, a name, a place)
 * and what it pins down (names, numbers, periods, the kind of figure). `words` are the question's
 * analysed words from the search (index form, with how each was typed).
 */
export function questionForm(text: string, words: readonly WeightedWord[]): QuestionForm {
  const surface = splitWords(text);
  const lower = text.toLowerCase().replace(/[’‘`]/g, "'");
  // "when MS shouts about big wins, those come through partners, don't they?": a yes/no question.
  const asks = TAG_QUESTION.test(lower) ? 'other' : asksFor(lower, surface);
  const details: Detail[] = [];
  const seen = new Set<string>();
  const add = (d: Detail) => {
    const key = `${d.kind}:${d.words.join(' ')}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push(d);
    }
  };

  // Periods: months, seasons, years, and "first month", "last year", "100 days".
  surface.forEach((w, i) => {
    const before = surface[i - 1];
    if (MONTHS.has(w) || SEASONS.has(w)) add({ kind: 'period', typed: w, words: [w] });
    else if (/^(?:19|20)\d\d$/.test(w)) add({ kind: 'period', typed: w, words: [w] });
    else if (PERIOD_NOUNS.has(w) && before !== undefined && !PRESENT.has(before) && (PERIOD_PICKS.has(before) || /^\d+$/.test(before))) {
      add({ kind: 'period', typed: `${before} ${w}`, words: [before, w].filter((x) => !['a', 'one', 'that', 'per', 'each', 'every'].includes(x)) });
    }
  });
  // Qualifiers: the kind of figure wanted. "most" and "least" count only in "the most", "at least".
  surface.forEach((w, i) => {
    const q = QUALIFIERS.get(w);
    if (!q) return;
    if ((w === 'most' || w === 'least') && surface[i - 1] !== 'the' && surface[i - 1] !== 'at') return;
    if (w === 'least' && surface[i - 1] === 'at') return; // "at least 50": a threshold, given as a number
    if ((w === 'per' || w === 'each' || w === 'every') && PERIOD_NOUNS.has(surface[i + 1] ?? '')) return;
    // "what is IBM doing exactly?": exactly a figure or a date, or just emphasis; "every service or just
    // the ones registered?" asks which, not for a figure of each.
    if (q === 'exact' && asks !== 'figure' && asks !== 'date') return;
    if ((q === 'each' || q === 'total') && asks !== 'figure') return;
    if (w === 'mean' || w === 'split' || w === 'specific') {
      if (asks !== 'figure' && !(w === 'split' && /^(?:between|of|by)$/.test(surface[i + 1] ?? ''))) return;
    }
    add({ kind: 'qualifier', typed: w, words: [w], qualifier: q });
  });
  if (/\bon (?:its|their|his|her) own\b/.test(lower)) add({ kind: 'qualifier', typed: 'on its own', words: ['own'], qualifier: 'alone' });
  // "what did she do before ...", "what was Lync called before?": a time before the one the sources describe.
  const before = /\b(before|previously|formerly|prior to|earlier)\b/.exec(lower);
  if (before && !/\bbefore (?:the |)(?:wpc|conference|launch|upgrade)\b/.test(lower)) {
    const typed = (before[1] ?? 'before').split(' ')[0] ?? 'before';
    add({ kind: 'qualifier', typed, words: [typed], qualifier: 'before' });
  }

  // Names and numbers from the analysed words (typos fixed, synonyms folded).
  const periodWords = new Set(details.filter((d) => d.kind === 'period').flatMap((d) => d.words));
  for (const w of words) {
    if (w.kind !== 'content' || w.context || w.everywhere) continue;
    if (/^\d+$/.test(w.word)) {
      if (!periodWords.has(w.word)) add({ kind: 'number', typed: w.typed ?? w.word, words: [w.word] });
      continue;
    }
    if (w.nameLike && !MONTHS.has(w.word) && !SEASONS.has(w.word)) add({ kind: 'name', typed: w.typed ?? w.word, words: [w.word] });
  }

  return {
    asks,
    yesNo: YES_NO_START.test(surface[0] ?? '') || TAG_QUESTION.test(lower),
    ...(asks === 'figure' ? unitOf(surface, words) : {}),
    details,
    other: /\b(?:other|else|another|besides|apart from)\b/.test(lower),
    now: /\b(?:now|currently|today|nowadays|these days|at the moment|at present|to date|so far)\b/.test(lower),
    day: asks === 'date' && /\b(?:dates?|days?)\b/.test(lower.replace(/\bto date\b|\bup to date\b/g, '')),
    ...placeAsked(surface, asks),
  };
}

const askingPatterns = new Map<string, RegExp>();

/** The question word used as one (not as a conjunction: "selling points when pitching"), compiled once. */
function askingAs(w: string): RegExp {
  let re = askingPatterns.get(w);
  if (!re) {
    re = new RegExp(`(?:^|[,;:!?.-]\\s*|\\b(?:and|so|but|roughly|exactly|then)\\s+)${w}\\b|\\b${w}(?:'s|s)?\\s+(?:is|are|was|were|will|would|does|did|do|can|could|should|has|have|exactly|roughly)\\b|\\b${w}\\s*\\?*\\s*$`);
    askingPatterns.set(w, re);
  }
  return re;
}

/** Kinds of place a "which ..." question can ask for by name. */
const PLACE_KINDS = new Set(['state', 'states', 'country', 'countries', 'city', 'cities', 'region', 'regions', 'venue', 'location', 'hotel']);

function placeAsked(surface: readonly string[], asks: Asks): { place?: string } {
  if (asks !== 'who' && asks !== 'where') return {};
  const i = surface.findIndex((w) => w === 'which' || w === 'what' || w === 'whats');
  const thing = i >= 0 ? surface.slice(i + 1, i + 3).find((w) => PLACE_KINDS.has(w)) : undefined;
  return thing ? { place: stem(thing) } : {};
}

function asksFor(lower: string, surface: readonly string[]): Asks {
  // "what kind of customers are behind the seat numbers?": a description, whatever words follow.
  if (/^(?:\W*\w+\W+){0,3}?(?:what|which) (?:kinds?|types?|sorts?) of\b/.test(lower)) return 'other';
  // "what was the exact total for CDW?", "what's the seat count?": a figure, named by what it is.
  if (/\b(?:what(?:'s| is| was| were| are)?|whats) (?:the |their |its )?(?:\w+ )?(?:total|count|amount|sum|tally)\b/.test(lower)) return 'figure';
  if (/\bhow (?:many|much|big|large|fast|widely|quickly|long|often)\b|\bnumber of\b|\bwhat percentage\b|\bhow far\b|\b(?:any|the|what) (?:figures?|numbers|stats|statistics)\b|\b(?:seat|user|customer|partner|school)s? (?:number|numbers|count|total|figures?)\b|\b(?:bigger|larger|smaller|more|fewer|higher|lower) than\b|\bwhich is (?:bigger|larger|smaller|higher)\b/.test(lower)) return 'figure';
  // "when" and "where" ask only as question words, not as conjunctions ("selling points when pitching").
  const asking = askingAs;
  const q = lower.replace(/^[^\p{L}\p{N}]+/u, '').replace(/^(?:hi|hello|hey|hiya|ok|okay|so|and|also|pls|please|thanks)\b[\s,!.]*/g, '');
  if (asking('when').test(q) || /\bwhat time\b/.test(q)) return 'date';
  if (asking('where').test(q)) return 'where';
  const i = surface.findIndex((w) => w === 'which' || w === 'what' || w === 'whats');
  const next = i >= 0 ? surface.slice(i + 1, i + 3) : [];
  // "what's the exact release date ...": the thing asked comes within a few words.
  if (surface.slice(i + 1, i + 5).some((w) => DATE_THINGS.has(w) && w !== 'time') && i >= 0) return 'date';
  if (next.some((w) => PLACE_THINGS.has(w))) return 'where';
  // "who handles billing, us or Microsoft?": a choice between the options given, not a name to find.
  if (/\b(?:name|list) (?:all|the|every|them|each)\b/.test(q)) return 'who';
  // "name of the Microsoft exec quoted ...": the name of a person or company.
  const nameOf = surface.findIndex((w, k) => w === 'name' && surface[k + 1] === 'of');
  if (nameOf >= 0 && surface.slice(nameOf + 2, nameOf + 6).some((w) => NAMED_THINGS.has(w))) return 'who';
  if ((asking('who').test(q) || asking('whose').test(q) || /\bwhos\b/.test(q.replace(/'/g, ''))) && !/\bor\b/.test(lower)) return 'who';
  // "Suite or Services, which one is right?": a choice between the options given, too.
  if (surface[i] === 'which' && next.some((w) => NAMED_THINGS.has(w)) && !(next[0] === 'one' && /\bor\b/.test(lower))) return 'who';
  if (/\b(?:exact|actual|precise|specific) (?:dates?|days?)\b/.test(lower)) return 'date';
  return 'other';
}

/**
 * The thing a figure counts: the last word of the phrase after "how many" / "number of", which ends at
 * a stop word or a verb ("how many office web apps users are ..." counts users).
 */
function unitOf(surface: readonly string[], words: readonly WeightedWord[]): { unit?: string; eventUnit?: boolean } {
  const start = surface.findIndex((w, k) => (w === 'many' && surface[k - 1] === 'how') || (w === 'of' && surface[k - 1] === 'number'));
  if (start < 0) return {};
  const phrase: string[] = [];
  for (let i = start + 1; i < surface.length; i += 1) {
    const w = surface[i] ?? '';
    if (STOP_WORDS.has(w) || COUNT_VERBS.has(w) || /^\d+$/.test(w)) break;
    phrase.push(w);
  }
  for (const typed of [...phrase].reverse()) {
    if (COUNT_ADJECTIVES.has(typed)) continue;
    const word = words.find((w) => w.kind === 'content' && (w.typed === typed || w.word === typed || (w.typed ?? '').split(' ').includes(typed)));
    if (word) return { unit: word.word, ...(/(?:ions?|ments?|ups)$/.test(typed) ? { eventUnit: true } : {}) };
  }
  return {};
}

/** Verbs that end the counted phrase ("how many people use ..."). */
const COUNT_VERBS = new Set(['use', 'uses', 'used', 'pay', 'pays', 'paid', 'get', 'gets', 'buy', 'buys', 'bought', 'attend', 'attended', 'sign', 'signed', 'join', 'joined', 'moved', 'migrated', 'sold', 'work', 'run', 'runs', 'went']);
