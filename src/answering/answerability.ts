import type { PassageHit, WeightedWord } from '../knowledge/KnowledgeIndex';
import { AS_OF, VERSION_YEAR, type Clause, type PassageView } from '../knowledge/passageView';
import { isNameLike } from '../knowledge/wordFrequency';
import { FIGURE_KINDS, MONTHS, SEASONS, SEASON_ALIASES, SEASON_MONTHS, TIME_MODIFIERS, YEAR_WORDS, splitWords, stem } from '../knowledge/words';
import type { Detail, Qualifier, QuestionForm } from './questionForm';

/** Whether the passages chosen for a question answer what it asks, and if not, what is missing. */
export interface Answerability {
  /** What the question pins down that no chosen passage covers. */
  readonly missing: readonly Detail[];
  /**
   * The kind of fact asked (a figure, a date, a name) is not in a clause that also holds what the
   * question pins down: "over 1,000 customers" for the ten partners is no figure for CDW.
   */
  readonly asksUnmet: boolean;
  /** When the asked fact is unmet: the names and periods it should have come with ("CDW" for a figure for CDW). */
  readonly unmetWith: readonly Detail[];
  /** A chosen passage says, about what the question asks, that the sources do not give it. */
  readonly limit: boolean;
  /** Words of the question's subject that the article does not cover at all. */
  readonly uncovered: readonly WeightedWord[];
  /**
   * A yes/no question whose premise the passage corrects with a fact of the same kind ("is WPC in
   * June?": the passage says July): the detail the partner assumed.
   */
  readonly correction?: Detail;
}

/** What the check needs to know about the knowledge base's words (`KnowledgeIndex` provides it). */
export interface Lexicon {
  /** Whether a word is one of the knowledge base's named terms (BPOS, Lync, SaaS): not an answer to "who". */
  isTerm(word: string): boolean;
  /** Whether an article says a word through one of its terms ("users" through "seats": "paid users"). */
  implies(articleId: string, word: string): boolean;
  /** Whether a figure counting `counted` (a stem) counts the thing a question asks about. */
  sameUnit(unit: string, counted: string): boolean;
}

/** Words only as they are: no terms, each thing counted only itself. */
const PLAIN: Lexicon = { isTerm: () => false, implies: () => false, sameUnit: (unit, counted) => stem(unit) === counted };

/** Words that name the sources or the whole domain, not an answer to "who". */
const NOT_AN_ANSWER_NAME = new Set(['microsoft', 'microsofts', 'mspmentor', 'mspmentors', 'bpos', 'our', 'the', 'as', 'source', 'sources']);
const QUALIFIER_WORDS: Readonly<Record<Qualifier, readonly string[]>> = {
  total: ['total', 'combined', 'altogether', 'together', 'overall', 'cumulative', 'sum', 'all'],
  each: ['each', 'per', 'every', 'individual', 'individually', 'apiece'],
  minimum: ['minimum', 'least', 'lowest', 'smallest', 'fewest'],
  maximum: ['maximum', 'most', 'highest', 'largest', 'biggest'],
  range: ['range', 'spread'],
  average: ['average', 'mean', 'median', 'typical'],
  exact: ['exact', 'exactly', 'precise', 'precisely'],
  before: ['before', 'formerly', 'previously', 'earlier', 'prior'],
  share: ['percentage', 'percent', 'proportion', 'share', 'ratio'],
  alone: ['alone', 'separately'],
  price: ['price', 'prices', 'pricing', 'cost', 'costs', 'fee', 'fees', 'free', 'cheap', 'charge', 'charges'],
};
/** Uncovered words at least this specific (rarer than about the 4,000th commonest) are part of the subject. */
const SUBJECT_SPECIFICITY = 0.55;
/** Words that say a passage is about who did or said something. */
const AGENT_CUES = /\b(?:said|says|told|described|according|manager|runs|leads|head|named|names|vendors?|partners?|competitors?|rivals?|compan(?:y|ies)|executive|teamed|partnered|announced|customers?)\b/i;
/** A figure tied to a period ("in its first 100 days"), which does not answer "how many now?". */
const BOUND_TO_A_PERIOD = /\b(?:first|opening) \d+ (?:days|weeks|months)\b|\bin (?:its|their) first\b|\bafter (?:its|the) launch\b/i;
/** A limit that lists what the source does give ("names only CDW and Dell"). */
const POSITIVE_LIMIT = /\b(?:names?|gives?|mentions?) only\b|\bonly (?:names|gives|mentions)\b/i;
const RANGE = /\bbetween \d[\d,]* and \d|\bfrom \d[\d,]* to \d|\b\d[\d,]* to \d[\d,]*\b/;
/** Words before a figure that hedge it ("over 1,000", "between 65 and 390") or make it a label ("top 10"). */
const HEDGES = new Set(['over', 'than', 'about', 'around', 'nearly', 'almost', 'roughly', 'approximately', 'some', 'to', 'between', 'from', 'and', 'least', 'past', 'passed', 'exceeding', 'top', 'up']);

/** Whether a clause gives a figure as it is, not hedged ("over 1,000") nor a year nor a label. */
export function statesPreciseFigure(text: string): boolean {
  for (const m of text.matchAll(/(?<![\d,.])\d+(?:,\d{3})*(?:\.\d+)?/g)) {
    if (/^(?:19|20)\d\d$/.test(m[0])) continue;
    const before = text.slice(0, m.index).trim().split(/\s+/).pop()?.toLowerCase() ?? '';
    if (!HEDGES.has(before)) return true;
  }
  return false;
}

/** Whether words (a clause's, a heading's) hold a period word: the word itself, its alias, or a month of the season. */
export function holdsPeriod(words: ReadonlySet<string>, w: string): boolean {
  return words.has(SEASON_ALIASES.get(w) ?? w) || (SEASON_MONTHS.get(w) ?? []).some((m) => words.has(m));
}

interface Asked {
  readonly names: readonly Detail[];
  readonly questionStems: ReadonlySet<string>;
  readonly pinnedNames: readonly string[];
  readonly pinned: ReadonlySet<string>;
}

/**
 * What the question pins down, worked out once per question: the answering core checks a few dozen
 * passages against the same question, and making these again for each was a good share of what a
 * question allocates. Only the last question's is kept (the checks of one question run together).
 */
let lastAsked: { readonly form: QuestionForm; readonly words: readonly WeightedWord[]; readonly asked: Asked } | undefined;
function askedIn(form: QuestionForm, words: readonly WeightedWord[]): Asked {
  if (lastAsked && lastAsked.form === form && lastAsked.words === words) return lastAsked.asked;
  const asked: Asked = {
    names: form.details.filter((d) => d.kind === 'name'),
    questionStems: new Set(words.filter((w) => w.kind === 'content' && !w.everywhere).map((w) => stem(w.word))),
    pinnedNames: form.details.filter((d) => d.kind === 'name').map((d) => stem(d.words[0] ?? '')),
    pinned: new Set(form.details.flatMap((d) => d.words)),
  };
  lastAsked = { form, words, asked };
  frames = new Map();
  return asked;
}

/**
 * Checks the chosen passages against what the question pins down: every name, number, period and
 * kind of figure must be covered; a figure, date or name asked for must sit in a clause together with
 * the names and periods the question gives.
 */
export function checkAnswerability(
  form: QuestionForm,
  words: readonly WeightedWord[],
  shown: readonly PassageHit[],
  questionText: string,
  lexicon: Lexicon = PLAIN,
  alsoShown: readonly PassageView[] = [],
): Answerability {
  const { names, questionStems, pinnedNames, pinned } = askedIn(form, words);
  const framed = shown.map((h) => ({ hit: h, frame: frameSurface(h) }));
  const missing = form.details.filter((d) => !framed.some(({ hit, frame }) => covers(hit, frame, d, names, form.asks === 'figure')));
  const asksUnmet = !framed.some(({ hit, frame }) => meetsAsk(form, words, hit, frame, questionText, lexicon));
  // "The source names only CDW and Dell" limits "who are the top partners?" and "is Rackspace on the
  // list?", not "is Dell on the list?" nor "how many customers have they moved?"; "The source does not
  // say whether this changes with Office 365" limits "will billing change with Office 365?", and "The
  // source does not name the state" says nothing about a question that is not about the state.
  // (A name the passage mentions elsewhere, "can an MSP afford ...", is not one the list leaves out.)
  const relevantLimit = (c: Clause, v: PassageView) =>
    c.limit &&
    (POSITIVE_LIMIT.test(c.text)
      ? (form.asks === 'who' && !form.yesNo) || pinnedNames.some((n) => !c.stems.has(n) && !v.stems.has(n))
      : [...c.stems].some((s) => questionStems.has(s)));
  // A limit stated anywhere in the reply (the short answer that follows a detail too) applies.
  const limit = [...shown.map((h) => h.view), ...alsoShown].some((v) => v.limit && v.clauses.some((c) => relevantLimit(c, v)));
  const unmetWith = asksUnmet ? form.details.filter((d) => (d.kind === 'name' || d.kind === 'period') && !missing.includes(d)) : [];
  const lead = shown[0];
  const uncovered = words.filter(
    (w) =>
      w.kind === 'content' &&
      !w.context &&
      !w.everywhere &&
      w.weight > 0 &&
      w.specificity >= SUBJECT_SPECIFICITY &&
      !pinned.has(w.word) &&
      !shown.some((h) => h.own.has(w.word) || h.framed.has(w.word) || (h === lead && (h.elsewhere.has(w.word) || lexicon.implies(h.article.id, w.word)))),
  );
  const correction = form.yesNo ? correctionOf(missing, shown, questionStems, questionText) : undefined;
  return { missing, asksUnmet, unmetWith, limit, uncovered, ...(correction ? { correction } : {}) };
}

/**
 * The frames of the passages checked for the current question, replaced when the next question's
 * checks begin (`askedIn`). Kept for one question only: kept for every passage ever checked, they grew
 * with each question on a large knowledge base, and every young-generation collection had to copy them.
 * Replaced, not cleared: `Map.clear` leaves the old table pointing at its entries and at the next
 * table, and once that old table has been promoted, every later question's frames (and tables) are
 * kept alive through it until a full collection, each young collection promoting them.
 */
let frames = new Map<object, ReadonlySet<string>>();

/** Lower-case words of the article's title and the passage's heading: they frame the passage. */
function frameSurface(h: PassageHit): ReadonlySet<string> {
  let frame = frames.get(h.passage);
  if (!frame) {
    frame = new Set(splitWords(`${h.article.title} ${h.passage.heading ?? ''}`));
    frames.set(h.passage, frame);
  }
  return frame;
}

function covers(hit: PassageHit, frame: ReadonlySet<string>, d: Detail, names: readonly Detail[], asksFigure: boolean): boolean {
  switch (d.kind) {
    case 'name':
      return d.words.every((w) => hit.own.has(w) || hit.framed.has(w));
    case 'number':
      return d.words.every((w) => hit.view.surface.has(w) || frame.has(w) || hit.view.clauses.some((c) => c.numbers.includes(w)));
    case 'period':
      return d.words.every((w) => holdsPeriod(hit.view.surface, w) || holdsPeriod(frame, w));
    case 'qualifier': {
      const q = d.qualifier ?? 'exact';
      // "the range of customers per partner", "the lowest": a range of figures gives both ends.
      if ((q === 'minimum' || q === 'maximum' || q === 'range') && RANGE.test(hit.passage.text)) return true;
      // "the exact number": a figure given as it is, not "over 1,000" or "about 40 million".
      if (q === 'exact' && hit.view.clauses.some((c) => statesPreciseFigure(c.text))) return true;
      // "how many did each partner migrate?": the figure must be the kind asked, so the qualifier sits in
      // a clause with a figure ("each migrated between 65 and 390"), whatever the heading says ("per partner").
      if (asksFigure && FIGURE_KINDS.has(q)) return hit.view.clauses.some((c) => c.numbers.length > 0 && QUALIFIER_WORDS[q].some((w) => c.surface.has(w)));
      if (QUALIFIER_WORDS[q].some((w) => frame.has(w))) return true;
      // "what did Webb do before ...": "formerly" about another thing ("Lync, formerly OCS") is no answer;
      // the qualifier must sit in a clause with the names the question gives.
      const withNames = (c: Clause) => names.every((n) => n.words.every((w) => c.stems.has(stem(w)) || hit.framed.has(w)));
      return hit.view.clauses.some((c) => QUALIFIER_WORDS[q].some((w) => c.surface.has(w)) && withNames(c));
    }
  }
}

/** Whether the passage holds the kind of fact asked, in a clause with what the question pins down. */
function meetsAsk(form: QuestionForm, words: readonly WeightedWord[], hit: PassageHit, frame: ReadonlySet<string>, questionText: string, lexicon: Lexicon): boolean {
  const pinned = form.details.filter((d) => d.kind === 'name' || d.kind === 'period');
  const inClause = (c: Clause, d: Detail) =>
    d.words.every((w) => c.stems.has(stem(w)) || holdsPeriod(c.surface, w) || frame.has(w) || hit.framed.has(w));
  switch (form.asks) {
    case 'figure': {
      // The thing counted must be what the figure counts ("10,000 schools" is no count of students),
      // and a name every article uses ("BPOS") must still be what the figure is about.
      const clauses = hit.view.clauses;
      const owners = words.filter((w) => w.kind === 'content' && !w.context && w.everywhere && w.anchor).map((w): Detail => ({ kind: 'name', typed: w.word, words: [w.word] }));
      return clauses.some(
        (c) =>
          c.numbers.length > 0 &&
          !(form.now && BOUND_TO_A_PERIOD.test(c.text)) &&
          (form.unit === undefined ||
            [...c.counted].some((counted) => lexicon.sameUnit(form.unit ?? '', counted)) ||
            (c.counted.size === 0 && (hit.framed.has(form.unit) || frame.has(form.unit))) ||
            // "how many migrations": an event the clause tells of ("had each migrated 65 customers").
            (form.eventUnit === true && c.stems.has(stem(form.unit)))) &&
          [...pinned, ...owners].every((d) => inClause(c, d)),
      );
    }
    case 'date': {
      const subject = words.filter((w) => w.kind === 'content' && !w.everywhere && !w.context).map((w) => stem(w.word));
      return hit.view.clauses.some(
        (c) => c.time && (!form.day || c.day) && (subject.length === 0 || subject.some((s) => c.stems.has(s)) || subject.every((s) => hit.framed.has(s))) && pinned.every((d) => inClause(c, d)),
      );
    }
    case 'who':
    case 'where':
      return answeringNames(form, hit, frame, questionText, lexicon).length > 0;
    case 'other':
      return true;
  }
}

/**
 * The names (people, companies) in a passage that answer a "who" question: each in a clause with the
 * names and periods the question gives, and neither asked about nor one of the knowledge base's terms.
 */
export function answeringNames(form: QuestionForm, hit: PassageHit, frame: ReadonlySet<string> = frameSurface(hit), questionText = '', lexicon: Lexicon = PLAIN): string[] {
  if (!AGENT_CUES.test(hit.passage.text)) return [];
  const asked = new Set(splitWords(questionText));
  const pinned = form.details.filter((d) => d.kind === 'name' || d.kind === 'period');
  const inClause = (c: Clause, d: Detail) =>
    d.words.every((w) => c.stems.has(stem(w)) || holdsPeriod(c.surface, w) || frame.has(w) || hit.framed.has(w));
  // A person or a company: a name (not an everyday word, not one of the knowledge base's product
  // terms, not a CamelCase product name), or a web name like Box.net.
  const answers = (n: string, original: string) => {
    const w = n.replace(/[^\p{L}\p{N}@.]/gu, '').replace(/\.$/, '');
    const plain = w.replace(/\./g, '');
    if (asked.has(plain) || asked.has(w) || NOT_AN_ANSWER_NAME.has(plain) || splitWords(original).includes('usa')) return false;
    // A web name (Box.net), not a dotted abbreviation (U.S., e.g.).
    if (w.includes('.')) return /^[\p{L}\p{N}-]{2,}\.[\p{L}]{2,}$/u.test(w);
    return isNameLike(plain) && !lexicon.isTerm(plain) && !lexicon.isTerm(plain.replace(/s$/, '')) && !/\p{Ll}\p{Lu}/u.test(original);
  };
  const out: string[] = [];
  for (const c of hit.view.clauses) {
    if (!pinned.every((d) => inClause(c, d))) continue;
    // "which state ...": a person named in a clause about something else is no state.
    if (form.place !== undefined && !c.stems.has(form.place)) continue;
    c.names.forEach((n, i) => {
      const original = c.originalNames[i] ?? n;
      if (answers(n, original) && !out.includes(original)) out.push(original);
    });
  }
  return out;
}

/** Words before a year that make it a time ("in 2013", "mid 2011", "June 2011"), not part of a name ("Exchange 2013"). */
const TIME_LEADS: ReadonlySet<string> = new Set([
  'in', 'by', 'until', 'till', 'before', 'after', 'since', 'during', 'of', 'for', 'from', 'to', 'through', 'around', 'about', 'and', 'or',
  'this', 'next', 'last', ...TIME_MODIFIERS, ...YEAR_WORDS, ...SEASONS, ...MONTHS,
]);

/**
 * Whether a year the partner typed is part of a name ("Exchange 2013", "the 2013 upgrade"): a version
 * the sources may simply not mention, not a time they could contradict.
 */
function versionYear(questionText: string, year: string): boolean {
  const m = new RegExp(`([\\p{L}][\\p{L}\\p{N}.']*)\\s+${year}\\b`, 'iu').exec(questionText);
  return m !== null && !TIME_LEADS.has((m[1] ?? '').toLowerCase());
}

/**
 * A yes/no question that assumed a figure or a time the passage states differently: the partner's
 * detail, when everything else is covered and the passage states a fact of the same kind about what
 * the question is about ("is WPC in June?": "WPC takes place in July 2011"). A time counts only as a
 * time: the source's as-of date and a product's version ("Exchange 2010") say nothing against "in
 * 2013", and a version the partner names ("Exchange 2013") is no time the sources could contradict.
 */
function correctionOf(missing: readonly Detail[], shown: readonly PassageHit[], subject: ReadonlySet<string>, questionText: string): Detail | undefined {
  if (missing.length !== 1) return undefined;
  const d = missing[0] as Detail;
  // The fact that corrects must be about what the question is about, not the source's as-of date.
  const clauses = shown.flatMap((h) => h.view.clauses).filter((c) => [...c.stems].some((s) => subject.has(s)));
  if (d.kind === 'number') return clauses.some((c) => c.numbers.length > 0) ? d : undefined;
  if (d.kind === 'period') {
    const w = d.words[d.words.length - 1] ?? '';
    const kindOf = (x: string) => (/^(?:19|20)\d\d$/.test(x) ? 'year' : /^(?:spring|summer|autumn|fall|winter)$/.test(x) ? 'season' : /^[a-z]+$/.test(x) ? 'month' : 'other');
    const want = kindOf(w);
    if (want === 'year' && versionYear(questionText, w)) return undefined;
    const text = clauses
      .filter((c) => c.time)
      .map((c) => c.text.replace(AS_OF, ' ').replace(VERSION_YEAR, ' ').toLowerCase())
      .join(' ');
    if (want === 'year') return /\b(?:19|20)\d\d\b/.test(text) ? d : undefined;
    // A month outside the season the partner assumed says it differently too ("in the spring?": July).
    if (want === 'season') return /\b(?:spring|summer|autumn|fall|winter|january|february|march|april|may|june|july|august|september|october|november|december)\b/.test(text) ? d : undefined;
    if (want === 'month') return /\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b/.test(text) ? d : undefined;
  }
  return undefined;
}
