import type { SmallTalkWords } from '../answering/smallTalk';
import type { AnswerWords } from '../escalation/validateAnswer';

/**
 * What the bot recognises in a partner's words outside the knowledge base: each recogniser matches a
 * whole message that is one of its `phrases` (any case, with a full stop or exclamation mark at the
 * end) or any message one of its `patterns` finds.
 */
export interface Recogniser {
  readonly phrases: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
}

export interface Phrases {
  /** During a request for a person: stop it, nothing sent. */
  readonly cancel: Recogniser;
  /** During a request for a person: explain the current question. */
  readonly help: Recogniser;
  /** "That didn't help": feedback on the last answer when it comes with a request for a person. */
  readonly notHelpful: Recogniser;
  /** "Any update on my request?": where the partner's last ticket stands. */
  readonly ticketStatus: Recogniser;
  /** Greetings, thanks, "what can you do", goodbyes and requests for a person. */
  readonly smallTalk: SmallTalkWords;
  /** Yes, no and "I'd rather not say", in answer to the bot's questions. */
  readonly answers: AnswerWords;
}

export const PHRASE_KEYS = ['cancel', 'help', 'notHelpful', 'ticketStatus'] as const satisfies readonly (keyof Phrases)[];

/** Lower case, single spaces, straight apostrophes, without a full stop or exclamation at the end. */
export function phraseForm(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '')
    .trim();
}

export function recognises(r: Recogniser, text: string): boolean {
  return r.phrases.has(phraseForm(text)) || r.patterns.some((p) => p.test(text));
}
