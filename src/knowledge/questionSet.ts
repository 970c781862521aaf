import { z } from 'zod';
import { parseWith } from './contentFiles';
import type { Result } from './Problem';

/** A file of partner questions with the article each should get, and questions nothing should answer. */
export interface QuestionSet {
  readonly questions: readonly { readonly q: string; readonly expect: string; readonly line: number }[];
  readonly outOfScope: readonly { readonly q: string; readonly line: number }[];
}

const Schema = z.strictObject({
  questions: z.array(z.strictObject({ q: z.string().min(1), expect: z.string().min(1) })).default([]),
  outOfScope: z.array(z.string()).default([]),
});

export function parseQuestionSet(text: string, file: string): Result<QuestionSet> {
  const parsed = parseWith(Schema, text, file);
  if (!parsed.success) return parsed;
  const { data, yaml } = parsed.data;
  return {
    success: true,
    warnings: parsed.warnings,
    data: {
      questions: data.questions.map((x, i) => ({ ...x, line: yaml.lineOf(['questions', i]) })),
      outOfScope: data.outOfScope.map((q, i) => ({ q, line: yaml.lineOf(['outOfScope', i]) })),
    },
  };
}
