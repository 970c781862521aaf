/**
 * Something wrong with a staff-edited file, with the place a staff member should look.
 * `line` is 1-based; 0 means the problem concerns the whole file.
 */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** `file:line: message`, the form editors and terminals link to. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** Results as values, in the manner of zod's `safeParse`. */
export type Result<T> = { success: true; data: T; warnings: Problem[] } | { success: false; problems: Problem[] };

/** Thrown where a caller needs an exception; carries every problem, not just the first. */
export class ContentError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ContentError';
  }
}
