import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePhrases } from '../../src/conversation/loadPhrases';
import { recognises } from '../../src/conversation/phrases';
import { formatProblem } from '../../src/content/Problem';
import { ROOT } from '../helpers/realContent';

const FILE = path.join(ROOT, 'dialogs', 'phrases.yaml');
const bundled = () => {
  const parsed = parsePhrases(readFileSync(FILE, 'utf8'), FILE);
  if (!parsed.success) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  return parsed.data;
};

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

  it('names the file and line of every mistake at once', () => {
    const text = ['cancel:', '  phrases: [stop]', 'help:', '  phrases: []', 'notHelpful:', '  patterns:', "    - '(unclosed'", 'ticketStatus:', '  pattern: [x]', 'extra: {}'].join('\n');
    const parsed = parsePhrases(text, 'phrases.yaml');
    expect(parsed.success).toBe(false);
    const lines = parsed.success ? [] : parsed.problems.map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^phrases\.yaml:4: help: needs at least one of phrases or patterns/), expect.stringMatching(/^phrases\.yaml:(8|9): ticketStatus: .*pattern/), expect.stringMatching(/^phrases\.yaml:\d+: .*extra/)]),
    );
    const broken = parsePhrases(['cancel: {phrases: [stop]}', 'help: {phrases: [help]}', 'notHelpful:', '  patterns:', "    - '(unclosed'", 'ticketStatus: {phrases: [status]}'].join('\n'), 'phrases.yaml');
    expect(broken.success ? [] : broken.problems.map(formatProblem)).toEqual([expect.stringMatching(/^phrases\.yaml:5: notHelpful\.patterns: not a regular expression/)]);
  });
});
