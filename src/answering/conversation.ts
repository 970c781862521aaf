import { AnswerCache } from './answerCache';
import type { KnowledgeIndex } from '../knowledge/KnowledgeIndex';
import { splitWords } from '../knowledge/words';
import { explain, isFragment, passageKey, type Decision } from './answer';
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
  /** The last question as the bot read it (a follow-up includes the question it followed). */
  readonly question: string;
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
  let question = readMessage(part).question;
  // "and CDW?" leans on the last question even though it names its own subject.
  const fragment = cued && isFragment(part);
  if (ctx && (cued || isFollowUp(part)) && fresh.reply.kind !== 'smallTalk' && fresh.reply.kind !== 'escalate' && (fragment || !standsAlone(fresh))) {
    const other = /\b(?:other|else|another)\b/.test(part.toLowerCase());
    // "how does that compare with BPOS seats?": the other side of a comparison is what it names, not
    // the article "that" points back to (which the comparison's second passage can still come from).
    const compares = COMPARES.test(part.toLowerCase()) && fresh.result.words.some((w) => w.kind === 'content' && !w.context && w.weight >= 1);
    const pointsBack = ctx.articleId !== undefined && !other && !compares;
    // "what's her role?" after "who said that?": the person is in the last answer, not the last question.
    const referent = PERSON_PRONOUN.test(part.toLowerCase()) ? (ctx.names ?? []).join(' ') : '';
    const resolved = explain(part, index, {
      context: other ? '' : `${ctx.question} ${referent}`.trim(),
      followUp: true,
      shown,
      smallTalk,
      ...(other ? { avoid: shown } : {}),
      ...(pointsBack && ctx.articleId !== undefined ? { prefer: ctx.articleId } : {}),
    });
    decision = resolved;
    question = `${question} ${ctx.question}`.slice(0, MAX_CONTEXT_CHARS);
  }
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
      ...(articleId !== undefined ? { articleId } : {}),
      ...(names.length > 0 ? { names } : {}),
      shown: [...(ctx?.shown ?? []).filter((s) => !newlyShown.includes(s)), ...newlyShown].slice(-MAX_SHOWN),
      at: now.toISOString(),
    },
  };
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
