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
