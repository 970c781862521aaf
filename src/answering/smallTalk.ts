import type { SmallTalkIntent } from './Reply';

/** Small talk, or a request for a person. */
export type Intent = SmallTalkIntent | 'person';

/**
 * Recognises messages that are only a greeting, thanks, a request for help or a goodbye. A message
 * with anything more in it ("hi, when is WPC?") is a question, not small talk.
 */
const PHRASES: Readonly<Record<Intent, readonly string[]>> = {
  greeting: [
    'hi', 'hello', 'hey', 'hiya', 'howdy', 'yo', 'greetings', 'good morning', 'good afternoon', 'good evening',
    'morning', 'hey there', 'hi there', 'hello there', 'how are you', 'how r u', 'whats up', 'sup', 'start',
  ],
  thanks: [
    'thanks', 'thank you', 'thx', 'ty', 'cheers', 'thanks a lot', 'thank you very much', 'many thanks',
    'great', 'great thanks', 'perfect', 'awesome', 'cool', 'ok', 'okay', 'ok thanks', 'got it', 'that helps',
    'that helped', 'helpful', 'nice', 'brilliant',
  ],
  help: [
    'help', 'menu', 'topics', 'commands', 'options', 'what can you do', 'what do you know', 'what can i ask',
    'what can i ask you', 'what do you do', 'how does this work', 'who are you', 'what are you', 'what are you for',
    'what topics', 'what topics do you cover', 'what can you help with', 'what can you help me with', 'i need help',
    'can you help', 'can you help me', 'help me', 'what questions can i ask',
  ],
  person: [
    'escalate', 'human', 'person', 'agent', 'operator', 'representative', 'real person', 'a human', 'a person',
    'talk to a person', 'talk to a human', 'speak to a person', 'speak to a human', 'speak to someone',
    'talk to someone', 'talk to an agent', 'contact support', 'partner support', 'talk to support',
    'this didnt help', 'that didnt help', 'not helpful', 'that doesnt help',
  ],
  goodbye: ['bye', 'goodbye', 'bye bye', 'see you', 'see ya', 'cya', 'later', 'good night', 'thats all', 'done'],
};

const FILLER = /\b(?:bot|there|please|pls|again|so|very|much|then|partner bot)\b/g;

const LOOKUP = new Map<string, Intent>();
for (const [intent, phrases] of Object.entries(PHRASES) as [Intent, readonly string[]][]) {
  for (const p of phrases) LOOKUP.set(p, intent);
}

/**
 * "I need someone from partner support", "can I talk to a real human?", "escalate this please":
 * a request for a person, in whatever words, as long as the message asks for nothing else.
 */
const PERSON = /\b(?:(?:talk|speak|chat|connect|put|transfer|escalate|hand)\b.*\b(?:human|person|someone|somebody|agent|support|staff|people|rep|representative)s?|(?:need|want|get)\b.*\b(?:human|real person|someone from|agent|representative)|escalat\w*)\b/;

/** The small-talk intent of a whole message, or undefined when it says something more. */
export function smallTalkIntent(text: string): Intent | undefined {
  const words = text
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (words === '') return undefined;
  const exact = LOOKUP.get(words);
  if (exact) return exact;
  if (words.split(' ').length <= 12 && PERSON.test(words)) return 'person';
  const trimmed = words.replace(FILLER, ' ').replace(/\s+/g, ' ').trim();
  if (trimmed !== words && LOOKUP.has(trimmed)) return LOOKUP.get(trimmed);
  // "hi thanks", "thanks, bye": every part is small talk; a goodbye anywhere wins, else the last part.
  const parts = trimmed.split(' ');
  let intent: Intent | undefined;
  for (let i = 0; i < parts.length; ) {
    let matched = 0;
    for (let len = Math.min(6, parts.length - i); len > 0; len -= 1) {
      const found = LOOKUP.get(parts.slice(i, i + len).join(' '));
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
