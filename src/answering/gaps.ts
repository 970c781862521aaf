import type { Band } from '../conversation/band';

/**
 * Finds what partners asked that the bot could not answer, grouped so that staff see each missing
 * subject once, with how often it was asked and how. Pure: no I/O.
 */

/** The fields of a logged question that gap finding reads (a `LoggedQuestion` fits). */
export interface GapInput {
  readonly question: string;
  readonly band: Band;
  readonly reason?: string;
  readonly articleId?: string;
  readonly candidates?: readonly string[];
  readonly gap?: string;
  readonly feedback?: 'helpful' | 'notHelpful';
}

export interface GapGroup {
  /** How many logged questions fell in the group. */
  count: number;
  /** Up to 5 distinct question texts, most often asked first. */
  examples: string[];
  /** Why each question counts as a gap: `noMatch`, `vague`, `notCovered` or `notHelpful`; one per question. */
  reasons: Record<string, number>;
  /** The articles the questions came closest to (answered with, offered, or nearest match), most often first. */
  closestArticles: { id: string; count: number }[];
  /** The distinct not-covered subjects the bot named, most often first. */
  gaps: string[];
}

export interface FindGapsOptions {
  /** Jaccard similarity of word sets at or above which a question joins a group. Default 0.5. */
  similarity?: number;
  /** The words of a question: typo corrected, synonyms folded, stop words dropped (the bot's analyzer). */
  analyze: (text: string) => string[];
  /**
   * Also put questions that hit the same not-covered subject (`gap`) in one group, whatever their words.
   * Default true: "bpos price per user" and "how much does bpos cost" share only "bpos", but the bot read
   * both as asking about prices.
   */
  mergeBySubject?: boolean;
}

/** Up to this many example questions per group. */
export const MAX_EXAMPLES = 5;

/**
 * A question is a gap when the bot had no answer (any reason) or only a partial one, or when the
 * partner marked the answer or the "did you mean" choice not helpful. Small talk and requests for a
 * person are never gaps.
 */
export function isGap(r: GapInput): boolean {
  if (r.band === 'noAnswer' || r.band === 'partial') return true;
  return (r.band === 'answer' || r.band === 'clarify') && r.feedback === 'notHelpful';
}

/** Why a gap record is a gap: `noMatch`, `vague`, `notCovered`, `partial` or `notHelpful`. */
export function gapReason(r: GapInput): string {
  if (r.band === 'partial') return 'partial';
  return r.band === 'noAnswer' ? (r.reason ?? 'noMatch') : 'notHelpful';
}

interface Phrasing {
  readonly text: string;
  readonly words: ReadonlySet<string>;
  readonly records: GapInput[];
}

/**
 * The gap questions among `records`, grouped by similarity and sorted by size. Each distinct phrasing
 * (case, punctuation and spacing ignored) is analyzed once; phrasings are taken most asked first and each joins the
 * group whose first phrasing's word set is most similar (Jaccard ≥ `similarity`), or starts a new one.
 * Then, unless `mergeBySubject` is false, groups that share a not-covered subject are merged.
 */
export function findGaps(records: readonly GapInput[], opts: FindGapsOptions): GapGroup[] {
  const threshold = opts.similarity ?? 0.5;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError('similarity must be above 0 and at most 1');

  const phrasings = new Map<string, Phrasing>();
  for (const r of records) {
    if (!isGap(r)) continue;
    const key = normalise(r.question);
    let p = phrasings.get(key);
    if (!p) {
      p = { text: r.question.trim(), words: new Set(opts.analyze(r.question)), records: [] };
      phrasings.set(key, p);
    }
    p.records.push(r);
  }
  const ordered = [...phrasings.values()].sort(byCountThenText);

  // Greedy clustering against each group's first (most asked) phrasing.
  const clusters: { seed: ReadonlySet<string>; members: Phrasing[] }[] = [];
  for (const p of ordered) {
    let best: (typeof clusters)[number] | undefined;
    let bestScore = -1;
    for (const c of clusters) {
      const score = jaccard(p.words, c.seed);
      if (score >= threshold && score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best) best.members.push(p);
    else clusters.push({ seed: p.words, members: [p] });
  }

  // Groups naming the same not-covered subject are one gap.
  const parent = clusters.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    return root;
  };
  if (opts.mergeBySubject ?? true) {
    const owner = new Map<string, number>();
    clusters.forEach((c, i) => {
      for (const p of c.members) {
        for (const r of p.records) {
          if (r.gap === undefined || r.gap === '') continue;
          const o = owner.get(r.gap);
          if (o === undefined) owner.set(r.gap, i);
          else {
            const a = find(o);
            const b = find(i);
            if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
          }
        }
      }
    });
  }
  const merged = new Map<number, Phrasing[]>();
  clusters.forEach((c, i) => {
    const root = find(i);
    merged.set(root, [...(merged.get(root) ?? []), ...c.members]);
  });

  const groups = [...merged.values()].map(summarise);
  return groups.sort((a, b) => b.count - a.count || (a.examples[0] ?? '').localeCompare(b.examples[0] ?? ''));
}

function summarise(members: Phrasing[]): GapGroup {
  const sorted = [...members].sort(byCountThenText);
  const all = sorted.flatMap((p) => p.records);
  const reasons: Record<string, number> = {};
  const articles = new Map<string, number>();
  const subjects = new Map<string, number>();
  for (const r of all) {
    const reason = gapReason(r);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
    const near = new Set([...(r.articleId !== undefined ? [r.articleId] : []), ...(r.candidates ?? [])]);
    for (const id of near) articles.set(id, (articles.get(id) ?? 0) + 1);
    if (r.gap !== undefined && r.gap !== '') subjects.set(r.gap, (subjects.get(r.gap) ?? 0) + 1);
  }
  return {
    count: all.length,
    examples: sorted.slice(0, MAX_EXAMPLES).map((p) => p.text),
    reasons,
    closestArticles: [...articles].map(([id, count]) => ({ id, count })).sort((a, b) => b.count - a.count || a.id.localeCompare(b.id)),
    gaps: [...subjects].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([text]) => text),
  };
}

function byCountThenText(a: Phrasing, b: Phrasing): number {
  return b.records.length - a.records.length || a.text.localeCompare(b.text);
}

/** Same question for counting: case, punctuation and spacing ignored ("Where is WPC?" = "where is wpc"). */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** |A ∩ B| / |A ∪ B|; two empty sets (questions with nothing to search on) are alike. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared += 1;
  return shared / (a.size + b.size - shared);
}
