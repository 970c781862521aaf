import { readFileSync } from 'node:fs';
import path from 'node:path';
import { smallTalkIntent } from '../../src/answering/smallTalk';
import { parsePhrases } from '../../src/dialogs/parsePhrases';
import { recognises } from '../../src/conversation/phrases';
import { formatProblem } from '../../src/content/Problem';
import { ROOT } from '../helpers/realContent';

const FILE = path.join(ROOT, 'dialogs', 'phrases.yaml');
const REAL = readFileSync(FILE, 'utf8');
const bundled = () => {
  const parsed = parsePhrases(REAL, FILE);
  if (!parsed.success) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return parsed.data;
};
const problems = (text: string): string[] => {
  const parsed = parsePhrases(text, 'phrases.yaml');
  return parsed.success ? [] : parsed.problems.map(formatProblem);
};
/** 1-based line of the first line of the real file that starts with `key` (an entry) or, indented, contains `part`. */
const lineOf = (part: string): number => REAL.split('\n').findIndex((l) => (/^\w+:$/.test(part) ? l === part : l.startsWith(' ') && l.includes(part))) + 1;

describe('dialogs/phrases.yaml', () => {
  it('loads, and recognises whole-message phrases in any case with a full stop, and patterns anywhere', () => {
    const p = bundled();
    for (const text of ['cancel', 'Cancel.', 'NEVER MIND!', 'forget it']) expect(recognises(p.cancel, text)).toBe(true);
    for (const text of ['cancel my subscription', 'stop it now please', 'how do I cancel?']) expect(recognises(p.cancel, text)).toBe(false);
    for (const text of ['help', '?', 'what?', 'I don’t understand']) expect(recognises(p.help, text)).toBe(true);
    expect(recognises(p.help, 'help me with billing')).toBe(false);
    expect(recognises(p.notHelpful, "That didn't help at all")).toBe(true);
    expect(recognises(p.ticketStatus, 'any update on my request?')).toBe(true);
    expect(recognises(p.ticketStatus, 'is the ticket delivered yet')).toBe(true);
    expect(recognises(p.ticketStatus, 'when is WPC?')).toBe(false);
  });

  it('recognises each kind of small talk from its entry', () => {
    const talk = bundled().smallTalk;
    expect(['Hello!', 'Thanks a lot', 'what can you do?', 'See ya', 'talk to a human'].map((t) => smallTalkIntent(t, talk))).toEqual(['greeting', 'thanks', 'help', 'goodbye', 'person']);
  });

  it('names the file and line of every mistake at once', () => {
    const text = REAL.replace(/^ticketStatus:\n {2}patterns:/m, 'ticketStatus:\n  pattern:').replace(/^goodbye:/m, 'goodbyes:');
    expect(problems(text)).toEqual([
      // The line of the misspelt key.
      `phrases.yaml:${lineOf('ticketStatus:') + 1}: ticketStatus: Unrecognized key: "pattern"`,
      `phrases.yaml:${lineOf('ticketStatus:') + 1}: ticketStatus: needs at least one of phrases or patterns`,
      expect.stringMatching(/^phrases\.yaml:\d+: goodbye: /),
      expect.stringMatching(/^phrases\.yaml:\d+: Unrecognized key: "goodbyes"/),
    ]);
    const broken = REAL.replace("- '\\b(?:not|wasn''?t", "- '(unclosed\\b(?:not|wasn''?t");
    expect(problems(broken)).toEqual([expect.stringMatching(new RegExp(`^phrases\\.yaml:${lineOf("(?:not|wasn''?t")}: notHelpful\\.patterns: not a regular expression`))]);
    expect(problems(REAL.replace(/^help:\n {2}phrases:\n(?: {4}- .*\n)+/m, 'help:\n  phrases: []\n'))).toEqual([
      `phrases.yaml:${lineOf('help:') + 1}: help: needs at least one of phrases or patterns`,
    ]);
  });

  it('reports a small-talk mistake at its line: a phrase in two entries, a pattern where only whole messages count, a broken pattern', () => {
    const twice = REAL.replace('goodbye:\n  phrases: [bye,', 'goodbye:\n  phrases: [ok, bye,');
    expect(problems(twice)).toEqual([`phrases.yaml:${lineOf('goodbye:') + 1}: goodbye.phrases: "ok" is also listed under thanks (line ${lineOf(' cool, ok,')}); keep it in one`]);
    const greetingPattern = REAL.replace('greeting:\n', () => "greeting:\n  patterns: ['^hi+$']\n");
    expect(problems(greetingPattern)).toEqual([`phrases.yaml:${lineOf('greeting:') + 1}: greeting: only talkToPerson may have patterns; list whole messages under phrases`]);
    const broken = REAL.replace("- '\\bescalat\\w*\\b'", "- '\\bescalat(\\w*\\b'");
    expect(problems(broken)).toEqual([expect.stringMatching(new RegExp(`^phrases\\.yaml:${lineOf("'\\bescalat")}: talkToPerson\\.patterns: not a regular expression`))]);
    expect(problems(REAL.replace(/^ignoredWords: .*$/m, ''))).toEqual([expect.stringMatching(/^phrases\.yaml:\d+: ignoredWords: /)]);
  });
});
