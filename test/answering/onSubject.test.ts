import { decide } from '../../src/answering/answer';
import { viewOf } from '../../src/answering/replyText';
import { realContent, type Content } from '../helpers/realContent';

let content: Content;

beforeAll(async () => {
  content = await realContent();
});

/** The reply as the partner reads it: its band, text and opening sentence. */
function replyTo(question: string): { band: string; text: string; opening: string } {
  const reply = decide(question, content.kb.index);
  if (reply.kind === 'escalate') throw new Error(`"${question}" escalated`);
  const view = viewOf(reply, content.kb, content.messages);
  return { band: view.band, text: view.text, opening: view.text.split('\n')[0] ?? '' };
}

const DONT_KNOW = /^Sorry, (?:I don't have an answer|my sources don't cover)/;

describe('a question the sources answer is not refused for a word no article uses', () => {
  it.each([
    ['what is the free email thing for colleges', /Live@edu is a free Microsoft platform/],
    ['are resellers disgruntled with microsoft billing', /alienated some partners/],
    ["what's the spread of customers moved per top partner", /between 65 and 390 customers/],
  ])('"%s": the fact is shown', (question, fact) => {
    const reply = replyTo(question);
    expect(reply.band).not.toBe('noAnswer');
    expect(reply.text).toMatch(fact);
  });

  it('says what the sources do not give when the question pins down a period they do not state', () => {
    const reply = replyTo('how many people used office web apps in its first 2 months');
    expect(reply.band).toBe('partial');
    expect(reply.opening).toMatch(/^My sources don't give a figure for 2 months\./);
    expect(reply.text).toMatch(/20 million users in its first 100 days/);
  });

  it.each([
    ['not sure this is the place to ask but how many schools use live@edu', /10,000 schools/],
    ['no idea if ur the right bot but whats the deal with the government version of bpos', /government version/],
  ])('reads the question after a lead-in in the same sentence: "%s"', (question, fact) => {
    const reply = replyTo(question);
    expect(reply.band).toBe('answer');
    expect(reply.text).toMatch(fact);
  });
});

describe('a word no article uses still keeps out a question about something else', () => {
  it.each([
    ["what's the conference room booking policy at our office?", 'two shared words the billing article only happens to use'],
    ['how long does it take to make partner at a law firm?', '"partner" is in nearly every article'],
    ['how do i file my tax return online in the uk', 'a name no article uses is another subject'],
    ["the oil light on my car's dashboard keeps flashing, what does that mean", 'a question that points back to its lead-in is read with it'],
  ])('"%s" gets no article (%s)', (question) => {
    const reply = replyTo(question);
    expect(reply.band).toBe('noAnswer');
    expect(reply.opening).toMatch(DONT_KNOW);
  });
});

describe('a subject the sources do not cover, asked beside one they do', () => {
  it('gives way to the article the rest of the question is about, naming what the sources lack', () => {
    const reply = replyTo('is there a bpos flavour for big enterprises that want their own setup');
    expect(reply.band).toBe('partial');
    expect(reply.opening).toBe("My sources don't say anything about setup. Here is what they do say:");
    expect(reply.text).toMatch(/Dedicated edition/);
  });

  it.each(['how do i set up bpos for a customer', "what's the sla for the dedicated edition"])('"%s": still says the sources do not cover it', (question) => {
    expect(replyTo(question).opening).toMatch(/^Sorry, my sources don't cover technical set-up and support/);
  });
});

describe('a chief executive is not the general manager the sources name', () => {
  it.each(["who is microsoft's ceo", "who is microsoft's chief executive", 'who is the chairman of microsoft'])('"%s": no one is named as the answer', (question) => {
    const reply = replyTo(question);
    expect(reply.band).toBe('noAnswer');
    expect(reply.opening).toMatch(/^Sorry, my sources don't cover who runs Microsoft as a whole/);
    expect(reply.text).not.toMatch(/Betsy/);
  });

  it.each(['is betsy frost webb the ceo of microsoft', "betsy frost webb is microsoft's president isn't she"])('"%s": says what the sources do say of her, and not that she is', (question) => {
    const reply = replyTo(question);
    expect(reply.band).toBe('partial');
    expect(reply.opening).toMatch(/^My sources don't say anything about (?:ceo|president)\./);
    expect(reply.text).toMatch(/general manager of online services/);
  });
});

describe('words partners use for what the sources say', () => {
  it.each([
    ['what was office communications server renamed to', /Lync 2010 \(the product formerly called Office Communications Server\)/],
    ["what's covered in the bpos upgrade", /Exchange 2010, SharePoint 2010 and Lync 2010/],
    ['what will the upgraded bpos include', /Exchange 2010, SharePoint 2010 and Lync 2010/],
    ['is the channel annoyed about microsoft billing', /alienated some partners/],
  ])('"%s" is answered outright', (question, fact) => {
    const reply = replyTo(question);
    expect(reply.band).toBe('answer');
    expect(reply.text).toMatch(fact);
  });
});
