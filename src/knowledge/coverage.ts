import { asOfStart, type Article } from './Article';
import type { Problem } from '../content/Problem';
import { allQuestions, type QuestionSet } from './questionSet';

/**
 * Warnings that do not stop the bot but tell staff where the knowledge base needs care: articles
 * whose facts are older than `staleYears` (unless marked `historical`), and articles that no question in the evaluation set gets
 * as its answer (so nobody checks that partners can reach them).
 */
export function coverageWarnings(
  articles: readonly Article[],
  options: { now: Date; staleYears: number; questions?: QuestionSet; firstArticleFor?: (q: string) => string | undefined },
): Problem[] {
  const warnings: Problem[] = [];
  const staleBefore = new Date(options.now);
  staleBefore.setUTCFullYear(staleBefore.getUTCFullYear() - options.staleYears);
  for (const a of articles) {
    if (!a.historical && a.asOf !== '' && asOfStart(a.asOf) < staleBefore) {
      warnings.push({ file: a.file, line: 0, message: `asOf "${a.asOf}" is more than ${options.staleYears} years old: check the facts are still true, or mark the article historical (historical: true)`, severity: 'warning' });
    }
  }
  const { questions, firstArticleFor } = options;
  if (questions && firstArticleFor) {
    const reached = new Set(allQuestions(questions).map((q) => firstArticleFor(q)).filter((id): id is string => id !== undefined));
    for (const a of articles) {
      if (!reached.has(a.id)) {
        warnings.push({ file: a.file, line: 0, message: `no question in the evaluation set gets this article first: add partner questions for it`, severity: 'warning' });
      }
    }
  }
  return warnings;
}
