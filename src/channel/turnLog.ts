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

/** What every log line about a turn carries: its correlation id, channel, conversation and activity. */
export function turnFields(context: TurnContext): { correlationId: string; channelId: string; conversationId: string | undefined; activityId: string | undefined } {
  const a = context.activity;
  return { correlationId: correlationIdOf(context), channelId: a.channelId, conversationId: a.conversation?.id, activityId: a.id };
}

/**
 * The turn's logger: a child logger carrying `turnFields`, made when a line other than the turn's own
 * is first logged (a failed ticket, a refused handoff). Most turns log only their one `turn` line,
 * which is written with the fields inline (see `logTurn`), so they make no child logger.
 */
export function turnLogger(context: TurnContext, logger: Logger): () => Logger {
  let child: Logger | undefined;
  return () => (child ??= logger.child(turnFields(context)));
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
