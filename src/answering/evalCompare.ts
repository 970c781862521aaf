import { z } from 'zod';
import { gateFailures, pct, type Evaluation, type Scored } from './evaluate';

/**
 * An evaluation as saved by `npm run eval -- --save file.json`: each question's outcome, so a later run
 * (`--against file.json`) can say which questions an edit fixed and which it broke.
 */
export interface SavedEvaluation {
  readonly format: 1;
  /** The question file evaluated. */
  readonly file: string;
  /** What was evaluated: the knowledge version hash, or a git ref. */
  readonly knowledge: string;
  readonly savedAt: string;
  readonly passed: boolean;
  readonly items: readonly SavedItem[];
}

export interface SavedItem {
  /** Identifies the question across runs: category, conversation and text (and which repeat of it). */
  readonly key: string;
  readonly category: Scored['category'];
  readonly q: string;
  readonly conversation?: string;
  readonly line: number;
  readonly right: boolean;
  readonly band: string;
  readonly articleId: string | null;
  readonly why?: string;
}

const SavedItemSchema = z.object({
  key: z.string(),
  category: z.enum(['inScope', 'nearScope', 'outOfScope', 'conversation']),
  q: z.string(),
  conversation: z.string().optional(),
  line: z.number(),
  right: z.boolean(),
  band: z.string(),
  articleId: z.string().nullable(),
  why: z.string().optional(),
});

const SavedSchema = z.object({
  format: z.literal(1, { message: 'not a saved evaluation (format 1)' }),
  file: z.string(),
  knowledge: z.string(),
  savedAt: z.string(),
  passed: z.boolean(),
  items: z.array(SavedItemSchema),
});

/** The saved form of an evaluation. */
export function toSaved(e: Evaluation, meta: { file: string; knowledge: string; now?: Date }): SavedEvaluation {
  const seen = new Map<string, number>();
  const items = e.items.map((x): SavedItem => {
    const base = `${x.category}\u0000${x.conversation ?? ''}\u0000${x.q.trim().toLowerCase()}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
      key: n === 1 ? base : `${base}\u0000${n}`,
      category: x.category,
      q: x.q,
      ...(x.conversation !== undefined ? { conversation: x.conversation } : {}),
      line: x.line,
      right: x.right,
      band: x.band,
      articleId: x.articleId,
      ...(x.why !== undefined ? { why: x.why } : {}),
    };
  });
  return { format: 1, file: meta.file, knowledge: meta.knowledge, savedAt: (meta.now ?? new Date()).toISOString(), passed: gateFailures(e).length === 0, items };
}

/** Reads a saved evaluation; a file that is not one gets a message saying why. */
export function parseSaved(text: string, file: string): { success: true; data: SavedEvaluation } | { success: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { success: false, message: `${file}: not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = SavedSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { success: false, message: `${file}: not a saved evaluation: ${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'unknown shape'}` };
  }
  return { success: true, data: parsed.data };
}

export interface Comparison {
  /** Wrong before, right now. */
  readonly fixed: readonly { before: SavedItem; after: SavedItem }[];
  /** Right before, wrong now. */
  readonly broken: readonly { before: SavedItem; after: SavedItem }[];
  /** Wrong both times, but answered differently (another band or article). */
  readonly changed: readonly { before: SavedItem; after: SavedItem }[];
  readonly stillWrong: number;
  /** Questions in only one of the two runs (the question file changed). */
  readonly added: readonly SavedItem[];
  readonly removed: readonly SavedItem[];
}

export function compare(before: SavedEvaluation, after: SavedEvaluation): Comparison {
  const old = new Map(before.items.map((x) => [x.key, x]));
  const now = new Set(after.items.map((x) => x.key));
  const fixed: { before: SavedItem; after: SavedItem }[] = [];
  const broken: { before: SavedItem; after: SavedItem }[] = [];
  const changed: { before: SavedItem; after: SavedItem }[] = [];
  const added: SavedItem[] = [];
  let stillWrong = 0;
  for (const x of after.items) {
    const b = old.get(x.key);
    if (!b) added.push(x);
    else if (!b.right && x.right) fixed.push({ before: b, after: x });
    else if (b.right && !x.right) broken.push({ before: b, after: x });
    else if (!b.right && !x.right) {
      stillWrong += 1;
      if (b.band !== x.band || b.articleId !== x.articleId) changed.push({ before: b, after: x });
    }
  }
  const removed = before.items.filter((x) => !now.has(x.key));
  return { fixed, broken, changed, stillWrong, added, removed };
}

const CATEGORY: Readonly<Record<Scored['category'], string>> = { inScope: 'in-scope', nearScope: 'near-scope', outOfScope: 'out-of-scope', conversation: 'conversation' };

function outcome(x: SavedItem): string {
  return `${x.band}${x.articleId ? ` ${x.articleId}` : ''}`;
}

function label(x: SavedItem): string {
  return `[${CATEGORY[x.category]}${x.conversation !== undefined ? ` "${x.conversation}"` : ''}] "${x.q}"`;
}

/** What an edit changed, as staff read it. */
export function formatComparison(c: Comparison, before: SavedEvaluation, after: SavedEvaluation): string {
  const right = (e: SavedEvaluation) => ({ total: e.items.length, right: e.items.filter((x) => x.right).length });
  const lines = [
    `Compared with ${before.knowledge} (${before.file}, ${before.savedAt}):`,
    `  right before ${right(before).right}/${right(before).total} (${pct(right(before))}), now ${right(after).right}/${right(after).total} (${pct(right(after))})`,
    `  fixed ${c.fixed.length}, broken ${c.broken.length}, still wrong ${c.stillWrong}${c.added.length > 0 ? `, new questions ${c.added.length}` : ''}${c.removed.length > 0 ? `, questions no longer in the file ${c.removed.length}` : ''}`,
  ];
  if (c.broken.length > 0) {
    lines.push('', `Broken (${c.broken.length}): right before, wrong now`);
    for (const { before: b, after: a } of c.broken) lines.push(`  ${after.file}:${a.line}: ${label(a)}: was ${outcome(b)}, now ${outcome(a)}: ${a.why ?? ''}`);
  }
  if (c.fixed.length > 0) {
    lines.push('', `Fixed (${c.fixed.length}): wrong before, right now`);
    for (const { before: b, after: a } of c.fixed) lines.push(`  ${after.file}:${a.line}: ${label(a)}: was ${outcome(b)} (${b.why ?? ''}), now ${outcome(a)}`);
  }
  if (c.changed.length > 0) {
    lines.push('', `Still wrong, answered differently (${c.changed.length})`);
    for (const { before: b, after: a } of c.changed) lines.push(`  ${after.file}:${a.line}: ${label(a)}: was ${outcome(b)}, now ${outcome(a)}: ${a.why ?? ''}`);
  }
  const newWrong = c.added.filter((x) => !x.right);
  if (newWrong.length > 0) {
    lines.push('', `New questions answered wrong (${newWrong.length})`);
    for (const a of newWrong) lines.push(`  ${after.file}:${a.line}: ${label(a)}: ${outcome(a)}: ${a.why ?? ''}`);
  }
  return lines.join('\n');
}
