import path from 'node:path';
import { loadMessages } from '../../src/answering/Messages';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/knowledge/Problem';
import { ROOT } from '../helpers/realContent';

/** The bundled content, exactly as staff left it, must load cleanly. */
describe('bundled knowledge/ and dialogs/', () => {
  it('knowledge/ loads with no errors and no warnings', async () => {
    const kb = await loadKnowledge(path.join(ROOT, 'knowledge'));
    const problems = kb.success ? kb.warnings : kb.problems;
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it('covers every topic partners ask about, each article citing a listed source with an as-of date', async () => {
    const kb = await loadKnowledge(path.join(ROOT, 'knowledge'));
    if (!kb.success) throw new Error('knowledge did not load');
    expect(new Set(kb.data.topics)).toEqual(
      new Set(['BPOS', 'Office 365 transition', 'Billing policy', 'WPC', 'Partner program and market', 'Education', 'Office']),
    );
    for (const a of kb.data.articles) {
      expect(a.sources.every((s) => kb.data.sources.has(s))).toBe(true);
      expect(a.asOf).toMatch(/\d{4}/);
      expect(a.shortAnswer.length).toBeGreaterThan(40);
    }
  });

  it('dialogs/messages.yaml loads', async () => {
    const messages = await loadMessages(path.join(ROOT, 'dialogs'));
    expect(messages.success ? [] : messages.problems.map(formatProblem)).toEqual([]);
  });
});
