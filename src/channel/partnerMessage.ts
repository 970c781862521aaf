import type { Activity } from 'botbuilder';
import { isFeedbackValue } from '../conversation/outgoing';
import type { PartnerMessage } from '../conversation/turn';
import { isAskValue } from './teams/teamsCards';
import { isTeamsGroup, mentionsRecipient, withoutRecipientMention } from './teams/teamsConversation';

/**
 * The partner's message as the core reads it: the text (without the bot's own @mention, or the
 * question an Ask button on a card asks), a feedback press, whether others read the conversation and
 * whether the message is for the bot, and who sent it where.
 */
export function partnerMessageOf(activity: Activity): PartnerMessage {
  const value: unknown = activity.value;
  const feedback = isFeedbackValue(value) ? value : undefined;
  const ask = isAskValue(value) ? value.ask : undefined;
  const shared = isTeamsGroup(activity);
  // In channels and group chats the bot speaks only when @mentioned (or a button on its card is pressed).
  const addressed = !shared || feedback !== undefined || ask !== undefined || mentionsRecipient(activity);
  const typed = shared ? withoutRecipientMention(activity) : typeof activity.text === 'string' ? activity.text : '';
  return {
    text: ask ?? typed,
    ...(feedback ? { feedback } : {}),
    shared,
    addressed,
    from: {
      userId: activity.from.id,
      ...(activity.from.name ? { name: activity.from.name } : {}),
      conversationId: activity.conversation.id,
      channelId: activity.channelId,
    },
  };
}
