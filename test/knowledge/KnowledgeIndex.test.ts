import type { KnowledgeIndex, SearchResult } from '../../src/knowledge/KnowledgeIndex';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { isNameLike, specificity } from '../../src/knowledge/wordFrequency';

let index: KnowledgeIndex;

beforeAll(async () => {
  const kb = await loadKnowledge('knowledge');
  if (!kb.success) throw new Error(`the real knowledge base does not load:\n${JSON.stringify(kb.problems, null, 2)}`);
  index = kb.data.index;
});

const topId = (r: SearchResult) => r.hits[0]?.article.id;

describe('KnowledgeIndex on the real knowledge base', () => {
  it('ranks wpc-2011 first for "when is WPC?"', () => {
    expect(topId(index.search('when is WPC?'))).toBe('wpc-2011');
  });

  it('finds the same article for "Worldwide Partner Conference" and "WPC"', () => {
    const long = index.search('Worldwide Partner Conference');
    const short = index.search('WPC');
    expect(topId(long)).toBe('wpc-2011');
    expect(topId(short)).toBe('wpc-2011');
    expect(long.hits.map((h) => h.article.id)).toEqual(short.hits.map((h) => h.article.id));
  });

  it('finds the same article for "O365" and "Office 365"', () => {
    expect(topId(index.search('O365'))).toBe('office-365-successor');
    expect(topId(index.search('Office 365'))).toBe('office-365-successor');
  });

  it('still finds wpc-2011 through typos', () => {
    const result = index.search('wen is teh worldwide partner confrence');
    expect(topId(result)).toBe('wpc-2011');
    expect(result.words.map((w) => w.word)).toContain('wpc');
  });

  it('reports what the partner typed when it corrected a word', () => {
    const result = index.search('confrence');
    expect(topId(result)).toBe('wpc-2011');
    expect(result.words).toEqual([expect.objectContaining({ word: 'conference', typed: 'confrence' })]);
  });

  it('finds an article through typos in a multi-word name', () => {
    expect(topId(index.search('helth dashbord bpos'))).toBe('bpos-health-dashboard');
  });

  it('finds an article by part of a name that only one synonym group uses', () => {
    expect(topId(index.search('worldwide'))).toBe('wpc-2011');
  });

  it('finds Live@edu whether written with @ or as words', () => {
    expect(topId(index.search('what is Live@edu'))).toBe('live-at-edu');
    expect(topId(index.search('live at edu schools'))).toBe('live-at-edu');
  });

  it.each([
    ['Who is Betsy Frost Webb?', 'online-services-leadership'],
    ['how many seats has bpos sold', 'bpos-seats-growth'],
    ['is there a government edition', 'bpos-editions'],
    ['status dashboard for bpos outages', 'bpos-health-dashboard'],
    ['can partners bill end customers for the cloud', 'partner-billing-policy'],
  ])('ranks the right article first for "%s"', (question, id) => {
    expect(topId(index.search(question))).toBe(id);
  });

  describe('odd input', () => {
    it.each([
      ['title:bpos~2 +wpc -dell ^3 *'],
      [': ~ ^ - + * " ( )'],
      ['bpos:'],
      ['~wpc^10'],
      ['"office 365"'],
      ['(bpos) AND -wpc'],
      ['*'],
      ['constructor __proto__ toString'],
      ['x'.repeat(5000)],
    ])('never throws on %s', (question) => {
      expect(() => index.search(question)).not.toThrow();
    });

    it('searches the words in text with lunr syntax characters', () => {
      expect(topId(index.search('wpc~2 +when ^3'))).toBe('wpc-2011');
    });

    it.each([['the of and'], ['what is it?'], ['?!...'], [''], ['   '], ['🎉👍']])(
      'returns no hits for "%s", which has no words to search on',
      (question) => {
        expect(index.search(question).hits).toEqual([]);
      },
    );

    it('returns no hits for words no article uses', () => {
      expect(index.search('asdkjh qwe').hits).toEqual([]);
    });
  });

  describe('exact questions', () => {
    it('marks an alternate question asked word for word as exact', () => {
      const hit = index.search('Who is Betsy Frost Webb?').hits[0];
      expect(hit?.article.id).toBe('online-services-leadership');
      expect(hit?.exact).toBe(true);
    });

    it('ignores case, punctuation and filler when matching an alternate question', () => {
      const hit = index.search('hi, what is bpos').hits[0];
      expect(hit?.article.id).toBe('bpos-overview');
      expect(hit?.exact).toBe(true);
    });

    it('marks an article title asked word for word as exact', () => {
      const hit = index.search('Who competes with Microsoft BPOS in the cloud?').hits[0];
      expect(hit?.article.id).toBe('competitors');
      expect(hit?.exact).toBe(true);
    });

    it('does not mark a question that only shares words as exact', () => {
      const hits = index.search('when is wpc in july').hits;
      expect(hits.every((h) => !h.exact)).toBe(true);
    });

    it('marks at most one hit as exact', () => {
      expect(index.search('What is BPOS?').hits.filter((h) => h.exact)).toHaveLength(1);
    });
  });

  describe('not-covered subjects', () => {
    it('names the gap for "how much does office 365 cost per user"', () => {
      const result = index.search('how much does office 365 cost per user');
      expect(result.gap).toBeDefined();
      expect(result.gap).toMatch(/price|cost|licens/i);
    });

    it('names the gap regardless of word order and plurals', () => {
      expect(index.search('what are the prices per user').gap).toMatch(/price/i);
      expect(index.search('where is the wpc venue').gap).toMatch(/WPC/);
    });

    it('names no gap for a question the knowledge base covers', () => {
      expect(index.search('when is WPC?').gap).toBeUndefined();
      expect(index.search('what is bpos').gap).toBeUndefined();
    });

    it('names the gap even when the question has no other words to search on', () => {
      const result = index.search('pricing?');
      expect(result.gap).toBeDefined();
    });
  });

  describe('hits', () => {
    it('limits the number of hits', () => {
      expect(index.search('bpos', { limit: 2 }).hits).toHaveLength(2);
      expect(index.search('bpos').hits.length).toBeLessThanOrEqual(5);
    });

    it('gives each hit a coverage between 0 and 1', () => {
      for (const q of ['bpos pricing seats', 'when is wpc', 'microsoft cloud partners weather']) {
        for (const h of index.search(q).hits) {
          expect(h.coverage).toBeGreaterThanOrEqual(0);
          expect(h.coverage).toBeLessThanOrEqual(1);
        }
      }
    });

    it('gives full coverage when the top article contains every word', () => {
      expect(index.search('when is wpc').hits[0]?.coverage).toBe(1);
    });

    it('gives words the knowledge base has never seen weight, and marks them unknown', () => {
      const weather = index.search('weather in seattle').words.find((w) => w.word === 'weather');
      expect(weather?.known).toBe(false);
      expect(weather?.weight).toBeGreaterThan(0);
    });

    it('keeps question words as hints, not content', () => {
      const when = index.search('when is wpc').words.find((w) => w.word === 'when');
      expect(when?.kind).toBe('hint');
    });

    it('gives everyday words no weight, so they neither sink a match nor lift an unrelated one', () => {
      for (const w of ['old', 'name', 'good']) expect(index.search(`is bpos ${w}`).words.find((x) => x.word === w)?.weight).toBe(0);
      expect(index.search("what's the old name of lync").hits[0]?.article.id).toBe('bpos-2010-upgrade');
      expect(index.search('is bpos good').hits[0]?.article.id).not.toBe('mpn-cloud-partner-strategy');
    });

    it('weighs a common word that subtitles capitalise ("Come on", "According to") as the common word it is', () => {
      expect(index.search('do partners come first?').words.find((w) => w.word === 'come')?.weight).toBe(0);
      expect(specificity('according')).toBeLessThan(0.5);
      expect(isNameLike('according')).toBe(false);
    });

    it('reads a dictionary word nobody uses as a typo ("biling" is billing), and a word people use as itself', () => {
      expect(index.search('biling policy for partners').words.find((w) => w.typed === 'biling')?.word).toBe('billing');
      expect(index.search('charge for bpos').words.map((w) => w.word)).not.toContain('change');
    });

    it('weighs the kind of figure asked ("lowest", "combined") as a detail, not as the subject', () => {
      // "lowest" is rarer in everyday English than "highway", yet says which figure, not what it is about.
      const lowest = index.search('the lowest figure').words.find((w) => w.word === 'lowest');
      const highway = index.search('the highway figure').words.find((w) => w.word === 'highway');
      expect(lowest!.specificity).toBeGreaterThan(0.5);
      expect(lowest!.weight).toBeLessThan(highway!.weight * 0.5);
    });

    it('drops set phrases a question is wrapped in ("point of view", "hi team")', () => {
      const words = index.search('hi team, from a partner point of view, what are the challenges?').words.map((w) => w.word);
      expect(words).not.toEqual(expect.arrayContaining(['team']));
      expect(words).not.toContain('point');
      expect(words).not.toContain('view');
    });

    it('weighs a word read as a term from part of its phrase at half the term', () => {
      const guessed = index.search('browser').words[0];
      const written = index.search('office web apps').words[0];
      expect(guessed?.guessed).toBe(true);
      expect(guessed!.weight).toBeCloseTo(written!.weight / 2, 5);
    });

    it('ranks higher the article whose questions ask the same kind of question ("why ...")', () => {
      expect(index.search('why do customers choose bpos over the others').hits[0]?.article.id).toBe('bpos-why-customers-choose');
    });

    it('knows what a term says through its phrases: the seats article says "users" (paid users)', () => {
      expect(index.implies('bpos-seats-growth', 'users')).toBe(true);
      expect(index.implies('wpc-2011', 'users')).toBe(false);
      expect(index.sameUnit('users', index.stem('seats'))).toBe(true);
      expect(index.sameUnit('seats', index.stem('customers'))).toBe(false);
      expect(index.sameUnit('people', index.stem('users'))).toBe(true);
    });

    it('scores only articles that hold a telling word of the question', () => {
      const hits = index.search('is box.net on the list', { limit: 20 }).hits;
      expect(hits.length).toBeGreaterThan(0);
      for (const h of hits) expect(`${h.article.title} ${h.article.questions.join(' ')} ${h.article.tags.join(' ')} ${h.article.passages.map((p) => p.text).join(' ')}`.toLowerCase()).toMatch(/box\.net|list/);
    });

    it('gives a word every article uses almost no weight, so it cannot decide the winner', () => {
      const words = index.search('how many customers has CDW moved to BPOS').words;
      const bpos = words.find((w) => w.word === 'bpos');
      const cdw = words.find((w) => w.word === 'cdw');
      expect(bpos?.everywhere).toBe(true);
      expect(bpos!.weight * 10).toBeLessThan(cdw!.weight);
    });

    it('reads a hyphenated name as the name ("exchange-online" is Exchange Online)', () => {
      expect(index.search('does bpos include exchange-online').words.map((w) => w.word)).toContain('exchangeonline');
      expect(index.search('does bpos include exchange-online').hits[0]?.article.id).toBe('bpos-overview');
    });

    it('ranks the passages of each article, and the one that holds the asked detail first', () => {
      const hit = index.search('what was the combined total of customers the top partners migrated').hits[0];
      expect(hit?.article.id).toBe('top-cloud-partners');
      // The section's passages lead (its questions speak for all of them); the short answer follows.
      expect(hit?.passages.slice(0, 2).map((p) => p.passage.heading)).toEqual(['Customers per partner', 'Customers per partner']);
      expect(hit?.passages.find((p) => /1,040/.test(p.passage.text))?.own.has('total')).toBe(true);
      expect(hit?.passages[0]!.coverage).toBeGreaterThan(hit?.passages.find((p) => p.passage.index === 0)?.coverage ?? 1);
      expect(hit?.passages.map((p) => p.passage.index).sort()).toEqual(hit?.article.passages.map((p) => p.index));
    });

    it('matches a question staff aimed at a section, naming the section', () => {
      const hit = index.search('What does BPOS stand for?').hits[0];
      expect(hit).toMatchObject({ article: { id: 'bpos-overview' }, exact: false, exactSection: 'The name' });
    });

    it('lets words of the context help a passage but never count against one', () => {
      const alone = index.search('how many of those are there', { limit: 3 });
      const withContext = index.search('how many of those are there', { context: 'live@edu schools', limit: 3 });
      expect(withContext.hits[0]?.article.id).toBe('live-at-edu');
      expect(withContext.words.filter((w) => w.context).map((w) => w.word)).toEqual(['live@edu', 'schools']);
      expect(alone.words.some((w) => w.context)).toBe(false);
    });

    it('lets get() find an article by id', () => {
      expect(index.get('wpc-2011')?.title).toMatch(/WPC/);
      expect(index.get('no-such-article')).toBeUndefined();
    });
  });
});

describe('KnowledgeIndex scores only the articles that could reach the top', () => {
  const questions = [
    'when is WPC?',
    'how many seats has BPOS sold',
    'what does Office 365 replace',
    'partner billing for cloud services',
    'which partners moved the most customers',
    'why do customers like bpos?',
    'is there a dedicated edition',
    'what about microsoft cloud partners',
    'wen is teh worldwide partner confrence',
    'how does that compare with exchange',
  ];

  it.each(questions)('gives the same best hits for "%s" as ranking every article', (q) => {
    for (const options of [{}, { context: 'BPOS seats growth', followUp: true }, { context: 'Office 365 launch' }]) {
      const all = index.search(q, { ...options, limit: 1000 });
      const few = index.search(q, { ...options, limit: 3 });
      const view = (r: SearchResult) => r.hits.map((h) => [h.article.id, h.score, h.coverage, h.about, h.passages.map((p) => [p.passage.index, p.coverage])]);
      expect(view(few)).toEqual(view(all).slice(0, 3));
    }
  });
});
