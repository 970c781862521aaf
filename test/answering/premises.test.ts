import { decide } from '../../src/answering/answer';
import { viewOf } from '../../src/answering/replyText';
import { realContent, type Content } from '../helpers/realContent';

let content: Content;

beforeAll(async () => {
  content = await realContent();
});

/** The reply's text as the partner reads it. */
function replyTo(question: string): string {
  const reply = decide(question, content.kb.index);
  if (reply.kind === 'escalate') throw new Error(`"${question}" escalated`);
  return viewOf(reply, content.kb, content.messages).text;
}

describe('a premise is corrected only when the sources state something else for it', () => {
  it.each([
    ['will BPOS get Exchange 2013?', /2013/],
    ['is SharePoint 2013 coming to bpos', /2013/],
    ['will Lync 2013 be part of BPOS?', /2013/],
    ['does the bpos upgrade include office 2013?', /2013/],
    ['is bpos getting exchange in 2014?', /2014/],
  ])('"%s": a version or year the sources never mention is not "corrected"; the reply says they do not say', (question, asked) => {
    const text = replyTo(question);
    expect(text).not.toMatch(/according to my sources/);
    const opening = text.split('\n')[0] ?? '';
    expect(opening).toMatch(/^My sources don't/);
    expect(opening).toMatch(asked);
  });

  it.each([
    ['is the WPC in August?', /^\*\*.*\*\*\n\nNot August, according to my sources\./, /July 2011/],
    ["wasn't WPC in June?", /Not June, according to my sources\./, /July 2011/],
    ['is the bpos preview due in the spring?', /Not spring, according to my sources\./, /in the fall/],
  ])('"%s": a time the sources give differently for the same thing is corrected, with the fact', (question, correction, fact) => {
    const text = replyTo(question);
    expect(text).toMatch(correction);
    expect(text).toMatch(fact);
  });
});
