import type { Activity } from 'botbuilder';
import type { Messages } from '../../answering/Messages';
import type { Outgoing } from '../../conversation/outgoing';
import type { KnowledgeBase } from '../../knowledge/loadKnowledge';
import { isTeamsGroup } from '../teams/teamsConversation';
import { MarkdownRenderer } from './markdown';
import { TeamsRenderer } from './teams';

/**
 * Turns the core's channel-neutral replies into one channel's messages. One renderer per channel,
 * chosen once per turn from the activity (`rendererFor`); a new channel is a new renderer here.
 */
export interface Renderer {
  render(out: Outgoing): Partial<Activity>;
  /** Shows a typing indicator while the knowledge base is searched. */
  readonly typing: boolean;
  /** Accepts the handoff protocol's event activity when a ticket is opened (an agent hub listens for it). */
  readonly handoffEvents: boolean;
}

/** The renderer for the channel an activity came from. */
export function rendererFor(activity: Pick<Activity, 'channelId' | 'conversation' | 'recipient'>, kb: KnowledgeBase, messages: Messages): Renderer {
  switch (activity.channelId) {
    case 'msteams':
      return new TeamsRenderer(kb, messages, { shared: isTeamsGroup(activity), botId: activity.recipient?.id ?? '' });
    default:
      return new MarkdownRenderer(kb, messages);
  }
}
