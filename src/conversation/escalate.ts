import { decide } from '../answering/answer';
import { readsAsQuestion } from '../answering/message';
import { fill } from '../answering/Messages';
import { acceptAnswer, beginFlow, helpOf, mayBeQuestion, rememberedFrom, type EscalationProgress } from '../escalation/flow';
import type { EscalationScript } from '../escalation/script';
import { describeOpening, isOpen, nextOpening } from '../escalation/supportHours';
import { summarize } from '../escalation/ticket';
import type { PartnerProfile } from './facts';
import { noArticle, say } from './outgoing';
import { recognises } from './phrases';
import { exchangeOf, TurnBuilder } from './TurnBuilder';
import type { TicketOutcome, TurnInput, TurnResult } from './turn';

/**
 * A request for a person: in a shared conversation (a Teams channel or group chat) it moves to a
 * one-to-one chat, because details are never collected where others read them; elsewhere the script's
 * introduction and first question.
 */
export function startEscalation(t: TurnBuilder, script: EscalationScript): TurnResult {
  const { message } = t.input;
  if (message.shared) {
    return t.result({
      kind: 'movePrivate',
      scriptId: script.id,
      resume: (moved) => {
        if (moved) {
          const text = fill(t.messages.escalationMovedPrivate, { name: message.from.name ?? '' }).replace(/^,\s*/, '');
          t.say(say(text, { band: 'escalation', articleId: null, confidence: null, intent: 'private' })).effect({ kind: 'escalation', event: 'started' });
        } else {
          t.say({ kind: 'privateChatInvite' });
        }
        return t.logged(moved ? 'escalationMovedToPrivate' : 'escalationInviteToPrivate', { script: script.id }).result();
      },
    });
  }
  begin(t, script);
  return t.effect({ kind: 'escalation', event: 'started' }).logged('escalationStarted', { script: script.id }).result();
}

function begin(t: TurnBuilder, script: EscalationScript): void {
  t.facts = { ...t.facts, noAnswerStreak: 0, pendingOffer: undefined, escalation: beginFlow(script) };
  t.say({ kind: 'text', text: script.intro });
  t.repromptEscalation();
}

/**
 * Starts a request for a person in a conversation the bot has just opened for it (a one-to-one chat
 * continuing a request made in a shared one).
 */
export function beginEscalation(input: TurnInput, scriptId: string): TurnResult {
  const t = new TurnBuilder(input);
  const script = input.content.scripts.find((s) => s.id === scriptId);
  if (script) begin(t, script);
  return t.result();
}

/**
 * The partner's message during a request for a person: "cancel" stops it (nothing sent), "help"
 * explains the current question, a knowledge question gets its answer before the question is asked
 * again, and anything else is the answer (refused with the reason, or taken). Undefined when the
 * stored request is of a script that no longer exists: the message is then read as any other.
 */
export function continueEscalation(t: TurnBuilder, text: string): TurnResult | undefined {
  const progress = t.facts.escalation;
  const script = progress && t.input.content.scripts.find((s) => s.id === progress.scriptId);
  if (!progress || !script) {
    t.facts = { ...t.facts, escalation: undefined };
    return undefined;
  }
  const { messages, phrases, maxQuestionChars } = t.input.content;
  if (text.length > maxQuestionChars) {
    t.say(say(fill(messages.tooLong, { max: maxQuestionChars }), noArticle()));
    t.repromptEscalation();
    return t.result();
  }
  if (recognises(phrases.cancel, text)) {
    t.facts = { ...t.facts, escalation: undefined };
    t.say({ kind: 'text', text: script.cancelled }).effect({ kind: 'escalation', event: 'cancelled' });
    return t.logged('escalation', { status: 'cancelled' }).result();
  }
  if (recognises(phrases.help, text)) {
    t.say({ kind: 'text', text: helpOf(script, progress, messages) });
    return waiting(t);
  }
  if (text !== '' && mayBeQuestion(script, progress, text, t.input.content.phrases.answers) && answerMidway(t, text)) {
    t.say({ kind: 'text', text: messages.backToRequest });
    return waiting(t);
  }
  return answered(t, script, progress, text);
}

function waiting(t: TurnBuilder, prefix?: string): TurnResult {
  t.repromptEscalation(prefix);
  return t.logged('escalation', { status: 'waiting' }).result();
}

function answered(t: TurnBuilder, script: EscalationScript, progress: EscalationProgress, text: string): TurnResult {
  const accepted = acceptAnswer(script, progress, text, t.messages, t.input.content.phrases.answers);
  if (accepted.kind === 'refused') return waiting(t, accepted.reason);
  if (accepted.kind === 'next') {
    t.facts = { ...t.facts, escalation: accepted.progress };
    return waiting(t);
  }
  const { answers } = accepted;
  // The profile the ticket's details are added to, read before the ticket is written.
  const profile = t.profile;
  return t.result({
    kind: 'openTicket',
    request: { script, answers, summary: summarize(script, answers, t.messages), history: t.facts.recent },
    resume: (outcome) => ticketOutcome(t, script, { answers, profile }, outcome),
  });
}

/** The ticket is on record: the partner hears its reference and what happens next. Or, if not, why, and the confirmation again. */
function ticketOutcome(t: TurnBuilder, script: EscalationScript, request: { answers: Readonly<Record<string, string>>; profile: PartnerProfile }, outcome: TicketOutcome): TurnResult {
  const { answers } = request;
  if (!outcome.ok) {
    t.say(say(fill(t.messages.escalationFailed, { ref: outcome.ref }), noArticle()));
    return waiting(t);
  }
  const { ticket } = outcome;
  t.facts = { ...t.facts, tickets: [...t.facts.tickets, ticket.id], escalation: undefined };
  t.profile = { ...request.profile, ...rememberedFrom(script, answers) };
  const done = fill(script.done, { ...answers, ticket: ticket.id, nextSteps: nextSteps(t) });
  t.say(say(done, { band: 'escalation', articleId: null, confidence: null, ticketId: ticket.id }));
  t.effect({ kind: 'ticketOpened', ticket }).effect({ kind: 'escalation', event: 'completed' });
  return t.logged('escalation', { status: 'complete' }).result();
}

/** When partner support will reply: within the response time, or, while closed, when they open. */
function nextSteps(t: TurnBuilder): string {
  const { hours, hoursText, responseTime } = t.input.content.support;
  const now = t.input.now;
  if (isOpen(hours, now)) return fill(t.messages.nextStepsOpen, { responseTime });
  const opening = describeOpening(hours, nextOpening(hours, now), now, t.messages);
  return fill(t.messages.nextStepsClosed, { hours: hoursText, opening, responseTime });
}

/**
 * An answer given in the middle of a request for a person, when the message reads as a knowledge
 * question and the knowledge base answers it confidently; false otherwise (the message is then the
 * step's answer: a bad e-mail is a bad e-mail, and is asked again with the reason).
 */
function answerMidway(t: TurnBuilder, text: string): boolean {
  if (!readsAsQuestion(text)) return false;
  const reply = decide(text, t.input.content.kb.index, { smallTalk: t.input.content.phrases.smallTalk });
  if (reply.kind !== 'answer') return false;
  t.say({ kind: 'knowledge', reply, plain: true });
  t.remember(exchangeOf(text, reply, t.input.now));
  return true;
}

