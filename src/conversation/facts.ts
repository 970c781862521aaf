import type { TopicContext } from '../answering/conversation';
import type { EscalationProgress } from '../escalation/flow';
import type { TicketExchange } from '../escalation/ticket';

/** What the bot remembers about one conversation. Plain data, kept in conversation state. */
export interface ConversationFacts {
  /** The last questions asked, with what the bot did, for tickets (newest last). */
  recent: TicketExchange[];
  /** No-answers in a row; the second one brings an unprompted offer of a person. */
  noAnswerStreak: number;
  /** A script the bot has offered and a "yes" would start. */
  pendingOffer?: string;
  /** Tickets opened in this conversation, oldest first. */
  tickets: string[];
  /** The question-log id of the last question searched, which typed feedback refers to. */
  lastQuestionId?: string;
  /** The welcome has been shown in this conversation. */
  welcomed?: boolean;
  /**
   * The last question and the passages shown, so that a follow-up ("and for schools?") is read in
   * context. Absent in state saved before follow-ups were understood; such a conversation simply
   * starts without context.
   */
  topic?: TopicContext;
  /** The request for a person in progress, if any. */
  escalation?: EscalationProgress;
}

/** What the bot remembers about a partner across conversations, offered for reuse in escalations. */
export interface PartnerProfile {
  name?: string;
  email?: string;
  company?: string;
  phone?: string;
  partnerId?: string;
}

export type ProfileField = keyof PartnerProfile;

const RECENT_LIMIT = 5;

export function emptyFacts(): ConversationFacts {
  return { recent: [], noAnswerStreak: 0, tickets: [] };
}

/** The facts with one more exchange remembered (the last few only). */
export function withExchange(facts: ConversationFacts, exchange: TicketExchange): ConversationFacts {
  return { ...facts, recent: [...facts.recent, exchange].slice(-RECENT_LIMIT) };
}
