import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../log';

const CORRELATION_KEY = Symbol('correlationId');

/** Marks a turn with the correlation id its HTTP request was given (or a new one). */
export function setCorrelationId(context: TurnContext, id: string): void {
  context.turnState.set(CORRELATION_KEY, id);
}

export function correlationIdOf(context: TurnContext): string {
  const id = context.turnState.get(CORRELATION_KEY) as string | undefined;
  if (id) return id;
  const fresh = randomUUID();
  context.turnState.set(CORRELATION_KEY, fresh);
  return fresh;
}

/** A child logger carrying the turn's correlation id, channel and conversation. */
export function turnLogger(context: TurnContext, logger: Logger): Logger {
  const a = context.activity;
  return logger.child({ correlationId: correlationIdOf(context), channelId: a.channelId, conversationId: a.conversation?.id, activityId: a.id });
}

const OUTCOME_KEY = Symbol('turnOutcome');

/** What a turn came to, for the turn's metrics and trace span. */
export interface TurnOutcome {
  /** The band: `answer`, `clarify`, `noAnswer`, `smallTalk`, `escalation`, `ticketStatus`, `feedback`, … */
  readonly band: string;
  /** The article answered from (the answer band). */
  readonly articleId?: string;
}

/** Records what the turn came to (the last call wins). */
export function noteOutcome(context: TurnContext, outcome: TurnOutcome): void {
  context.turnState.set(OUTCOME_KEY, outcome);
}

export function outcomeOf(context: TurnContext): TurnOutcome | undefined {
  return context.turnState.get(OUTCOME_KEY) as TurnOutcome | undefined;
}

/** What the bot tells about its turns as they happen (the metrics). */
export interface TurnObserver {
  /** Deciding the answer to a question took this long. */
  decided(seconds: number): void;
  escalation(event: 'started' | 'completed' | 'cancelled'): void;
}
