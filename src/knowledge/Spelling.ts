/**
 * Corrects small typos in a partner's words against the words the knowledge base actually uses
 * ("confrence" → "conference", "teh" → "the"). Real English words are never treated as typos ("won"
 * is not "on", "charge" is not "change"); chat shorthand ("wen", "wat", "u") is read as meant. Other
 * three-letter words may only become a function word; longer words may move by one edit (two from
 * eight letters on). Unrelated words ("weather") stay unknown rather than being bent into a
 * knowledge-base word.
 */
export class Spelling {
  /**
   * The known words by length and first letter (`${length}|${letter}`), commonest first, each with its
   * place in that order over all words (to merge two buckets in it): a typo is looked for only among
   * words its correction could be, not among every word of the knowledge base.
   */
  private readonly buckets = new Map<string, { words: string[]; ranks: number[] }>();

  private readonly functionWords: readonly string[];

  /**
   * @param counts how often each known word occurs; the commoner word wins a tie.
   * @param functionWords short words (the, when, who, ...) that short typos may be corrected to.
   * @param dictionary real words, which are never treated as typos (only words partners actually use
   *   belong here: a dictionary word nobody says, like "biling", is far likelier a typo of "billing").
   */
  constructor(
    private readonly counts: ReadonlyMap<string, number>,
    functionWords: Iterable<string>,
    private readonly dictionary: { has(word: string): boolean } = new Set<string>(),
  ) {
    this.functionWords = [...functionWords];
    // Commonest first; equally common words alphabetically (the same order however the counts were made).
    const sorted = [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
    sorted.forEach((word, rank) => {
      const key = bucketKey(word.length, word[0] ?? '');
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { words: [], ranks: [] };
        this.buckets.set(key, bucket);
      }
      bucket.words.push(word);
      bucket.ranks.push(rank);
    });
  }

  private readonly memo = new Map<string, string | null>();

  /** The closest known word within the allowed distance, or undefined when none is close enough. */
  correct(word: string): string | undefined {
    if (this.counts.has(word)) return word;
    const known = this.memo.get(word);
    if (known !== undefined) return known ?? undefined;
    if (this.memo.size >= 10_000) this.memo.clear();
    const found = this.search(word);
    this.memo.set(word, found ?? null);
    return found;
  }

  private search(word: string): string | undefined {
    const short = Object.hasOwn(CHAT_SHORTHAND, word) ? CHAT_SHORTHAND[word] : undefined;
    if (short) return short;
    if (/\d/.test(word) || word.length < 3 || this.dictionary.has(word)) return undefined;
    if (word.length === 3) return this.functionWords.find((f) => editDistance(word, f, 1) <= 1);
    const budget = allowedEdits(word);
    let best: string | undefined;
    let bestDistance = budget + 1;
    const first = word[0] ?? '';
    const second = word[1] ?? '';
    for (let len = word.length - budget; len <= word.length + budget; len += 1) {
      // Typos rarely change the first letter ("xbox" is not "box"), except by swapping the first two:
      // the words starting with the same letter, and those starting with the second letter then the
      // first, taken together commonest first.
      const same = this.buckets.get(bucketKey(len, first));
      const swapped = second !== first ? this.buckets.get(bucketKey(len, second)) : undefined;
      let i = 0;
      let j = 0;
      const a = same?.words ?? [];
      const b = swapped?.words ?? [];
      while (i < a.length || j < b.length) {
        let candidate: string;
        if (j >= b.length || (i < a.length && (same?.ranks[i] as number) < (swapped?.ranks[j] as number))) candidate = a[i++] as string;
        else {
          candidate = b[j++] as string;
          if (candidate[1] !== first) continue;
        }
        const d = editDistance(word, candidate, bestDistance - 1);
        if (d < bestDistance) {
          best = candidate;
          bestDistance = d;
        }
      }
    }
    return best;
  }
}

/**
 * Chat shorthand and the commonest short typos, read as meant even where the spelling is also a rare
 * English word ("wen", "wat"). Any other real word is left as typed ("won", "cup" stay themselves).
 */
const CHAT_SHORTHAND: Readonly<Record<string, string>> = {
  wen: 'when', wat: 'what', wot: 'what', teh: 'the', hw: 'how', hwo: 'how', u: 'you', r: 'are', ur: 'your',
  yr: 'year', yrs: 'years', pls: 'please', plz: 'please', thx: 'thanks', abt: 'about', bc: 'because',
  cuz: 'because', whos: 'who', whats: 'what', hows: 'how', wheres: 'where', whens: 'when',
};

function bucketKey(length: number, first: string): string {
  return `${length}|${first}`;
}

function allowedEdits(word: string): number {
  if (word.length <= 7) return 1;
  return 2;
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), giving up early
 * once every path exceeds `limit`: then it returns `limit + 1`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const width = b.length + 1;
  let prevPrev = new Array<number>(width).fill(0);
  let prev = Array.from({ length: width }, (_, j) => j);
  let cur = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prevPrev[j - 2] as number) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return Math.min(prev[b.length] as number, limit + 1);
}
