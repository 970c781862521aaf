import type { Fact, QuestionSet } from '../knowledge/questionSet';

/** One message the bot sent, as the partner sees it. */
export interface Shown {
  /** The reply's `channelData.band`. */
  readonly band: string;
  readonly articleId: string | null;
  /** The text shown (markdown as sent). */
  readonly text: string;
  readonly confidence?: number | null;
}

/** A conversation with the bot: each call sends one message and returns what the bot showed. */
export type Conversation = (message: string) => readonly Shown[];

/** The bands the evaluation counts; small talk, escalation and other replies are `other`. */
export const BANDS = ['answer', 'partial', 'clarify', 'noAnswer', 'other'] as const;
export type ShownBand = (typeof BANDS)[number];

export type Category = 'inScope' | 'nearScope' | 'outOfScope' | 'conversation';

/** One scored question (or conversation turn). */
export interface Scored {
  readonly category: Category;
  readonly q: string;
  readonly line: number;
  /** The most confident band among the turn's replies (answer, partial, clarify, noAnswer, other). */
  readonly band: ShownBand;
  /** The article of the reply in that band, if it names one. */
  readonly articleId: string | null;
  readonly confidence: number | null;
  /** Every reply's text, joined. */
  readonly text: string;
  readonly right: boolean;
  /** Why it is wrong, for the report. */
  readonly why?: string;
  readonly expect?: string;
  readonly detail?: boolean;
  readonly shares?: boolean;
  readonly about?: string;
  readonly conversation?: string;
  readonly honest?: boolean;
}

export interface Tally {
  readonly total: number;
  readonly right: number;
}

export interface Evaluation {
  readonly items: readonly Scored[];
  /** In-scope questions whose reply shows every fact. */
  readonly inScope: Tally & { readonly detail: Tally; readonly articleFirst: number };
  /** Near-scope questions not answered confidently. */
  readonly nearScope: Tally;
  /** Out-of-scope questions with no article in an answer, partial or clarify reply. */
  readonly outOfScope: Tally & { readonly shares: Tally };
  readonly conversations: { readonly turns: Tally; readonly factTurns: Tally; readonly honestTurns: Tally; readonly whole: Tally };
  /** Per band: how many turns fell in it and how many of those were right. */
  readonly bands: Readonly<Record<ShownBand, Tally>>;
}

/** The figures the test suite holds the bot to. */
export const GATES = { inScope: 0.97, nearScope: 0.95, outOfScope: 1, answerBand: 0.98 } as const;

/**
 * Runs every question of a set through fresh conversations with the bot and scores what the partner
 * would see: in-scope replies must show every fact; near-scope ones must not be confident answers;
 * out-of-scope ones must not offer an article; conversation turns are asked in order in one
 * conversation, and an `honest` turn must neither be a confident answer nor repeat the figure of the
 * answer before it.
 */
export function evaluate(set: QuestionSet, newConversation: () => Conversation): Evaluation {
  const items: Scored[] = [];
  for (const x of set.inScope) {
    const shown = newConversation()(x.q);
    const turn = summarize(shown);
    const missing = missingFacts(turn.text, x.facts);
    items.push({
      category: 'inScope',
      q: x.q,
      line: x.line,
      ...turn,
      right: missing.length === 0,
      ...(missing.length > 0 ? { why: `does not show ${missing.map(describeFact).join(', ')}` } : {}),
      detail: x.detail,
      ...(x.expect ? { expect: x.expect } : {}),
    });
  }
  for (const x of set.nearScope) {
    const turn = summarize(newConversation()(x.q));
    const confident = turn.band === 'answer';
    items.push({ category: 'nearScope', q: x.q, line: x.line, ...turn, right: !confident, ...(confident ? { why: 'answered confidently' } : {}), ...(x.about ? { about: x.about } : {}) });
  }
  for (const x of set.outOfScope) {
    const shown = newConversation()(x.q);
    const turn = summarize(shown);
    const offered = shown.find((s) => (s.band === 'answer' || s.band === 'partial' || s.band === 'clarify') && s.articleId !== null);
    items.push({
      category: 'outOfScope',
      q: x.q,
      line: x.line,
      ...turn,
      right: offered === undefined,
      ...(offered ? { why: `offered ${offered.articleId} (${offered.band})` } : {}),
      shares: x.shares,
    });
  }
  for (const c of set.conversations) {
    const say = newConversation();
    /** What the last turn with facts showed: its facts' strings that were in the reply. */
    let previousFigures: string[] = [];
    for (const t of c.turns) {
      const turn = summarize(say(t.q));
      const base = { category: 'conversation' as const, q: t.q, line: t.line, ...turn, conversation: c.name, honest: t.honest };
      if (t.honest) {
        const asked = normalize(t.q);
        const repeated = previousFigures.filter((f) => !asked.includes(f) && normalize(turn.text).includes(f));
        const why = turn.band === 'answer' ? 'answered confidently' : repeated.length > 0 ? `repeats the previous answer's ${repeated.map((r) => `"${r}"`).join(', ')}` : undefined;
        items.push({ ...base, right: why === undefined, ...(why ? { why } : {}) });
      } else {
        const missing = missingFacts(turn.text, t.facts);
        items.push({ ...base, right: missing.length === 0, ...(missing.length > 0 ? { why: `does not show ${missing.map(describeFact).join(', ')}` } : {}), ...(t.expect ? { expect: t.expect } : {}) });
        const text = normalize(turn.text);
        previousFigures = t.facts.flatMap((f) => (typeof f === 'string' ? [f] : [...f])).map(normalize).filter((f) => text.includes(f));
      }
    }
  }
  return tallyAll(items, set);
}

/** Whether the evaluation meets every gate; the reasons when it does not. */
export function gateFailures(e: Evaluation): string[] {
  const failures: string[] = [];
  const rate = (t: Tally) => (t.total === 0 ? 1 : t.right / t.total);
  if (rate(e.inScope) < GATES.inScope) failures.push(`in-scope fact shown ${pct(e.inScope)} is below ${GATES.inScope * 100}%`);
  if (rate(e.nearScope) < GATES.nearScope) failures.push(`near-scope honest ${pct(e.nearScope)} is below ${GATES.nearScope * 100}%`);
  if (rate(e.outOfScope) < GATES.outOfScope) failures.push(`out-of-scope clean ${pct(e.outOfScope)} is below ${GATES.outOfScope * 100}%`);
  if (rate(e.bands.answer) < GATES.answerBand) failures.push(`the answer band is right ${pct(e.bands.answer)} of the time, below ${GATES.answerBand * 100}%`);
  return failures;
}

export function pct(t: Tally): string {
  return t.total === 0 ? 'n/a' : `${((100 * t.right) / t.total).toFixed(1)}%`;
}

/**
 * The text as the format compares it: lower case, whitespace runs folded, digit-group commas gone,
 * typographic apostrophes straightened.
 */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The facts (or groups of alternatives) none of whose strings appear in the text. */
export function missingFacts(text: string, facts: readonly Fact[]): Fact[] {
  const shown = normalize(text);
  return facts.filter((f) => !(typeof f === 'string' ? [f] : f).some((alt) => shown.includes(normalize(alt))));
}

function describeFact(f: Fact): string {
  return typeof f === 'string' ? `"${f}"` : f.map((a) => `"${a}"`).join(' or ');
}

const RANK: Readonly<Record<ShownBand, number>> = { answer: 4, partial: 3, clarify: 2, noAnswer: 1, other: 0 };

function bandOf(s: Shown): ShownBand {
  return s.band === 'answer' || s.band === 'partial' || s.band === 'clarify' || s.band === 'noAnswer' ? s.band : 'other';
}

/** A turn's replies as one: the most confident band, its article and confidence, and all the text. */
function summarize(shown: readonly Shown[]): { band: ShownBand; articleId: string | null; confidence: number | null; text: string } {
  let lead: Shown | undefined;
  for (const s of shown) if (!lead || RANK[bandOf(s)] > RANK[bandOf(lead)]) lead = s;
  return {
    band: lead ? bandOf(lead) : 'other',
    articleId: lead?.articleId ?? null,
    confidence: lead?.confidence ?? null,
    text: shown.map((s) => s.text).join('\n\n'),
  };
}

function tallyAll(items: readonly Scored[], set: QuestionSet): Evaluation {
  const count = (xs: readonly Scored[]): Tally => ({ total: xs.length, right: xs.filter((x) => x.right).length });
  const of = (c: Category) => items.filter((x) => x.category === c);
  const inScope = of('inScope');
  const out = of('outOfScope');
  const turns = of('conversation');
  const byConversation = new Map<string, Scored[]>();
  for (const t of turns) byConversation.set(t.conversation ?? '', [...(byConversation.get(t.conversation ?? '') ?? []), t]);
  const bands = Object.fromEntries(BANDS.map((b) => [b, count(items.filter((x) => x.band === b))])) as Record<ShownBand, Tally>;
  return {
    items,
    inScope: { ...count(inScope), detail: count(inScope.filter((x) => x.detail)), articleFirst: inScope.filter((x) => x.expect !== undefined && x.articleId === x.expect).length },
    nearScope: count(of('nearScope')),
    outOfScope: { ...count(out), shares: count(out.filter((x) => x.shares)) },
    conversations: {
      turns: count(turns),
      factTurns: count(turns.filter((t) => !t.honest)),
      honestTurns: count(turns.filter((t) => t.honest)),
      whole: { total: set.conversations.length, right: [...byConversation.values()].filter((ts) => ts.every((t) => t.right)).length },
    },
    bands,
  };
}
