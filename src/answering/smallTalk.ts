import type { SmallTalkIntent } from './Reply';

/** Small talk, or a request for a person. */
export type Intent = SmallTalkIntent | 'person';

export const INTENTS = ['greeting', 'thanks', 'help', 'goodbye', 'person'] as const satisfies readonly Intent[];

/**
 * What small talk looks like, as staff list it in `dialogs/phrases.yaml`: every phrase in `wordsOf`
 * form, with its intent; the patterns of a request for a person; the words that do not count around
 * small talk ("hi there bot").
 */
export interface SmallTalkWords {
  readonly phrases: ReadonlyMap<string, Intent>;
  /** Found anywhere in a short message (in `wordsOf` form): a request for a person. */
  readonly person: readonly RegExp[];
  /** Matches each word (or run of words) that does not count; global. Undefined: every word counts. */
  readonly filler: RegExp | undefined;
}

/** A message this long or longer ("our sales people want to talk to someone at a customer about ...") asks more than for a person. */
const MAX_PERSON_WORDS = 12;

/** Lower case, no apostrophes, every other mark a space, single spaces: "That's all, thanks!" → "thats all thanks". */
export function wordsOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Builds the lookup from staff's lists. Phrases are compared in `wordsOf` form, so "that's all" and
 * "thats all" are one phrase; a phrase listed under two intents belongs to the later one (the parser
 * reports it as a mistake).
 */
export function smallTalkWords(lists: {
  readonly phrases: Readonly<Record<Intent, readonly string[]>>;
  readonly person: readonly RegExp[];
  readonly filler: readonly string[];
}): SmallTalkWords {
  const phrases = new Map<string, Intent>();
  for (const intent of INTENTS) {
    for (const p of lists.phrases[intent]) {
      const w = wordsOf(p);
      if (w !== '') phrases.set(w, intent);
    }
  }
  const filler = [...new Set(lists.filler.map(wordsOf).filter((w) => w !== ''))]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/ /g, '\\s+'));
  return { phrases, person: lists.person, filler: filler.length > 0 ? new RegExp(`\\b(?:${filler.join('|')})\\b`, 'g') : undefined };
}

/**
 * The small-talk intent of a whole message, or undefined when it says something more: a message that
 * is only a greeting, thanks, a request for help, a goodbye or a request for a person. "hi, when is
 * WPC?" is a question, not small talk.
 */
export function smallTalkIntent(text: string, talk: SmallTalkWords): Intent | undefined {
  const words = wordsOf(text);
  if (words === '') return undefined;
  const exact = talk.phrases.get(words);
  if (exact) return exact;
  // "I need someone from partner support", "can I talk to a real human?": a request for a person, in
  // whatever words, as long as the message is short.
  if (words.split(' ').length <= MAX_PERSON_WORDS && talk.person.some((p) => p.test(words))) return 'person';
  const trimmed = talk.filler ? words.replace(talk.filler, ' ').replace(/\s+/g, ' ').trim() : words;
  if (trimmed !== words && talk.phrases.has(trimmed)) return talk.phrases.get(trimmed);
  return strung(trimmed.split(' '), talk.phrases);
}

/** "hi thanks", "thanks, bye": every part is small talk; a goodbye anywhere wins, else the last part. */
function strung(parts: readonly string[], phrases: ReadonlyMap<string, Intent>): Intent | undefined {
  let intent: Intent | undefined;
  for (let i = 0; i < parts.length; ) {
    let matched = 0;
    for (let len = Math.min(6, parts.length - i); len > 0; len -= 1) {
      const found = phrases.get(parts.slice(i, i + len).join(' '));
      if (found) {
        if (intent !== 'goodbye') intent = found;
        matched = len;
        break;
      }
    }
    if (matched === 0) return undefined;
    i += matched;
  }
  return intent;
}
