import path from 'node:path';
import { loadDialogs } from '../../src/dialogs/loadDialogs';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/content/Problem';
import { renderWelcome } from '../../src/channel/renderers/markdown';
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

  it('the welcome names the topics in one sentence, as knowledge/topics.yaml words them', async () => {
    const kb = await loadKnowledge(path.join(ROOT, 'knowledge'));
    const dialogs = await loadDialogs(path.join(ROOT, 'dialogs'));
    if (!kb.success || !dialogs.success) throw new Error('content did not load');
    const welcome = renderWelcome(kb.data, dialogs.data.messages);
    expect(welcome.text).toBe(
      "Hi, I'm the partner bot. I answer questions about BPOS, the move from BPOS to Office 365, partner billing policy, the Worldwide Partner Conference (WPC), Microsoft's cloud strategy for partners, Live@edu and Office Web Apps. Ask me in your own words, or type \"help\".",
    );
    // Its example questions follow the same order: the first three topics.
    expect(welcome.suggestedActions?.actions.map((a) => a.title)).toEqual(['When will BPOS move to the 2010 products?', 'What is Office 365?', 'Can I bill my customers directly for BPOS?']);
  });

  it('dialogs/ loads with no errors and no warnings', async () => {
    const dialogs = await loadDialogs(path.join(ROOT, 'dialogs'));
    expect((dialogs.success ? dialogs.warnings : dialogs.problems).map(formatProblem)).toEqual([]);
  });
});
