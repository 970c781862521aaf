import type { Article } from '../knowledge/Article';
import type { Passage } from '../knowledge/passages';

/** What the bot decided to say, before any channel renders it. */
export type Reply = AnswerReply | PartialReply | ClarifyReply | NoAnswerReply | SmallTalkReply | EscalateReply;

/** A passage of an article, as shown to the partner (with the article's title, source and as-of date). */
export interface ShownPassage {
  readonly article: Article;
  readonly passage: Passage;
}

export interface AnswerReply {
  readonly kind: 'answer';
  /** The article of the passage that answers. */
  readonly article: Article;
  /** The passage that answers first, and at most one more that answers the rest of the question. */
  readonly passages: readonly ShownPassage[];
  readonly confidence: number;
  /** Up to three related articles to offer next. */
  readonly followUps: readonly Article[];
  /** The article's short answer, shown after the passages when they come from its details. */
  readonly shortAnswer?: ShownPassage;
  /**
   * A yes/no question whose premise the passage corrects ("is WPC in June?"): what the partner assumed,
   * as they typed it, said before the passage.
   */
  readonly corrects?: string;
}

/**
 * The knowledge base has the subject but not what the question pins down: says plainly what the
 * sources do not give, then what they do say (with the source), and offers a person.
 */
export interface PartialReply {
  readonly kind: 'partial';
  readonly article: Article;
  /** What the sources do say; empty when they only repeat what this conversation has already shown. */
  readonly passages: readonly ShownPassage[];
  /**
   * The kind of fact asked for, so the reply can say "no figure", "no date", "no name" (`day`: the date
   * is given, not its day; `reason`: "why not?" about a fact the sources state without saying why).
   */
  readonly asks: 'figure' | 'date' | 'who' | 'where' | 'other' | 'day' | 'reason';
  /** What the sources do not give, as the partner typed it ("CDW", "first month"); empty when it is the asked fact itself. */
  readonly missing: readonly string[];
  /** The missing names are in the sources, only not as the question puts them ("Box.net teamed up with ADP?": IBM did). */
  readonly mentioned?: boolean;
  readonly confidence: number;
  readonly followUps: readonly Article[];
}

export interface ClarifyReply {
  readonly kind: 'clarify';
  /** Up to three articles the partner may have meant, best first. */
  readonly candidates: readonly Article[];
  readonly confidence: number;
}

export interface NoAnswerReply {
  readonly kind: 'noAnswer';
  /**
   * `noMatch`: nothing in the knowledge base fits; `vague`: the question had no words to search on;
   * `notCovered`: the closest article's subject, but something its sources do not say (`gap`).
   */
  readonly reason: 'noMatch' | 'vague' | 'notCovered';
  readonly gap?: string;
  readonly confidence: number;
  /** The best (weak) match, recorded for staff; never shown as an answer. */
  readonly closest?: Article;
}

export interface SmallTalkReply {
  readonly kind: 'smallTalk';
  readonly intent: SmallTalkIntent;
}

export type SmallTalkIntent = 'greeting' | 'thanks' | 'help' | 'goodbye';

/** The partner asked for a person. */
export interface EscalateReply {
  readonly kind: 'escalate';
}

/** The article a reply leads with (answered, partly answered, or offered first), if any. */
export function leadArticle(r: Reply): Article | undefined {
  if (r.kind === 'answer' || r.kind === 'partial') return r.article;
  if (r.kind === 'clarify') return r.candidates[0];
  return undefined;
}
