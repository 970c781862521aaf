import { AnswerCache } from './answerCache';
import type { Problem } from '../content/Problem';
import type { Article } from '../knowledge/Article';
import type { Hit, KnowledgeIndex, PassageHit, SearchResult, WeightedWord } from '../knowledge/KnowledgeIndex';
import { isGenericHeading } from '../knowledge/passages';
import { checkAnswerability, holdsPeriod, statesPreciseFigure, type Answerability } from './answerability';
import { readMessage } from './message';
import { questionForm, type Detail, type QuestionForm } from './questionForm';
import { MONTHS, SEASONS, STOP_WORDS, TIME_MODIFIERS, YEAR_WORDS, lightStem, splitWords } from '../knowledge/words';
import type { AnswerBand } from '../conversation/band';
import type { Reply, ShownPassage } from './Reply';
import { smallTalkIntent, type SmallTalkWords } from './smallTalk';

/**
 * The thresholds the bands are cut at, chosen on the evaluation set (`npm run eval` prints, per band,
 * how many replies fell in it and how many were right).
 */
export const THRESHOLDS = {
  /** Below this share of the question's weight covered by the best passage, there is no answer. */
  minCoverage: 0.5,
  /** A question that names nothing the knowledge base is about may leave at most this share of its salience uncovered. */
  unanchoredUncovered: 0.2,
  /** ... and one that does, at most this share (more, and the question is about something else). */
  anchoredUncovered: 0.5,
  /** A question that names nothing the knowledge base is about needs this coverage for a partial answer. */
  unanchoredPartial: 0.6,
  /** Below this coverage, not even a partial answer: the passage is not about the question. */
  partialCoverage: 0.3,
  /** Two articles within this coverage of each other, neither covering the question well, are a "did you mean". */
  clarifyMargin: 0.06,
  /** ... unless the leader covers at least this much. */
  clearCoverage: 0.8,
  /** A passage this far ahead of every other article's, covering the question well, is about it. */
  standOut: 0.15,
  /** A second passage of the same article goes along when it fits within this of the first. */
  closePassage: 0.08,
  /** A second passage is shown when it covers at least this share of the question the first does not. */
  secondPassage: 0.2,
  /** A follow-up stays with the article it points back to while that ranks within this of the best. */
  preferMargin: 0.25,
  /** The lead passage may come from the second article when it ranks within this of the first. */
  leadSwitch: 0.15,
  /** Below this total weight, the question's own words say too little and the whole message is searched. */
  vagueWeight: 0.35,
} as const;

/** Confidence at or above which a reply is an answer (an exact question match is 1). */
export const ANSWER_THRESHOLD = 0.5;
/** Confidence at or above which an unclear question gets "did you mean"; below it, no answer. */
export const CLARIFY_THRESHOLD = 0.2;

export function bandOf(confidence: number): AnswerBand {
  if (confidence >= ANSWER_THRESHOLD) return 'answer';
  if (confidence >= CLARIFY_THRESHOLD) return 'clarify';
  return 'noAnswer';
}

/** What the conversation adds to a question (see `conversation.ts`). */
export interface DecideOptions {
  /** What small talk looks like (`dialogs/phrases.yaml`). Without it, no message is read as small talk. */
  readonly smallTalk?: SmallTalkWords;
  /** Words of the conversation's last question: they can help find the subject, never pin it. */
  readonly context?: string;
  /** The context is the question's subject ("when does that launch?"): read it for not-covered subjects too. */
  readonly followUp?: boolean;
  /** Passages this conversation has already shown (`articleId#index`): not repeated as "what the sources do say". */
  readonly shown?: ReadonlySet<string>;
  /** Passages not to lead with ("and the other challenge?"). */
  readonly avoid?: ReadonlySet<string>;
  /** The article a follow-up points back to ("who's behind that?"): kept unless another is clearly better. */
  readonly prefer?: string;
  /**
   * The article a follow-up must stay with, however another ranks: the only one found that holds the
   * conversation's subject ("how much will it cost?" after Office 365 is not answered with BPOS's cost).
   */
  readonly keep?: string;
}

/** Everything `decide` worked out, for `npm run ask` and the conversation logic. */
export interface Decision {
  /** The message (or the part of it) decided on. */
  readonly question: string;
  readonly reply: Reply;
  readonly result: DecidedSearch;
  readonly form?: QuestionForm;
  /** The chosen passages and the ones that came next. */
  readonly chosen: readonly PassageHit[];
  readonly runnerUps: readonly PassageHit[];
  readonly answerability?: Answerability;
  /** Whether the question names something the knowledge base is about. */
  readonly anchored: boolean;
  /** Share of the question's salience the lead article does not cover (off the subject when high). */
  readonly uncoveredShare?: number;
}

/**
 * What a decision keeps of its search: the question's words, the subject the sources are known not to
 * cover, whether the lead article matched the question exactly, and each article's best passage. The
 * rest of the hits (every passage scored, with its word sets) is left behind: a decision lives on in
 * the answer caches, and keeping them made each one tens of kB that every young-generation collection
 * had to copy and promote.
 */
export interface DecidedSearch {
  readonly words: readonly WeightedWord[];
  readonly gap?: string;
  readonly exact: boolean;
  /** Each article found, by its best passage, best article first. */
  readonly tops: readonly PassageHit[];
}

function kept(result: SearchResult): DecidedSearch {
  const top = result.hits[0];
  return {
    words: result.words,
    ...(result.gap !== undefined ? { gap: result.gap } : {}),
    exact: top !== undefined && (top.exact || top.exactSection !== undefined),
    tops: result.hits.flatMap((h) => h.passages.slice(0, 1)),
  };
}

/**
 * Decides the reply to a partner's message: pure, no I/O. The index is searched only when the message
 * is not small talk.
 */
export function decide(text: string, index: KnowledgeIndex, options: DecideOptions = {}): Reply {
  return explain(text, index, options).reply;
}

/**
 * Decisions already made on an index, by message and options (all but `shown`, applied after): partners
 * ask the same questions and press the same suggested questions, and deciding is pure. Each index (a
 * knowledge base in service: an article edit builds a new one) has its own cache, dropped with it, so
 * an edit is answered from as soon as it is in service.
 */
/** Decisions kept per index: each holds the little it keeps of its search (`DecidedSearch`), a few kB. */
const MAX_CACHED_DECISIONS = 512;
const decisions = new AnswerCache<Decision>(MAX_CACHED_DECISIONS);
/** A message longer than this is decided each time (a partner's paste is rarely asked twice). */
const MAX_CACHED_TEXT = 2000;

/** `decide`, with the reasons. */
export function explain(text: string, index: KnowledgeIndex, options: DecideOptions = {}): Decision {
  const { shown, ...rest } = options;
  if (text.length + (rest.context?.length ?? 0) > MAX_CACHED_TEXT) return withoutShown(explainAfresh(text, index, rest), shown);
  const cache = decisions.of(index, rest.smallTalk);
  const key = JSON.stringify([text, rest.context ?? '', rest.followUp === true, rest.prefer ?? '', rest.keep ?? '', rest.avoid ? [...rest.avoid].sort() : []]);
  let decision = cache.get(key);
  if (!decision) cache.set(key, (decision = explainAfresh(text, index, rest)));
  return withoutShown(decision, shown);
}

/**
 * A partial answer that reports a detail the sources lack leaves out what the conversation has already
 * shown (the partner has seen that figure; repeating it would look like an answer).
 */
function withoutShown(d: Decision, shown: ReadonlySet<string> | undefined): Decision {
  const r = d.reply;
  if (r.kind !== 'partial' || !shown || shown.size === 0 || !d.answerability || !pinsMissing(d.answerability)) return d;
  const passages = r.passages.filter((s) => !shown.has(passageKey(s.article.id, s.passage.index)));
  return passages.length === r.passages.length ? d : { ...d, reply: { ...r, passages } };
}

/** Whether the question pinned down something the sources lack. */
function pinsMissing(a: Answerability): boolean {
  return a.missing.length > 0 || a.asksUnmet || a.limit;
}

/** `explain` without the cache, and without `shown` (see `withoutShown`). */
function explainAfresh(text: string, index: KnowledgeIndex, options: Omit<DecideOptions, 'shown'>): Decision {
  const none = (reply: Reply): Decision => ({ question: text, reply, result: { words: [], exact: false, tops: [] }, chosen: [], runnerUps: [], anchored: false });
  const intent = options.smallTalk ? smallTalkIntent(text, options.smallTalk) : undefined;
  if (intent === 'person') return none({ kind: 'escalate' });
  if (intent) return none({ kind: 'smallTalk', intent });
  // "?", "!!!", an emoji: nothing to search on, so show what the bot can do.
  if (!/[\p{L}\p{N}]/u.test(text)) return none({ kind: 'smallTalk', intent: 'help' });

  const message = readMessage(text);
  const context = [message.context, options.context ?? ''].filter((c) => c !== '').join(' ');
  let question = message.question;
  let result = index.search(question, { context, followUp: options.followUp === true, limit: SEARCH_LIMIT });
  if (message.context !== '' && ownSalience(result.words) < THRESHOLDS.vagueWeight) {
    // "BPOS = Business Productivity Online... what's the last word?": the subject is in the context.
    question = `${message.context} ${message.question}`;
    result = index.search(question, { ...(options.context ? { context: options.context } : {}), followUp: options.followUp === true, limit: SEARCH_LIMIT });
  }
  return { ...decideOn(question, result, index, options), question: text };
}

function decideOn(question: string, result: SearchResult, index: KnowledgeIndex, options: DecideOptions): Omit<Decision, 'question'> {
  const base = { result: kept(result), chosen: [] as PassageHit[], runnerUps: [] as PassageHit[], anchored: false };
  const top = result.hits[0];
  const ownContent = result.words.filter((w) => w.kind === 'content' && !w.context);
  if (!top) {
    if (result.gap !== undefined) return { ...base, reply: { kind: 'noAnswer', reason: 'notCovered', gap: result.gap, confidence: 0 } };
    return { ...base, reply: { kind: 'noAnswer', reason: ownContent.length === 0 ? 'vague' : 'noMatch', confidence: 0 } };
  }
  const form = inheritUnit(questionForm(question, result.words), question, options, result);
  const exact = top.exact || top.exactSection !== undefined;
  const { chosen, runnerUps } = choosePassages(result, form, question, options, exact ? top : undefined, index);
  const lead = chosen[0] ?? top.passages[0];
  if (!lead) return { ...base, reply: { kind: 'noAnswer', reason: 'noMatch', confidence: 0 } };
  // A follow-up is on the subject its conversation was on.
  const anchorWords = options.followUp ? result.words.filter((w) => w.kind === 'content') : ownContent;
  const anchored = exact || anchorWords.some((w) => w.anchor && (lead.own.has(w.word) || lead.framed.has(w.word) || lead.elsewhere.has(w.word)));
  const shortView = chosen.some((p) => p.passage.index === 0 && p.article.id === lead.article.id)
    ? []
    : (result.hits.find((h) => h.article.id === lead.article.id)?.passages.find((p) => p.passage.index === 0)?.view ?? []);
  const answerability = checkAnswerability(form, result.words, chosen, question, index, [shortView].flat());
  const confidence = confidenceOf(result, lead);
  const decided = { ...base, form, chosen, runnerUps, answerability, anchored };
  const followUps = relatedArticles(lead.article, index);
  const shown = chosen.map((h): ShownPassage => ({ article: h.article, passage: h.passage }));

  // An exact question match answers at once, unless the passage itself says the sources stop short of it
  // or the question pins down a detail its filler words hid from the match ("how many seats exactly?").
  if (exact && !answerability.limit && answerability.missing.length === 0) return { ...decided, reply: { kind: 'answer', article: lead.article, passages: withSection(shown, lead), confidence: 1, followUps, ...shortAnswerAfter(shown, lead) } };

  // Pinned details (numbers, periods, kinds of figure) are the answerability check's to judge.
  // (For a question that names the knowledge base's subject, the names it pins down too: "Europe" in a
  // question about BPOS seats makes a partial answer, not an off-topic one.)
  const anchoredFirst = exact || anchorWordsCovered(result, lead, options);
  const pinnedWords = new Set(form.details.filter((d) => d.kind !== 'name').flatMap((d) => d.words));
  const held = (w: string) => chosen.some((p) => p.own.has(w) || p.framed.has(w));
  const pinnedNames = new Set(anchoredFirst ? form.details.filter((d) => d.kind === 'name').flatMap((d) => d.words).filter((w) => !held(w)) : []);
  const subject = ownContent.filter((w) => !pinnedWords.has(w.word) && !pinnedWords.has(w.typed ?? ''));
  const passagesShown = chosen.length > 0 ? chosen : [lead];
  // (A detail the question pins down that the passage holds, "free", shows it is on the subject too.)
  const onSubjectWords = [...subject, ...ownContent.filter((w) => !subject.includes(w) && held(w.word))];
  // A subject the sources do not cover ("their own setup") is the reply, unless the rest of the question
  // is plainly about the passage ("a BPOS flavour for big enterprises"): then the passage is what the
  // sources do say, and the subject is named as what they do not.
  const inGap = (w: WeightedWord) => result.gapStems?.includes(lightStem(w.word)) === true || result.gapStems?.includes(lightStem(w.typed ?? '')) === true;
  // (A name no article uses, "the UK", "Azure", is another subject, however much else is shared.)
  const otherName = ownContent.some((w) => !w.known && w.nameLike && w.weight > 0 && !inGap(w));
  const gapGivesWay = result.gap !== undefined && !options.followUp && !otherName && onSubject(onSubjectWords.filter((w) => !inGap(w)), passagesShown, index);
  if (result.gap !== undefined && !gapGivesWay) return { ...decided, reply: { kind: 'noAnswer', reason: 'notCovered', gap: result.gap, confidence, closest: lead.article } };
  // Words no article uses ("annoyed", "colleges") in a question whose other telling words are all in the
  // passage: the passage is on the subject, and those words are what the sources do not say.
  const onTopic = !otherName && (gapGivesWay || onSubject(onSubjectWords, passagesShown, index));
  const judged = subject.filter((w) => !pinnedNames.has(w.word));
  const uncoveredShare = uncoveredSalience(judged, chosen.length > 0 ? chosen : [lead]) / Math.max(1e-9, judged.reduce((s, w) => s + salience(w), 0));
  // Two passages (the two sides of a comparison) cover the question together.
  const coverage = Math.max(lead.coverage, unionCoverage(chosen, result.words));
  // (When the passage turns out not to be about the question after all, a not-covered subject it asks
  // about is still named.)
  const noMatch: Reply = result.gap !== undefined ? { kind: 'noAnswer', reason: 'notCovered', gap: result.gap, confidence, closest: lead.article } : { kind: 'noAnswer', reason: 'noMatch', confidence, closest: lead.article };
  Object.assign(decided, { uncoveredShare: round(uncoveredShare) });
  // Off the subject: the words that carry the question are not the knowledge base's.
  // (A follow-up whose own words say next to nothing, "who's behind that?", is judged by its context.)
  const saysLittle = options.followUp === true && ownSalience(subject) < THRESHOLDS.vagueWeight;
  if (!saysLittle && !onTopic && uncoveredShare > (anchored ? THRESHOLDS.anchoredUncovered : THRESHOLDS.unanchoredUncovered)) return { ...decided, reply: noMatch };
  // "the dashboard light in my car", "the meaning of life": one knowledge-base word among everyday words
  // the knowledge base never uses is not a question about the knowledge base's subject.
  const coveredTelling = subject.filter((w) => salience(w) >= 0.1 && (lead.own.has(w.word) || lead.framed.has(w.word) || lead.elsewhere.has(w.word)));
  const strangers = subject.filter((w) => !w.known && !(lead.own.has(w.word) || lead.framed.has(w.word)));
  if (!anchored && !options.followUp && !onTopic && coveredTelling.length <= 1 && strangers.length > 0) return { ...decided, reply: noMatch };
  // "cloud", "microsoft partners": a word or two that several articles are equally about.
  const telling = subject.filter((w) => salience(w) >= 0.1);
  // ... or only words every article uses, or one word no article is about ("what's MSPmentor?").
  const leadHit = result.hits.find((h) => h.article.id === lead.article.id);
  // (A passage that covers the question where no other article comes close is about it, whatever the titles say.)
  const standsOut = lead.coverage >= THRESHOLDS.clearCoverage && lead.coverage - Math.max(0, ...result.hits.filter((h) => h.article.id !== lead.article.id).map((h) => h.coverage)) >= THRESHOLDS.standOut;
  const aboutNothing = telling.length <= 1 && (leadHit?.about ?? 0) < 0.5 && result.hits.length > 1 && !standsOut;
  if (aboutNothing && !anchored && !options.followUp) return { ...decided, reply: noMatch };
  if (((telling.length <= 1 && manyAbout(result)) || (telling.length === 0 && result.hits.length > 1) || aboutNothing) && !options.followUp) {
    return { ...decided, reply: result.gap !== undefined ? noMatch : { kind: 'clarify', candidates: clarifyCandidates(result, index), confidence: round(confidence * 0.5) } };
  }
  if (coverage < THRESHOLDS.partialCoverage) {
    if (anchored && ambiguous(result) && result.gap === undefined) return { ...decided, reply: { kind: 'clarify', candidates: clarifyCandidates(result, index), confidence } };
    return { ...decided, reply: noMatch };
  }

  const a = answerability;
  const short = gapGivesWay || a.missing.length > 0 || a.asksUnmet || a.limit || a.uncovered.length > 0 || coverage < THRESHOLDS.minCoverage || confidence < ANSWER_THRESHOLD;
  const answer = { kind: 'answer' as const, article: lead.article, passages: withSection(shown, lead), confidence, followUps, ...shortAnswerAfter(shown, lead) };
  // A question that names nothing the knowledge base is about and uses a word the knowledge base lacks
  // ("the conference room booking policy at our office") is likely about something else: never answered
  // outright from the words it happens to share, unless the passage covers nearly all of it.
  const stranger = !anchored && !options.followUp && coverage < THRESHOLDS.clearCoverage && strangers.some((w) => w.weight > 0);
  if (!short && !stranger) return { ...decided, reply: answer };
  if (a.correction && !a.asksUnmet && !a.limit && a.uncovered.length === 0) return { ...decided, reply: { ...answer, corrects: asTyped(a.correction.typed, question) } };
  // A question that names nothing the knowledge base is about gets a partial answer only when the passage
  // covers most of it and it uses no word the knowledge base lacks ("when did the health dashboard launch?",
  // not "how many seats are there on a 747?"); otherwise it is likely about something else.
  // (Coverage here is of the question's subject: a period or figure it pins down, "in the first 3
  // months", is the answerability check's to report, and makes a partial answer, not an off-topic one.)
  const subjectCoverage = Math.max(coverage, unionCoverage(chosen, subject));
  if (!anchored && (subjectCoverage < THRESHOLDS.unanchoredPartial || (!onTopic && ownContent.some((w) => !w.known && w.weight > 0)))) return { ...decided, reply: noMatch };
  // What the sources do say: the passages (with their section, and the short answer when they come from
  // the details); `withoutShown` leaves out those the conversation has seen when the question pinned
  // down something the sources lack.
  const full = [...withSection(shown, lead), ...Object.values(shortAnswerAfter(shown, lead))];
  // The not-covered subject the passage gave way over is named as what the sources do not say.
  const gapWords = gapGivesWay ? ownContent.filter((w) => inGap(w) && !a.uncovered.includes(w) && !held(w.word)) : [];
  const { missing, mentioned } = missingOf(gapWords.length > 0 ? { ...a, uncovered: [...a.uncovered, ...gapWords] } : a, form, full, result, question);
  // "which days in July is WPC?": the passage dates it, only not to the day.
  const onlyNoDay = a.asksUnmet && form.asks === 'date' && form.day && a.missing.length === 0 && chosen.some((p) => p.view.clauses.some((c) => c.time && !c.day));
  return {
    ...decided,
    reply: { kind: 'partial', article: lead.article, passages: full, asks: onlyNoDay ? 'day' : a.asksUnmet ? form.asks : 'other', missing: onlyNoDay ? [] : missing, ...(mentioned ? { mentioned } : {}), confidence: round(confidence * 0.6), followUps },
  };
}

/**
 * What the opening sentence of a partial answer names as missing, as the partner typed it. It speaks
 * of the reply as shown (every passage, the short answer too), so a number or a time one of them states
 * ("2011" in "July 2011") is not said to be missing; a name the sources do mention, only not as the
 * question has it ("Box.net teamed up with ADP?": IBM did), is `mentioned`, not "nothing about"; and a
 * time that frames a date question ("the date of the event this summer") is no thing without a date.
 */
function missingOf(a: Answerability, form: QuestionForm, full: readonly ShownPassage[], result: SearchResult, question: string): { missing: string[]; mentioned: boolean } {
  const unmetWith = form.asks === 'date' ? a.unmetWith.filter((d) => d.kind !== 'period') : a.unmetWith;
  let details = [...a.missing, ...unmetWith].filter((d) => d.kind !== 'qualifier');
  let mentioned = false;
  if (!a.asksUnmet) {
    const shownWords = new Set(full.flatMap((s) => splitWords(`${s.article.title} ${s.passage.heading ?? ''} ${s.passage.text}`)));
    details = details.filter((d) => d.kind === 'name' || !d.words.every((w) => (d.kind === 'period' ? holdsPeriod(shownWords, w) : shownWords.has(w))));
    const inSources = (d: Detail) =>
      d.kind === 'name' && result.hits.some((h) => h.passages.some((p) => d.words.every((w) => p.own.has(w) || p.framed.has(w) || p.elsewhere.has(w))));
    const absent = details.filter((d) => !inSources(d));
    mentioned = details.length > 0 && absent.length === 0;
    if (!mentioned) details = absent;
  }
  const typed = details.map((d) => (d.kind === 'name' ? withCapitalised(asTyped(d.typed, question), question) : asTypedFigure(d.typed, question)));
  const missing = details.length > 0 ? typed : a.uncovered.map((w) => asTyped(w.typed ?? w.word, question));
  return { missing: [...new Set(missing)], mentioned };
}

/** A name the partner capitalised, with the capitalised words around it ("Las" in "Las Vegas"). */
function withCapitalised(typed: string, question: string): string {
  if (!/^\p{Lu}/u.test(typed)) return typed;
  const at = question.indexOf(typed);
  if (at < 0) return typed;
  const before = /(?:\p{Lu}[\p{L}.&'-]*\s+)+$/u.exec(question.slice(0, at))?.[0] ?? '';
  const after = /^(?:\s+\p{Lu}[\p{L}.&'-]*)+/u.exec(question.slice(at + typed.length))?.[0] ?? '';
  // The first word of the message is capitalised as a sentence, not as a name.
  const lead = at - before.length === 0 ? '' : before;
  return `${lead}${typed}${after}`.replace(/[.,]+$/, '');
}

/**
 * Words that neither name a thing nor count one: "have 10", "in 2013" stay "10", "2013". The stop words,
 * the calendar's words, and the few others that place or hedge a figure.
 */
const FUNCTION_WORDS: ReadonlySet<string> = new Set([
  ...STOP_WORDS, ...MONTHS, ...SEASONS, ...TIME_MODIFIERS, ...YEAR_WORDS,
  'gets', 'nearly', 'those', 'until', 'till', 'before', 'during', 'through', 'next', 'last',
]);
const FIGURE_WORDS = new Set(['million', 'thousand', 'billion', 'hundred', 'k', 'm', 'bn', '%', 'percent']);

/**
 * A number or year as the partner wrote it, with what makes it a thing: the name it belongs to
 * ("Windows 7", "Exchange 2013") or what it counts ("10 million users"); on its own otherwise ("in 2013").
 */
function asTypedFigure(lower: string, question: string): string {
  const tokens = question.match(/[$€£]?[\p{L}\p{N}][\p{L}\p{N}@.,'’-]*/gu) ?? [];
  const plain = (t: string) => t.replace(/[.,]+$/, '');
  const at = tokens.findIndex((t) => plain(t).replace(/^[$€£]/, '').replace(/,/g, '').toLowerCase() === lower);
  if (at < 0) return asTyped(lower, question);
  const own = plain(tokens[at] ?? lower);
  const after: string[] = [];
  for (let i = at + 1; i < tokens.length && after.length < 3; i += 1) {
    const t = plain(tokens[i] ?? '');
    if (FIGURE_WORDS.has(t.toLowerCase())) after.push(t);
    else {
      // A plural after a figure is what it counts ("7 customers").
      if (/^\p{L}{3,}s$/u.test(t) && !FUNCTION_WORDS.has(t.toLowerCase())) after.push(t);
      break;
    }
    if (tokens[i]?.endsWith(',')) break;
  }
  if (after.length > 0 && !/^\d{4}$/.test(own)) return [own, ...after].join(' ');
  const before = at > 0 ? plain(tokens[at - 1] ?? '') : '';
  if (before !== '' && !tokens[at - 1]?.endsWith(',') && /^\p{L}/u.test(before) && !FUNCTION_WORDS.has(before.toLowerCase())) return `${before} ${own}`;
  return own;
}

/**
 * The lead passage with the rest of its section: a `##` section is one subject ("The challenges": both
 * of them), except the catch-all ones ("More detail").
 */
function withSection(shown: readonly ShownPassage[], lead: PassageHit): ShownPassage[] {
  const heading = lead.passage.heading;
  if (heading === undefined || isGenericHeading(heading)) return [...shown];
  const keys = new Set(shown.map((s) => passageKey(s.article.id, s.passage.index)));
  const siblings = lead.article.passages
    .filter((p) => p.heading === heading && !keys.has(passageKey(lead.article.id, p.index)))
    .map((passage): ShownPassage => ({ article: lead.article, passage }));
  const [first, ...rest] = shown;
  return first ? [first, ...siblings.slice(0, MAX_SECTION - 1), ...rest] : [...shown];
}

/** The article's short answer, to follow an answer taken from its details. */
function shortAnswerAfter(shown: readonly ShownPassage[], lead: PassageHit): { shortAnswer?: ShownPassage } {
  const short = lead.article.passages[0];
  if (!short || shown.some((s) => s.article.id === lead.article.id && s.passage.index === 0)) return {};
  return { shortAnswer: { article: lead.article, passage: short } };
}

const MAX_SECTION = 3;
/**
 * How much stating a fact of the kind a yes/no question assumed ("is WPC in June?": the passage that
 * gives the month) counts towards leading with a passage: it is what answers the premise.
 */
const CORRECTION_BONUS = 0.1;
/** How much a precise figure counts over a hedged one towards leading with a passage. */
const PRECISE_BONUS = 0.04;
/** How much a section's questions asking what the partner asks count towards leading with the section. */
const SECTION_WEIGHT = 0.1;
/** Articles considered for a question: the lead and the other side of a comparison come from these. */
const SEARCH_LIMIT = 8;
const COMPARISON = /\b(?:or|vs\.?|versus|compared?|comparison|than|bigger|larger|smaller|difference|differ|same)\b/;

/** "and how many now?": a follow-up that asks for a figure counts what the last question counted. */
function inheritUnit(form: QuestionForm, question: string, options: DecideOptions, result: SearchResult): QuestionForm {
  if (!options.followUp || !options.context) return form;
  const before = questionForm(options.context, result.words.map((w) => ({ ...w, context: false })));
  // "and all ten together?" after "how many customers has Dell moved?", "and the Office 365 launch?"
  // after "when is WPC?": a fragment with no question word of its own asks what the last question asked.
  if (form.asks === 'other' && !form.yesNo && before.asks !== 'other' && isFragment(question)) return { ...form, asks: before.asks, day: before.day };
  // "how does that compare with BPOS seats?" after a figure: a figure to set beside it.
  if (form.asks === 'other' && !form.yesNo && before.asks === 'figure' && /\bcompar(?:e|es|ed|ison)\b/.test(question.toLowerCase())) return { ...form, asks: 'figure' };
  if (form.asks !== 'figure' || form.unit !== undefined) return form;
  return before.unit !== undefined ? { ...form, unit: before.unit } : form;
}

const QUESTION_WORD = /\b(?:what|whats|who|whos|whose|when|where|which|why|how|is|are|was|were|do|does|did|can|could|will|would|should|has|have)\b/;

/** A message with no question word of its own ("and CDW?", "what about the whole top 10?" is not one). */
export function isFragment(text: string): boolean {
  return !QUESTION_WORD.test(text.toLowerCase().replace(/^\W*(?:and |so |but )?(?:what|how) about\b/, ''));
}

/** At least this many telling words a question shares with the passage make the passage about it. */
const ON_SUBJECT_WORDS = 2;
/** ... each weighing at least this much in the knowledge base. */
const ON_SUBJECT_WEIGHT = 0.5;

/**
 * Whether the passages are plainly about the question: at least `ON_SUBJECT_WORDS` of its telling words
 * that the knowledge base uses are what the lead article is about (its title, questions, section
 * questions or tags: what staff say it answers), one of them is in the passages themselves, and every
 * word of the question the knowledge base uses is somewhere in the article. ("The dashboard light in my
 * car" shares one word; "the conference room booking policy" shares two that the billing article only
 * happens to use; "the free email thing for colleges" shares "free" and "e-mail" with Live@edu's questions,
 * and only "colleges" is not the sources'.)
 */
function onSubject(words: readonly WeightedWord[], passages: readonly PassageHit[], index: KnowledgeIndex): boolean {
  const lead = passages[0];
  if (!lead) return false;
  const known = words.filter((w) => w.known && !w.everywhere && salience(w) >= 0.1);
  // (Words many articles use, "partner", tell little: "make partner at a law firm" is not about billing.)
  const telling = known.filter((w) => w.weight >= ON_SUBJECT_WEIGHT);
  const inPassage = (w: WeightedWord) => passages.some((p) => p.own.has(w.word) || p.framed.has(w.word));
  const inArticle = (w: WeightedWord) => inPassage(w) || passages.some((p) => p.elsewhere.has(w.word));
  if (telling.length < ON_SUBJECT_WORDS || !telling.some(inPassage) || !known.every(inArticle)) return false;
  const a = lead.article;
  const about = new Set(index.stemsOf([a.title, ...a.questions, ...a.sections.flatMap((s) => s.questions), ...a.tags].join('\n')));
  return telling.filter((w) => about.has(index.stem(w.word))).length >= ON_SUBJECT_WORDS;
}

/** Share of the question's weight that the passages hold (in their text, heading or title) between them. */
function unionCoverage(chosen: readonly PassageHit[], words: readonly WeightedWord[]): number {
  const content = words.filter((w) => w.kind === 'content' && !w.context);
  const total = content.reduce((s, w) => s + w.weight, 0);
  const held = content.filter((w) => chosen.some((p) => p.own.has(w.word) || p.framed.has(w.word))).reduce((s, w) => s + w.weight, 0);
  return total > 0 ? held / total : 0;
}

function anchorWordsCovered(result: SearchResult, lead: PassageHit, options: DecideOptions): boolean {
  const words = options.followUp ? result.words.filter((w) => w.kind === 'content') : result.words.filter((w) => w.kind === 'content' && !w.context);
  return words.some((w) => w.anchor && (lead.own.has(w.word) || lead.framed.has(w.word) || lead.elsewhere.has(w.word)));
}

/** A word or phrase as the partner wrote it (their capitals: "UK", "CDW"), found in their question. */
function asTyped(lower: string, question: string): string {
  const words = lower.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const found = new RegExp(`\\b${words.join('\\W+(?:\\w+\\W+){0,2}?')}\\b`, 'i').exec(question);
  if (found) return found[0];
  // A term's token as the partner spaced it ("office365" typed "Office 365").
  const letters = [...lower.replace(/\s+/g, '')].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const spaced = new RegExp(`\\b${letters.join('[\\s.-]?')}\\b`, 'i').exec(question);
  return spaced ? spaced[0] : lower;
}

/** The key a conversation remembers a shown passage by. */
export function passageKey(articleId: string, index: number): string {
  return `${articleId}#${index}`;
}

/**
 * The passage that answers, and at most one more that covers what the first leaves out. Candidates
 * are the best passages of the best articles; a passage that holds the kind of fact asked, with what
 * the question pins down, ranks above one that only shares words.
 */
function choosePassages(
  result: SearchResult,
  form: QuestionForm,
  question: string,
  options: DecideOptions,
  exactHit: Hit | undefined,
  index: KnowledgeIndex,
): { chosen: PassageHit[]; runnerUps: PassageHit[] } {
  // Each passage is checked once, however often the choice below weighs it.
  const checked = new Map<PassageHit, Answerability>();
  const check = (p: PassageHit) => {
    let a = checked.get(p);
    if (!a) {
      a = checkAnswerability(form, result.words, [p], question, index);
      checked.set(p, a);
    }
    return a;
  };
  const fit = (p: PassageHit) => {
    const a = check(p);
    let score = p.coverage;
    // A passage that holds the kind of fact asked (a figure, a date, a name) is what the question wants.
    if (!a.asksUnmet) score += form.asks === 'other' ? 0 : 0.35;
    // A figure as it is ("a combined 1,040") answers "how many" better than a hedged one ("over 1,000").
    if (!a.asksUnmet && form.asks === 'figure' && p.view.clauses.some((c) => c.numbers.length > 0 && statesPreciseFigure(c.text))) score += PRECISE_BONUS;
    score -= 0.06 * a.missing.length;
    // A passage that states a fact of the kind the question assumed can correct it ("spring?" - "fall").
    if (a.correction) score += CORRECTION_BONUS;
    if (p.passage.index === 0) score += 0.01;
    // A section whose heading names what is asked ("Box.net", "The preview") is about it, and so is one
    // whose section questions (staff's way of aiming questions at it) ask what the partner asks.
    if (p.passage.heading !== undefined && !isGenericHeading(p.passage.heading)) {
      const heading = index.headingStems(p.article.id, p.passage.index);
      if (result.words.some((w) => w.kind === 'content' && !w.everywhere && !w.context && heading.has(index.stem(w.word)))) score += 0.05;
      score += SECTION_WEIGHT * p.sectionCoverage;
    }
    if (options.avoid?.has(passageKey(p.article.id, p.passage.index))) score -= 0.5;
    return score;
  };
  const rank = (ps: readonly PassageHit[]) => ps.map((p) => ({ p, score: fit(p) })).sort((x, y) => y.score - x.score);
  const preferred = options.prefer !== undefined ? result.hits.find((h) => h.article.id === options.prefer) : undefined;
  const [leader, second] = exactHit ? [exactHit] : result.hits;
  if (!leader) return { chosen: [], runnerUps: [] };
  // A follow-up that points back ("does it cost extra?") stays with the article it points to, unless
  // another article is clearly about the question instead.
  const keptHit = options.keep !== undefined ? result.hits.find((h) => h.article.id === options.keep) : undefined;
  const top = keptHit ?? (!exactHit && preferred && preferred.score >= leader.score - THRESHOLDS.preferMargin ? preferred : leader);
  const next = top === leader ? second : leader;
  // The lead passage comes from the best article, or from the next one when only it holds the kind
  // of fact asked (a figure, a date, a name) and it ranks close behind.
  let ranked = rank(exactHit ? exactHit.passages.filter((p) => exactHit.exactSection === undefined || p.passage.heading === exactHit.exactSection) : top.passages);
  const meets = (p: PassageHit | undefined) => p !== undefined && !check(p).asksUnmet;
  if (!exactHit && !keptHit && form.asks !== 'other' && !meets(ranked[0]?.p)) {
    const margin = THRESHOLDS.leadSwitch * (form.asks === 'figure' ? 2 : 1);
    for (const other of [next, ...result.hits.filter((h) => h !== top && h !== next)].slice(0, 3)) {
      if (!other || top.score - other.score >= margin) continue;
      const theirs = rank(other.passages);
      if (meets(theirs[0]?.p)) {
        ranked = theirs;
        break;
      }
    }
  }
  // A passage that sends the partner to another article ("details are in the 2010 upgrade article")
  // gives way to that article, when it is among those found and covers the question about as well.
  if (!exactHit && !keptHit) ranked = followPointer(ranked, result, index, (ps) => rank(ps), (best, pointer) => form.asks === 'other' || meets(best) || !meets(pointer));
  const first = ranked[0]?.p;
  if (!first) return { chosen: [], runnerUps: [] };
  const pool = [...ranked, ...rank(result.hits.filter((h) => h.article.id !== first.article.id).flatMap((h) => h.passages.slice(0, 4)))];
  const chosen = [first];
  const covered = (p: PassageHit, w: WeightedWord) => p.own.has(w.word) || p.framed.has(w.word);
  const content = result.words.filter((w) => w.kind === 'content' && !w.context && w.weight > 0);
  const total = content.reduce((s, w) => s + w.weight, 0);
  // What the first passage leaves out: words it does not hold that its article's questions and tags
  // do not claim either ("users vs copies sold" is one passage; "seats or Office Web Apps users" two).
  const left = content.filter((w) => !covered(first, w) && !first.described.has(w.word));
  let best: { p: PassageHit; gain: number } | undefined;
  for (const { p } of pool.slice(1)) {
    if (p.article.id === first.article.id && p.passage.index === first.passage.index) continue;
    if (p.view.limit || p.coverage < THRESHOLDS.partialCoverage) continue;
    let gain = left.filter((w) => p.own.has(w.word)).reduce((s, w) => s + w.weight, 0) / Math.max(1e-9, total);
    // The other side of a comparison must hold the same kind of fact (both figures, both dates).
    const holds = form.asks === 'figure' ? p.view.clauses.some((c) => c.numbers.length > 0) : form.asks === 'date' ? p.view.clauses.some((c) => c.time) : meets(p);
    if (form.asks !== 'other' && gain > 0) gain += holds ? 0.1 : -1;
    if (gain > (best?.gain ?? 0)) best = { p, gain };
  }
  // Two passages only answer a question that asks about two things side by side; otherwise a second
  // passage would stitch a relation together that no source states ("does Office 365 include Lync?").
  if (best && best.gain >= THRESHOLDS.secondPassage && COMPARISON.test(question.toLowerCase())) chosen.push(best.p);
  // When another passage of the same article fits the question about as well, it goes along: the
  // partner gets both rather than the bot guessing between them.
  const [lead, close] = ranked;
  if (chosen.length === 1 && lead && close && close.p.article.id === lead.p.article.id && lead.score - close.score < THRESHOLDS.closePassage && close.p.passage.index !== 0 && !close.p.view.limit) chosen.push(close.p);
  return { chosen, runnerUps: pool.map((r) => r.p).filter((p) => !chosen.includes(p)).slice(0, 4) };
}

/** The ranked passages of the article the lead passage points to, when they should lead instead (see `choosePassages`). */
function followPointer<R extends { p: PassageHit }>(
  ranked: R[],
  result: SearchResult,
  index: KnowledgeIndex,
  rank: (ps: readonly PassageHit[]) => R[],
  holds: (best: PassageHit, pointer: PassageHit) => boolean,
): R[] {
  const pointer = ranked[0]?.p;
  const target = pointer ? pointedArticle(pointer, result, index) : undefined;
  if (!pointer || !target) return ranked;
  const theirs = rank(target.hit.passages);
  const best = theirs[0]?.p;
  // (The pointer's own words, "upgrade", are the other article's: matched through them, it is no answer.)
  const close = best !== undefined && (target.matchedThrough || best.coverage >= pointer.coverage - THRESHOLDS.leadSwitch);
  return best && close && holds(best, pointer) ? theirs : ranked;
}

/** "details are in the 2010 upgrade article", "(see the competitors article)": what a passage points to. */
const POINTER = /\b(?:see|details are in|more (?:is )?in|covered in) the ([\p{L}\p{N}@ .-]+?) article\b/giu;

/**
 * The article a passage points to, among the articles found: of the articles its own article lists as
 * `related`, the one the pointer's words name best ("the 2010 upgrade article": the related article
 * whose id, title or tags hold "2010" and "upgrade"). Only a related article can be meant, so a pointer
 * staff write in any words finds its article as long as the article is listed under `related`.
 */
function pointedArticle(p: PassageHit, result: SearchResult, index: KnowledgeIndex): { hit: Hit; matchedThrough: boolean } | undefined {
  for (const m of p.passage.text.matchAll(POINTER)) {
    const target = relatedNamedBy(m[1] ?? '', p.article, index);
    const hit = target && result.hits.find((h) => h.article.id === target.id);
    if (!hit) continue;
    // Whether the question's words met the passage in the pointer itself ("upgraded": "the 2010 upgrade article").
    const pointerStems = new Set(index.stemsOf(m[1] ?? ''));
    const asked = result.words.filter((w) => w.kind === 'content' && !w.context && !w.everywhere).map((w) => index.stem(w.word));
    const elsewhere = new Set(index.stemsOf(p.passage.text.replace(m[0], ' ')));
    return { hit, matchedThrough: asked.some((s) => pointerStems.has(s) && !elsewhere.has(s)) };
  }
  return undefined;
}

/**
 * Cross-references ("see the editions article") that name none of their article's related articles:
 * the bot cannot follow them, so `kb:check` warns of each, at its line.
 */
export function unresolvedPointers(index: KnowledgeIndex): Problem[] {
  const out: Problem[] = [];
  for (const a of index.articles) {
    for (const p of a.passages) {
      for (const m of p.text.matchAll(POINTER)) {
        if (relatedNamedBy(m[1] ?? '', a, index)) continue;
        const message =
          a.related.length > 0
            ? `"${m[0]}" names none of the related articles (${a.related.join(', ')}): list the article it means under related, or name it by words of its title`
            : `"${m[0]}" points to another article, but this one lists no related articles: list the article it means under related`;
        out.push({ file: a.file, line: p.line, message, severity: 'warning' });
      }
    }
  }
  return out;
}

/**
 * The related article a pointer's words ("2010 upgrade", "billing policy") name: the one whose id,
 * title and tags hold most of them, and at least half; none when two name them equally well.
 */
export function relatedNamedBy(pointer: string, article: Article, index: KnowledgeIndex): Article | undefined {
  const named = [...new Set(index.stemsOf(pointer))];
  if (named.length === 0) return undefined;
  const scored = article.related
    .flatMap((id) => (id === article.id ? [] : (index.get(id) ?? [])))
    .map((a) => {
      const own = new Set(index.stemsOf(`${a.id.replace(/-/g, ' ')} ${a.title} ${a.tags.join(' ')}`));
      return { a, share: named.filter((s) => own.has(s)).length / named.length };
    })
    .sort((x, y) => y.share - x.share);
  const [best, second] = scored;
  if (!best || best.share < 0.5 || (second !== undefined && second.share === best.share)) return undefined;
  return best.a;
}

/**
 * How much a word says about the question's subject: its weight in the knowledge base times how
 * specific it is in everyday English ("point" says little, "warranty" or "Africa" a lot).
 */
function salience(w: WeightedWord): number {
  return w.weight * w.specificity;
}

/** The salience of the question's words that the chosen passages' articles do not cover at all. */
function uncoveredSalience(words: readonly WeightedWord[], chosen: readonly PassageHit[]): number {
  return words.filter((w) => !chosen.some((p) => p.own.has(w.word) || p.framed.has(w.word) || p.elsewhere.has(w.word))).reduce((s, w) => s + salience(w), 0);
}

function ownSalience(words: readonly WeightedWord[]): number {
  return words.filter((w) => w.kind === 'content' && !w.context).reduce((s, w) => s + salience(w), 0);
}

/** The two best articles cover the question about as well as each other. */
function ambiguous(result: SearchResult): boolean {
  const [first, second] = result.hits;
  return first !== undefined && second !== undefined && first.score - second.score < THRESHOLDS.clarifyMargin;
}

/** The articles to offer for "did you mean": those whose titles and questions are most about the question. */
function clarifyCandidates(result: SearchResult, index: KnowledgeIndex): Article[] {
  const asked = new Set(result.words.filter((w) => w.kind === 'content' && !w.context).map((w) => index.stem(w.word)));
  // How many of the article's title and alternate questions use the question's words.
  const mentions = (a: Article) => [a.title, ...a.questions].filter((q) => index.stemsOf(q).some((s) => asked.has(s))).length;
  return [...result.hits]
    .map((h) => ({ h, m: mentions(h.article) }))
    .sort((a, b) => b.h.about - a.h.about || b.m - a.m || b.h.score - a.h.score || a.h.article.id.localeCompare(b.h.article.id))
    .slice(0, 3)
    .map((x) => x.h.article);
}

/** At least three articles are all about the question's one word ("cloud", "partners"). */
function manyAbout(result: SearchResult): boolean {
  const [first] = result.hits;
  const close = result.hits.filter((h) => first !== undefined && first.score - h.score < THRESHOLDS.clarifyMargin && h.about >= 0.8 && h.coverage >= 0.9);
  return close.length >= 3;
}

/**
 * How likely the shown passage answers the question, from 0 to 1: the share of the question it covers,
 * lowered when another article covers it almost as well.
 */
export function confidenceOf(result: SearchResult, lead: PassageHit): number {
  const other = result.hits.find((h) => h.article.id !== lead.article.id);
  const margin = other ? lead.coverage - other.score : lead.coverage;
  return round(Math.max(0, Math.min(1, lead.coverage * (0.75 + 0.25 * Math.min(1, Math.max(0, margin) / 0.2)))));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function relatedArticles(article: Article, index: KnowledgeIndex): Article[] {
  return article.related.flatMap((id) => index.get(id) ?? []).slice(0, 3);
}
