import { answerInConversation, type TopicContext } from '../../src/answering/conversation';
import { coreConversation } from '../../src/answering/evalConversation';
import type { Shown } from '../../src/answering/evaluate';
import { realContent, type Content } from '../helpers/realContent';

/**
 * Follow-ups as the partner reads them: each message goes through the conversation logic with the
 * context the last one left, and comes back as the text and band every channel shows.
 */
let content: Content;

beforeAll(async () => {
  content = await realContent();
});

/** Asks each message in order in one conversation; returns what the partner read for each. */
function chat(...messages: string[]): Shown[] {
  const say = coreConversation(content.kb, { messages: content.messages, smallTalk: content.phrases.smallTalk });
  return messages.map((m) => {
    const shown = say(m);
    expect(shown).toHaveLength(1);
    return shown[0] as Shown;
  });
}

function last(...messages: string[]): Shown {
  return chat(...messages).at(-1) as Shown;
}

describe('an elliptical follow-up that names a new subject keeps what the last question asked', () => {
  it('"and for BPOS?" after a billing question about Office 365 answers billing for BPOS, not what BPOS is', () => {
    const reply = last('whats office 365 all about', 'when does it launch?', 'how much will it cost?', 'can I bill for it?', 'and for BPOS?');
    expect(reply.text).toMatch(/did not let channel partners manage billing/);
    expect(reply.text).not.toMatch(/What is BPOS\?/);
  });

  it('"and for Office 365?" after billing for BPOS says the sources do not say whether it changes', () => {
    const reply = last('can partners handle end customer billing for BPOS?', 'and for office 365?');
    expect(reply.articleId).toBe('office-365-successor');
    expect(reply.text).toMatch(/does not say whether this changes with Office 365/);
  });

  it('"and box.net?" after what IBM added asks what Box.net added', () => {
    const reply = last('what has ibm added to lotuslive', 'and box.net?');
    expect(reply.text).toMatch(/Android/);
  });

  it('"and the smallest one?" after a question about CDW asks about the smallest partner, not CDW', () => {
    const reply = last('top us cloud partners', 'is HP one of them?', 'how many did CDW migrate?', 'and the smallest one?');
    expect(reply.text).toMatch(/\b65\b/);
  });

  it('"and all ten together?" after a question about Dell asks about all ten', () => {
    const reply = last("who are microsoft's top 10 cloud partners in the us?", 'what about Dell, how many customers has it moved?', 'and all ten together?');
    expect(reply.text).toMatch(/1,040/);
  });
});

describe('a follow-up carries the last question, not the whole conversation', () => {
  it('a new subject after several turns is answered as it would be alone', () => {
    const turns = chat("who are bpos's main rivals", "when's wpc", 'what about billing?', 'and the dashboard?');
    expect(turns[2]?.text).toMatch(/did not let channel partners manage billing/);
    const dashboard = turns[3];
    expect(dashboard?.band).toBe('answer');
    expect(dashboard?.articleId).toBe('bpos-health-dashboard');
    expect(dashboard?.text).toMatch(/problems with the services/);
  });

  it('what the conversation remembers holds the last question, not the first ones', () => {
    const { smallTalk } = content.phrases;
    let ctx: TopicContext | undefined;
    for (const m of ["who are bpos's main rivals", "when's wpc", 'what about billing?', 'and the dashboard?']) {
      ctx = answerInConversation(m, content.kb.index, ctx, new Date(), smallTalk).context;
    }
    expect(ctx?.question).toMatch(/dashboard/);
    expect(ctx?.question).not.toMatch(/rivals|wpc/);
  });

  it('a question with no words of its own ("how come?") still passes the subject on to the next one', () => {
    const turns = chat('are resellers allowed to invoice their own customers for microsoft cloud services?', 'how come?', 'has that upset anyone?');
    expect(turns[2]?.text).toMatch(/alienated/);
  });
});

describe('a follow-up that names no subject stays on the conversation\'s subject', () => {
  it('the cost of Office 365 is not answered with what BPOS costs', () => {
    const reply = last('whats office 365 all about', 'when does it launch?', 'how much will it cost?');
    expect(reply.band).not.toBe('answer');
    expect(reply.text).not.toMatch(/cost is attractive/);
    expect(reply.text).toMatch(/do not say what Office 365 will include, what it will cost/);
  });

  it('"what\'s the price?" after Office 365 gets no other product\'s fact', () => {
    const reply = last('tell me about office 365', "what's the price?");
    expect(reply.band).not.toBe('answer');
    expect(reply.text).not.toMatch(/BPOS's popularity|cost is attractive/);
  });

  it('"who announced it?" about the health dashboard does not answer with another article\'s announcement', () => {
    const reply = last("what's the bpos health dashboard?", 'who announced it?');
    expect(reply.band).not.toBe('answer');
    expect(reply.text).not.toMatch(/direct sales|global 2000|government version/);
  });

  it('names given with the subject do not hold a later follow-up to them: "how many seats has it sold?" after what BPOS stands for', () => {
    const reply = last('what does bpos stand for', 'how many seats has it sold?');
    expect(reply.text).toMatch(/40 million/);
  });

  it('"the exact days?" after a question about WPC says the day is not given', () => {
    const reply = last('what is microsoft focusing on at wpc', 'and the exact days?');
    expect(reply.band).not.toBe('answer');
    expect(reply.text).toMatch(/don't give the exact day|don't give that date/);
  });
});

describe('"why not?" about a fact the sources state without a reason', () => {
  it('says the sources do not give the reason instead of repeating the answer', () => {
    const [first, why] = chat('can partners bill end customers for microsoft online', 'why not?');
    expect(first?.text).toMatch(/did not let channel partners manage billing/);
    expect(why?.band).toBe('partial');
    expect(why?.text).toMatch(/don't give the reason/);
    expect(why?.text).not.toMatch(/did not let channel partners manage billing/);
  });

  it('reads "how come?" the same way', () => {
    const why = last('are resellers allowed to invoice their own customers for microsoft cloud services?', 'how come?');
    expect(why.text).toMatch(/don't give the reason/);
  });

  it('still answers a "why" whose answer the sources give', () => {
    const why = last('is bpos popular?', 'why?');
    expect(why.band).toBe('answer');
    expect(why.text).toMatch(/familiar/);
  });

  it('"why does that matter?" asks more than the reason for the fact, and gets what the sources say', () => {
    const reply = last('can partners bill their cloud customers directly?', 'why does that matter?');
    expect(reply.text).toMatch(/alienated/);
  });
});
