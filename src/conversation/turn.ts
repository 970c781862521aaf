import type { Messages } from '../answering/Messages';
import type { Reply } from '../answering/Reply';
import type { EscalationScript } from '../escalation/script';
import type { SupportHours } from '../escalation/supportHours';
import type { Ticket, TicketExchange } from '../escalation/ticket';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import type { ConversationFacts, PartnerProfile } from './facts';
import type { FeedbackValue, Outgoing } from './outgoing';
import type { Phrases } from './phrases';

/** A partner's message as the channel edge understood it. */
export interface PartnerMessage {
  /** What the partner typed (without the bot's own @mention), or the question an Ask button asks. */
  readonly text: string;
  /** A press of an answer's feedback button. */
  readonly feedback?: FeedbackValue;
  /** A conversation others read (a Teams channel or group chat): no personal details are asked there. */
  readonly shared: boolean;
  /** Whether the message is for the bot (in a shared conversation: it @mentions the bot, or is a button press). */
  readonly addressed: boolean;
  /** Who sent it and where: a ticket is shown only to the conversation or partner that opened it. */
  readonly from: { readonly userId: string; readonly name?: string; readonly conversationId: string; readonly channelId: string };
}

/** Partner support's hours and promise, for "what happens next". */
export interface SupportDesk {
  readonly hours: SupportHours;
  /** The hours as staff wrote them, for messages ("Mon-Fri 09:00-17:00 Europe/London"). */
  readonly hoursText: string;
  readonly responseTime: string;
}

/** Everything staff wrote that a turn reads: knowledge, scripts, the bot's words, support's hours. */
export interface TurnContent {
  readonly kb: KnowledgeBase;
  readonly scripts: readonly EscalationScript[];
  readonly messages: Messages;
  readonly phrases: Phrases;
  readonly support: SupportDesk;
  readonly maxQuestionChars: number;
}

export interface TurnInput {
  readonly message: PartnerMessage;
  readonly facts: ConversationFacts;
  /**
   * What the partner told us in earlier requests. The edge may leave it out (it costs a read); a turn
   * that needs it says so with `needsProfile`, and is decided again with it.
   */
  readonly profile?: PartnerProfile;
  readonly content: TurnContent;
  readonly now: Date;
  /** A new question-log id; absent when questions are not logged (then answers carry no feedback buttons). */
  readonly newQuestionId?: () => string;
}

/** Something the edge does for a turn besides sending its replies. */
export type Effect =
  | { readonly kind: 'recordQuestion'; readonly id: string; readonly question: string; readonly reply: Reply }
  | { readonly kind: 'recordFeedback'; readonly questionId: string; readonly feedback: FeedbackValue['feedback'] }
  | { readonly kind: 'escalation'; readonly event: 'started' | 'completed' | 'cancelled' }
  /** A ticket is on record: tell the channel's agent hub, the delivery worker and the staff channel. */
  | { readonly kind: 'ticketOpened'; readonly ticket: Ticket };

/** What a new ticket holds from the conversation (the edge adds who the partner is and where). */
export interface TicketRequest {
  readonly script: EscalationScript;
  readonly answers: Readonly<Record<string, string>>;
  readonly summary: readonly { readonly label: string; readonly value: string }[];
  readonly history: readonly TicketExchange[];
}

/**
 * Work the turn needs done before it can go on, and how it goes on with the result: the ticket written
 * (before the partner hears its reference), a ticket looked up, a one-to-one chat opened.
 */
export type Pending =
  | { readonly kind: 'openTicket'; readonly request: TicketRequest; readonly resume: (outcome: TicketOutcome) => TurnResult }
  | { readonly kind: 'findTicket'; readonly id: string; readonly resume: (ticket: Ticket | undefined) => TurnResult }
  | { readonly kind: 'movePrivate'; readonly scriptId: string; readonly resume: (moved: boolean) => TurnResult };

/** The ticket as recorded, or the reference of the failure the partner is given. */
export type TicketOutcome = { readonly ok: true; readonly ticket: Ticket } | { readonly ok: false; readonly ref: string };

/** What the turn came to, for its log line, metrics and trace span. */
export interface TurnLog {
  readonly outcome: string;
  /** Written as a log line; otherwise only noted for the metrics. */
  readonly logged: boolean;
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The article answered from. */
  readonly articleId?: string;
}

export interface TurnResult {
  readonly replies: readonly Outgoing[];
  readonly facts: ConversationFacts;
  /** The partner's profile, when the turn read it (changed when a ticket remembers new details). */
  readonly profile?: PartnerProfile;
  readonly effects: readonly Effect[];
  readonly log?: TurnLog;
  /** The knowledge base was searched (the edge times it for the metrics). */
  readonly searched?: boolean;
  /** The turn read the partner's profile, which the input did not have: decide it again with the profile. */
  readonly needsProfile?: boolean;
  readonly pending?: Pending;
}
