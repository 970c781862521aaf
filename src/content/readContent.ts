import { promises as fs } from 'node:fs';
import type { Problem, Result } from './Problem';

/** The problem staff see for a content file that could not be read ("cannot read: ENOENT"). */
export function unreadable(file: string, err: unknown): Problem {
  return { file, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, severity: 'error' };
}

/** Reads one content file and parses it; a file that cannot be read is a problem, not a throw. */
export async function loadContentFile<T>(file: string, parse: (text: string, file: string) => Result<T>): Promise<Result<T>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return { success: false, problems: [unreadable(file, err)] };
  }
  return parse(text, file);
}
