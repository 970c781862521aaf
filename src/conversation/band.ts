import type { Reply } from '../answering/Reply';

/**
 * What kind of reply a turn gave, the same word everywhere: in replies' `channelData`, the question
 * log, ticket histories, logs and metrics.
 *
 * - `answer`, `partial`, `clarify`, `noAnswer`: a knowledge question answered, partly answered, met
 *   with "did you mean", or not answered;
 * - `smallTalk`: a greeting, thanks, help, goodbye (and the bot's notices around them);
 * - `escalation`: a request for a person (a script started, a step, a ticket opened);
 * - `ticketStatus`: where a ticket stands.
 */
export const BANDS = ['answer', 'partial', 'clarify', 'noAnswer', 'smallTalk', 'escalation', 'ticketStatus'] as const;
export type Band = (typeof BANDS)[number];

/** The bands of a knowledge search's reply (how sure the bot is of an answer). */
export type AnswerBand = Extract<Band, 'answer' | 'partial' | 'clarify' | 'noAnswer'>;

/** The band of a decided reply: a request for a person (`escalate`) is the `escalation` band. */
export function bandOfReply(kind: Reply['kind']): Band {
  return kind === 'escalate' ? 'escalation' : kind;
}

export function isBand(value: unknown): value is Band {
  return typeof value === 'string' && (BANDS as readonly string[]).includes(value);
}
