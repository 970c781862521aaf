import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { asOfStart, type Article } from './Article';
import { parseGaps, parseSources, parseSynonyms, type SourceDoc } from './contentFiles';
import { KnowledgeIndex } from './KnowledgeIndex';
import { parseArticle, type ParsedArticle } from './parseArticle';
import type { Problem, Result } from './Problem';
import { Synonyms } from './Synonyms';
import { splitWords } from './words';

export const SYNONYMS_FILE = 'synonyms.yaml';
export const SOURCES_FILE = 'sources.yaml';
export const GAPS_FILE = 'not-covered.yaml';

/** A loaded, validated, searchable knowledge base. Immutable: a reload builds a new one. */
export interface KnowledgeBase {
  readonly index: KnowledgeIndex;
  readonly articles: readonly Article[];
  readonly sources: ReadonlyMap<string, SourceDoc>;
  /** Topics in the order they first appear, for help messages. */
  readonly topics: readonly string[];
  readonly version: { readonly articles: number; readonly hash: string; readonly loadedAt: string };
}

/**
 * Parsed articles by file, kept from one load to the next so that a reload parses again only the files
 * whose text changed. Holds one entry per article file (files gone from the folder are forgotten).
 */
export class ArticleCache {
  private readonly byFile = new Map<string, { digest: string; result: Result<ParsedArticle> }>();

  parse(file: string, text: string): Result<ParsedArticle> {
    const digest = createHash('sha1').update(text).digest('base64');
    const known = this.byFile.get(file);
    if (known && known.digest === digest) return known.result;
    const result = parseArticle(text, file);
    this.byFile.set(file, { digest, result });
    return result;
  }

  /** Forgets every file not in `files`. */
  keepOnly(files: readonly string[]): void {
    const keep = new Set(files);
    for (const file of this.byFile.keys()) if (!keep.has(file)) this.byFile.delete(file);
  }
}

/**
 * Reads and validates every article (`**\/*.md` except README.md), `synonyms.yaml` and `sources.yaml`
 * under `dir`, and builds the index. Every problem in every file is returned at once; the knowledge
 * base is built only when there are no errors.
 */
export async function loadKnowledge(dir: string, now: Date = new Date(), cache?: ArticleCache): Promise<Result<KnowledgeBase>> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { success: false, problems: [{ file: dir, line: 0, message: `cannot read the knowledge folder: ${e.code ?? e.message}`, severity: 'error' }] };
  }
  const read = (rel: string) => fs.readFile(path.join(dir, rel), 'utf8');
  const hash = createHash('sha256');
  const problems: Problem[] = [];
  const articleFiles = files.filter((f) => f.endsWith('.md') && path.basename(f).toLowerCase() !== 'readme.md');

  const texts = await Promise.all(articleFiles.map(async (f) => ({ file: f, text: await read(f) })));
  const parsed: ParsedArticle[] = [];
  /** Ids of articles that exist but did not parse: links to them are not reported again. */
  const broken = new Set<string>();
  for (const { file, text } of texts) {
    hash.update(file).update('\0').update(text).update('\0');
    const result = cache ? cache.parse(file, text) : parseArticle(text, file);
    if (result.success) {
      parsed.push(result.data);
      problems.push(...result.warnings);
    } else {
      problems.push(...result.problems);
      const id = /^id:\s*["']?([a-z0-9-]+)/m.exec(text)?.[1];
      if (id) broken.add(id);
    }
  }

  cache?.keepOnly(articleFiles);
  const synonyms = await readOptional(dir, SYNONYMS_FILE, hash, (t) => parseSynonyms(t, SYNONYMS_FILE), problems);
  const sources = await readOptional(dir, SOURCES_FILE, hash, (t) => parseSources(t, SOURCES_FILE), problems);
  const gaps = await readOptional(dir, GAPS_FILE, hash, (t) => parseGaps(t, GAPS_FILE), problems);
  if (articleFiles.length === 0) problems.push({ file: dir, line: 0, message: 'no articles (*.md) found', severity: 'error' });

  problems.push(...crossCheck(parsed, broken, sources ?? new Map(), synonyms ?? new Synonyms([]), now));
  if (problems.some((p) => p.severity === 'error') || !synonyms || !sources || !gaps) {
    return { success: false, problems: sortProblems(problems) };
  }

  const articles = parsed.map((p) => p.article).sort((a, b) => a.file.localeCompare(b.file));
  return {
    success: true,
    warnings: sortProblems(problems),
    data: {
      index: await KnowledgeIndex.create(articles, synonyms, gaps),
      articles,
      sources,
      topics: [...new Set(articles.map((a) => a.topic))],
      version: { articles: articles.length, hash: hash.digest('hex').slice(0, 12), loadedAt: new Date().toISOString() },
    },
  };
}

/** Problems that need more than one file to see: ids, links, sources, collisions, dates. */
function crossCheck(
  parsed: readonly ParsedArticle[],
  broken: ReadonlySet<string>,
  sources: ReadonlyMap<string, SourceDoc>,
  synonyms: Synonyms,
  now: Date,
): Problem[] {
  const problems: Problem[] = [];
  const error = (file: string, line: number, message: string) => problems.push({ file, line, message, severity: 'error' });
  const byId = new Map<string, ParsedArticle>();
  for (const p of parsed) {
    const first = byId.get(p.article.id);
    if (first) error(p.article.file, p.lineOf(['id']), `duplicate id "${p.article.id}" (also used by ${first.article.file})`);
    else byId.set(p.article.id, p);
  }

  const questionOwner = new Map<string, { id: string; text: string }>();
  const questionKey = (t: string) => synonyms.fold(splitWords(t)).join(' ');
  for (const p of parsed) {
    const a = p.article;
    a.related.forEach((id, i) => {
      if (!byId.has(id) && !broken.has(id)) error(a.file, p.lineOf(['related', i]), `related article "${id}" does not exist`);
      else if (id === a.id) error(a.file, p.lineOf(['related', i]), 'an article cannot be related to itself');
    });
    a.sources.forEach((s, i) => {
      if (!sources.has(s)) {
        const at = a.sources.length > 1 ? ['source', i] : ['source'];
        error(a.file, p.lineOf(at), `source "${s}" is not listed in ${SOURCES_FILE}`);
      }
    });
    if (asOfStart(a.asOf) > now) error(a.file, p.lineOf(['asOf']), `asOf "${a.asOf}" is in the future`);
    a.questions.forEach((q, i) => {
      const key = questionKey(q);
      const owner = questionOwner.get(key);
      if (owner && owner.id !== a.id) {
        error(a.file, p.lineOf(['questions', i]), `question "${q}" is also a question of article "${owner.id}"; partners asking it would get either`);
      } else questionOwner.set(key, { id: a.id, text: q });
    });
  }

  const used = new Set(parsed.flatMap((p) => {
    const a = p.article;
    return synonyms.fold(splitWords(`${a.title} ${a.questions.join(' ')} ${a.tags.join(' ')} ${a.shortAnswer} ${a.details}`));
  }));
  for (const g of synonyms.groups) {
    if (!used.has(Synonyms.tokenFor(g.term))) {
      error(SYNONYMS_FILE, g.line, `synonym term "${g.term}" maps to nothing: no article mentions it or its alternatives`);
    }
  }
  return problems;
}

async function readOptional<T>(
  dir: string,
  name: string,
  hash: ReturnType<typeof createHash>,
  parse: (text: string) => Result<T>,
  problems: Problem[],
): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, name), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      problems.push({ file: name, line: 0, message: `cannot read: ${code}`, severity: 'error' });
      return undefined;
    }
    text = '[]';
  }
  hash.update(name).update('\0').update(text).update('\0');
  const result = parse(text);
  if (!result.success) {
    problems.push(...result.problems);
    return undefined;
  }
  problems.push(...result.warnings);
  return result.data;
}

async function listFiles(dir: string, rel = ''): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, child)));
    else if (e.isFile()) out.push(child);
  }
  return out;
}

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
