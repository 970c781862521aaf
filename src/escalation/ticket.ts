import type { Band } from '../conversation/band';
import type { EscalationScript } from './script';

/** The partner who opened a ticket, as the channel identifies them. */
export interface TicketPartner {
  userId: string;
  name?: string;
  aadObjectId?: string;
  tenantId?: string;
}

/** One question the partner asked the bot before escalating, and how it was answered. */
export interface TicketExchange {
  question: string;
  /** What kind of reply the bot gave. */
  band: Band;
  /** The article shown, if any. */
  articleId?: string;
  /** ISO time. */
  at: string;
}

export interface TicketDelivery {
  status: 'pending' | 'delivered' | 'stored';
  attempts: number;
  lastError?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  /** The delivery worker's bookkeeping: which instance is sending the ticket, and until when. */
  claimedBy?: string;
  claimedUntil?: string;
}

/** A request passed to partner support. */
export interface Ticket {
  /** e.g. PS-10234 */
  id: string;
  scriptId: string;
  scriptTitle: string;
  /** Step id → value ('' for a skipped optional step). */
  answers: Record<string, string>;
  summary: { label: string; value: string }[];
  /** The conversation's last questions and the articles shown. */
  history: TicketExchange[];
  channelId: string;
  conversationId: string;
  partner: TicketPartner;
  /** ISO time. */
  createdAt: string;
  delivery: TicketDelivery;
  /**
   * Where to reach the partner later (a Bot Framework conversation reference, kept as plain data), so
   * staff actions can be told to them proactively, also after a restart.
   */
  partnerRef?: Record<string, unknown>;
  /** The ticket's card in the staff Teams channel, and who has it. */
  staff?: TicketStaffCard;
}

export interface TicketStaffCard {
  conversationId: string;
  activityId: string;
  status: 'open' | 'taken' | 'resolved';
  assignee?: string;
  takenAt?: string;
  resolvedAt?: string;
}

/** Finds a ticket reference ("PS-10234", "ps-10234") in a partner's message. */
export const TICKET_ID = /\b([A-Z]{2,5})-(\d{4,8})\b/i;

/** "PS-10234": an upper-case prefix of 2 to 5 letters and a number of at least 4 digits (zero-padded). */
export function formatTicketId(prefix: string, n: number): string {
  const p = prefix.trim().toUpperCase();
  if (!/^[A-Z]{2,5}$/.test(p)) throw new RangeError(`a ticket prefix must be 2 to 5 letters, not "${prefix}"`);
  if (!Number.isSafeInteger(n) || n < 0 || n > 99_999_999) throw new RangeError(`a ticket number must be a whole number from 0 to 99999999, not ${n}`);
  return `${p}-${String(n).padStart(4, '0')}`;
}

/** The ticket reference in `text`, upper-cased ("ps-10234" → "PS-10234"), if there is one. */
export function findTicketId(text: string): string | undefined {
  const m = TICKET_ID.exec(text);
  return m ? `${(m[1] ?? '').toUpperCase()}-${m[2] ?? ''}` : undefined;
}

/** What the summary shows for a step without an answer (`answerSkipped`, `answerNotAnswered` in messages.yaml). */
export interface NoAnswerWords {
  readonly answerSkipped: string;
  readonly answerNotAnswered: string;
}

/** The answers as label/value pairs, in step order; a skipped optional step shows as `answerSkipped` ("(skipped)"). */
export function summarize(script: EscalationScript, answers: Readonly<Record<string, string>>, words: NoAnswerWords): { label: string; value: string }[] {
  return script.steps.map((step) => {
    const value = Object.hasOwn(answers, step.id) ? (answers[step.id] ?? '') : '';
    return { label: step.label, value: value.trim() !== '' ? value : step.optional ? words.answerSkipped : words.answerNotAnswered };
  });
}

/** The summary as a markdown list: "- Issue: An invoice or charge", one line per answer. */
export function summaryText(summary: readonly { readonly label: string; readonly value: string }[]): string {
  // Lines after the first of a long answer are indented, so they stay inside their list item.
  return summary.map(({ label, value }) => `- ${label}: ${value.replace(/\r?\n/g, '\n  ')}`).join('\n');
}
