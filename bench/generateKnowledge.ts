/**
 * A generator of realistic synthetic knowledge bases, for the scale benchmarks: `count` articles in the
 * shape staff write them (front matter with a question title, a topic, alternate questions and tags; a
 * one-paragraph short answer; `## ` sections of bullets), over a vocabulary with the long tail of a real
 * programme's FAQ: the words of the real knowledge base and its sources are common and appear in many
 * articles (Zipf-distributed), and thousands of rarer words (product names, jargon) appear in a few.
 * The real articles, synonyms, sources and not-covered subjects are copied in, so the bot's own questions
 * still have their answers. Output goes to a folder the caller names (a temp folder): nothing generated is
 * committed.
 *
 *   node dist/bench/generateKnowledge.js <out-dir> <count> [seed]
 */
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSynonyms } from '../src/knowledge/contentFiles';
import { parseArticle } from '../src/knowledge/parseArticle';
import { Synonyms } from '../src/knowledge/Synonyms';
import { splitWords } from '../src/knowledge/words';

/** The project's folder, from dist/bench (built) or bench (run by the tests). */
const ROOT = [path.resolve(__dirname, '..'), path.resolve(__dirname, '../..')].find((d) => existsSync(path.join(d, 'package.json'))) ?? path.resolve(__dirname, '../..');

/** A small, fast, seedable PRNG (mulberry32), so a size always gives the same knowledge base. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FILLER = new Set(
  'a an the of to in on for and or is are was were be been it its this that with as at by from has have had will would can could not but if so than then there their they them these those which who what when where why how do does did you your we our us i my me'.split(
    ' ',
  ),
);

/** The real knowledge base's and sources' own words, commonest first: the common end of the vocabulary. */
function domainWords(): string[] {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md') && e.name !== 'README.md') texts.push(readFileSync(p, 'utf8').replace(/^---[\s\S]*?\n---\n/, ''));
    }
  };
  walk(path.join(ROOT, 'knowledge'));
  for (const f of ['000_ba61085adf343c51.txt', '004_c974c3f63b7ad0bd.txt']) {
    try {
      texts.push(readFileSync(path.join(ROOT, '..', 'shared', 'sources', f), 'utf8'));
    } catch {
      // the sources are optional: the knowledge base alone has most of their words
    }
  }
  const counts = new Map<string, number>();
  for (const t of texts) {
    for (const w of t.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? []) {
      if (w.length < 3 || FILLER.has(w) || /\d/.test(w)) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
}

/** Rarer words: real English words of 5-12 letters from the `word-list` package, picked by the seed. */
function rareWords(n: number, random: () => number): string[] {
  const file = path.join(path.dirname(require.resolve('word-list')), 'words.txt');
  const all = readFileSync(file, 'utf8').split('\n').filter((w) => /^[a-z]{5,12}$/.test(w));
  const out = new Set<string>();
  while (out.size < n) out.add(all[Math.floor(random() * all.length)] as string);
  return [...out];
}

export interface Vocabulary {
  /** Commonest first. */
  readonly words: readonly string[];
  /** Draws a word with probability ~ 1/rank (Zipf, s = 1). */
  pick(): string;
}

export function vocabulary(random: () => number, rareCount = 20000): Vocabulary {
  const words = [...domainWords(), ...rareWords(rareCount, random)];
  const unique = [...new Set(words)];
  // Cumulative Zipf weights, sampled by binary search.
  const cumulative: number[] = [];
  let sum = 0;
  for (let i = 0; i < unique.length; i += 1) {
    sum += 1 / (i + 1);
    cumulative.push(sum);
  }
  return {
    words: unique,
    pick: () => {
      const x = random() * sum;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      return unique[lo] as string;
    },
  };
}

const OPENERS = ['How does', 'What is', 'Can partners use', 'When does', 'Who manages', 'Why do customers choose', 'Is there', 'What changed in'];
const QUESTION_FORMS = [
  (a: string, b: string) => `What is ${a} ${b}?`,
  (a: string, b: string) => `How do partners handle ${a} for ${b}?`,
  (a: string, b: string) => `Does ${a} include ${b}?`,
  (a: string, b: string) => `When will ${a} support ${b}?`,
  (a: string, b: string) => `Who is responsible for ${a} ${b}?`,
  (a: string, b: string) => `Can I sell ${a} with ${b}?`,
];
const LINKS = ['and', 'with', 'for', 'across', 'through', 'under', 'as part of', 'alongside'];

function sentence(v: Vocabulary, random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i += 1) {
    out.push(i > 0 && random() < 0.18 ? (LINKS[Math.floor(random() * LINKS.length)] as string) : v.pick());
  }
  const s = out.join(' ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

function phrase(v: Vocabulary, n: number): string {
  return Array.from({ length: n }, () => v.pick()).join(' ');
}

/** One article file's text. */
export function article(i: number, count: number, topics: readonly string[], v: Vocabulary, random: () => number, taken: Taken): { id: string; text: string } {
  const id = `gen-${String(i).padStart(5, '0')}`;
  const subject = phrase(v, 2);
  const title = `${OPENERS[i % OPENERS.length]} ${subject} ${random() < 0.5 ? `for ${v.pick()}` : ''}`.replace(/\s+$/, '') + '?';
  // Alternate questions are unique across the knowledge base (the loader refuses a question two articles share).
  const questions: string[] = [];
  const wanted = 3 + Math.floor(random() * 3);
  for (let tries = 0; questions.length < wanted && tries < 50; tries += 1) {
    const form = QUESTION_FORMS[Math.floor(random() * QUESTION_FORMS.length)] as (a: string, b: string) => string;
    const q = form(subject, phrase(v, 1 + Math.floor(random() * 2)));
    if (!taken.claim(q)) continue;
    questions.push(q);
  }
  const tags = [...new Set([subject, ...Array.from({ length: 2 + Math.floor(random() * 3) }, () => phrase(v, 1 + Math.floor(random() * 2)))])];
  const related = Array.from({ length: 2 }, () => `gen-${String(Math.floor(random() * count)).padStart(5, '0')}`).filter((r) => r !== id);
  const short = `${sentence(v, random, 14 + Math.floor(random() * 12))} ${sentence(v, random, 10 + Math.floor(random() * 10))}`;
  const sections: string[] = [];
  const sectionCount = 1 + Math.floor(random() * 2);
  for (let s = 0; s < sectionCount; s += 1) {
    const heading = s === 0 ? 'More detail' : `${phrase(v, 2)}`.replace(/^./, (c) => c.toUpperCase());
    const bullets = Array.from({ length: 2 + Math.floor(random() * 4) }, () => `- ${sentence(v, random, 12 + Math.floor(random() * 18))}`);
    sections.push(`## ${heading}\n\n${bullets.join('\n')}`);
  }
  const yamlList = (xs: readonly string[]) => xs.map((x) => `  - ${JSON.stringify(x)}`).join('\n');
  const text = [
    '---',
    `id: ${id}`,
    `title: ${JSON.stringify(title.slice(0, 120))}`,
    `topic: ${JSON.stringify(topics[i % topics.length])}`,
    'questions:',
    yamlList(questions),
    `tags: [${tags.map((t) => JSON.stringify(t)).join(', ')}]`,
    `source: ${random() < 0.5 ? '000_ba61085adf343c51.txt' : '004_c974c3f63b7ad0bd.txt'}`,
    `asOf: ${random() < 0.5 ? 'spring 2011' : 'mid 2010'}`,
    `related: [${related.join(', ')}]`,
    '---',
    short,
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  return { id, text };
}

/**
 * Writes a knowledge folder of `count` articles to `out`: the real ones, then generated ones up to the
 * count, in topic folders of at most 500 files. Returns the vocabulary (for making questions).
 */
export async function generateKnowledge(out: string, count: number, seed = 42): Promise<Vocabulary> {
  const random = rng(seed);
  const v = vocabulary(random);
  await fs.rm(out, { recursive: true, force: true });
  await fs.cp(path.join(ROOT, 'knowledge'), out, { recursive: true });
  const real = (await listMarkdown(out)).length;
  const topics = Array.from({ length: 40 }, () => phrase(v, 2).replace(/^./, (c) => c.toUpperCase()));
  const generated = Math.max(0, count - real);
  const taken = await takenQuestions(out);
  for (let i = 0; i < generated; i += 1) {
    const { id, text } = article(i, generated, topics, v, random, taken);
    const dir = path.join(out, 'generated', `part-${Math.floor(i / 500)}`);
    if (i % 500 === 0) await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `${id}.md`), text);
  }
  return v;
}

/** The questions already used, by the key the loader compares them by (and by their words in any order). */
interface Taken {
  claim(question: string): boolean;
}

async function takenQuestions(dir: string): Promise<Taken> {
  const parsed = parseSynonyms(await fs.readFile(path.join(dir, 'synonyms.yaml'), 'utf8').catch(() => '[]'), 'synonyms.yaml');
  const synonyms = parsed.success ? parsed.data : new Synonyms([]);
  const keys = new Set<string>();
  const keysOf = (q: string) => {
    const folded = synonyms.fold(splitWords(q));
    return [folded.join(' '), [...folded].sort().join(' ')];
  };
  for (const file of await listMarkdown(dir)) {
    const a = parseArticle(await fs.readFile(path.join(dir, file), 'utf8'), file);
    if (a.success) for (const q of a.data.article.questions) for (const k of keysOf(q)) keys.add(k);
  }
  return {
    claim(question) {
      const ks = keysOf(question);
      if (ks.some((k) => keys.has(k))) return false;
      for (const k of ks) keys.add(k);
      return true;
    },
  };
}

async function listMarkdown(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.filter((e) => e.endsWith('.md') && path.basename(e) !== 'README.md');
}

/**
 * Questions for the benchmarks: `common` ones made only of the vocabulary's commonest words (long
 * posting lists: the expensive case); `rare` ones with one rare word, misspelt by a swap of two letters,
 * beside a common one (the spelling-correction case).
 */
export function benchQuestionsFor(v: Vocabulary, n: number, seed = 7): { common: string[]; rare: string[] } {
  const random = rng(seed);
  const top = v.words.slice(0, 60);
  const rareStart = Math.min(v.words.length - 1, 2000);
  const common: string[] = [];
  const rare: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const len = 3 + Math.floor(random() * 4);
    common.push(`what about ${Array.from({ length: len }, () => top[Math.floor(random() * top.length)]).join(' ')}?`);
    const word = v.words[rareStart + Math.floor(random() * (v.words.length - rareStart))] as string;
    const at = 1 + Math.floor(random() * (word.length - 2));
    const typo = word.slice(0, at) + word.charAt(at + 1) + word.charAt(at) + word.slice(at + 2);
    rare.push(`how does ${typo} work with ${top[Math.floor(random() * 10)]}`);
  }
  return { common, rare };
}

if (require.main === module) {
  const [out, count, seed] = process.argv.slice(2);
  if (!out || !count) {
    console.error('usage: node dist/bench/generateKnowledge.js <out-dir> <count> [seed]');
    process.exit(2);
  }
  generateKnowledge(out, Number(count), seed ? Number(seed) : 42).then(
    () => console.log(`wrote ${count} articles to ${out}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
