import type { Article } from '../knowledge/Article';
import type { Hit, KnowledgeIndex, SearchResult } from '../knowledge/KnowledgeIndex';
import type { Band, Reply } from './Reply';
import { smallTalkIntent } from './smallTalk';

/** Confidence at or above which the bot answers outright. */
export const ANSWER_THRESHOLD = 0.55;
/** Confidence at or above which the bot asks "did you mean"; below it, it says it has no answer. */
export const CLARIFY_THRESHOLD = 0.2;
/** Content weight (summed IDF) a question needs before a match on it alone is trusted. */
const SPECIFIC_WEIGHT = 1.0;
const CLEAR_LEAD = 0.3;

export function bandOf(confidence: number): Band {
  if (confidence >= ANSWER_THRESHOLD) return 'answer';
  if (confidence >= CLARIFY_THRESHOLD) return 'clarify';
  return 'noAnswer';
}

/**
 * How sure the bot is that the top hit answers the question, from 0 to 1. It multiplies three things:
 * how much of the question the article covers (words the knowledge base has never seen count against
 * it), how clearly it beats the runner-up, and how specific the matched words are (a match on
 * "partner" alone says little).
 */
export function confidenceOf(result: SearchResult): number {
  const [top, second] = result.hits;
  if (!top) return 0;
  if (top.exact) return 1;
  // A lead of CLEAR_LEAD (as a share of the top score) or more over the runner-up counts as a clear win;
  // a near tie halves the confidence, so the partner is asked which one they meant.
  const lead = second ? 1 - second.score / top.score : 1;
  const margin = Math.min(1, lead / CLEAR_LEAD);
  const matchedWeight = matchedContentWeight(result, top);
  const specificity = Math.min(1, matchedWeight / SPECIFIC_WEIGHT);
  return round(top.coverage * (0.5 + 0.5 * margin) * (0.5 + 0.5 * specificity));
}

function matchedContentWeight(result: SearchResult, hit: Hit): number {
  const total = result.words.filter((w) => w.kind === 'content').reduce((s, w) => s + w.weight, 0);
  return total * hit.coverage;
}

/**
 * Decides the reply to a partner's message: pure, no I/O. The index is searched only when the message
 * is not small talk.
 */
export function decide(text: string, index: KnowledgeIndex): Reply {
  const intent = smallTalkIntent(text);
  if (intent === 'person') return { kind: 'escalate' };
  if (intent) return { kind: 'smallTalk', intent };
  // "?", "!!!", an emoji: nothing to search on, so show what the bot can do.
  if (!/[\p{L}\p{N}]/u.test(text)) return { kind: 'smallTalk', intent: 'help' };
  const result = index.search(text);
  const top = result.hits[0];
  if (!top) {
    if (result.gap !== undefined) return { kind: 'noAnswer', reason: 'notCovered', gap: result.gap, confidence: 0 };
    return { kind: 'noAnswer', reason: result.words.length === 0 ? 'vague' : 'noMatch', confidence: 0 };
  }
  const confidence = confidenceOf(result);
  if (result.gap !== undefined && !top.exact) {
    return { kind: 'noAnswer', reason: 'notCovered', gap: result.gap, confidence, closest: top.article };
  }
  switch (bandOf(confidence)) {
    case 'answer':
      return { kind: 'answer', article: top.article, confidence, followUps: relatedArticles(top.article, index) };
    case 'clarify':
      return { kind: 'clarify', candidates: result.hits.slice(0, 3).map((h) => h.article), confidence };
    default:
      return { kind: 'noAnswer', reason: 'noMatch', confidence, closest: top.article };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function relatedArticles(article: Article, index: KnowledgeIndex): Article[] {
  return article.related.flatMap((id) => index.get(id) ?? []).slice(0, 3);
}
