import { answerInConversation } from '../answering/conversation';
import { fill } from '../answering/Messages';
import type { Reply } from '../answering/Reply';
import { findTicketId } from '../escalation/ticket';
import { matchesTrigger, SUPPORT_SCRIPT_ID, type EscalationScript } from '../escalation/script';
import { validateAnswer } from '../escalation/validateAnswer';
import { continueEscalation, startEscalation } from './escalate';
import { exchangeOf, TurnBuilder } from './TurnBuilder';
import type { ConversationFacts } from './facts';
import { noArticle, say, type FeedbackValue, type KnowledgeReply, type Outgoing } from './outgoing';
import { recognises } from './phrases';
import { ticketStatus } from './ticketStatus';
import type { TurnInput, TurnResult } from './turn';

const YES_NO = { id: 'offer', ask: '', kind: 'yesno', label: 'offer', optional: false, maxLength: 100 } as const;

/**
 * The whole of one turn, as rules: from the partner's message as the channel edge understood it, the
 * conversation's facts, what staff wrote (knowledge, scripts, words) and the clock, decides the
 * replies (channel-neutral), the new facts and what the edge must do (record the question, open a
 * ticket, tell staff). It reads and writes nothing itself; where it needs something done first (a
 * ticket written or looked up, a private chat opened) it says so in `pending` and goes on from the
 * result.
 *
 * In order: a shared conversation's messages not meant for the bot are ignored; feedback is recorded;
 * a request for a person in progress takes the message; then empty and over-long messages, the answer
 * to an offer of a person, ticket status, a script's trigger, and last the knowledge base.
 */
export function respond(input: TurnInput): TurnResult {
  const t = new TurnBuilder(input);
  const { message } = input;
  if (message.shared && !message.addressed) return t.result();
  if (message.feedback) return feedback(t, message.feedback);
  const text = message.text.trim();
  if (t.facts.escalation) {
    const continued = continueEscalation(t, text);
    if (continued) return continued;
  }
  const { messages, maxQuestionChars } = input.content;
  if (text === '') return t.say(say(messages.nonText, noArticle())).logged('nonText').result();
  if (text.length > maxQuestionChars) {
    return t.say(say(fill(messages.tooLong, { max: maxQuestionChars }), noArticle())).logged('tooLong', { chars: text.length }).result();
  }
  return offered(t, text) ?? question(t, text);
}

/** The partner's answer to an offer of a person: "yes" starts the request, "no" is acknowledged. */
function offered(t: TurnBuilder, text: string): TurnResult | undefined {
  const offer = t.facts.pendingOffer;
  t.facts = { ...t.facts, pendingOffer: undefined };
  if (!offer) return undefined;
  const answer = validateAnswer(YES_NO, text, t.input.content.phrases.answers);
  if (answer.ok && answer.value === 'yes') return startEscalation(t, scriptFor(t, offer));
  if (answer.ok) return t.say(say(t.messages.offerDeclined, noArticle())).noted('smallTalk').result();
  return undefined;
}

function question(t: TurnBuilder, text: string): TurnResult {
  const { phrases, scripts } = t.input.content;
  const ref = findTicketId(text);
  if (ref || recognises(phrases.ticketStatus, text)) return ticketStatus(t, ref);
  const triggered = scripts.find((s) => s.id !== SUPPORT_SCRIPT_ID && matchesTrigger(s, text));
  if (triggered) {
    t.recordQuestion(text, { kind: 'escalate' });
    t.remember({ question: text, band: 'escalation', at: t.input.now.toISOString() });
    return startEscalation(t, triggered);
  }
  return knowledge(t, text);
}

/** The welcome, once per conversation (Teams sends both an install and a conversation update). */
export function welcome(input: Pick<TurnInput, 'facts'>): { readonly replies: readonly Outgoing[]; readonly facts: ConversationFacts } {
  if (input.facts.welcomed) return { replies: [], facts: input.facts };
  return { replies: [{ kind: 'welcome' }], facts: { ...input.facts, welcomed: true } };
}

/** A question for the knowledge base: its answers (one per question the message asks), and the no-answer streak. */
function knowledge(t: TurnBuilder, text: string): TurnResult {
  const { kb, phrases } = t.input.content;
  t.searched = true;
  const turn = answerInConversation(text, kb.index, t.facts.topic, t.input.now, phrases.smallTalk);
  if (turn.context) t.facts = { ...t.facts, topic: turn.context };
  if (turn.replies[0]?.kind === 'escalate') {
    t.recordQuestion(text, { kind: 'escalate' });
    // "That didn't help" about the last answer is feedback on it as well as a request for a person.
    if (t.facts.lastQuestionId && recognises(phrases.notHelpful, text)) t.effect({ kind: 'recordFeedback', questionId: t.facts.lastQuestionId, feedback: 'notHelpful' });
    return startEscalation(t, scriptFor(t, SUPPORT_SCRIPT_ID));
  }
  const replies = turn.replies.filter((r): r is KnowledgeReply => r.kind !== 'escalate');
  for (const [i, reply] of replies.entries()) {
    // With two questions in one message, each reply is logged with the part it answers.
    const asked = replies.length > 1 ? (turn.decisions[i]?.question ?? text) : text;
    const questionId = t.recordQuestion(asked, reply);
    const withFeedback = reply.kind === 'answer' || reply.kind === 'partial';
    const offer = i === replies.length - 1 ? turn.offer : undefined;
    t.say({ kind: 'knowledge', reply, ...(withFeedback && questionId ? { questionId } : {}), ...(offer !== undefined ? { offer } : {}) });
    if (questionId && reply.kind !== 'smallTalk') t.facts = { ...t.facts, lastQuestionId: questionId };
    t.remember(exchangeOf(asked, reply, t.input.now));
  }
  const lead = replies[0];
  if (!lead) return t.result();
  const streak = lead.kind === 'noAnswer' ? t.facts.noAnswerStreak + 1 : lead.kind === 'smallTalk' ? t.facts.noAnswerStreak : 0;
  t.facts = { ...t.facts, noAnswerStreak: streak };
  if (lead.kind === 'noAnswer' && streak >= 2) {
    t.facts = { ...t.facts, pendingOffer: SUPPORT_SCRIPT_ID, noAnswerStreak: 0 };
    t.say(say(t.messages.escalationOffer, noArticle({ intent: 'offer' }), [t.messages.yesButton, t.messages.noButton]));
  }
  return t.logged(lead.kind, logFields(lead, replies.length), articleOf(lead)).result();
}

function logFields(reply: KnowledgeReply, count: number): Record<string, unknown> {
  const shows = reply.kind === 'answer' || reply.kind === 'partial';
  return {
    articleId: shows ? reply.article.id : undefined,
    passages: shows ? reply.passages.map((p) => `${p.article.id}#${p.passage.index}`) : undefined,
    confidence: reply.kind === 'smallTalk' ? undefined : reply.confidence,
    intent: reply.kind === 'smallTalk' ? reply.intent : undefined,
    questions: count > 1 ? count : undefined,
  };
}

function articleOf(reply: Reply): string | undefined {
  return reply.kind === 'answer' || reply.kind === 'partial' ? reply.article.id : undefined;
}

/** "Helpful" thanks the partner; "not helpful" apologises and offers a person. Both are recorded. */
function feedback(t: TurnBuilder, value: FeedbackValue): TurnResult {
  const m = t.messages;
  t.effect({ kind: 'recordFeedback', questionId: value.questionId, feedback: value.feedback });
  if (value.feedback === 'helpful') {
    t.say(say(m.feedbackThanks, { band: 'smallTalk', articleId: null, confidence: null, intent: 'feedback' }));
  } else {
    t.facts = { ...t.facts, pendingOffer: SUPPORT_SCRIPT_ID };
    t.say(say(`${m.feedbackSorry} ${m.offerPerson}`, noArticle({ intent: 'offer' }), [m.talkToPersonButton, m.noButton]));
  }
  // A press during a request for a person: the question is asked again.
  t.repromptEscalation();
  return t.logged('feedback', { feedback: value.feedback }).result();
}

function scriptFor(t: TurnBuilder, id: string): EscalationScript {
  const { scripts } = t.input.content;
  const found = scripts.find((s) => s.id === id) ?? scripts.find((s) => s.id === SUPPORT_SCRIPT_ID);
  if (!found) throw new Error(`an escalation script with id "${SUPPORT_SCRIPT_ID}" is required`);
  return found;
}
