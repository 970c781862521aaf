/** What the index's corpus-wide maps are while built: readable as a map, changed by key. */
export interface EditableMap<V> extends ReadonlyMap<string, V> {
  set(key: string, value: V): unknown;
  delete(key: string): boolean;
}

const GONE: unique symbol = Symbol('gone');

/**
 * Past this share of changes to entries, a layered map is copied into a plain one (reads then cost one
 * lookup again, and the changes no longer grow).
 */
const FLATTEN_SHARE = 1 / 8;

/**
 * A map made from another by a few changes, which shares the other's entries instead of copying them:
 * a reload changes a few hundred of the index's 100,000-odd word counts, and copying a map that size
 * takes a tenth of a second or more. Reads look at the changes first, then at the shared map; the
 * shared map is never changed (the index it belongs to may still be serving). Maps built over a layered
 * map share its base and copy its (few) changes, so layers never stack; past `FLATTEN_SHARE` of changes,
 * `over` copies into a plain map. Written by hand: no maintained library offers a copy-on-write
 * overlay over a native Map with its iteration and size.
 */
export class LayeredMap<V> implements EditableMap<V> {
  private count: number;

  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly changes: Map<string, V | typeof GONE>,
    size: number,
  ) {
    this.count = size;
  }

  /** A map with `from`'s entries, to change without changing `from`. */
  static over<V>(from: ReadonlyMap<string, V>): EditableMap<V> {
    if (from instanceof LayeredMap) {
      const layered = from as LayeredMap<V>;
      if (layered.changes.size > layered.base.size * FLATTEN_SHARE) return new Map(layered);
      return new LayeredMap(layered.base, new Map(layered.changes), layered.count);
    }
    return new LayeredMap(from, new Map(), from.size);
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const changed = this.changes.get(key);
    if (changed === GONE) return undefined;
    return changed !== undefined ? changed : this.base.get(key);
  }

  has(key: string): boolean {
    const changed = this.changes.get(key);
    if (changed === GONE) return false;
    return changed !== undefined || this.base.has(key);
  }

  set(key: string, value: V): this {
    if (!this.has(key)) this.count += 1;
    this.changes.set(key, value);
    return this;
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this.count -= 1;
    if (this.base.has(key)) this.changes.set(key, GONE);
    else this.changes.delete(key);
    return true;
  }

  *entries(): MapIterator<[string, V]> {
    for (const [key, value] of this.changes) if (value !== GONE) yield [key, value];
    for (const [key, value] of this.base) if (!this.changes.has(key)) yield [key, value];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) fn.call(thisArg, value, key, this);
  }
}
