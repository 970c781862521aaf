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
   * The known words in code-unit order, so that words sharing a beginning sit together: a typo is
   * compared with them as with the paths of a trie, one row of the distance table per letter, shared by
   * the words that begin alike, and a beginning already too far from the typo is skipped with every word
   * that starts with it. The work grows with the words close to the typo, not with the vocabulary.
   */
  private readonly sorted: readonly string[];
  /** Each word's (of `sorted`, by place) rank in commonest-first order (ties alphabetically). */
  private readonly ranks: Int32Array;

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
    const byUse = [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || compareUnits(a, b));
    const rank = new Map(byUse.map((w, i) => [w, i]));
    this.sorted = [...byUse].sort(compareUnits);
    this.ranks = Int32Array.from(this.sorted, (w) => rank.get(w) ?? 0);
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

  /**
   * The known word closest to `word` (fewest edits), within its budget; among equally close ones the
   * shortest, then the commonest.
   */
  private search(word: string): string | undefined {
    const short = Object.hasOwn(CHAT_SHORTHAND, word) ? CHAT_SHORTHAND[word] : undefined;
    if (short) return short;
    if (/\d/.test(word) || word.length < 3 || this.dictionary.has(word)) return undefined;
    if (word.length === 3) return this.functionWords.find((f) => editDistance(word, f, 1) <= 1);
    const budget = allowedEdits(word);
    const first = word[0] ?? '';
    const second = word[1] ?? '';
    // Typos rarely change the first letter ("xbox" is not "box"), except by swapping the first two: the
    // words starting with the same letter, and those starting with the second letter then the first.
    const best = this.closest(word, budget, first);
    if (second === first) return best?.word;
    const swapped = this.closest(word, budget, second + first);
    if (!best) return swapped?.word;
    if (!swapped) return best.word;
    return before(swapped, best) ? swapped.word : best.word;
  }

  /** The closest word (as `search` orders them) among those starting with `prefix`, within `budget` edits. */
  private closest(word: string, budget: number, prefix: string): Candidate | undefined {
    const words = this.sorted;
    let at = lowerBound(words, prefix, 0, words.length);
    const end = pastBeginning(words, prefix, prefix.length, at, words.length);
    if (at >= end) return undefined;
    const m = word.length;
    const width = m + 1;
    const deepest = m + budget;
    // Row i: the distances between the current word's first i letters and every beginning of the typo.
    const rows = new Int32Array((deepest + 1) * width);
    for (let j = 0; j <= m; j += 1) rows[j] = j;
    let previous = '';
    let valid = 0;
    let best: Candidate | undefined;
    while (at < end) {
      const candidate = words[at] as string;
      let i = sharedStart(previous, candidate, valid);
      let pruned = false;
      for (i += 1; i <= candidate.length && i <= deepest; i += 1) {
        const row = i * width;
        const up = row - width;
        const c = candidate.charCodeAt(i - 1);
        rows[row] = i;
        let rowMin = i;
        for (let j = 1; j <= m; j += 1) {
          const t = word.charCodeAt(j - 1);
          let v = Math.min((rows[up + j] as number) + 1, (rows[row + j - 1] as number) + 1, (rows[up + j - 1] as number) + (c === t ? 0 : 1));
          if (i > 1 && j > 1 && c === word.charCodeAt(j - 2) && candidate.charCodeAt(i - 2) === t) v = Math.min(v, (rows[up - width + j - 2] as number) + 1);
          rows[row + j] = v;
          if (v < rowMin) rowMin = v;
        }
        valid = i;
        if (rowMin > budget) {
          // No word starting with these letters is close enough.
          pruned = true;
          break;
        }
      }
      previous = candidate;
      if (pruned) {
        at = pastBeginning(words, candidate, valid, at + 1, end);
        continue;
      }
      if (candidate.length <= deepest && candidate.length >= m - budget) {
        const distance = rows[candidate.length * width + m] as number;
        const found = { word: candidate, distance, rank: this.ranks[at] as number };
        if (distance <= budget && (!best || before(found, best))) best = found;
      }
      at += 1;
    }
    return best;
  }
}

interface Candidate {
  readonly word: string;
  readonly distance: number;
  readonly rank: number;
}

/** Fewer edits first; then the shorter word; then the commoner. */
function before(a: Candidate, b: Candidate): boolean {
  return a.distance !== b.distance ? a.distance < b.distance : a.word.length !== b.word.length ? a.word.length < b.word.length : a.rank < b.rank;
}

function compareUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How many first letters two words share, at most `limit`. */
function sharedStart(a: string, b: string, limit: number): number {
  let i = 0;
  const most = Math.min(limit, a.length, b.length);
  while (i < most && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  return i;
}

/** The first place in `sorted[from..to]` whose word is not before `value`. */
function lowerBound(sorted: readonly string[], value: string, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first place in `sorted[from..to]` past the words that begin with the first `length` letters of
 * `word` (which come first there). Taking the beginning as a length of a word already in hand makes no
 * string for each pruned beginning.
 */
function pastBeginning(sorted: readonly string[], word: string, length: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sharedStart(sorted[mid] as string, word, length) === length) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
