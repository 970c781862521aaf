import { fill, type Messages } from '../answering/Messages';
import type { EscalationScript, RememberField, ScriptStep } from './script';
import { summarize, summaryText } from './ticket';
import { validateAnswer, type AnswerProblem, type AnswerWords } from './validateAnswer';

/**
 * Where an escalation is: which script, the answers so far, and what is being asked now. Plain data,
 * kept in the conversation's facts between turns.
 */
export interface EscalationProgress {
  readonly scriptId: string;
  /** Step id → answer ('' for a skipped optional step). */
  readonly answers: Readonly<Record<string, string>>;
  /** `collect`: asking `current`; `confirm`: showing the summary; `edit`: asking which answer to change. */
  readonly phase: 'collect' | 'confirm' | 'edit';
  /** The step being asked (collect only). */
  readonly current?: string;
}

/** A question to the partner: its text and the answers offered as buttons. */
export interface FlowPrompt {
  readonly text: string;
  readonly buttons: readonly string[];
}

/** What the partner remembered from earlier requests offers for reuse. */
export type Remembered = Readonly<Partial<Record<RememberField, string>>>;

/** The outcome of an answer: the next progress, the answers to send (confirmed), or why it was refused. */
export type Accepted =
  | { readonly kind: 'next'; readonly progress: EscalationProgress }
  | { readonly kind: 'confirmed'; readonly answers: Readonly<Record<string, string>> }
  | { readonly kind: 'refused'; readonly reason: string };

/** A fresh escalation of `script`: the first unanswered step is asked. */
export function beginFlow(script: EscalationScript): EscalationProgress {
  return settle(script, { scriptId: script.id, answers: {}, phase: 'collect' });
}

/** Moves a collecting progress to its next unanswered step, or to the confirmation when none is left. */
function settle(script: EscalationScript, progress: EscalationProgress): EscalationProgress {
  if (progress.phase !== 'collect') return { scriptId: progress.scriptId, answers: progress.answers, phase: progress.phase };
  const next = script.steps.find((s) => !(s.id in progress.answers));
  if (next) return { scriptId: progress.scriptId, answers: progress.answers, phase: 'collect', current: next.id };
  return { scriptId: progress.scriptId, answers: progress.answers, phase: 'confirm' };
}

/**
 * What to ask now: the current step (with its choices, a yes/no, or what the partner told us last
 * time, as buttons), the summary to confirm, or the list of answers to change.
 */
export function promptOf(script: EscalationScript, progress: EscalationProgress, remembered: Remembered, messages: Messages): FlowPrompt {
  const p = settle(script, progress);
  if (p.phase === 'collect') {
    const step = script.steps.find((s) => s.id === p.current);
    if (step) return stepPrompt(step, remembered, messages);
  }
  if (p.phase === 'edit') return { text: messages.whichToChange, buttons: unique(script.steps.map((s) => s.label)) };
  const summary = summaryText(summarize(script, p.answers, messages));
  return { text: fill(script.confirm, { summary }), buttons: [messages.yesButton, messages.noButton] };
}

function stepPrompt(step: ScriptStep, remembered: Remembered, messages: Messages): FlowPrompt {
  const known = step.remember ? remembered[step.remember] : undefined;
  const lines = [step.ask];
  const buttons: string[] = [];
  if (step.kind === 'choice') buttons.push(...(step.choices ?? []));
  if (step.kind === 'yesno') buttons.push(messages.yesButton, messages.noButton);
  if (known) {
    lines.push(fill(messages.reuseKnown, { value: known }));
    buttons.push(known);
  }
  if (step.optional && !/\bskip\b/i.test(step.ask)) lines.push(messages.skipHint);
  return { text: lines.join('\n\n'), buttons: unique(buttons) };
}

/** The same prompt after a refused answer: the reason first. */
export function retryPrompt(prompt: FlowPrompt, reason: string): FlowPrompt {
  return { text: `${reason}\n\n${prompt.text}`, buttons: prompt.buttons };
}

/** What "help" says now: the step's own help, or the standard words for a step or the confirmation. */
export function helpOf(script: EscalationScript, progress: EscalationProgress, messages: Messages): string {
  const p = settle(script, progress);
  if (p.phase !== 'collect') return messages.confirmHelp;
  return script.steps.find((s) => s.id === p.current)?.help ?? messages.stepHelp;
}

/**
 * Takes the partner's answer: a step's answer (checked against the step), yes or no at the
 * confirmation (no leads to the choice of which answer to change), or the answer to change.
 */
export function acceptAnswer(script: EscalationScript, progress: EscalationProgress, input: string, messages: Messages, words: AnswerWords): Accepted {
  const p = settle(script, progress);
  const step = expectedStep(script, p);
  const checked = validateAnswer(step, input, words);
  if (!checked.ok) return { kind: 'refused', reason: reasonText(step, checked.reason, messages) };
  const value = checked.value;
  if (p.phase === 'collect' && p.current) return next(script, { ...p, answers: { ...p.answers, [p.current]: value } });
  if (p.phase === 'confirm') return value === 'yes' ? { kind: 'confirmed', answers: p.answers } : next(script, { ...p, phase: 'edit' });
  const chosen = script.steps.find((s) => s.label === value);
  const answers = Object.fromEntries(Object.entries(p.answers).filter(([id]) => id !== chosen?.id));
  return next(script, { scriptId: p.scriptId, answers, phase: 'collect' });
}

function next(script: EscalationScript, progress: EscalationProgress): Accepted {
  return { kind: 'next', progress: settle(script, progress) };
}

/**
 * Whether a message given in answer to a question may be a knowledge question instead: it does not
 * fit the step, or it is phrased as a question where a short answer (a name, a company) is expected.
 * Free-text descriptions are always taken as answers.
 */
export function mayBeQuestion(script: EscalationScript, progress: EscalationProgress, text: string, words: AnswerWords): boolean {
  const step = expectedStep(script, settle(script, progress));
  if (!validateAnswer(step, text, words).ok) return true;
  return step.kind === 'text' && step.maxLength <= 300 && /\?\s*$/.test(text);
}

/** The step an answer is checked against: the script step, or a yes/no (confirm) or choice (edit) step. */
function expectedStep(script: EscalationScript, progress: EscalationProgress): ScriptStep {
  if (progress.phase === 'collect') {
    const step = script.steps.find((s) => s.id === progress.current);
    if (step) return step;
  }
  if (progress.phase === 'edit') {
    return { id: 'edit', ask: '', kind: 'choice', choices: script.steps.map((s) => s.label), label: 'edit', optional: false, maxLength: 200 };
  }
  return { id: 'confirm', ask: '', kind: 'yesno', label: 'confirm', optional: false, maxLength: 200 };
}

/**
 * The message that asks again, for each way an answer can be wrong (each may use {max}, the step's
 * longest answer; the messages file allows the placeholder only where it means something).
 */
const ASK_AGAIN: Readonly<Record<AnswerProblem, keyof Messages>> = {
  tooLong: 'answerTooLong',
  email: 'answerEmail',
  phone: 'answerPhone',
  partnerId: 'answerPartnerId',
  pattern: 'answerPattern',
  choice: 'answerChoice',
  yesno: 'answerYesNo',
  empty: 'answerEmpty',
};

/** The step's own reprompt, except for an answer that is too long or empty (the reprompt would not say why). */
function reasonText(step: ScriptStep, reason: AnswerProblem, m: Messages): string {
  if (step.reprompt && reason !== 'tooLong' && reason !== 'empty') return step.reprompt;
  return fill(m[ASK_AGAIN[reason]], { max: step.maxLength });
}

/** The remembered details a finished escalation updates (steps marked `remember`, answered). */
export function rememberedFrom(script: EscalationScript, answers: Readonly<Record<string, string>>): Remembered {
  const out: Partial<Record<RememberField, string>> = {};
  for (const step of script.steps) {
    const value = answers[step.id];
    if (step.remember && value) out[step.remember] = value;
  }
  return out;
}

/** Reads progress from stored state, or undefined when it is not progress of a known script. */
export function progressFrom(value: unknown, scripts: readonly EscalationScript[]): EscalationProgress | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const script = scripts.find((s) => s.id === v.scriptId);
  const answers = v.answers;
  if (!script || typeof answers !== 'object' || answers === null || Array.isArray(answers)) return undefined;
  if (v.phase !== 'collect' && v.phase !== 'confirm' && v.phase !== 'edit') return undefined;
  const clean = Object.fromEntries(Object.entries(answers).filter((e): e is [string, string] => typeof e[1] === 'string' && script.steps.some((s) => s.id === e[0])));
  return settle(script, { scriptId: script.id, answers: clean, phase: v.phase, ...(typeof v.current === 'string' ? { current: v.current } : {}) });
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
