import { BotState as BotBuilderState, ConversationState, UserState, type StatePropertyAccessor, type Storage, type TurnContext } from 'botbuilder';
import { emptyFacts, type ConversationFacts, type PartnerProfile } from '../conversation/facts';

export type { ConversationFacts, PartnerProfile, ProfileField } from '../conversation/facts';

/** What a turn holds of one state object: the object, and its JSON (without eTag) as last read or written. */
interface Loaded {
  state: Record<string, unknown>;
  /** '' after `clear`, so the next save writes. */
  saved: string;
}

/**
 * botbuilder's state scopes with cheaper change detection. botbuilder's `BotState` stringifies (with a
 * replacer) and SHA-256-hashes the state when it loads, when it saves and again after writing; this keeps
 * the plain JSON it read and compares it with the JSON at save time: one `JSON.stringify` on load and one
 * on save, and nothing after the write. A state that did not change is not written, as in botbuilder;
 * a changed one is written unconditionally (eTag '*'), as in botbuilder. Keys are botbuilder's own
 * (`ConversationState` / `UserState`), so stored state stays where it was.
 */
class ChangeTrackedState extends BotBuilderState {
  private readonly turnKey = Symbol('changeTrackedState');

  constructor(
    private readonly store: Storage,
    private readonly keyOf: (context: TurnContext) => string | undefined,
    private readonly scope: string,
  ) {
    super(store, async (context) => this.key(context));
  }

  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    const cached = context.turnState.get(this.turnKey) as Loaded | undefined;
    if (cached && !force) return cached.state;
    const key = this.key(context);
    const items = await this.store.read([key]);
    const found: unknown = items[key];
    const state = typeof found === 'object' && found !== null ? (found as Record<string, unknown>) : {};
    context.turnState.set(this.turnKey, { state, saved: jsonWithoutETag(state) } satisfies Loaded);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let cached = context.turnState.get(this.turnKey) as Loaded | undefined;
    if (!cached && !force) return;
    cached ??= { state: {}, saved: '' };
    const now = jsonWithoutETag(cached.state);
    if (!force && now === cached.saved) return;
    cached.state.eTag = '*';
    await this.store.write({ [this.key(context)]: cached.state });
    cached.saved = now;
    context.turnState.set(this.turnKey, cached);
  }

  override async clear(context: TurnContext): Promise<void> {
    context.turnState.set(this.turnKey, { state: {}, saved: '' } satisfies Loaded);
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.turnKey);
    await this.store.delete([this.key(context)]);
  }

  override get(context: TurnContext): Record<string, unknown> | undefined {
    return (context.turnState.get(this.turnKey) as Loaded | undefined)?.state;
  }

  private key(context: TurnContext): string {
    const key = this.keyOf(context);
    if (!key) throw new Error(`${this.scope}: the turn has no key for its state.`);
    return key;
  }
}

/** The state's JSON without its eTag (which the store changes on every write). */
function jsonWithoutETag(state: Record<string, unknown>): string {
  const { eTag: _eTag, ...rest } = state;
  return JSON.stringify(rest);
}

/** Typed accessors over botbuilder's conversation and user state, on one `Storage`. */
export class BotState {
  private readonly conversation: ChangeTrackedState;
  private readonly user: ChangeTrackedState;
  /** Where versions before the plain escalation flow kept a request in progress (read once, then removed). */
  readonly legacyDialogState: StatePropertyAccessor<unknown>;
  private readonly facts: StatePropertyAccessor<ConversationFacts>;
  private readonly profile: StatePropertyAccessor<PartnerProfile>;

  constructor(storage: Storage) {
    const conversationKeys = new ConversationState(storage);
    const userKeys = new UserState(storage);
    this.conversation = new ChangeTrackedState(storage, (context) => conversationKeys.getStorageKey(context), 'ConversationState');
    this.user = new ChangeTrackedState(storage, (context) => userKeys.getStorageKey(context), 'UserState');
    this.legacyDialogState = this.conversation.createProperty<unknown>('dialogState');
    this.facts = this.conversation.createProperty<ConversationFacts>('facts');
    this.profile = this.user.createProperty<PartnerProfile>('profile');
  }

  getFacts(context: TurnContext): Promise<ConversationFacts> {
    return this.facts.get(context, emptyFacts());
  }

  setFacts(context: TurnContext, facts: ConversationFacts): Promise<void> {
    return this.facts.set(context, facts);
  }

  getProfile(context: TurnContext): Promise<PartnerProfile> {
    return this.profile.get(context, {});
  }

  setProfile(context: TurnContext, profile: PartnerProfile): Promise<void> {
    return this.profile.set(context, profile);
  }

  /** Writes what changed this turn (both states; eTag-checked by botbuilder). */
  async save(context: TurnContext): Promise<void> {
    await Promise.all([this.conversation.saveChanges(context), this.user.saveChanges(context)]);
  }
}
