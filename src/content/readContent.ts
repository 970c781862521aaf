import { promises as fs } from 'node:fs';
import type { Problem } from './Problem';

/** The problem staff see for a content file that could not be read ("cannot read: ENOENT"). */
export function unreadable(file: string, err: unknown): Problem {
  return { file, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, severity: 'error' };
}

/** The text of one content file, or the problem of a file that cannot be read (never a throw). */
export async function readContentText(file: string): Promise<string | Problem> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    return unreadable(file, err);
  }
}
