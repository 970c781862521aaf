import { CardFactory, type Activity, type Attachment } from 'botbuilder';
import type { AnswerReply } from '../../answering/Reply';
import { fill, type Messages } from '../../answering/Messages';
import type { Article } from '../../knowledge/Article';
import type { KnowledgeBase } from '../../knowledge/loadKnowledge';
import type { FeedbackValue, ReplyData } from '../render';

/** What a card button sends back: a question to ask (follow-ups), or feedback. */
export interface AskValue {
  readonly ask: string;
}

/**
 * An answer as Teams shows it best: an Adaptive Card with the title, the short answer, the source and
 * as-of date, the follow-up questions and the feedback buttons. Buttons are `Action.Submit` with
 * Teams `messageBack` data, so they work in personal chat, group chats and channels alike (a channel
 * button press needs no @mention).
 */
export function answerCard(article: Article, kb: KnowledgeBase, messages: Messages, followUps: readonly Article[], questionId?: string): Attachment {
  const docs = article.sources.map((s) => kb.sources.get(s)).filter((d) => d !== undefined);
  const source = fill(messages.answerSource, { source: docs.map((d) => d.title).join('; '), period: docs.map((d) => d.period).join('; '), asOf: article.asOf });
  const actions: object[] = followUps.map((f) => submit(f.title, f.title, { ask: f.title } satisfies AskValue));
  if (questionId) {
    actions.push(submit(messages.helpfulButton, messages.helpfulButton, { feedback: 'helpful', questionId } satisfies FeedbackValue));
    actions.push(submit(messages.notHelpfulButton, messages.notHelpfulButton, { feedback: 'notHelpful', questionId } satisfies FeedbackValue));
  }
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: article.title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: article.shortAnswer, wrap: true },
      { type: 'TextBlock', text: source, isSubtle: true, size: 'Small', wrap: true },
    ],
    actions,
  });
}

function submit(title: string, displayText: string, value: object): object {
  return { type: 'Action.Submit', title, data: { ...value, msteams: { type: 'messageBack', displayText, text: '', value } } };
}

/** The answer activity for Teams: the card, with the plain text kept for notifications and search. */
export function teamsAnswer(reply: AnswerReply, kb: KnowledgeBase, messages: Messages, questionId?: string): Partial<Activity> {
  const data: ReplyData = { band: 'answer', articleId: reply.article.id, confidence: reply.confidence, ...(questionId ? { questionId } : {}) };
  return {
    type: 'message',
    summary: reply.article.title,
    attachments: [answerCard(reply.article, kb, messages, reply.followUps, questionId)],
    channelData: data,
  };
}

export function isAskValue(v: unknown): v is AskValue {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).ask === 'string' && ((v as Record<string, unknown>).ask as string).length <= 200;
}
