import { splitWords } from '../knowledge/words';

/** A partner's message split into the question it asks and the context it gives around it. */
export interface ReadMessage {
  /** The sentence(s) that ask; the whole message when it is one question. */
  readonly question: string;
  /** The other sentences ("We are a small MSP in Lagos."): they can help find the subject, never pin it. */
  readonly context: string;
}

const ASKING_START = /^(?:who|whos|whose|what|whats|when|whens|where|wheres|which|why|how|hows|is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|isnt|arent|wasnt|doesnt|dont|didnt|wont|cant|any|pls|please|kindly|tell|explain)$/;

/**
 * Removes @mentions of the bot (`@PartnerBot`, `@Partner bot`, Teams' `<at>Partner Bot</at>`): they
 * address the bot and are not part of the question.
 */
export function withoutMentions(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/(^|\s)@[\p{L}\p{N}_.-]+(?:\s+bot\b)?/giu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Finds the question in a message that gives its context first ("We're a 12-person MSP in
 * Manchester ... Roughly how many customers has each partner migrated?"): the sentences that end in a
 * question mark or open like a question ask; the rest is context.
 */
export function readMessage(text: string): ReadMessage {
  const clean = withoutMentions(text);
  const segments = clean
    .split(/(?<=[.!?…])\s+/u)
    .flatMap(leadIn)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
  if (segments.length < 2) return { question: clean, context: '' };
  const asking = segments.filter((s) => /\?\s*$/.test(s) || ASKING_START.test(splitWords(s)[0] ?? ''));
  if (asking.length === 0 || asking.length === segments.length) return { question: clean, context: '' };
  return { question: asking.join(' '), context: segments.filter((s) => !asking.includes(s)).join(' ') };
}

/** "dunno if ur the right bot but", "not sure who to ask - ": a lead-in before the question in one sentence. */
const LEAD_IN = /^(.*?[\p{L}\p{N}])(?:,?\s+but|\s+-+|\s+anyway,?)\s+((?:who|whos|who's|whose|what|whats|what's|when|whens|when's|where|wheres|where's|which|why|how|hows|how's)\b.*)$/iu;

const POINTS_BACK = /\b(?:that|this|it|its|they|them|their|those|these|he|she|him|her)\b/i;

/**
 * One sentence as the lead-in the partner opens with and the question after it ("dunno if ur the
 * right bot but whats the deal with dedicated bpos"), when the lead-in does not ask itself; the
 * sentence as it is otherwise.
 */
function leadIn(sentence: string): string[] {
  const m = LEAD_IN.exec(sentence);
  const [, before = '', question = ''] = m ?? [];
  // "the oil light keeps flashing, what does that mean": a question that points back to the lead-in is one with it.
  if (!m || ASKING_START.test(splitWords(before)[0] ?? '') || splitWords(before).length < 2 || splitWords(question).length < 3 || POINTS_BACK.test(question)) return [sentence];
  // The lead-in ends as a sentence, so the question after it is read on its own.
  return [`${before}.`, question];
}

/**
 * Whether a message reads as a question rather than an answer to one: it ends with a question mark or
 * opens with a question word ("when is WPC", "can partners bill ..."). "not-an-email" does not.
 */
export function readsAsQuestion(text: string): boolean {
  const clean = withoutMentions(text).trim();
  if (/\?\s*$/.test(clean)) return splitWords(clean).length >= 2;
  const first = splitWords(clean)[0] ?? '';
  return /^(?:who|whos|whose|what|whats|when|whens|where|wheres|which|why|how|hows|is|are|was|were|do|does|did|can|could|will|would|should|has|have)$/.test(first) && splitWords(clean).length >= 3;
}
