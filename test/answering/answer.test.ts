import { ANSWER_THRESHOLD, CLARIFY_THRESHOLD, bandOf, decide } from '../../src/answering/answer';
import type { Reply } from '../../src/answering/Reply';
import type { KnowledgeIndex } from '../../src/knowledge/KnowledgeIndex';
import type { SmallTalkWords } from '../../src/answering/smallTalk';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { realContent } from '../helpers/realContent';

let index: KnowledgeIndex;
let smallTalk: SmallTalkWords;

beforeAll(async () => {
  const kb = await loadKnowledge('knowledge');
  if (!kb.success) throw new Error(`the real knowledge base does not load:\n${JSON.stringify(kb.problems, null, 2)}`);
  index = kb.data.index;
  smallTalk = (await realContent()).phrases.smallTalk;
});

function confidence(reply: Reply): number {
  if (reply.kind === 'smallTalk' || reply.kind === 'escalate') throw new Error(`expected a searched reply, got ${reply.kind}`);
  return reply.confidence;
}

describe('bandOf', () => {
  it('answers at or above the answer threshold', () => {
    expect(bandOf(1)).toBe('answer');
    expect(bandOf(ANSWER_THRESHOLD)).toBe('answer');
  });

  it('asks "did you mean" between the two thresholds', () => {
    expect(bandOf(ANSWER_THRESHOLD - 0.001)).toBe('clarify');
    expect(bandOf(CLARIFY_THRESHOLD)).toBe('clarify');
  });

  it('has no answer below the clarify threshold', () => {
    expect(bandOf(CLARIFY_THRESHOLD - 0.001)).toBe('noAnswer');
    expect(bandOf(0)).toBe('noAnswer');
  });

  it('keeps the clarify band below the answer band', () => {
    expect(CLARIFY_THRESHOLD).toBeGreaterThan(0);
    expect(CLARIFY_THRESHOLD).toBeLessThan(ANSWER_THRESHOLD);
    expect(ANSWER_THRESHOLD).toBeLessThanOrEqual(1);
  });
});

describe('decide on the real knowledge base', () => {
  describe('clear questions', () => {
    it.each([
      ['when is WPC?', 'wpc-2011'],
      ['What is BPOS?', 'bpos-overview'],
      ['what is o365', 'office-365-successor'],
      ['how many seats has bpos sold', 'bpos-seats-growth'],
      ['Who is Betsy Frost Webb?', 'online-services-leadership'],
      ['wen is teh worldwide partner confrence', 'wpc-2011'],
    ])('answers "%s" with %s', (question, id) => {
      const reply = decide(question, index, { smallTalk });
      if (reply.kind !== 'answer') throw new Error(`expected an answer, got ${JSON.stringify(reply)}`);
      expect(reply.article.id).toBe(id);
      expect(reply.confidence).toBeGreaterThanOrEqual(ANSWER_THRESHOLD);
    });

    it('offers up to three follow-ups, in the order of the article\'s related list', () => {
      const reply = decide('when is WPC?', index, { smallTalk });
      if (reply.kind !== 'answer') throw new Error('expected an answer');
      expect(reply.followUps.map((a) => a.id)).toEqual(['cloud-vs-on-premise', 'office-365-successor', 'mpn-cloud-partner-strategy']);
    });

    it('offers only related articles as follow-ups, never the answer itself', () => {
      for (const q of ['What is BPOS?', 'what is live@edu', 'who leads online services']) {
        const reply = decide(q, index, { smallTalk });
        if (reply.kind !== 'answer') throw new Error(`expected an answer to "${q}"`);
        const related = reply.article.related.slice(0, 3);
        expect(reply.followUps.map((a) => a.id)).toEqual(related);
        expect(reply.followUps.map((a) => a.id)).not.toContain(reply.article.id);
        expect(reply.followUps.length).toBeLessThanOrEqual(3);
      }
    });

    it('offers fewer follow-ups when the article lists fewer related articles', () => {
      const reply = decide('what is live@edu', index, { smallTalk });
      if (reply.kind !== 'answer') throw new Error('expected an answer');
      expect(reply.followUps.map((a) => a.id)).toEqual(['bpos-overview', 'bpos-seats-growth']);
    });
  });

  describe('questions it should not answer confidently', () => {
    it.each([['who won the world cup'], ['what is the capital of france']])('does not bend real words into others to answer "%s"', (question) => {
      expect(decide(question, index, { smallTalk }).kind).not.toBe('answer');
    });

    it('reads chat shorthand as meant ("wat is bpos")', () => {
      expect(decide('wat is bpos', index, { smallTalk })).toMatchObject({ kind: 'answer', article: { id: 'bpos-overview' } });
    });

    it.each([['partners'], ['cloud'], ["what's MSPmentor"], ['microsoft partners']])(
      'does not answer the generic "%s" outright: several articles fit equally',
      (question) => {
        expect(decide(question, index, { smallTalk }).kind).not.toBe('answer');
      },
    );

    it.each([['?'], ['!!!'], ['😀👍']])('shows help for "%s" (nothing to search on)', (text) => {
      expect(decide(text, index, { smallTalk })).toMatchObject({ kind: 'smallTalk', intent: 'help' });
    });

    it.each([["what's the weather in seattle"], ['tell me a joke'], ['asdkjh qwe'], ['who won the football last night']])(
      'never answers the off-topic "%s"',
      (question) => {
        expect(decide(question, index, { smallTalk }).kind).not.toBe('answer');
        expect(bandOf(confidence(decide(question, index, { smallTalk })))).not.toBe('answer');
      },
    );

    it.each([["what's the conference room booking policy at our office?"], ['what is the seat pitch policy on a 747 conference flight?']])(
      'offers no article for "%s": it shares "conference" and "policy" with the knowledge base but is about something else',
      (question) => {
        expect(decide(question, index, { smallTalk })).toMatchObject({ kind: 'noAnswer' });
      },
    );

    it('still answers a question with one word the knowledge base lacks when the passage covers nearly all of it', () => {
      const reply = decide('most customers migrated by a single top partner?', index, { smallTalk });
      expect(reply.kind).not.toBe('noAnswer');
      expect(JSON.stringify(reply)).toContain('390');
    });

    it.each([
      ['Does Microsoft authorise partners to handle the billing for their customers cloud subscriptions?', 'partner-billing-policy'],
      ['Why do customers favour BPOS?', 'bpos-why-customers-choose'],
    ])('reads British spelling as the articles\' words: "%s"', (question, id) => {
      expect(decide(question, index, { smallTalk })).toMatchObject({ kind: 'answer', article: { id } });
    });

    it('reads "grew" as "grow": a question about how BPOS grew finds its growth', () => {
      const reply = decide('how much has bpos grew this year?', index, { smallTalk });
      expect(reply.kind).not.toBe('noAnswer');
      expect(JSON.stringify(reply)).toContain('threefold');
    });

    it('says there is nothing to search on for a question of only filler', () => {
      expect(decide('what is it?', index, { smallTalk })).toMatchObject({ kind: 'noAnswer', reason: 'vague' });
    });

    it('says there is no match for words the knowledge base has never seen', () => {
      expect(decide('asdkjh qwe', index, { smallTalk })).toMatchObject({ kind: 'noAnswer', reason: 'noMatch' });
    });

    it('asks "did you mean" with up to three candidates for an ambiguous word', () => {
      const reply = decide('microsoft', index, { smallTalk });
      if (reply.kind !== 'clarify') throw new Error(`expected clarify, got ${JSON.stringify(reply)}`);
      expect(reply.candidates.length).toBeGreaterThan(1);
      expect(reply.candidates.length).toBeLessThanOrEqual(3);
      expect(new Set(reply.candidates.map((a) => a.id)).size).toBe(reply.candidates.length);
    });
  });

  describe('subjects the sources do not cover', () => {
    it.each([['what is the price per user for bpos'], ['where is wpc held'], ['what margin do partners make on bpos']])(
      'says "%s" is not covered, naming the gap',
      (question) => {
        const reply = decide(question, index, { smallTalk });
        if (reply.kind !== 'noAnswer') throw new Error(`expected noAnswer, got ${JSON.stringify(reply)}`);
        expect(reply.reason).toBe('notCovered');
        expect(reply.gap).toBe(index.search(question).gap);
        expect(reply.gap).toBeTruthy();
      },
    );

    it('says plainly that the sources give no Office 365 price, from the passage that says so', () => {
      const reply = decide('how much will office 365 cost', index, { smallTalk });
      if (reply.kind !== 'partial') throw new Error(`expected a partial answer, got ${reply.kind}`);
      expect(reply.passages.map((p) => p.passage.text).join(' ')).toMatch(/do not say .* cost/);
    });

    it('still answers an alternate question asked word for word even if it touches a gap', () => {
      // "Is BPOS chosen because of its price?" is one of bpos-why-customers-choose's questions.
      const reply = decide('Is BPOS chosen because of its price?', index, { smallTalk });
      expect(reply).toMatchObject({ kind: 'answer', article: expect.objectContaining({ id: 'bpos-why-customers-choose' }) });
    });
  });

  describe('small talk', () => {
    it('recognises small talk before searching', () => {
      expect(decide('hi', index, { smallTalk })).toEqual({ kind: 'smallTalk', intent: 'greeting' });
      expect(decide('talk to a human please', index, { smallTalk })).toEqual({ kind: 'escalate' });
    });

    it('answers a question wrapped in a greeting', () => {
      const reply = decide('hi, when is wpc?', index, { smallTalk });
      expect(reply).toMatchObject({ kind: 'answer', article: expect.objectContaining({ id: 'wpc-2011' }) });
    });
  });

  it('keeps confidence within 0 and 1', () => {
    const questions = [
      'when is WPC?',
      'partners',
      'microsoft',
      'cloud',
      'bpos pricing',
      'asdkjh qwe',
      'title:bpos~2 +wpc -dell ^3 *',
      'the of and',
      'how do i migrate',
      'who competes with bpos',
    ];
    for (const q of questions) {
      const c = confidence(decide(q, index, { smallTalk }));
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });

  it('gives an exact alternate question full confidence', () => {
    expect(confidence(decide('What does BPOS stand for?', index, { smallTalk }))).toBe(1);
  });
});
