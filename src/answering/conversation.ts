import { AnswerCache } from './answerCache';
import type { KnowledgeIndex, PassageHit, WeightedWord } from '../knowledge/KnowledgeIndex';
import { splitWords } from '../knowledge/words';
import { explain, isFragment, passageKey, type Decision, type DecideOptions } from './answer';
import { answeringNames } from './answerability';
import { readMessage, withoutMentions } from './message';
import type { Reply } from './Reply';
import type { SmallTalkWords } from './smallTalk';

/**
 * What a conversation remembers between messages so that a follow-up ("and for schools?", "who's
 * behind that?") is read in the context of the last question. Plain data: it lives in conversation
 * state, so it works across instances and restarts.
 */
export interface TopicContext {
  /**
   * What a follow-up to the last question is read with, in the partner's words: the question itself;
   * for one that asks nothing of its own ("and for BPOS?") the ask it carried over ("can I bill for
   * it?"); for one that points back ("is that a problem?") the question before it too. Never the whole
   * conversation: a follow-up leans on the last question, not on every earlier one.
   */
  readonly question: string;
  /** What the last question itself asked, when `question` adds the one before it ("is that a problem?" + what "that" was). */
  readonly asked?: string;
  /**
   * What the conversation is about, as the partner named it ("office 365", "CDW"): the names the last
   * question gave, or the ones it carried over when it named none ("when does it launch?").
   */
  readonly subject?: readonly string[];
  /** The article the last reply answered from, if any. */
  readonly articleId?: string;
  /** Passages this conversation has shown (`articleId#index`), newest last. */
  readonly shown: readonly string[];
  /** The names the last reply gave for "who" ("Betsy Frost Webb"): what "her" in a follow-up stands for. */
  readonly names?: readonly string[];
  /** ISO time of the last question. */
  readonly at: string;
}

/** The bot's replies to one message, and what the conversation remembers next. */
export interface Turn {
  readonly replies: readonly Reply[];
  readonly context: TopicContext | undefined;
  /** A second question the message asked that is offered as a button rather than answered. */
  readonly offer?: string;
  /** The decisions behind the replies (for `npm run ask` and logs). */
  readonly decisions: readonly Decision[];
}

/** A context older than this no longer colours a new message. */
export const CONTEXT_TTL_MS = 60 * 60 * 1000;
const MAX_SHOWN = 12;
const MAX_CONTEXT_CHARS = 300;

const MAX_NAMES = 4;
const MAX_SUBJECT = 4;
/** How specific in everyday English a knowledge-base term must be to name a thing ("health dashboard", not "billing"). */
const NAMED_TERM = 0.9;
/** ... and how rare in the knowledge base ("health dashboard" is; "migrate" is not). */
const NAMED_TERM_WEIGHT = 1.5;
/** Words that say what kind of fact is wanted, not what about ("over what period?", "the exact figure?"). */
const ASK_ONLY = new Set(['period', 'time', 'date', 'dates', 'day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years', 'number', 'numbers', 'figure', 'figures', 'total', 'count', 'amount', 'exact', 'exactly', 'precise', 'now', 'currently', 'today', 'source', 'sources', 'reason', 'detail', 'details', 'more', 'else', 'alone', 'only', 'just', 'itself', 'themselves', 'overall', 'together', 'altogether', 'combined', 'each', 'standsfor']);
/** "and all ten together?": the whole set the last question picked one of. */
const WIDENS = /\b(?:all|together|altogether|combined|in total|overall|whole|every one|all of them)\b/;
/** "is that a problem?", "why does this matter?": points at what the last question asked about ("it" names its subject). */
const POINTS_AT_ASK = /\b(?:that|this|those|these)\b/;
/** "the smallest one": another member of the set than the one the last question named. */
const ANOTHER_ONE = /\b(?:smallest|biggest|largest|best|worst|fewest|highest|lowest|top|first|last|newest|oldest)(?: one| ones| of them| partner| company)?\b/;
/** Words that point back at the conversation's subject. */
const REFERS = /\b(?:it|its|it's|they|them|their|that|this|those|these)\b/;
/** "and in Europe?", "and during the preview?": narrows the last question to a place or time. */
const NARROWS = /^\W*(?:(?:and|but|so|ok|what about|how about)\W+)?(?:in|at|during|over|within|outside|across|inside|by|from)\b/;
const COMPARES = /\b(?:compare[sd]?|comparison|versus|vs\.?|against|bigger|smaller|larger|more|fewer|less) (?:than|with|to|against)?\b|\bcompared?\b/;
const PERSON_PRONOUN = /\b(?:she|her|hers|he|him|his|they|them|their)\b/;
const PRONOUN = /\b(?:it|its|it's|that|this|those|these|they|them|their|there|she|her|he|him|his|one|ones)\b/;
const FOLLOW_CUE = /^(?:and|also|so|but|what about|how about|then|ok so|and what about|same for|what of)\b/;
const NEW_TOPIC = /\b(?:different question|another question|unrelated|new question|other question|on another note|separate question|changing the subject)\b/;
const FRAGMENT_WORD = /^(?:who|whos|whose|what|whats|when|where|which|why|how|date|dates|day|exact|exactly|many|much|else|too|also|now|then)$/;
const ASKING_WORD = /^(?:who|whos|whose|what|whats|when|where|which|why|how|is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|any)$/;

/**
 * Answers one message in a conversation: small talk and requests for a person as `decide` does; a
 * message with two questions gets both answers (or the first, and the second offered as a button); a
 * short follow-up that leans on the last question is read together with it, while a clear new question
 * is answered on its own.
 */
export function answerInConversation(text: string, index: KnowledgeIndex, context: TopicContext | undefined, now: Date, smallTalk: SmallTalkWords): Turn {
  const live = context && now.getTime() - Date.parse(context.at) < CONTEXT_TTL_MS ? context : undefined;
  if (text.length > MAX_CACHED_TEXT) return answerAfresh(text, index, live, now, smallTalk);
  const cache = turns.of(index, smallTalk);
  // The context's time only decides whether it is live (above); the rest of it, and the message, decide the turn.
  const { at: _at, ...topic } = live ?? { at: '' };
  const key = JSON.stringify([text, live ? topic : null]);
  const hit = cache.get(key);
  if (!hit) {
    const turn = answerAfresh(text, index, live, now, smallTalk);
    cache.set(key, { turn, newContext: turn.context !== live });
    return turn;
  }
  // A context the turn made is dated now; one it kept is the conversation's own.
  const next = hit.newContext && hit.turn.context ? { ...hit.turn.context, at: now.toISOString() } : live;
  return { ...hit.turn, context: next };
}

/**
 * Turns already answered on an index, by message and live context (without its time): answering is
 * pure, and partners ask the same questions in the same order (a suggested question after an answer).
 * Each index (a knowledge base in service) has its own cache, dropped with it, so an article edit is
 * answered from as soon as it is in service.
 */
interface CachedTurn {
  readonly turn: Turn;
  /** Whether the turn's context is one it made (dated when it was answered) rather than the one it was given. */
  readonly newContext: boolean;
}
const MAX_CACHED_TURNS = 512;
const turns = new AnswerCache<CachedTurn>(MAX_CACHED_TURNS);
/** A message longer than this is answered each time (a partner's paste is rarely sent twice). */
const MAX_CACHED_TEXT = 2000;

function answerAfresh(text: string, index: KnowledgeIndex, live: TopicContext | undefined, now: Date, smallTalk: SmallTalkWords): Turn {
  const parts = splitQuestions(text);
  const decisions: Decision[] = [];
  const replies: Reply[] = [];
  let ctx = live;
  let offer: string | undefined;
  for (const [i, part] of parts.entries()) {
    // "and all ten together?": the cue that leans on the conversation is in the message as typed.
    const { decision, next } = answerInContext(part, { index, smallTalk }, ctx, now, i === 0 && isFollowUp(text));
    if (i > 0) {
      const r = decision.reply;
      // "what's the seat number and how fast is it growing?": one passage answers both.
      if (sameAsFirst(replies[0], r)) continue;
      if (r.kind === 'clarify' || (r.kind === 'noAnswer' && r.reason !== 'notCovered') || r.kind === 'smallTalk' || r.kind === 'escalate') {
        offer = part;
        continue;
      }
    }
    decisions.push(decision);
    replies.push(decision.reply);
    ctx = next;
  }
  return { replies, context: ctx, decisions, ...(offer !== undefined ? { offer } : {}) };
}

function sameAsFirst(first: Reply | undefined, r: Reply): boolean {
  if (!first || (first.kind !== 'answer' && first.kind !== 'partial') || (r.kind !== 'answer' && r.kind !== 'partial')) return false;
  const keys = new Set([...first.passages, ...(first.kind === 'answer' && first.shortAnswer ? [first.shortAnswer] : [])].map((p) => passageKey(p.article.id, p.passage.index)));
  return r.passages.every((p) => keys.has(passageKey(p.article.id, p.passage.index)));
}

/**
 * Splits "when is WPC and can partners bill cloud customers themselves?" into its questions: at a
 * question mark followed by more, and at "and" / "also" / "plus" that start a new question ("and can
 * ...", ", and how many ..."). A single question comes back whole.
 */
export function splitQuestions(text: string): string[] {
  const clean = withoutMentions(text);
  const pieces: string[] = [];
  // A question mark ends a question only when a question follows ("... ? I heard 10,000" is context).
  const sentences = clean.split(/(?<=\?)\s+(?=\S)/).reduce<string[]>((acc, s) => {
    const asks = /\?\s*$/.test(s) || ASKING_WORD.test(splitWords(s.replace(/^(?:and|also|plus)\b/i, ''))[0] ?? '');
    if (acc.length > 0 && !asks) acc[acc.length - 1] = `${acc[acc.length - 1] ?? ''} ${s}`;
    else acc.push(s);
    return acc;
  }, []);
  for (const sentence of sentences) {
    const words = sentence.split(/(\s+)/);
    let start = 0;
    for (let i = 0; i < words.length; i += 1) {
      const w = (words[i] ?? '').toLowerCase().replace(/[^a-z']/g, '');
      if (w !== 'and' && w !== 'also' && w !== 'plus') continue;
      const next = splitWords(words.slice(i + 1).join(''))[0] ?? '';
      const before = splitWords(words.slice(start, i).join(''));
      if (ASKING_WORD.test(next) && before.length >= 2 && next !== 'any') {
        pieces.push(words.slice(start, i).join('').trim().replace(/[,;]\s*$/, ''));
        start = i + 1;
      }
    }
    pieces.push(words.slice(start).join('').trim());
  }
  const out = pieces.map((p) => p.replace(/^(?:two things|2 things|also|and)\s*[:,]?\s*/i, '').trim()).filter((p) => /[\p{L}\p{N}]/u.test(p));
  return out.length > 0 ? out : [text];
}

/** Whether a message leans on the conversation rather than standing alone. */
export function isFollowUp(text: string): boolean {
  const lower = withoutMentions(text).toLowerCase().replace(/[’‘`]/g, "'");
  if (NEW_TOPIC.test(lower)) return false;
  const words = splitWords(lower);
  if (FOLLOW_CUE.test(lower) || PRONOUN.test(lower)) return true;
  // "where?", "exact date?", "in europe?", "which partners?": too short to be a question on its own. A
  // bare subject ("partner", "cloud") is a new (if vague) question.
  return words.length <= 3 && (words.some((w) => FRAGMENT_WORD.test(w)) || /^(?:in|for|with|over|on|at|by|from|about|during)$/.test(words[0] ?? ''));
}

function answerInContext(
  part: string,
  { index, smallTalk }: { index: KnowledgeIndex; smallTalk: SmallTalkWords },
  ctx: TopicContext | undefined,
  now: Date,
  cued = false,
): { decision: Decision; next: TopicContext | undefined } {
  const shown = new Set(ctx?.shown ?? []);
  const fresh = explain(part, index, { shown, smallTalk });
  let decision = fresh;
  const own = readMessage(part).question;
  let question = own;
  let asked = own;
  // "and CDW?" leans on the last question even though it names its own subject.
  const fragment = cued && isFragment(part);
  const named = subjectOf(fresh, index, fragment);
  let subject: readonly string[] = named;
  if (ctx && (cued || isFollowUp(part)) && fresh.reply.kind !== 'smallTalk' && fresh.reply.kind !== 'escalate' && (fragment || !standsAlone(fresh))) {
    const other = /\b(?:other|else|another)\b/.test(part.toLowerCase());
    // "how does that compare with BPOS seats?": the other side of a comparison is what it names, not
    // the article "that" points back to (which the comparison's second passage can still come from).
    const compares = COMPARES.test(part.toLowerCase()) && fresh.result.words.some((w) => w.kind === 'content' && !w.context && w.weight >= 1);
    // ("and the dashboard?" after billing: a word of its own the last article never uses takes it elsewhere.)
    const pointsBack = ctx.articleId !== undefined && !other && !compares && !strangerTo(ctx.articleId, fresh, index);
    // "what's her role?" after "who said that?": the person is in the last answer, not the last question.
    const referent = PERSON_PRONOUN.test(part.toLowerCase()) ? (ctx.names ?? []).join(' ') : '';
    // "and for BPOS?" after "can I bill for it?" (about Office 365): the new subject takes the old one's
    // place, and what was asked about it (billing) carries over; otherwise the subject carries over too.
    // "and all ten together?" after "what about Dell?": all of them, not the one the last question named.
    // ("and the smallest one?" after "how many did CDW migrate?": another of them, not CDW.)
    const widens = named.length === 0 && ((fragment && WIDENS.test(part.toLowerCase())) || ANOTHER_ONE.test(part.toLowerCase()));
    // ("should MSPs care about it?": "it" is still the subject; MSPs are only named alongside it.)
    const newNames = named.length > 0 && !named.every((n) => (ctx.subject ?? []).some((s) => s.toLowerCase() === n.toLowerCase()));
    // ("and in Europe?" narrows the last question to a place or time: BPOS stays its subject.)
    const narrows = NARROWS.test(part.toLowerCase());
    const swaps = widens || (newNames && !narrows && (fragment || !REFERS.test(part.toLowerCase())));
    const readWith = swaps ? without(ctx.question, ctx.subject ?? []) : withSubject(ctx.question, ctx.subject ?? []);
    const options = {
      context: other ? '' : `${readWith} ${referent}`.trim(),
      followUp: true,
      shown,
      smallTalk,
      ...(other ? { avoid: shown } : {}),
    };
    // "since when?", "says who?", "how come?": with no words of its own, it asks about the last answer.
    const bare = !fresh.result.words.some((w) => w.kind === 'content' && !w.context && w.weight > 0);
    const back = pointsBack && ctx.articleId !== undefined ? { [bare ? 'keep' : 'prefer']: ctx.articleId } : {};
    decision = explain(part, index, { ...options, ...back });
    // "how much will it cost?" after Office 365: an answer from an article that never names the
    // conversation's subject (BPOS's cost) is about something else; the article that does answers, or nothing.
    if (!swaps && !other) decision = keptOnSubject(decision, part, index, options, ctx.subject ?? []);
    // (Names given alongside the subject join it: "what about Dell, how many has it moved?" is about Dell too.)
    subject = swaps ? named : [...new Set([...named, ...(ctx.subject ?? [])])];
    // A question whose own words ask nothing ("and for BPOS?", "how come?", "over what period?") asks
    // what the last one asked (billing, the users counted), and so does the next one that leans on it.
    const lastAsk = ctx.asked ?? ctx.question;
    const leans = !asksOwn(fresh, index);
    asked = (leans ? `${own} ${swaps ? without(lastAsk, ctx.subject ?? []) : lastAsk}` : own).slice(0, MAX_CONTEXT_CHARS);
    // "is that a problem for partners?": "that" is what the last question asked about (billing), which
    // the next follow-up may need ("and for Office 365?"); one question back, never the whole conversation.
    question = (!leans && POINTS_AT_ASK.test(part.toLowerCase()) ? `${asked} ${swaps ? without(lastAsk, ctx.subject ?? []) : lastAsk}` : asked).slice(0, MAX_CONTEXT_CHARS);
  }
  if (ctx && decision !== fresh && asksOnlyWhy(part)) decision = withoutReason(decision, shown);
  const r = decision.reply;
  if (r.kind === 'smallTalk' || r.kind === 'escalate') return { decision, next: ctx };
  // Everything the partner saw, the short answer that follows a detail included.
  const seen = r.kind === 'answer' ? [...r.passages, ...(r.shortAnswer ? [r.shortAnswer] : [])] : r.kind === 'partial' ? r.passages : [];
  const newlyShown = seen.map((p) => passageKey(p.article.id, p.passage.index));
  const articleId = r.kind === 'answer' || r.kind === 'partial' ? r.article.id : r.kind === 'clarify' ? r.candidates[0]?.id : ctx?.articleId;
  const names = r.kind === 'answer' || r.kind === 'partial' ? namesGiven(decision, index) : [];
  return {
    decision,
    next: {
      question,
      ...(asked !== question ? { asked } : {}),
      ...(subject.length > 0 ? { subject: subject.slice(0, MAX_SUBJECT) } : {}),
      ...(articleId !== undefined ? { articleId } : {}),
      ...(names.length > 0 ? { names } : {}),
      shown: [...(ctx?.shown ?? []).filter((s) => !newlyShown.includes(s)), ...newlyShown].slice(-MAX_SHOWN),
      at: now.toISOString(),
    },
  };
}

/**
 * The names a question gives its subject, as the partner typed them ("Office 365", "CDW"): its own
 * words that name something, not everyday words and not what the conversation added.
 */
function subjectOf(d: Decision, index: KnowledgeIndex, fragment: boolean): string[] {
  // A fragment ("what about billing?", "and the dashboard?") asks nothing itself: what it names is its subject.
  const names = d.result.words.filter((w) => !w.context && (namedByPartner(w, index) || (fragment && w.kind === 'content' && (w.weight > 0 || w.anchor) && !ASK_ONLY.has(w.typed ?? w.word) && !ASK_ONLY.has(w.word))));
  return [...new Set(names.map((w) => w.typed ?? w.word))];
}

/** A word that names a thing rather than asks about it: a name (CDW, Europe) or one of the knowledge base's subjects (BPOS, Lync). */
function namesThing(w: WeightedWord): boolean {
  return w.kind === 'content' && !w.guessed && (w.anchor || w.nameLike);
}

/**
 * What a partner's own question names as its subject: a name or subject as above, or one of the
 * knowledge base's terms that no everyday word means ("health dashboard"). (Only for what the partner
 * typed: "stands for" in the last question is not a subject an answer must hold.)
 */
function namedByPartner(w: WeightedWord, index: KnowledgeIndex): boolean {
  return namesThing(w) || (w.kind === 'content' && !w.guessed && !ASK_ONLY.has(w.word) && index.isTerm(w.word) && w.specificity >= NAMED_TERM && w.weight >= NAMED_TERM_WEIGHT && !/^\d+$/.test(w.word));
}

/** Whether a question asks something of its own, beyond naming a subject or the kind of fact ("and for BPOS?" does not). */
function asksOwn(d: Decision, index: KnowledgeIndex): boolean {
  return d.result.words.some((w) => w.kind === 'content' && !w.context && !w.everywhere && w.weight > 0 && !namedByPartner(w, index) && !/^\d+$/.test(w.word) && !ASK_ONLY.has(w.typed ?? w.word) && !ASK_ONLY.has(w.word));
}

/** Own words of the question that say this much or more about its subject ("dashboard", not "say"). */
const SALIENT = 1;

/** Whether the question names something (a word the knowledge base uses, "dashboard") that an article never mentions. */
function strangerTo(articleId: string, d: Decision, index: KnowledgeIndex): boolean {
  const article = index.get(articleId);
  const own = d.result.words.filter((w) => w.kind === 'content' && !w.context && !w.everywhere && w.known && w.weight >= SALIENT);
  if (!article || own.length === 0) return false;
  const stems = new Set(index.stemsOf([article.title, ...article.questions, ...article.tags, ...article.passages.map((p) => `${p.heading ?? ''} ${p.text}`)].join(' ')));
  return own.some((w) => !stems.has(index.stem(w.word)));
}

/** The text with the names taken out ("can partners bill for ___?"), so that a new subject takes their place. */
function without(text: string, names: readonly string[]): string {
  let out = text;
  for (const n of names) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(n).replace(/\s+/g, '\\s*')}(?![\\p{L}\\p{N}])`, 'giu'), ' ');
  return out.replace(/\s+/g, ' ').trim();
}

/** The last question with the conversation's subject, when it does not name it itself ("when does it launch?" + "office 365"). */
function withSubject(text: string, names: readonly string[]): string {
  const missing = names.filter((n) => without(text, [n]) === text.replace(/\s+/g, ' ').trim());
  return [text, ...missing].join(' ');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A follow-up that names no subject of its own is about the conversation's: its reply comes from an
 * article that names the subject the context carries (the lead's, or the best such article found), and
 * when none was found, it is no answer rather than a fact about something else.
 */
function keptOnSubject(d: Decision, part: string, index: KnowledgeIndex, options: DecideOptions, named: readonly string[]): Decision {
  const r = d.reply;
  if (r.kind !== 'answer' && r.kind !== 'partial') return d;
  // (A subject most articles name, BPOS, tells nothing; an answer that holds anything else the last
  // question asked, "web apps" for "how many use those?", is still on it.)
  const carried = d.result.words.filter((w) => w.kind === 'content' && w.context && !w.everywhere && w.weight > 0);
  const subject = carried.filter((w) => namesThing(w) || named.includes(w.typed ?? w.word));
  const holdsAny = (p: PassageHit | undefined, ws: readonly WeightedWord[]) => p !== undefined && ws.some((w) => p.own.has(w.word) || p.framed.has(w.word) || p.elsewhere.has(w.word));
  const holds = (p: PassageHit | undefined) => holdsAny(p, subject);
  if (subject.length === 0 || holdsAny(d.chosen[0], carried)) return d;
  const on = d.result.tops.find((p) => holds(p));
  if (on) {
    const kept = explain(part, index, { ...options, keep: on.article.id });
    if (kept.reply.kind !== 'answer' && kept.reply.kind !== 'partial') return kept;
    if (holds(kept.chosen[0])) return kept;
  }
  return { ...d, reply: { kind: 'noAnswer', reason: 'noMatch', confidence: 0, closest: r.article } };
}

/** "why not?", "how come?", "why is that?": asks only for the reason behind the last answer. */
const WHY = /^\W*(?:(?:and|but|so|ok|okay|hmm)\W+)?(?:why|how come|for what reason|what(?:'s| is| was|s) the reason)\b(.*)$/;
/** Words that can follow "why" in such a question ("why is that so?", "why wouldn't they?"); "why does that matter?" asks more. */
const WHY_FILLER = new Set(['not', 'no', 'so', 'is', 'was', 'are', 'were', 'that', 'this', 'it', 'its', 'they', 'them', 'he', 'she', 'then', 'though', 'exactly', 'do', 'does', 'did', 'would', 'wouldnt', 'cant', 'cannot', 'isnt', 'arent', 'dont', 'doesnt', 'didnt', 'wont', 'the', 'reason', 'behind', 'for', 'on', 'earth', 'be']);

function asksOnlyWhy(part: string): boolean {
  const m = WHY.exec(withoutMentions(part).toLowerCase().replace(/[’‘`]/g, "'"));
  return m !== null && splitWords(m[1] ?? '').every((w) => WHY_FILLER.has(w.replace(/'/g, '')));
}

/** Words with which a passage gives a reason ("because", "down to", "as a result"). */
const REASON = /\b(?:because|since|due to|owing to|thanks to|as a result|down to|reasons?|so that|in order to|which made|made it|caused?|led to|therefore|hence|driven by|as evidence|to help)\b/i;

/**
 * "why not?" after "can partners bill ...?": when the passages say no reason, the partner reads that
 * the sources do not give one (with what they do say, unless this conversation has shown it already),
 * not the same answer again.
 */
function withoutReason(d: Decision, shown: ReadonlySet<string>): Decision {
  const r = d.reply;
  if (r.kind !== 'answer' && r.kind !== 'partial') return d;
  const passages = r.kind === 'answer' ? [...r.passages, ...(r.shortAnswer ? [r.shortAnswer] : [])] : r.passages;
  if (passages.some((p) => REASON.test(p.passage.text))) return d;
  const unseen = passages.filter((p) => !shown.has(passageKey(p.article.id, p.passage.index)));
  return { ...d, reply: { kind: 'partial', article: r.article, passages: unseen, asks: 'reason', missing: [], confidence: Math.min(r.confidence, 0.3), followUps: r.followUps } };
}

/** The names a reply to a "who" question gave, from its lead passage. */
function namesGiven(d: Decision, index: KnowledgeIndex): string[] {
  const lead = d.chosen[0];
  if (!lead || !d.form || (d.form.asks !== 'who' && !/\bwho\b/.test(d.question.toLowerCase()))) return [];
  return answeringNames({ ...d.form, asks: 'who' }, lead, undefined, d.question, index).slice(0, MAX_NAMES);
}

/** A message that is a clear question of its own: an exact match, or an answer that names its own subject. */
function standsAlone(d: Decision): boolean {
  if (d.result.exact) return true;
  if (d.reply.kind !== 'answer') return false;
  const lead = d.chosen[0];
  return d.result.words.some((w) => w.kind === 'content' && !w.context && w.anchor && !w.everywhere && lead !== undefined && (lead.own.has(w.word) || lead.framed.has(w.word)));
}
