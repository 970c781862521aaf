import type { Article } from '../knowledge/Article';

/** What the bot decided to say, before any channel renders it. */
export type Reply = AnswerReply | ClarifyReply | NoAnswerReply | SmallTalkReply | EscalateReply;

export interface AnswerReply {
  readonly kind: 'answer';
  readonly article: Article;
  readonly confidence: number;
  /** Up to three related articles to offer next. */
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

export type Band = 'answer' | 'clarify' | 'noAnswer';
