import { readFileSync } from 'node:fs';
import path from 'node:path';
import { smallTalkIntent, smallTalkWords, type Intent, type SmallTalkWords } from '../../src/answering/smallTalk';
import { parsePhrases } from '../../src/dialogs/parsePhrases';
import { formatProblem } from '../../src/content/Problem';
import { ROOT } from '../helpers/realContent';

const FILE = path.join(ROOT, 'dialogs', 'phrases.yaml');

function shipped(text = readFileSync(FILE, 'utf8')): SmallTalkWords {
  const parsed = parsePhrases(text, FILE);
  if (!parsed.success) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return parsed.data.smallTalk;
}

/**
 * The small talk the bot recognised when its phrases were written in code: the lists and patterns as
 * they were, so the shipped phrases.yaml is checked to recognise all of it the same way.
 */
const OLD_FILLER = ['bot', 'there', 'please', 'pls', 'again', 'so', 'very', 'much', 'then', 'partner bot'];
const BEFORE = smallTalkWords({
  phrases: {
    greeting: ['hi', 'hello', 'hey', 'hiya', 'howdy', 'yo', 'greetings', 'good morning', 'good afternoon', 'good evening', 'morning', 'hey there', 'hi there', 'hello there', 'how are you', 'how r u', 'whats up', 'sup', 'start'],
    thanks: ['thanks', 'thank you', 'thx', 'ty', 'cheers', 'thanks a lot', 'thank you very much', 'many thanks', 'great', 'great thanks', 'perfect', 'awesome', 'cool', 'ok', 'okay', 'ok thanks', 'got it', 'that helps', 'that helped', 'helpful', 'nice', 'brilliant'],
    help: ['help', 'menu', 'topics', 'commands', 'options', 'what can you do', 'what do you know', 'what can i ask', 'what can i ask you', 'what do you do', 'how does this work', 'who are you', 'what are you', 'what are you for', 'what topics', 'what topics do you cover', 'what can you help with', 'what can you help me with', 'i need help', 'can you help', 'can you help me', 'help me', 'what questions can i ask'],
    person: ['escalate', 'human', 'person', 'agent', 'operator', 'representative', 'real person', 'a human', 'a person', 'talk to a person', 'talk to a human', 'speak to a person', 'speak to a human', 'speak to someone', 'talk to someone', 'talk to an agent', 'contact support', 'partner support', 'talk to support', 'this didnt help', 'that didnt help', 'not helpful', 'that doesnt help'],
    goodbye: ['bye', 'goodbye', 'bye bye', 'see you', 'see ya', 'cya', 'later', 'good night', 'thats all', 'done'],
  },
  person: [/\b(?:(?:talk|speak|chat|connect|put|transfer|escalate|hand)\b.*\b(?:human|person|someone|somebody|agent|support|staff|people|rep|representative)s?|(?:need|want|get)\b.*\b(?:human|real person|someone from|agent|representative)|escalat\w*)\b/],
  filler: OLD_FILLER,
});

const GREETINGS = ['hi', 'Hello!', 'HELLO', 'hey there bot', 'Good morning', 'how are you?', 'Hi!!! 👋'];
const THANKS = ['thanks', 'Thank you very much!', 'thx', 'cheers', 'ok thanks', 'got it', 'thanks so much', 'Thanks again, partner bot!'];
const HELP = ['help', 'What can you do?', 'menu', 'I need help', 'can you help me', 'what topics do you cover?', 'help please'];
const GOODBYES = ['bye', 'Goodbye!', 'see ya', "that's all", 'ok thanks, bye', "that's all, thanks", 'ok thats all'];
const PERSON = [
  'human', 'I want to talk to a person', 'can I speak to a human?', 'escalate this please', 'I need someone from partner support',
  'connect me with an agent', 'talk to a real person please', 'get me a human', 'transfer me to support', "That didn't help", 'Escalation!',
  'put me through to your staff', 'hand me over to a rep', 'I want a representative',
];
const STRUNG = ['hi thanks', 'ok bye', 'great thanks bye'];
const QUESTIONS = [
  'hi, when is wpc?', 'thanks, and what is bpos?', 'hello there, who is Betsy Frost Webb', 'help me with bpos pricing', 'Can you help me with Office 365?',
  'what is bpos', 'who is the person in charge of online services', 'does the partner support team handle billing', 'hey what does O365 replace',
  'our sales people want to talk to someone at a customer about whether bpos standard or dedicated is the right edition for a company with ten thousand staff',
  '', '   ', '!!!',
];

describe('smallTalkIntent with the shipped dialogs/phrases.yaml', () => {
  const talk = shipped();

  it.each([["that's all, thanks", 'goodbye'], ['ok thats all', 'goodbye']])('reads "%s" as %s', (text, intent) => {
    expect(smallTalkIntent(text, talk)).toBe(intent);
  });

  it.each(GREETINGS.map((t) => [t]))('recognises "%s" as a greeting', (text) => expect(smallTalkIntent(text, talk)).toBe('greeting'));
  it.each(THANKS.map((t) => [t]))('recognises "%s" as thanks', (text) => expect(smallTalkIntent(text, talk)).toBe('thanks'));
  it.each(HELP.map((t) => [t]))('recognises "%s" as a request for help', (text) => expect(smallTalkIntent(text, talk)).toBe('help'));
  it.each(GOODBYES.map((t) => [t]))('recognises "%s" as goodbye', (text) => expect(smallTalkIntent(text, talk)).toBe('goodbye'));
  it.each(PERSON.map((t) => [t]))('recognises "%s" as a request for a person', (text) => expect(smallTalkIntent(text, talk)).toBe('person'));

  it('lets the last part decide when a message strings small talk together, a goodbye anywhere winning', () => {
    expect(STRUNG.map((t) => smallTalkIntent(t, talk))).toEqual(['thanks', 'goodbye', 'goodbye']);
  });

  it.each(QUESTIONS.map((t) => [t]))('does not treat "%s" as small talk', (text) => {
    expect(smallTalkIntent(text, talk)).toBeUndefined();
  });

  it('recognises everything the phrases written in code recognised, the same way', () => {
    const listed = [...BEFORE.phrases.keys()];
    // Each listed phrase as partners type it: capitals, punctuation, an apostrophe, filler words around it.
    const variants = listed.flatMap((p) => [p, `${p.toUpperCase()}!`, `${p}?`, `${p.replace(/^(that|what|this)s?\b/, "$1's")}.`, `${p} please`, `${p} bot`, `ok ${p}`, `${p} bye`]);
    const withFiller = OLD_FILLER.flatMap((f) => [`thanks ${f}`, `${f} bye`, `hi ${f} ${f}`, `talk to ${f} someone`]);
    const inputs = [...variants, ...withFiller, ...GREETINGS, ...THANKS, ...HELP, ...GOODBYES, ...PERSON, ...STRUNG, ...QUESTIONS];
    const differ = inputs
      .map((text) => ({ text, before: smallTalkIntent(text, BEFORE), now: smallTalkIntent(text, talk) }))
      .filter((r) => r.before !== r.now);
    expect(differ).toEqual([]);
    expect(inputs.filter((t) => smallTalkIntent(t, talk) !== undefined).length).toBeGreaterThan(listed.length * 5);
  });

  it('follows a staff edit: a phrase added to greeting is a greeting, one removed is no longer small talk', () => {
    const text = readFileSync(FILE, 'utf8').replace('phrases: [hi, hello,', 'phrases: [hi, "g\'day", hello,').replace('phrases: [bye, goodbye,', 'phrases: [goodbye,');
    const edited = shipped(text);
    expect(smallTalkIntent("G'day!", edited)).toBe('greeting');
    expect(smallTalkIntent("G'day!", talk)).toBeUndefined();
    expect(smallTalkIntent('bye', edited)).toBeUndefined();
    expect(smallTalkIntent('ok thanks, goodbye', edited)).toBe('goodbye');
  });
});

describe('smallTalkWords', () => {
  const intents = (talk: SmallTalkWords, texts: string[]): (Intent | undefined)[] => texts.map((t) => smallTalkIntent(t, talk));

  it('compares phrases as words, so staff may write apostrophes and capitals', () => {
    const talk = smallTalkWords({ phrases: { greeting: ["G'day Mate"], thanks: [], help: [], goodbye: [], person: [] }, person: [], filler: [] });
    expect(intents(talk, ['gday mate', "G'DAY, mate!", 'gday'])).toEqual(['greeting', 'greeting', undefined]);
  });

  it('ignores multi-word filler as a whole', () => {
    const talk = smallTalkWords({ phrases: { greeting: ['hi'], thanks: [], help: [], goodbye: [], person: [] }, person: [], filler: ['partner bot'] });
    expect(intents(talk, ['hi partner bot', 'hi partner', 'hi bot'])).toEqual(['greeting', undefined, undefined]);
  });
});
