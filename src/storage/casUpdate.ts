import { isETagConflict, type Storage, type StoreItem } from './Storage';

export interface CasOptions<T> {
  /** How many writes may lose to another writer's before giving up (20). */
  readonly attempts?: number;
  /**
   * Called with the document an attempt would have written, once its write was refused because
   * another writer got there first (before the next attempt, or before giving up): for undoing what
   * `change` prepared for that version alone, such as documents it wrote under new keys.
   */
  readonly lost?: (next: T) => Promise<void> | void;
}

/**
 * Read-modify-write of one document with optimistic concurrency: reads it (with its eTag), applies
 * `change`, writes it back with that eTag, and starts over when another writer got there first.
 * `change` returns (or resolves to) the new document, or `undefined` to leave it as it is. Throws after
 * `attempts` conflicts in a row, or on any other storage error.
 */
export async function casUpdate<T extends object>(
  storage: Storage,
  key: string,
  change: (current: T | undefined) => T | undefined | Promise<T | undefined>,
  options: number | CasOptions<T> = {},
): Promise<T | undefined> {
  const { attempts = 20, lost } = typeof options === 'number' ? { attempts: options } : options;
  for (let i = 0; i < attempts; i += 1) {
    const found = (await storage.read([key]))[key] as (T & StoreItem) | undefined;
    const next = await change(found ? withoutETag(found) : undefined);
    if (next === undefined) return found ? withoutETag(found) : undefined;
    try {
      // No eTag for a new document; the stored eTag otherwise, so a concurrent change is refused.
      await storage.write({ [key]: found?.eTag ? { ...next, eTag: found.eTag } : { ...next } });
      return next;
    } catch (err) {
      if (!isETagConflict(err)) throw err;
      await lost?.(next);
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
    }
  }
  throw new Error(`could not update "${key}": too many concurrent changes`);
}

function withoutETag<T extends object>(doc: T & StoreItem): T {
  const { eTag: _eTag, ...rest } = doc;
  return rest as unknown as T;
}
