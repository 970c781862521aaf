import { ActionTypes, CardFactory, CloudAdapterBase as CloudAdapterBaseClass, type Activity, type CloudAdapterBase } from 'botbuilder';
import type { KnowledgeBase } from '../../knowledge/loadKnowledge';
import { questionRows } from './teamsCards';

/** How the bot tells Teams conversations apart and adapts its messages to them. */

/** A Teams channel or group chat (not a one-to-one chat with the bot). */
export function isTeamsGroup(activity: Pick<Activity, 'channelId' | 'conversation'>): boolean {
  const c = activity.conversation as Activity['conversation'] | undefined;
  return activity.channelId === 'msteams' && (c?.conversationType === 'channel' || c?.conversationType === 'groupChat' || (c?.isGroup ?? false));
}

export function isTeamsPersonal(activity: Pick<Activity, 'channelId' | 'conversation'>): boolean {
  return activity.channelId === 'msteams' && !isTeamsGroup(activity);
}

/**
 * Teams shows suggested actions only in one-to-one chats. In channels and group chats the same
 * choices go on a card that works without an @mention: questions to pick as rows of wrapping text
 * with a short button each (a button's title would be cut at about 50 characters), other choices as
 * buttons.
 */
export function buttonsAsCard(activity: Partial<Activity>, askLabel: string): Partial<Activity> {
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length === 0) return activity;
  const questions = actions.filter((a) => a.type === ActionTypes.ImBack).map((a) => String(a.value));
  const others = actions
    .filter((a) => a.type !== ActionTypes.ImBack)
    .map((a) =>
      a.type === ActionTypes.MessageBack
        ? { type: 'Action.Submit', title: a.title, data: { ...(a.value as object), msteams: { type: 'messageBack', displayText: a.displayText ?? a.title, text: a.text ?? '', value: a.value } } }
        : a.type === ActionTypes.OpenUrl
          ? { type: 'Action.OpenUrl', title: a.title, url: String(a.value) }
          : undefined,
    )
    .filter((a) => a !== undefined);
  const card = CardFactory.adaptiveCard({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: questionRows(questions, askLabel),
    ...(others.length > 0 ? { actions: others } : {}),
  });
  const { suggestedActions: _dropped, ...rest } = activity;
  return { ...rest, attachments: [...(activity.attachments ?? []), card] };
}

export function isCloudAdapter(adapter: unknown): adapter is CloudAdapterBase {
  return adapter instanceof CloudAdapterBaseClass;
}

export function mentionsRecipient(activity: Activity): boolean {
  const botId = activity.recipient?.id;
  return mentionEntities(activity).some((e) => e.mentioned?.id === botId);
}

/**
 * The message's text without the bot's own @mention (other people's mentions stay). Unlike
 * TurnContext.removeRecipientMention it copes with a message that has no text or odd entities.
 */
export function withoutRecipientMention(activity: Activity): string {
  const text = typeof activity.text === 'string' ? activity.text : '';
  const mine = mentionEntities(activity).find((e) => e.mentioned?.id === activity.recipient?.id && typeof e.text === 'string' && e.text !== '');
  const mention = typeof mine?.text === 'string' ? mine.text : '';
  return (mention ? text.replace(mention, '') : text).trim();
}

function mentionEntities(activity: Activity): { mentioned?: { id?: unknown }; text?: unknown }[] {
  const entities: unknown = activity.entities;
  if (!Array.isArray(entities)) return [];
  return entities.filter(
    (e): e is { mentioned?: { id?: unknown }; text?: unknown } => typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string' && (e as { type: string }).type.toLowerCase() === 'mention',
  );
}

export function onePerTopic(kb: KnowledgeBase): KnowledgeBase['articles'][number][] {
  const seen = new Set<string>();
  return kb.articles.filter((a) => !seen.has(a.topic) && Boolean(seen.add(a.topic)));
}

export function preview(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 137).replace(/\s+\S*$/, '')}…`;
}

