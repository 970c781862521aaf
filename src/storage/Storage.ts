/**
 * The storage contract the bot's state lives behind.
 *
 * These types are structurally identical to botbuilder's `Storage`, `StoreItem` and `StoreItems`
 * (botbuilder-core/lib/storage.d.ts), so our stores can be handed to `ConversationState`,
 * `UserState` and anything else in botbuilder that wants a `Storage`, and botbuilder's stores
 * (`MemoryStorage`, `BlobsStorage`) can be used where we want ours. This folder deliberately does
 * not import botbuilder.
 */

/** A stored document: any JSON-serialisable object, plus the eTag the store gave it. */
export interface StoreItem {
  /**
   * The version the store gave the item when it was written. Write it back unchanged to have the
   * write refused if someone else has written since; leave it out (or use '*') to overwrite.
   */
  eTag?: string;
  [key: string]: unknown;
}

/**
 * Items by key. `any` (not `unknown`) because that is what botbuilder's `StoreItems` says, and a
 * narrower type would stop the two being assignable to each other.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- botbuilder's StoreItems, see above
export type StoreItems = Record<string, any>;

/** A key/value store of JSON documents with optimistic concurrency (botbuilder's `Storage`). */
export interface Storage {
  /** The items that exist among `keys`, each with its current eTag; missing keys are left out. */
  read(keys: string[]): Promise<StoreItems>;
  /** Stores each item under its key with a new eTag; rejects if an item's eTag is stale. */
  write(changes: StoreItems): Promise<void>;
  /** Removes the keys; removing a key that does not exist is not an error. */
  delete(keys: string[]): Promise<void>;
}

/**
 * A write was refused because the item's eTag is not the stored one: someone else wrote the key
 * since it was read. The message is the one botbuilder's own stores use.
 */
export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}

const CONFLICT_CODES: readonly unknown[] = [412, '412', 'ConditionNotMet', 'PreconditionFailed'];

/**
 * Whether `err` means "your eTag is stale": our `ETagConflictError`, botbuilder's MemoryStorage and
 * BlobsStorage errors (a plain Error whose message says "eTag conflict"), or an HTTP-style error with
 * status 412 / code ConditionNotMet / PreconditionFailed (Azure SDKs, Cosmos). Follows `cause` a few
 * levels deep, so a conflict wrapped by another error is still recognised. Anything else is false.
 */
export function isETagConflict(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof ETagConflictError) return true;
    const e = current as { message?: unknown; statusCode?: unknown; status?: unknown; code?: unknown; cause?: unknown };
    if (typeof e.message === 'string' && /etag conflict/i.test(e.message)) return true;
    if (e.statusCode === 412 || e.status === 412 || CONFLICT_CODES.includes(e.code)) return true;
    current = e.cause;
  }
  return false;
}
