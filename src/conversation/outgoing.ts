import type { EscalateReply, Reply } from '../answering/Reply';
import type { Band } from './band';

/** What clients and tests can read from every reply's `channelData`. */
export interface ReplyData {
  readonly band: Band;
  readonly articleId: string | null;
  readonly confidence: number | null;
  readonly intent?: string;
  readonly candidates?: readonly string[];
  /** With `escalation` (a ticket was opened) and `ticketStatus`. */
  readonly ticketId?: string;
  /** The question's id in the question log, which feedback refers to. */
  readonly questionId?: string;
  readonly delivery?: string;
  /** With `partial`: what the sources do not give, as the partner typed it. */
  readonly missing?: readonly string[];
  /** With `answer` and `partial`: the passages shown (`articleId#index`), first the one that answers. */
  readonly passages?: readonly string[];
}

/** What partners send back from the feedback buttons (as the activity's `value`). */
export interface FeedbackValue {
  readonly feedback: 'helpful' | 'notHelpful';
  readonly questionId: string;
}

export function isFeedbackValue(v: unknown): v is FeedbackValue {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (r.feedback === 'helpful' || r.feedback === 'notHelpful') && typeof r.questionId === 'string' && r.questionId.length <= 100;
}

/** A reply from the knowledge base (not a request for a person). */
export type KnowledgeReply = Exclude<Reply, EscalateReply>;

/**
 * One thing the bot says, before any channel renders it. Each channel's renderer turns it into that
 * channel's message (markdown and suggested actions, or a Teams card).
 */
export type Outgoing = KnowledgeOut | TextOut | WelcomeOut | PrivateChatInviteOut;

export interface KnowledgeOut {
  readonly kind: 'knowledge';
  readonly reply: KnowledgeReply;
  /** With answers and partial answers: the question-log id, which the feedback buttons carry. */
  readonly questionId?: string;
  /** A second question the message asked, offered as a button first. */
  readonly offer?: string;
  /** Shown as text without buttons (an answer given in the middle of a request for a person). */
  readonly plain?: boolean;
}

/** A sentence, with the answers offered as buttons (each sends its title back). */
export interface TextOut {
  readonly kind: 'text';
  readonly text: string;
  /** Absent on an escalation script's own lines (intro, questions, help). */
  readonly data?: ReplyData;
  readonly buttons?: readonly string[];
  /** A question the partner is expected to answer (an escalation step). */
  readonly expectsAnswer?: boolean;
}

export interface WelcomeOut {
  readonly kind: 'welcome';
}

/** Points the partner from a shared conversation to a one-to-one chat with the bot. */
export interface PrivateChatInviteOut {
  readonly kind: 'privateChatInvite';
}

/** Reply data for bot messages that carry no article (errors, notices, offers). */
export function noArticle(extra: Partial<ReplyData> = {}): ReplyData {
  return { band: 'noAnswer', articleId: null, confidence: null, ...extra };
}

export function say(text: string, data?: ReplyData, buttons?: readonly string[]): TextOut {
  return { kind: 'text', text, ...(data ? { data } : {}), ...(buttons && buttons.length > 0 ? { buttons } : {}) };
}
