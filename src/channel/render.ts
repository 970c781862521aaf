import { ActionTypes, type Activity, type CardAction } from 'botbuilder';
import type { EscalateReply, Reply } from '../answering/Reply';
import { fill, type Messages } from '../answering/Messages';
import type { Article } from '../knowledge/Article';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';

/** What clients and tests can read from every reply's `channelData`. */
export interface ReplyData {
  readonly band: 'answer' | 'clarify' | 'noAnswer' | 'smallTalk' | 'escalation' | 'ticketStatus';
  readonly articleId: string | null;
  readonly confidence: number | null;
  readonly intent?: string;
  readonly candidates?: readonly string[];
  /** With `escalation` (a ticket was opened) and `ticketStatus`. */
  readonly ticketId?: string;
  /** The question's id in the question log, which feedback refers to. */
  readonly questionId?: string;
  readonly delivery?: string;
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
 * With a `questionId`, an answer also carries "helpful / not helpful" buttons for it.
 */
export function renderReply(reply: Exclude<Reply, EscalateReply>, kb: KnowledgeBase, messages: Messages, questionId?: string): Partial<Activity> {
  const topics = listOf(kb.topics);
  switch (reply.kind) {
    case 'answer': {
      const a = reply.article;
      const sourceLine = fill(messages.answerSource, { ...sourceOf(a, kb), asOf: a.asOf });
      const feedback = questionId ? [feedbackButton(messages.helpfulButton, 'helpful', questionId), feedbackButton(messages.notHelpfulButton, 'notHelpful', questionId)] : [];
      return message(
        `**${escapeMarkdown(a.title)}**\n\n${a.shortAnswer}\n\n_${sourceLine}_`,
        [...reply.followUps.map((f) => button(f.title)), ...feedback],
        { band: 'answer', articleId: a.id, confidence: reply.confidence, ...(questionId ? { questionId } : {}) },
      );
    }
    case 'clarify':
      return message(messages.didYouMean, [...reply.candidates.map((c) => button(c.title)), button(messages.talkToPersonButton)], {
        band: 'clarify',
        articleId: reply.candidates[0]?.id ?? null,
        confidence: reply.confidence,
        candidates: reply.candidates.map((c) => c.id),
      });
    case 'noAnswer': {
      const lead =
        reply.reason === 'notCovered'
          ? fill(messages.notCovered, { gap: reply.gap ?? '' })
          : reply.reason === 'vague'
            ? fill(messages.vague, { topics })
            : messages.noAnswer;
      const buttons = [button(messages.talkToPersonButton)];
      if (reply.reason === 'notCovered' && reply.closest) {
        buttons.push({ ...button(fill(messages.closestArticleButton, { title: reply.closest.title })), value: reply.closest.title });
      }
      return message(`${lead} ${messages.offerPerson}`, buttons, { band: 'noAnswer', articleId: null, confidence: reply.confidence });
    }
    case 'smallTalk': {
      const data: ReplyData = { band: 'smallTalk', articleId: null, confidence: null, intent: reply.intent };
      switch (reply.intent) {
        case 'greeting':
          return message(fill(messages.greeting, { topics }), examples(kb), data);
        case 'help':
          return message(fill(messages.help, { topics }), examples(kb), data);
        case 'thanks':
          return message(messages.thanks, [], data);
        case 'goodbye':
          return message(messages.goodbye, [], data);
      }
    }
  }
}

/** The welcome shown when a partner first opens the chat. */
export function renderWelcome(kb: KnowledgeBase, messages: Messages): Partial<Activity> {
  return message(fill(messages.welcome, { topics: listOf(kb.topics) }), examples(kb), {
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

/** One example question from each of the first topics, for greetings and help. */
function examples(kb: KnowledgeBase): CardAction[] {
  const seen = new Set<string>();
  const picks: Article[] = [];
  for (const a of kb.articles) {
    if (!seen.has(a.topic)) {
      seen.add(a.topic);
      picks.push(a);
    }
  }
  return picks.slice(0, 3).map((a) => button(a.questions[0] ?? a.title));
}

function sourceOf(a: Article, kb: KnowledgeBase): { source: string; period: string } {
  const docs = a.sources.map((s) => kb.sources.get(s)).filter((d) => d !== undefined);
  return { source: docs.map((d) => d.title).join('; '), period: docs.map((d) => d.period).join('; ') };
}

/** "A, B and C". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, '\\$1');
}
