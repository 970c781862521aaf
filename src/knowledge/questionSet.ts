import { z } from 'zod';
import { parseWith } from '../content/parseWith';
import type { Result } from '../content/Problem';

/**
 * A fact a reply must show: one string, or alternatives of which any one will do. Matching is
 * case-insensitive on the text the partner sees, with runs of whitespace folded and digit-group commas
 * ignored ("1040" matches "1,040").
 */
export type Fact = string | readonly string[];

/** A question the knowledge base answers, with the facts a right reply shows. */
export interface InScopeQuestion {
  readonly q: string;
  readonly line: number;
  /** The article that holds the fact. */
  readonly expect?: string;
  readonly facts: readonly Fact[];
  /** The asked fact is not in the article's short answer. */
  readonly detail: boolean;
}

/** The domain, but not in the sources: any confident answer is a failure. */
export interface NearScopeQuestion {
  readonly q: string;
  readonly line: number;
  /** What is not known, for the report. */
  readonly about?: string;
}

/** Not the domain at all: no reply may name an article in the answer, partial or clarify band. */
export interface OutOfScopeQuestion {
  readonly q: string;
  readonly line: number;
  /** Shares words with the domain (seats on a plane, a team's manager, ...). */
  readonly shares: boolean;
}

/** One message of a conversation: either facts to show, or `honest` (the sources cannot answer it). */
export type Turn =
  | { readonly q: string; readonly line: number; readonly expect?: string; readonly facts: readonly Fact[]; readonly honest: false }
  | { readonly q: string; readonly line: number; readonly honest: true };

export interface ConversationCase {
  readonly name: string;
  readonly line: number;
  readonly turns: readonly Turn[];
}

/** An evaluation file: `test/eval/questions.yaml` and files in the same format. */
export interface QuestionSet {
  readonly inScope: readonly InScopeQuestion[];
  readonly nearScope: readonly NearScopeQuestion[];
  readonly outOfScope: readonly OutOfScopeQuestion[];
  readonly conversations: readonly ConversationCase[];
}

const question = z.string({ message: 'q must be text' }).trim().min(1, 'q must not be empty');
const fact = z.union([z.string().trim().min(1, 'a fact must not be empty'), z.array(z.string().trim().min(1)).min(1, 'a list of alternatives must not be empty')], {
  message: 'each fact must be text or a list of alternatives',
});
const facts = z.array(fact, { message: 'facts must be a list' }).min(1, 'give at least one fact');

const InScope = z.strictObject({ q: question, expect: z.string().min(1).optional(), facts, detail: z.boolean().default(false) });
const NearScope = z.strictObject({ q: question, about: z.string().optional() });
const OutOfScope = z.strictObject({ q: question, shares: z.boolean().default(false) });
const FactTurn = z.strictObject({ q: question, expect: z.string().min(1).optional(), facts, honest: z.literal(false).optional() });
const HonestTurn = z.strictObject({ q: question, honest: z.literal(true) });
const Conversation = z.strictObject({
  name: z.string().min(1),
  turns: z.array(z.union([HonestTurn, FactTurn], { message: 'a turn has either facts or honest: true' })).min(1, 'a conversation needs turns'),
});

const Schema = z.strictObject({
  inScope: z.array(InScope).default([]),
  nearScope: z.array(NearScope).default([]),
  outOfScope: z.array(OutOfScope).default([]),
  conversations: z.array(Conversation).default([]),
});

/** Parses an evaluation file, reporting each problem with its line. */
export function parseQuestionSet(text: string, file: string): Result<QuestionSet> {
  const parsed = parseWith(Schema, text, file);
  if (!parsed.success) return parsed;
  const { data, yaml } = parsed.data;
  return {
    success: true,
    warnings: parsed.warnings,
    data: {
      inScope: data.inScope.map((x, i) => ({
        q: x.q,
        line: yaml.lineOf(['inScope', i]),
        facts: x.facts,
        detail: x.detail,
        ...(x.expect !== undefined ? { expect: x.expect } : {}),
      })),
      nearScope: data.nearScope.map((x, i) => ({ q: x.q, line: yaml.lineOf(['nearScope', i]), ...(x.about !== undefined ? { about: x.about } : {}) })),
      outOfScope: data.outOfScope.map((x, i) => ({ q: x.q, line: yaml.lineOf(['outOfScope', i]), shares: x.shares })),
      conversations: data.conversations.map((c, i) => ({
        name: c.name,
        line: yaml.lineOf(['conversations', i]),
        turns: c.turns.map((t, k): Turn => {
          const line = yaml.lineOf(['conversations', i, 'turns', k]);
          if ('facts' in t) return { q: t.q, line, facts: t.facts, honest: false, ...(t.expect !== undefined ? { expect: t.expect } : {}) };
          return { q: t.q, line, honest: true };
        }),
      })),
    },
  };
}

/** Every question text in a set, in file order (conversation turns included), e.g. for benchmarks. */
export function allQuestions(set: QuestionSet): string[] {
  return [
    ...set.inScope.map((x) => x.q),
    ...set.nearScope.map((x) => x.q),
    ...set.outOfScope.map((x) => x.q),
    ...set.conversations.flatMap((c) => c.turns.map((t) => t.q)),
  ];
}

/** The articles a set expects, for "no question reaches this article" warnings. */
export function expectedArticles(set: QuestionSet): Set<string> {
  const ids = new Set<string>();
  for (const x of set.inScope) if (x.expect) ids.add(x.expect);
  for (const c of set.conversations) for (const t of c.turns) if (!t.honest && t.expect) ids.add(t.expect);
  return ids;
}
