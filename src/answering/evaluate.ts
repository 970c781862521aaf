import type { QuestionSet } from '../knowledge/questionSet';
import type { Reply } from './Reply';

export interface Miss {
  readonly q: string;
  readonly line: number;
  readonly expected: string;
  /** The article the bot ranked first (answered or offered first), if any. */
  readonly got: string | undefined;
  readonly kind: Reply['kind'];
  readonly confidence: number;
}

export interface Evaluation {
  readonly total: number;
  /** Questions whose expected article the bot put first (answered, or first "did you mean"). */
  readonly top1: number;
  /** Questions answered outright with the expected article. */
  readonly answered: number;
  readonly misses: readonly Miss[];
  readonly outOfScope: number;
  /** Out-of-scope questions that did not get a confident answer. */
  readonly outOfScopeHeld: number;
  readonly falseAnswers: readonly { q: string; line: number; got: string; confidence: number }[];
  /** Articles no question in the set expects. */
  readonly unreached: readonly string[];
}

/** Runs a question set through the bot's decision and scores it. */
export function evaluate(set: QuestionSet, reply: (q: string) => Reply, articleIds: readonly string[]): Evaluation {
  const misses: Miss[] = [];
  let top1 = 0;
  let answered = 0;
  for (const { q, expect, line } of set.questions) {
    const r = reply(q);
    const first = firstArticle(r);
    if (first === expect) top1 += 1;
    if (r.kind === 'answer' && first === expect) answered += 1;
    if (first !== expect || r.kind !== 'answer') {
      misses.push({ q, line, expected: expect, got: first, kind: r.kind, confidence: confidence(r) });
    }
  }
  const falseAnswers = [];
  for (const { q, line } of set.outOfScope) {
    const r = reply(q);
    if (r.kind === 'answer') falseAnswers.push({ q, line, got: r.article.id, confidence: r.confidence });
  }
  const expected = new Set(set.questions.map((x) => x.expect));
  return {
    total: set.questions.length,
    top1,
    answered,
    misses,
    outOfScope: set.outOfScope.length,
    outOfScopeHeld: set.outOfScope.length - falseAnswers.length,
    falseAnswers,
    unreached: articleIds.filter((id) => !expected.has(id)),
  };
}

/** The article a reply puts first: the answer's, or the first "did you mean". */
export function firstArticle(r: Reply): string | undefined {
  if (r.kind === 'answer') return r.article.id;
  if (r.kind === 'clarify') return r.candidates[0]?.id;
  return undefined;
}

function confidence(r: Reply): number {
  return r.kind === 'smallTalk' || r.kind === 'escalate' ? 0 : r.confidence;
}
