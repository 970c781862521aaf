import { LRUCache } from 'lru-cache';

/** Stands for "no small-talk words" (a message is then never read as small talk). */
const NO_WORDS = {};

/**
 * Results worked out on one knowledge index with one set of small-talk words, bounded and kept only as
 * long as both are: an article edit builds a new index and a change to `dialogs/` new words, so an edit
 * is answered from as soon as it is in service, and nothing worked out with other words is reused.
 */
export class AnswerCache<V extends object> {
  private readonly byIndex = new WeakMap<object, WeakMap<object, LRUCache<string, V>>>();

  constructor(private readonly max: number) {}

  /** The cache for results on `index` with `words`. */
  of(index: object, words: object | undefined): LRUCache<string, V> {
    let byWords = this.byIndex.get(index);
    if (!byWords) this.byIndex.set(index, (byWords = new WeakMap()));
    const key = words ?? NO_WORDS;
    let cache = byWords.get(key);
    if (!cache) byWords.set(key, (cache = new LRUCache<string, V>({ max: this.max })));
    return cache;
  }
}
