import { CardFactory, type Activity, type Attachment } from 'botbuilder';
import type { AnswerReply, PartialReply, ShownPassage } from '../../answering/Reply';
import { fill, type Messages } from '../../answering/Messages';
import { partialLead, passageBlocks } from '../../answering/replyText';
import type { Article } from '../../knowledge/Article';
import type { KnowledgeBase } from '../../knowledge/loadKnowledge';
import type { FeedbackValue, ReplyData } from '../../conversation/outgoing';

/** What a card button sends back: a question to ask (follow-ups), or feedback. */
export interface AskValue {
  readonly ask: string;
}

/**
 * An answer as Teams shows it best: an Adaptive Card with, for each article shown, its title, the
 * passages that answer, and its source and as-of date (the same passages Web Chat shows as text), then
 * the follow-up questions and the feedback buttons. Buttons are `Action.Submit` with Teams
 * `messageBack` data, so they work in personal chat, group chats and channels alike (a channel button
 * press needs no @mention).
 */
export function answerCard(
  shown: readonly ShownPassage[],
  kb: KnowledgeBase,
  messages: Messages,
  followUps: readonly Article[],
  questionId?: string,
  options: { lead?: string; shortAnswer?: ShownPassage; corrects?: string; offerPerson?: boolean } = {},
): Attachment {
  const actions: object[] = [];
  if (options.offerPerson) actions.unshift(submit(messages.talkToPersonButton, messages.talkToPersonButton, { ask: messages.talkToPersonButton } satisfies AskValue));
  if (questionId) {
    actions.push(submit(messages.helpfulButton, messages.helpfulButton, { feedback: 'helpful', questionId } satisfies FeedbackValue));
    actions.push(submit(messages.notHelpfulButton, messages.notHelpfulButton, { feedback: 'notHelpful', questionId } satisfies FeedbackValue));
  }
  const body: object[] = [];
  if (options.lead) body.push({ type: 'TextBlock', text: options.lead, wrap: true, weight: 'Bolder' });
  passageBlocks(shown, kb, messages).forEach((b, i) => {
    body.push({ type: 'TextBlock', text: b.title, weight: 'Bolder', size: 'Medium', wrap: true });
    if (i === 0 && options.corrects) body.push({ type: 'TextBlock', text: fill(messages.corrects, { assumed: options.corrects }), wrap: true });
    for (const p of b.passages) body.push({ type: 'TextBlock', text: p, wrap: true });
    if (i === 0 && options.shortAnswer) body.push({ type: 'TextBlock', text: `${messages.inShort} ${options.shortAnswer.passage.text}`, wrap: true });
    body.push({ type: 'TextBlock', text: b.source, isSubtle: true, size: 'Small', wrap: true });
  });
  body.push(...questionRows(followUps.map((f) => f.title), messages.askButton));
  return CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    actions,
  });
}

function submit(title: string, displayText: string, value: object): object {
  return { type: 'Action.Submit', title, data: { ...value, msteams: { type: 'messageBack', displayText, text: '', value } } };
}

/**
 * Questions to pick, each a row: the question as wrapping text and a short button that asks it
 * (pressing the row asks it too, where the client supports it). Teams cuts a card button's title at
 * about 50 characters, and partners' questions are longer ("What is Office 365 and what does it mean
 * for my BPOS customers?"), so the question is not the button's title.
 */
export function questionRows(questions: readonly string[], askLabel: string): object[] {
  return questions.map((q, i) => {
    const ask = submit(askLabel, q, { ask: q } satisfies AskValue);
    return {
      type: 'ColumnSet',
      ...(i === 0 ? { separator: true, spacing: 'Medium' } : { spacing: 'Small' }),
      selectAction: ask,
      columns: [
        { type: 'Column', width: 'stretch', verticalContentAlignment: 'Center', items: [{ type: 'TextBlock', text: q, wrap: true, color: 'Accent' }] },
        { type: 'Column', width: 'auto', verticalContentAlignment: 'Center', items: [{ type: 'ActionSet', actions: [{ ...ask, tooltip: q }] }] },
      ],
    };
  });
}

/**
 * The answer (or partial answer) activity for Teams: the card, with the plain text kept for
 * notifications and search. A partial answer leads with what the sources do not say and offers a person.
 */
export function teamsAnswer(reply: AnswerReply | PartialReply, kb: KnowledgeBase, messages: Messages, questionId?: string): Partial<Activity> {
  const data: ReplyData = {
    band: reply.kind,
    articleId: reply.article.id,
    confidence: reply.confidence,
    passages: reply.passages.map((p) => `${p.article.id}#${p.passage.index}`),
    ...(reply.kind === 'partial' ? { missing: reply.missing } : {}),
    ...(questionId ? { questionId } : {}),
  };
  const card =
    reply.kind === 'answer'
      ? answerCard(reply.passages, kb, messages, reply.followUps, questionId, {
          ...(reply.shortAnswer ? { shortAnswer: reply.shortAnswer } : {}),
          ...(reply.corrects ? { corrects: reply.corrects } : {}),
        })
      : answerCard(reply.passages, kb, messages, reply.followUps.slice(0, 2), questionId, {
          lead: reply.passages.length > 0 ? `${partialLead(reply, messages)} ${messages.partialThen}` : `${partialLead(reply, messages)} ${messages.offerPerson}`,
          offerPerson: true,
        });
  return { type: 'message', summary: reply.article.title, attachments: [card], channelData: data };
}

export function isAskValue(v: unknown): v is AskValue {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).ask === 'string' && ((v as Record<string, unknown>).ask as string).length <= 200;
}
