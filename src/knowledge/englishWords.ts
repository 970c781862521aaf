import { wordTable } from './wordTable';

/** Membership in the English word list. */
export interface WordSet {
  has(word: string): boolean;
}

const english: WordSet = { has: (word) => wordTable().isEnglish(word) };

/**
 * The ~275,000 English words of the `word-list` package (lower case), looked up in the built word
 * table (see `wordTable.ts`), which is read on first use. Spelling correction leaves real words alone:
 * "charge" is not a typo of "change".
 */
export function englishWords(): WordSet {
  return english;
}
