import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: ReadonlySet<string> | undefined;

/**
 * The ~275,000 English words of the `word-list` package, loaded once per process (about 100 ms).
 * Spelling correction leaves real words alone: "charge" is not a typo of "change".
 */
export function englishWords(): ReadonlySet<string> {
  if (!cached) {
    // The package's exports expose only its ESM entry; the word file sits beside it.
    const file = path.join(path.dirname(require.resolve('word-list')), 'words.txt');
    cached = new Set(readFileSync(file, 'utf8').split('\n'));
  }
  return cached;
}
