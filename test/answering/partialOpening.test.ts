import { decide } from '../../src/answering/answer';
import { viewOf } from '../../src/answering/replyText';
import { realContent, type Content } from '../helpers/realContent';

let content: Content;

beforeAll(async () => {
  content = await realContent();
});

/** The reply's text as the partner reads it, and its opening sentence. */
function replyTo(question: string): { text: string; opening: string } {
  const reply = decide(question, content.kb.index);
  if (reply.kind === 'escalate') throw new Error(`"${question}" escalated`);
  const text = viewOf(reply, content.kb, content.messages).text;
  return { text, opening: text.split('\n')[0] ?? '' };
}

describe('the opening sentence of a partial answer says only what is true of the reply', () => {
  it.each([
    ['Box.net partnered with ADP for tax filing, right?', /^My sources don't say that about Box\.net\./, /IBM had also teamed up with ADP/],
    ['is lync coming to office 365?', /^My sources don't say that about office 365\./, /Lync 2010/],
    ['does office 365 include lync?', /^My sources don't say that about office 365\./, /Lync 2010/],
  ])('"%s": a name the sources do mention is not said to be absent from them', (question, opening, fact) => {
    const reply = replyTo(question);
    expect(reply.opening).toMatch(opening);
    expect(reply.text).not.toMatch(/don't say anything about/);
    expect(reply.text).toMatch(fact);
  });

  it.each([
    ['what date in july is the partner conference?', /July 2011/],
    ['on what day does the worldwide partner conference open?', /July 2011/],
    ["what's the date of microsoft's partner event this summer?", /July 2011/],
  ])('"%s": a date the reply gives is not said to be missing; only its day is', (question, fact) => {
    const reply = replyTo(question);
    expect(reply.opening).toBe("My sources don't give the exact day. Here is what they do say:");
    expect(reply.text).toMatch(fact);
  });

  it.each([
    ['is WPC 2011 in Las Vegas?', 'Las Vegas'],
    ['is windows 8 included in bpos?', 'windows 8'],
    ['does lotuslive have 5 million users?', '5 million users'],
    ['will bpos get exchange 2013', 'exchange 2013'],
  ])('"%s": names what is missing as the partner wrote it (%s), and nothing the reply states', (question, missing) => {
    expect(replyTo(question).opening).toBe(`My sources don't say anything about ${missing}. Here is what they do say:`);
  });
});

describe('a passage that points to another article gives way to it', () => {
  it.each(['what will the upgraded bpos include', 'what will the bpos upgrade bring?'])('"%s" shows the upgrade article, not the overview sentence that points to it', (question) => {
    const reply = decide(question, content.kb.index);
    expect(reply.kind === 'answer' || reply.kind === 'partial' ? reply.article.id : reply.kind).toBe('bpos-2010-upgrade');
    const { text } = replyTo(question);
    expect(text).toMatch(/Exchange 2010, SharePoint 2010 and Lync 2010/);
    expect(text).not.toMatch(/details are in the 2010 upgrade article/);
  });
});
