import { ActionTypes, type Activity, type CardAction } from 'botbuilder';
import type { EscalateReply, Reply } from '../answering/Reply';
import { fill, type Messages } from '../answering/Messages';
import { exampleQuestions, topicList, viewOf } from '../answering/replyText';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';

/** What clients and tests can read from every reply's `channelData`. */
export interface ReplyData {
  readonly band: 'answer' | 'partial' | 'clarify' | 'noAnswer' | 'smallTalk' | 'escalation' | 'ticketStatus';
  readonly articleId: string | null;
  readonly confidence: number | null;
  readonly intent?: string;
  readonly candidates?: readonly string[];
  /** With `escalation` (a ticket was opened) and `ticketStatus`. */
  readonly ticketId?: string;
  /** The question's id in the question log, which feedback refers to. */
  readonly questionId?: string;
  readonly delivery?: string;
  /** With `partial`: what the sources do not give, as the partner typed it. */
  readonly missing?: readonly string[];
  /** With `answer` and `partial`: the passages shown (`articleId#index`), first the one that answers. */
  readonly passages?: readonly string[];
}

/** What partners send back from the feedback buttons (as the activity's `value`). */
export interface FeedbackValue {
  readonly feedback: 'helpful' | 'notHelpful';
  readonly questionId: string;
}

export function isFeedbackValue(v: unknown): v is FeedbackValue {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (r.feedback === 'helpful' || r.feedback === 'notHelpful') && typeof r.questionId === 'string' && r.questionId.length <= 100;
}

/**
 * Turns a decided reply into a message activity: markdown text, suggested actions, channelData.
 * With a `questionId`, an answer (or a partial answer) also carries "helpful / not helpful" buttons.
 */
export function renderReply(reply: Exclude<Reply, EscalateReply>, kb: KnowledgeBase, messages: Messages, questionId?: string): Partial<Activity> {
  const view = viewOf(reply, kb, messages);
  const feedback =
    questionId && (view.band === 'answer' || view.band === 'partial')
      ? [feedbackButton(messages.helpfulButton, 'helpful', questionId), feedbackButton(messages.notHelpfulButton, 'notHelpful', questionId)]
      : [];
  const data: ReplyData = {
    band: view.band,
    articleId: view.articleId,
    confidence: view.confidence,
    ...(reply.kind === 'smallTalk' ? { intent: reply.intent } : {}),
    ...(reply.kind === 'clarify' ? { candidates: reply.candidates.map((c) => c.id) } : {}),
    ...(reply.kind === 'partial' ? { missing: reply.missing } : {}),
    ...(reply.kind === 'answer' || reply.kind === 'partial' ? { passages: reply.passages.map((p) => `${p.article.id}#${p.passage.index}`) } : {}),
    ...(questionId && feedback.length > 0 ? { questionId } : {}),
  };
  return message(view.text, [...view.buttons.map((b) => ({ ...button(b.title), value: b.value })), ...feedback], data);
}

/** The welcome shown when a partner first opens the chat. */
export function renderWelcome(kb: KnowledgeBase, messages: Messages): Partial<Activity> {
  return message(fill(messages.welcome, { topics: topicList(kb) }), exampleQuestions(kb).map((q) => button(q)), {
    band: 'smallTalk',
    articleId: null,
    confidence: null,
    intent: 'welcome',
  });
}

/** Reply data for bot messages that carry no article (errors, notices, offers). */
export function noArticle(extra: Partial<ReplyData> = {}): ReplyData {
  return { band: 'noAnswer', articleId: null, confidence: null, ...extra };
}

export function renderText(text: string, data: ReplyData): Partial<Activity> {
  return message(text, [], data);
}

function message(text: string, actions: CardAction[], data: ReplyData): Partial<Activity> {
  return {
    type: 'message',
    text,
    textFormat: 'markdown',
    ...(actions.length > 0 ? { suggestedActions: { actions, to: [] } } : {}),
    channelData: data,
  };
}

/** A button that sends its label back as the partner's next message. */
function button(title: string): CardAction {
  return { type: ActionTypes.ImBack, title, value: title };
}

/** A button that records feedback: its value reaches the bot, its title is shown as the partner's reply. */
function feedbackButton(title: string, feedback: FeedbackValue['feedback'], questionId: string): CardAction {
  const value: FeedbackValue = { feedback, questionId };
  return { type: ActionTypes.MessageBack, title, displayText: title, text: '', value };
}

