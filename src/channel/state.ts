import { ConversationState, UserState, type StatePropertyAccessor, type Storage, type TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { TopicContext } from '../answering/conversation';
import type { TicketExchange } from '../escalation/ticket';

/** What the bot remembers about one conversation. */
export interface ConversationFacts {
  /** The last questions asked, with what the bot did, for tickets (newest last). */
  recent: TicketExchange[];
  /** No-answers in a row; the second one brings an unprompted offer of a person. */
  noAnswerStreak: number;
  /** A script the bot has offered and a "yes" would start. */
  pendingOffer?: string;
  /** Tickets opened in this conversation, oldest first. */
  tickets: string[];
  /** The question-log id of the last question searched, which typed feedback refers to. */
  lastQuestionId?: string;
  /** The welcome has been shown in this conversation. */
  welcomed?: boolean;
  /**
   * The last question and the passages shown, so that a follow-up ("and for schools?") is read in
   * context. Absent in state saved before follow-ups were understood; such a conversation simply
   * starts without context.
   */
  topic?: TopicContext;
}

/** What the bot remembers about a partner across conversations, offered for reuse in escalations. */
export interface PartnerProfile {
  name?: string;
  email?: string;
  company?: string;
  phone?: string;
  partnerId?: string;
}

export type ProfileField = keyof PartnerProfile;

const RECENT_LIMIT = 5;

/** Typed accessors over botbuilder's conversation and user state, on one `Storage`. */
export class BotState {
  private readonly conversation: ConversationState;
  private readonly user: UserState;
  readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly facts: StatePropertyAccessor<ConversationFacts>;
  private readonly profile: StatePropertyAccessor<PartnerProfile>;

  constructor(storage: Storage) {
    this.conversation = new ConversationState(storage);
    this.user = new UserState(storage);
    this.dialogState = this.conversation.createProperty<DialogState>('dialogState');
    this.facts = this.conversation.createProperty<ConversationFacts>('facts');
    this.profile = this.user.createProperty<PartnerProfile>('profile');
  }

  getFacts(context: TurnContext): Promise<ConversationFacts> {
    return this.facts.get(context, { recent: [], noAnswerStreak: 0, tickets: [] });
  }

  getProfile(context: TurnContext): Promise<PartnerProfile> {
    return this.profile.get(context, {});
  }

  async remember(context: TurnContext, exchange: TicketExchange): Promise<void> {
    const facts = await this.getFacts(context);
    facts.recent = [...facts.recent, exchange].slice(-RECENT_LIMIT);
  }

  /** Writes what changed this turn (both states; eTag-checked by botbuilder). */
  async save(context: TurnContext): Promise<void> {
    await Promise.all([this.conversation.saveChanges(context), this.user.saveChanges(context)]);
  }
}
