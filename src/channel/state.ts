import { BotState as BotBuilderState, ConversationState, UserState, type Storage, type TurnContext } from 'botbuilder';
import { emptyFacts, type ConversationFacts, type PartnerProfile } from '../conversation/facts';
import { noteWriteJson, takeReadJson } from '../storage/itemJson';

export type { ConversationFacts, PartnerProfile, ProfileField } from '../conversation/facts';

/** What a turn holds of one state object: the object, and its JSON (without eTag) as last read or written. */
interface Loaded {
  state: Record<string, unknown>;
  /** '' after `clear`, so the next save writes. */
  saved: string;
  /** Whether `saved` is the state's JSON as it stands: set by a save, cleared by a change through `set` or `delete`. */
  current?: boolean;
}

/**
 * botbuilder's state scopes with cheaper change detection. botbuilder's `BotState` stringifies (with a
 * replacer) and SHA-256-hashes the state when it loads, when it saves and again after writing; this keeps
 * the plain JSON it read and compares it with the JSON at save time: one `JSON.stringify` on load and one
 * on save, and nothing after the write. A state that did not change is not written, as in botbuilder;
 * a changed one is written unconditionally (eTag '*'), as in botbuilder. Keys are botbuilder's own
 * (`ConversationState` / `UserState`), so stored state stays where it was. Properties are read and set
 * through `get`/`set`/`delete` here (as botbuilder's property accessors would, without their overhead),
 * and a second save in a turn with no change since the first costs nothing. The values kept are
 * immutable (a turn sets a new object rather than changing the one it read).
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
    context.turnState.set(this.turnKey, { state, saved: takeReadJson(state) ?? jsonWithoutETag(state) } satisfies Loaded);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let cached = context.turnState.get(this.turnKey) as Loaded | undefined;
    if (!cached && !force) return;
    cached ??= { state: {}, saved: '' };
    if (!force && cached.current) return;
    const now = jsonWithoutETag(cached.state);
    if (!force && now === cached.saved) {
      cached.current = true;
      return;
    }
    cached.state.eTag = '*';
    noteWriteJson(cached.state, now);
    // Current from here: a change made while the write is under way clears it again.
    cached.current = true;
    try {
      await this.store.write({ [this.key(context)]: cached.state });
    } catch (err) {
      cached.current = false;
      throw err;
    }
    cached.saved = now;
    context.turnState.set(this.turnKey, cached);
  }

  /** A property of the turn's state; a missing one is set to `fallback()` when given (as botbuilder's accessor does with a default). */
  async property<T>(context: TurnContext, name: string, fallback?: () => T): Promise<T | undefined> {
    const state = await this.load(context);
    if (!Object.prototype.hasOwnProperty.call(state, name)) {
      if (!fallback) return undefined;
      this.changed(context);
      state[name] = fallback();
    }
    return state[name] as T;
  }

  async setProperty(context: TurnContext, name: string, value: unknown): Promise<void> {
    const state = await this.load(context);
    this.changed(context);
    state[name] = value;
  }

  async deleteProperty(context: TurnContext, name: string): Promise<void> {
    const state = await this.load(context);
    if (!Object.prototype.hasOwnProperty.call(state, name)) return;
    this.changed(context);
    delete state[name];
  }

  private changed(context: TurnContext): void {
    const cached = context.turnState.get(this.turnKey) as Loaded | undefined;
    if (cached) cached.current = false;
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
  readonly legacyDialogState: { get(context: TurnContext): Promise<unknown>; delete(context: TurnContext): Promise<void> };

  constructor(storage: Storage) {
    const conversationKeys = new ConversationState(storage);
    const userKeys = new UserState(storage);
    const conversation = new ChangeTrackedState(storage, (context) => conversationKeys.getStorageKey(context), 'ConversationState');
    this.conversation = conversation;
    this.user = new ChangeTrackedState(storage, (context) => userKeys.getStorageKey(context), 'UserState');
    this.legacyDialogState = {
      get: (context) => conversation.property<unknown>(context, 'dialogState'),
      delete: (context) => conversation.deleteProperty(context, 'dialogState'),
    };
  }

  async getFacts(context: TurnContext): Promise<ConversationFacts> {
    return (await this.conversation.property(context, 'facts', emptyFacts)) as ConversationFacts;
  }

  setFacts(context: TurnContext, facts: ConversationFacts): Promise<void> {
    return this.conversation.setProperty(context, 'facts', facts);
  }

  async getProfile(context: TurnContext): Promise<PartnerProfile> {
    return (await this.user.property<PartnerProfile>(context, 'profile', () => ({}))) as PartnerProfile;
  }

  setProfile(context: TurnContext, profile: PartnerProfile): Promise<void> {
    return this.user.setProperty(context, 'profile', profile);
  }

  /** Writes what changed this turn (both states; eTag-checked by botbuilder). */
  async save(context: TurnContext): Promise<void> {
    await Promise.all([this.conversation.saveChanges(context), this.user.saveChanges(context)]);
  }
}
