import { ActionTypes, CardFactory, type Activity } from 'botbuilder';
import type { Messages } from '../../answering/Messages';
import type { KnowledgeOut, Outgoing } from '../../conversation/outgoing';
import type { KnowledgeBase } from '../../knowledge/loadKnowledge';
import { teamsAnswer } from '../teams/teamsCards';
import { buttonsAsCard } from '../teams/teamsConversation';
import { MarkdownRenderer, renderText, withOffer } from './markdown';
import type { Renderer } from './Renderer';

/**
 * Microsoft Teams: answers as Adaptive Cards (the passages, source and as-of date, follow-up questions
 * and feedback buttons), everything else as markdown. In a channel or group chat, where Teams shows
 * no suggested actions, the buttons go on a card instead. Teams refuses bots' event activities, so no
 * handoff event; it shows a typing indicator while the bot searches.
 */
export class TeamsRenderer extends MarkdownRenderer implements Renderer {
  override readonly typing: boolean = true;
  override readonly handoffEvents: boolean = false;

  constructor(
    kb: KnowledgeBase,
    messages: Messages,
    private readonly where: { readonly shared: boolean; readonly botId: string },
  ) {
    super(kb, messages);
  }

  override render(out: Outgoing): Partial<Activity> {
    const activity = out.kind === 'privateChatInvite' ? this.privateChatInvite() : super.render(out);
    return this.where.shared ? buttonsAsCard(activity, this.messages.askButton) : activity;
  }

  protected override knowledge(out: KnowledgeOut): Partial<Activity> {
    const reply = out.reply;
    if (out.plain || (reply.kind !== 'answer' && reply.kind !== 'partial')) return super.knowledge(out);
    const card = teamsAnswer(reply, this.kb, this.messages, out.questionId);
    return out.offer !== undefined ? withOffer(card, out.offer) : card;
  }

  /** Points the partner from a channel to a one-to-one chat with the bot, with a button that opens it. */
  private privateChatInvite(): Partial<Activity> {
    const botId = this.where.botId.replace(/^28:/, '');
    const link = `https://teams.microsoft.com/l/chat/0/0?users=28:${encodeURIComponent(botId)}`;
    return {
      ...renderText(this.messages.escalateInPrivate, { band: 'escalation', articleId: null, confidence: null, intent: 'private' }),
      attachments: [CardFactory.heroCard('', undefined, [{ type: ActionTypes.OpenUrl, title: this.messages.openPrivateChatButton, value: link }])],
    };
  }
}
