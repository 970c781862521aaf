import { acceptAnswer, beginFlow, helpOf, mayBeQuestion, progressFrom, promptOf, rememberedFrom, type EscalationProgress } from '../../src/escalation/flow';
import type { EscalationScript } from '../../src/escalation/script';
import type { AnswerWords } from '../../src/escalation/validateAnswer';
import { realContent } from '../helpers/realContent';

/** Yes, no and skip as the shipped dialogs/phrases.yaml lists them. */
let words: AnswerWords;
beforeAll(async () => {
  words = (await realContent()).phrases.answers;
});

/** The escalation flow as plain functions: next prompt, accept an answer, confirm, edit. */
async function support(): Promise<{ script: EscalationScript; messages: Awaited<ReturnType<typeof realContent>>['messages'] }> {
  const { scripts, messages } = await realContent();
  const script = scripts.find((s) => s.id === 'support');
  if (!script) throw new Error('no support script');
  return { script, messages };
}

function answerAll(script: EscalationScript, messages: Parameters<typeof acceptAnswer>[3], answers: readonly string[]): EscalationProgress {
  let p = beginFlow(script);
  for (const a of answers) {
    const r = acceptAnswer(script, p, a, messages, words);
    if (r.kind !== 'next') throw new Error(`"${a}" was not taken: ${r.kind}`);
    p = r.progress;
  }
  return p;
}

describe('escalation flow', () => {
  it('asks the steps in order, then the confirmation with the summary, and "yes" gives the answers', async () => {
    const { script, messages } = await support();
    const start = beginFlow(script);
    expect(start).toEqual({ scriptId: 'support', answers: {}, phase: 'collect', current: 'question' });
    expect(promptOf(script, start, {}, messages)).toEqual({ text: 'What should partner support help you with?', buttons: [] });
    const p = answerAll(script, messages, ['Q', 'Jane', 'JANE@Contoso.COM', 'Contoso', 'skip', 'skip']);
    expect(p).toEqual({ scriptId: 'support', phase: 'confirm', answers: { question: 'Q', name: 'Jane', email: 'JANE@contoso.com', company: 'Contoso', partnerId: '', phone: '' } });
    const confirm = promptOf(script, p, {}, messages);
    expect(confirm.text).toMatch(/E-mail: JANE@contoso\.com/);
    expect(confirm.buttons).toEqual(['Yes', 'No']);
    expect(acceptAnswer(script, p, 'yes please', messages, words)).toEqual({ kind: 'confirmed', answers: p.answers });
  });

  it('refuses an answer that does not fit with the step\'s reason, leaving the progress as it was', async () => {
    const { script, messages } = await support();
    const p = answerAll(script, messages, ['Q', 'Jane']);
    expect(acceptAnswer(script, p, 'not-an-email', messages, words)).toEqual({ kind: 'refused', reason: messages.answerEmail });
    expect(acceptAnswer(script, p, '', messages, words)).toEqual({ kind: 'refused', reason: messages.answerEmpty });
    expect(acceptAnswer(script, p, `${'a'.repeat(300)}@x.com`, messages, words)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/254|characters/) });
  });

  it('"no" at the confirmation asks which answer to change; the chosen one is asked again, then the confirmation', async () => {
    const { script, messages } = await support();
    const p = answerAll(script, messages, ['Q', 'Jane', 'jane@contoso.com', 'Contoso', 'skip', 'skip']);
    const edit = acceptAnswer(script, p, 'no', messages, words);
    if (edit.kind !== 'next') throw new Error('no edit');
    expect(edit.progress.phase).toBe('edit');
    expect(promptOf(script, edit.progress, {}, messages)).toEqual({ text: messages.whichToChange, buttons: ['Question', 'Name', 'E-mail', 'Company', 'Partner ID', 'Phone'] });
    expect(acceptAnswer(script, edit.progress, 'nothing of the sort', messages, words)).toEqual({ kind: 'refused', reason: messages.answerChoice });
    const again = acceptAnswer(script, edit.progress, 'company', messages, words);
    expect(again).toMatchObject({ kind: 'next', progress: { phase: 'collect', current: 'company' } });
    if (again.kind !== 'next') return;
    expect(again.progress.answers).not.toHaveProperty('company');
    expect(acceptAnswer(script, again.progress, 'Fabrikam', messages, words)).toMatchObject({ kind: 'next', progress: { phase: 'confirm', answers: { company: 'Fabrikam', name: 'Jane' } } });
  });

  it('offers a remembered detail as a button, and says how to skip an optional step', async () => {
    const { script, messages } = await support();
    const atName = answerAll(script, messages, ['Q']);
    expect(promptOf(script, atName, { name: 'Jane Doe' }, messages)).toEqual({ text: `What's your name?\n\n${messages.reuseKnown.replace('{value}', 'Jane Doe')}`, buttons: ['Jane Doe'] });
    const billing = (await realContent()).scripts.find((s) => s.id === 'billing');
    if (!billing) throw new Error('no billing');
    expect(promptOf(billing, beginFlow(billing), {}, messages).buttons).toEqual(['An invoice or charge', 'A subscription change', 'Billing policy', 'Something else']);
  });

  it('"help" is the step\'s own help, or the confirmation\'s', async () => {
    const { script, messages } = await support();
    expect(helpOf(script, answerAll(script, messages, ['Q', 'Jane']), messages)).toMatch(/partner support will use to reply/);
    expect(helpOf(script, answerAll(script, messages, ['Q', 'Jane', 'j@c.com', 'C', 'skip', 'skip']), messages)).toBe(messages.confirmHelp);
  });

  it('a message that does not fit a step, or a question where a name is expected, may be a knowledge question', async () => {
    const { script, messages } = await support();
    // A free-text description takes anything, a question included.
    expect(mayBeQuestion(script, beginFlow(script), 'when is WPC?', words)).toBe(false);
    expect(mayBeQuestion(script, answerAll(script, messages, ['Q']), 'when is WPC?', words)).toBe(true);
    expect(mayBeQuestion(script, answerAll(script, messages, ['Q', 'Jane']), 'live edu', words)).toBe(true);
    expect(mayBeQuestion(script, answerAll(script, messages, ['Q']), 'Jane', words)).toBe(false);
  });

  it('keeps the remembered details of a finished request, and reads stored progress defensively', async () => {
    const { script } = await support();
    expect(rememberedFrom(script, { question: 'Q', name: 'Jane', email: 'j@c.com', company: 'C', partnerId: '', phone: '' })).toEqual({ name: 'Jane', email: 'j@c.com', company: 'C' });
    expect(progressFrom({ scriptId: 'support', answers: { question: 'Q', bogus: 'x', name: 7 }, phase: 'collect' }, [script])).toEqual({ scriptId: 'support', answers: { question: 'Q' }, phase: 'collect', current: 'name' });
    expect(progressFrom({ scriptId: 'gone', answers: {}, phase: 'collect' }, [script])).toBeUndefined();
    expect(progressFrom({ scriptId: 'support', answers: [], phase: 'collect' }, [script])).toBeUndefined();
    expect(progressFrom({ scriptId: 'support', answers: {}, phase: 'done' }, [script])).toBeUndefined();
  });
});
