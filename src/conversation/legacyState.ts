import { progressFrom, type EscalationProgress } from '../escalation/flow';
import type { EscalationScript } from '../escalation/script';

/**
 * Versions before the escalation flow was plain data kept a request for a person in botbuilder-dialogs'
 * dialog stack (the conversation state's `dialogState`):
 *
 *     { dialogStack: [{ id: 'escalation:<script id>', state: { dialogs: { dialogStack: [
 *         { id: 'flow', state: { options: { answers, phase, current? }, values, stepIndex } },
 *         { id: 'answer', state: { options: { prompt, retryPrompt? }, state } } ] } } }] }
 *
 * This reads the request out of such a stack, so a request in progress when the bot is upgraded goes
 * on where it was. Undefined when the stack holds no request of a script the bot still has.
 */
export function escalationFromDialogState(dialogState: unknown, scripts: readonly EscalationScript[]): EscalationProgress | undefined {
  const outer = firstOf(dialogState);
  const scriptId = typeof outer?.id === 'string' ? /^escalation:(.+)$/.exec(outer.id)?.[1] : undefined;
  if (scriptId === undefined) return undefined;
  const inner = field(field(outer?.state, 'dialogs'), 'dialogStack');
  const flow = Array.isArray(inner) ? (inner as unknown[]).map(record).find((d) => d?.id === 'flow') : undefined;
  const options = record(field(flow?.state, 'options'));
  if (!options) return undefined;
  return progressFrom({ ...options, scriptId }, scripts);
}

function firstOf(dialogState: unknown): Record<string, unknown> | undefined {
  const stack = field(dialogState, 'dialogStack');
  return Array.isArray(stack) ? record(stack[0]) : undefined;
}

function field(x: unknown, name: string): unknown {
  return record(x)?.[name];
}

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}
