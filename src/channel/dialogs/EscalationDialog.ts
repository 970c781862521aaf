import { ActionTypes, MessageFactory, type Activity, type CardAction, type TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  DialogTurnStatus,
  TextPrompt,
  WaterfallDialog,
  type DialogContext,
  type DialogTurnResult,
  type PromptValidatorContext,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { fill, type Messages } from '../../answering/Messages';
import type { EscalationScript, ScriptStep } from '../../escalation/script';
import { summarize, summaryText } from '../../escalation/ticket';
import { validateAnswer } from '../../escalation/validateAnswer';
import type { PartnerProfile } from '../state';

/** Where an escalation is: the answers so far, and what is being asked now. */
export interface EscalationProgress {
  answers: Record<string, string>;
  phase: 'collect' | 'confirm' | 'edit';
  /** The step being asked (collect), or undefined at confirm/edit. */
  current?: string;
}

export interface EscalationDeps {
  readonly messages: Messages;
  readonly profile: (context: TurnContext) => Promise<PartnerProfile>;
  /**
   * Answers `text` as a knowledge question if the knowledge base has a confident answer, sending it;
   * returns whether it did. Lets a partner ask something mid-way without leaving the escalation.
   */
  readonly answerQuestion: (context: TurnContext, text: string) => Promise<boolean>;
  /**
   * Records the ticket (durably) and tells the partner its reference. Returns false when it could not
   * be recorded (the partner has been told): the confirmation is then asked again, answers kept.
   */
  readonly complete: (context: TurnContext, script: EscalationScript, answers: Record<string, string>) => Promise<boolean>;
  /** Told when the partner cancels the request. */
  readonly cancelled?: (context: TurnContext) => void;
}

const FLOW = 'flow';
const ANSWER = 'answer';
const CANCEL = /^(?:cancel|stop|quit|exit|abort|never ?mind|forget (?:it|that)|cancel (?:it|that|this|please)|please cancel)[.!]*$/i;
const HELP = /^(?:help|\?|what\??|why\??|what do you need\??|help me|i need help|i don'?t understand)[.!]*$/i;

/**
 * One staff-written escalation script as a dialog: asks each step (offering what the partner told us
 * last time), re-asks with the reason when an answer does not fit, shows a summary to confirm, lets
 * the partner change any answer, and hands the answers over only on "yes". At any point "cancel"
 * stops it (nothing sent), "help" explains the current question, and a knowledge question gets its
 * answer before the question is asked again.
 */
export class EscalationDialog extends ComponentDialog {
  private readonly steps: ReadonlyMap<string, ScriptStep>;

  constructor(
    readonly script: EscalationScript,
    private readonly deps: EscalationDeps,
  ) {
    super(dialogIdOf(script.id));
    this.steps = new Map(script.steps.map((s) => [s.id, s]));
    this.addDialog(new TextPrompt(ANSWER, (pc) => this.validate(pc)));
    this.addDialog(new WaterfallDialog<EscalationProgress>(FLOW, [(step) => this.ask(step), (step) => this.receive(step)]));
    this.initialDialogId = FLOW;
  }

  /** Starts the flow with a fresh progress record and the script's introduction. */
  protected override async onBeginDialog(innerDc: DialogContext, options?: object): Promise<DialogTurnResult> {
    const prefilled = isProgress(options) ? options.answers : {};
    await innerDc.context.sendActivity(this.script.intro);
    const progress: EscalationProgress = { answers: { ...prefilled }, phase: 'collect' };
    return innerDc.beginDialog(FLOW, progress);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const text = (innerDc.context.activity.text ?? '').trim();
    const progress = this.progressOf(innerDc);
    if (CANCEL.test(text)) {
      await innerDc.context.sendActivity(this.script.cancelled);
      await innerDc.cancelAllDialogs();
      this.deps.cancelled?.(innerDc.context);
      return { status: DialogTurnStatus.cancelled };
    }
    if (HELP.test(text)) {
      const step = progress?.current ? this.steps.get(progress.current) : undefined;
      const help = progress?.phase === 'collect' ? (step?.help ?? this.deps.messages.stepHelp) : this.deps.messages.confirmHelp;
      await innerDc.context.sendActivity(help);
      await innerDc.repromptDialog();
      return { status: DialogTurnStatus.waiting };
    }
    if (text !== '' && progress && this.looksLikeQuestion(progress, text) && (await this.deps.answerQuestion(innerDc.context, text))) {
      await innerDc.context.sendActivity(this.deps.messages.backToRequest);
      await innerDc.repromptDialog();
      return { status: DialogTurnStatus.waiting };
    }
    return super.onContinueDialog(innerDc);
  }

  private async ask(step: WaterfallStepContext<EscalationProgress>): Promise<DialogTurnResult> {
    const progress = step.options;
    const { messages } = this.deps;
    if (progress.phase === 'collect') {
      const next = this.script.steps.find((s) => !(s.id in progress.answers));
      if (next) {
        progress.current = next.id;
        const known = next.remember ? (await this.deps.profile(step.context))[next.remember] : undefined;
        const lines = [next.ask];
        const buttons: string[] = [];
        if (next.kind === 'choice') buttons.push(...(next.choices ?? []));
        if (next.kind === 'yesno') buttons.push(messages.yesButton, messages.noButton);
        if (known) {
          lines.push(fill(messages.reuseKnown, { value: known }));
          buttons.push(known);
        }
        if (next.optional && !/\bskip\b/i.test(next.ask)) lines.push(messages.skipHint);
        return step.prompt(ANSWER, { prompt: prompt(lines.join('\n\n'), buttons) });
      }
      progress.phase = 'confirm';
      progress.current = undefined;
    }
    if (progress.phase === 'confirm') {
      const summary = summaryText(summarize(this.script, progress.answers));
      return step.prompt(ANSWER, { prompt: prompt(fill(this.script.confirm, { summary }), [messages.yesButton, messages.noButton]) });
    }
    const labels = this.script.steps.map((s) => s.label);
    return step.prompt(ANSWER, { prompt: prompt(messages.whichToChange, labels) });
  }

  private async receive(step: WaterfallStepContext<EscalationProgress>): Promise<DialogTurnResult> {
    const progress = step.options;
    const value = typeof step.result === 'string' ? step.result : '';
    if (progress.phase === 'collect' && progress.current) {
      progress.answers[progress.current] = value;
    } else if (progress.phase === 'confirm') {
      if (value === 'yes') {
        if (await this.deps.complete(step.context, this.script, progress.answers)) return step.endDialog(progress.answers);
      } else {
        progress.phase = 'edit';
      }
    } else if (progress.phase === 'edit') {
      const chosen = this.script.steps.find((s) => s.label === value);
      if (chosen) delete progress.answers[chosen.id];
      progress.phase = 'collect';
    }
    return step.replaceDialog(FLOW, progress);
  }

  /** Checks an answer against the current step (or yes/no, or the list of parts to change). */
  private async validate(pc: PromptValidatorContext<string>): Promise<boolean> {
    const progress = this.progressFromPrompt(pc);
    const input = pc.recognized.value ?? '';
    const step = this.expectedStep(progress);
    const result = validateAnswer(step, input);
    if (result.ok) {
      pc.recognized.value = result.value;
      return true;
    }
    const reason = this.reasonText(step, result.reason);
    const original = pc.options.prompt;
    const again = typeof original === 'object' && original !== null ? (original as Partial<Activity>) : MessageFactory.text(String(original ?? ''));
    pc.options.retryPrompt = { ...again, text: `${reason}\n\n${again.text ?? ''}` };
    return false;
  }

  /** The step an answer is checked against: the script step, or a synthetic yes/no or choice step. */
  private expectedStep(progress: EscalationProgress | undefined): ScriptStep {
    if (progress?.phase === 'collect' && progress.current) {
      const s = this.steps.get(progress.current);
      if (s) return s;
    }
    if (progress?.phase === 'edit') {
      return { id: 'edit', ask: '', kind: 'choice', choices: this.script.steps.map((s) => s.label), label: 'edit', optional: false, maxLength: 200 };
    }
    return { id: 'confirm', ask: '', kind: 'yesno', label: 'confirm', optional: false, maxLength: 200 };
  }

  private reasonText(step: ScriptStep, reason: string): string {
    if (step.reprompt && reason !== 'tooLong' && reason !== 'empty') return step.reprompt;
    const m = this.deps.messages;
    switch (reason) {
      case 'tooLong':
        return fill(m.answerTooLong, { max: step.maxLength });
      case 'email':
        return m.answerEmail;
      case 'phone':
        return m.answerPhone;
      case 'partnerId':
        return m.answerPartnerId;
      case 'pattern':
        return m.answerPattern;
      case 'choice':
        return m.answerChoice;
      case 'yesno':
        return m.answerYesNo;
      default:
        return m.answerEmpty;
    }
  }

  /**
   * Whether a message given in answer to a question may be a knowledge question instead: it does not
   * fit the step, or it is phrased as a question where a short answer (a name, a company) is expected.
   * Free-text descriptions are always taken as answers.
   */
  private looksLikeQuestion(progress: EscalationProgress, text: string): boolean {
    const step = this.expectedStep(progress);
    if (!validateAnswer(step, text).ok) return true;
    return step.kind === 'text' && step.maxLength <= 300 && /\?\s*$/.test(text);
  }

  private progressOf(innerDc: DialogContext): EscalationProgress | undefined {
    const flow = innerDc.stack.find((d) => d.id === FLOW);
    const options = flow?.state?.options as unknown;
    return isProgress(options) ? options : undefined;
  }

  private progressFromPrompt(pc: PromptValidatorContext<string>): EscalationProgress | undefined {
    return pc.context.turnState.get(PROGRESS_KEY) as EscalationProgress | undefined;
  }

  /** Makes the current progress visible to the prompt validator for this turn. */
  override async continueDialog(outerDc: DialogContext): Promise<DialogTurnResult> {
    const inner = this.createChildContext(outerDc);
    outerDc.context.turnState.set(PROGRESS_KEY, this.progressOf(inner));
    return super.continueDialog(outerDc);
  }
}

const PROGRESS_KEY = Symbol('escalationProgress');

export function dialogIdOf(scriptId: string): string {
  return `escalation:${scriptId}`;
}

function prompt(text: string, buttons: readonly string[]): Partial<Activity> {
  const actions: CardAction[] = [...new Set(buttons)].map((b) => ({ type: ActionTypes.ImBack, title: b, value: b }));
  return { type: 'message', text, textFormat: 'markdown', ...(actions.length > 0 ? { suggestedActions: { actions, to: [] } } : {}) };
}

function isProgress(x: unknown): x is EscalationProgress {
  return typeof x === 'object' && x !== null && 'answers' in x && 'phase' in x;
}
