import { ActionTypes, type Activity, type CardAction } from 'botbuilder';
import { fill, type Messages } from '../../answering/Messages';
import { exampleQuestions, topicList, viewOf } from '../../answering/replyText';
import type { FeedbackValue, KnowledgeOut, KnowledgeReply, Outgoing, ReplyData, TextOut } from '../../conversation/outgoing';
import type { KnowledgeBase } from '../../knowledge/loadKnowledge';
import type { Renderer } from './Renderer';

/**
 * Web Chat, Direct Line, the Emulator and any channel without a renderer of its own: markdown text,
 * the answers offered as suggested actions, and the reply's data in `channelData`.
 */
export class MarkdownRenderer implements Renderer {
  readonly typing: boolean = false;
  readonly handoffEvents: boolean = true;

  constructor(
    protected readonly kb: KnowledgeBase,
    protected readonly messages: Messages,
  ) {}

  render(out: Outgoing): Partial<Activity> {
    switch (out.kind) {
      case 'knowledge':
        return this.knowledge(out);
      case 'text':
        return renderTextOut(out);
      case 'welcome':
        return renderWelcome(this.kb, this.messages);
      case 'privateChatInvite':
        return renderText(this.messages.escalateInPrivate, { band: 'escalation', articleId: null, confidence: null, intent: 'private' });
    }
  }

  protected knowledge(out: KnowledgeOut): Partial<Activity> {
    const rendered = renderReply(out.reply, this.kb, this.messages, out.questionId);
    if (out.plain) return { ...rendered, suggestedActions: undefined };
    return out.offer !== undefined ? withOffer(rendered, out.offer) : rendered;
  }
}

/** The last reply with the second question of a message offered as a button. */
export function withOffer(activity: Partial<Activity>, question: string): Partial<Activity> {
  const actions = activity.suggestedActions?.actions ?? [];
  return { ...activity, suggestedActions: { to: [], actions: [button(question), ...actions] } };
}

function renderTextOut(out: TextOut): Partial<Activity> {
  return {
    ...message(out.text, (out.buttons ?? []).map(button), out.data),
    ...(out.expectsAnswer ? { inputHint: 'expectingInput' } : {}),
  };
}

/**
 * A knowledge reply as a message activity: markdown text, suggested actions, channelData. With a
 * `questionId`, an answer (or a partial answer) also carries "helpful / not helpful" buttons.
 */
export function renderReply(reply: KnowledgeReply, kb: KnowledgeBase, messages: Messages, questionId?: string): Partial<Activity> {
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
  return message(fill(messages.welcome, { topics: topicList(kb, messages.listAnd) }), exampleQuestions(kb).map((q) => button(q)), {
    band: 'smallTalk',
    articleId: null,
    confidence: null,
    intent: 'welcome',
  });
}

/** A notice outside any turn's rules (the error apology, the fair-use pause), as markdown. */
export function renderText(text: string, data: ReplyData): Partial<Activity> {
  return message(text, [], data);
}

function message(text: string, actions: CardAction[], data: ReplyData | undefined): Partial<Activity> {
  return {
    type: 'message',
    text,
    textFormat: 'markdown',
    ...(actions.length > 0 ? { suggestedActions: { actions, to: [] } } : {}),
    ...(data ? { channelData: data } : {}),
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
