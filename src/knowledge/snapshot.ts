import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import type { Article } from './Article';
import { parseSynonyms } from './contentFiles';
import { KnowledgeIndex, type EntryState, type ExactTarget, type IndexState, type ShardState } from './KnowledgeIndex';
import { lazyLineOf, type ArticleCache, type CheckedWords, type FileStat, type RestoredFile, SYNONYMS_FILE } from './loadKnowledge';
import type { ParsedArticle } from './parseArticle';
import type { Problem } from '../content/Problem';

/**
 * A saved copy of the knowledge base as built (every article file's parse, the cross-check's words and
 * the index), so that a restart loads it instead of parsing and indexing every article again. It is
 * only a head start: the load that follows checks every file against it (a file whose size, times and
 * inode are those saved is trusted, as git trusts a file's stat; any other is read, and parsed again
 * when its text differs) and indexes again the shards of the articles that changed, so answers are
 * those of a full build. A snapshot written by other code (a new release) or another Node version, or
 * one damaged in any way, is not used: the knowledge base is built in full and a line says why.
 *
 * Format: a magic line, the version key (length-prefixed), then records (each a 4-byte length and a
 * V8-serialized value: V8's own format keeps Maps, Sets and typed arrays as they are, and reads them back
 * faster than JSON), a zero length, and the SHA-1 of everything before it.
 */
const MAGIC = Buffer.from('KBSNAP1\n');
/** Bumped when what is saved changes shape. */
const FORMAT = 1;
/** Entries of a corpus-wide map per record: a save does its work in slices this small. */
const MAP_CHUNK = 20_000;

/** A temporary file untouched this long was left by a save that did not finish. */
const ABANDONED_MS = 10 * 60_000;

/** The maps of `IndexState` besides the shards. */
const MAPS = ['docFrequency', 'questionFrequency', 'vocabularyCounts', 'exact'] as const;
type MapName = (typeof MAPS)[number];

/** One article file as saved. */
interface SavedFile {
  readonly file: string;
  readonly digest: string;
  readonly stat?: FileStat;
  readonly article: Article;
  readonly warnings: readonly Problem[];
  readonly words?: CheckedWords;
}

type SnapshotRecord =
  | { readonly kind: 'meta'; readonly version: string; readonly synonyms: string; readonly shards: number }
  | { readonly kind: 'shard'; readonly files: readonly SavedFile[]; readonly state: ShardState }
  | { readonly kind: 'map'; readonly name: MapName; readonly entries: readonly (readonly [string, unknown])[] };

/** Where the snapshot's lines go (a pino logger fits). */
export interface SnapshotLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** The code and format the snapshot was made with: a snapshot from any other is not used. */
function versionKey(): string {
  const hash = createHash('sha256').update(`format ${FORMAT}\0v8 ${process.versions.v8}\0`);
  // The modules that parse and index articles (and the content helpers they use): any change to them
  // may change what a build gives.
  for (const dir of [__dirname, path.join(__dirname, '../content')]) {
    for (const name of readdirSync(dir).sort()) {
      if (!/\.(js|ts)$/.test(name) || name.endsWith('.d.ts')) continue;
      hash.update(name).update('\0').update(readFileSync(path.join(dir, name))).update('\0');
    }
  }
  return hash.digest('hex');
}

let memoKey: string | undefined;
function codeVersion(): string {
  memoKey ??= versionKey();
  return memoKey;
}

export class KnowledgeSnapshot {
  /** The knowledge base's version (its hash) the file holds, so an unchanged one is not written again. */
  private onDisk: string | undefined;
  /** The cache's count of files read when the file was last written or restored (see `save`). */
  private readsOnDisk = -1;
  private saving: Promise<void> | undefined;
  /** A save asked for while one ran: the latest is saved after it. */
  private next: { cache: ArticleCache; version: string } | undefined;

  /**
   * @param file the snapshot file (its folder is created when needed)
   * @param knowledgeDir the knowledge folder it is a snapshot of
   */
  constructor(
    private readonly file: string,
    private readonly knowledgeDir: string,
    private readonly log: SnapshotLog,
  ) {}

  /**
   * Hands the snapshot to `cache` for the next load to start from. False (with a log line saying why)
   * when there is none or it cannot be used; then the cache is left as it was and the load builds in full.
   */
  async restore(cache: ArticleCache): Promise<boolean> {
    const started = performance.now();
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(this.file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.log.info({ file: this.file, reason: code === 'ENOENT' ? 'none saved yet' : code }, 'knowledge snapshot not used: building the index in full');
      return false;
    }
    try {
      const restored = this.decode(bytes);
      cache.restore(restored.files, restored.synonyms, restored.index);
      this.onDisk = restored.version;
      this.readsOnDisk = cache.filesRead;
      this.log.info({ file: this.file, articles: restored.files.length, ms: Math.round(performance.now() - started) }, 'knowledge snapshot loaded');
      return true;
    } catch (err) {
      this.log.warn({ file: this.file, reason: err instanceof Error ? err.message : String(err) }, 'knowledge snapshot not used: building the index in full');
      return false;
    }
  }

  /**
   * Saves the cache's last build (the knowledge base of `version`) in the background, in slices between
   * which the server keeps answering; written to a temporary file and renamed over the old one, so a
   * crash leaves the old snapshot or the new one, never half of one. Nothing is written when the file
   * already holds this version and no file had to be read since (a file whose stat no longer matches
   * the saved one is read on every start until the snapshot is saved again). Failures are logged, never thrown.
   */
  save(cache: ArticleCache, version: string): void {
    if (version === this.onDisk && cache.filesRead === this.readsOnDisk && !this.saving) return;
    this.next = { cache, version };
    this.saving ??= this.drain();
  }

  /** Resolves when no save is running or waiting. */
  async settled(): Promise<void> {
    while (this.saving) await this.saving;
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.next; job; job = this.next) {
        this.next = undefined;
        if (job.version === this.onDisk && job.cache.filesRead === this.readsOnDisk) continue;
        try {
          const started = performance.now();
          const reads = job.cache.filesRead;
          const written = await this.write(job.cache, job.version);
          if (written) {
            this.onDisk = job.version;
            this.readsOnDisk = reads;
            this.log.info({ file: this.file, ms: Math.round(performance.now() - started) }, 'knowledge snapshot saved');
          }
        } catch (err) {
          this.log.warn({ file: this.file, reason: err instanceof Error ? err.message : String(err) }, 'knowledge snapshot not saved');
        }
      }
    } finally {
      this.saving = undefined;
    }
  }

  /** Writes the snapshot; false when the cache holds no complete build to save. */
  private async write(cache: ArticleCache, version: string): Promise<boolean> {
    const records = recordsOf(cache, version);
    if (!records) return false;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await this.removeAbandoned();
    const tmp = `${this.file}.${process.pid}.tmp`;
    const out = await fs.open(tmp, 'w');
    try {
      const hash = createHash('sha1');
      const put = async (chunk: Buffer) => {
        hash.update(chunk);
        await out.write(chunk);
      };
      const key = Buffer.from(codeVersion());
      await put(Buffer.concat([MAGIC, u32(key.length), key]));
      for (const record of records) {
        const body = v8.serialize(record);
        await put(Buffer.concat([u32(body.length), body]));
        // Each record is a few milliseconds of work: requests are served between them.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await out.write(Buffer.concat([u32(0), hash.digest()]));
      await out.sync();
    } catch (err) {
      await out.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
      throw err;
    }
    await out.close();
    await fs.rename(tmp, this.file);
    return true;
  }

  /** Temporary files of saves that a stopped process left (a save takes seconds; these are older than `ABANDONED_MS`). */
  private async removeAbandoned(): Promise<void> {
    const dir = path.dirname(this.file);
    const prefix = `${path.basename(this.file)}.`;
    for (const name of await fs.readdir(dir)) {
      if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
      const full = path.join(dir, name);
      const st = await fs.stat(full).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > ABANDONED_MS) await fs.rm(full, { force: true });
    }
  }

  /** The snapshot's content, checked whole before anything of it is used. Throws saying what is wrong. */
  private decode(bytes: Buffer): { version: string; synonyms: string; files: RestoredFile[]; index: KnowledgeIndex } {
    if (bytes.length < MAGIC.length + 4 + 24 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a knowledge snapshot');
    const keyLength = bytes.readUInt32LE(MAGIC.length);
    const keyEnd = MAGIC.length + 4 + keyLength;
    if (keyEnd > bytes.length || bytes.toString('utf8', MAGIC.length + 4, keyEnd) !== codeVersion()) throw new Error('made by another version of the bot');
    const bodyEnd = bytes.length - 24;
    const sum = createHash('sha1').update(bytes.subarray(0, bodyEnd)).digest();
    if (bytes.readUInt32LE(bodyEnd) !== 0 || !sum.equals(bytes.subarray(bodyEnd + 4))) throw new Error('damaged (its checksum does not match)');
    const records: SnapshotRecord[] = [];
    for (let at = keyEnd; at < bodyEnd; ) {
      const length = bytes.readUInt32LE(at);
      if (length === 0 || at + 4 + length > bodyEnd) throw new Error('damaged (a record overruns the file)');
      records.push(v8.deserialize(bytes.subarray(at + 4, at + 4 + length)) as SnapshotRecord);
      at += 4 + length;
    }
    return this.assemble(records);
  }

  private assemble(records: readonly SnapshotRecord[]): { version: string; synonyms: string; files: RestoredFile[]; index: KnowledgeIndex } {
    const meta = records[0];
    if (meta?.kind !== 'meta') throw new Error('damaged (no header record)');
    const shards: ShardState[] = [];
    const files: RestoredFile[] = [];
    const maps = new Map<MapName, (readonly [string, unknown])[]>(MAPS.map((m) => [m, []]));
    for (const r of records.slice(1)) {
      if (r.kind === 'shard') {
        shards.push(r.state);
        for (const f of r.files) files.push(this.restoredFile(f));
      } else if (r.kind === 'map') maps.get(r.name)?.push(...r.entries);
    }
    if (shards.length !== meta.shards) throw new Error(`damaged (${shards.length} of ${meta.shards} shards)`);
    const synonyms = parseSynonyms(meta.synonyms, SYNONYMS_FILE);
    if (!synonyms.success) throw new Error(`its ${SYNONYMS_FILE} does not parse`);
    const articles = files.map((f) => f.parsed.article).sort((a, b) => a.file.localeCompare(b.file));
    const state: IndexState = {
      shards,
      docFrequency: new Map(maps.get('docFrequency') as [string, number][]),
      questionFrequency: new Map(maps.get('questionFrequency') as [string, number][]),
      vocabularyCounts: new Map(maps.get('vocabularyCounts') as [string, number][]),
      exact: new Map(maps.get('exact') as [string, ExactTarget[]][]),
    };
    return { version: meta.version, synonyms: meta.synonyms, files, index: KnowledgeIndex.restore(articles, synonyms.data, [], state) };
  }

  /** A saved file's parse (where its values sit is worked out again from the file when first asked). */
  private restoredFile(f: SavedFile): RestoredFile {
    const parsed: ParsedArticle = { article: f.article, lineOf: lazyLineOf(path.join(this.knowledgeDir, f.file), f.file, f.digest) };
    return { file: f.file, digest: f.digest, parsed, warnings: f.warnings, ...(f.stat ? { stat: f.stat } : {}), ...(f.words ? { words: f.words } : {}) };
  }

}

/** The records of the cache's last build, or undefined when the cache does not hold every article of it. */
function recordsOf(cache: ArticleCache, version: string): SnapshotRecord[] | undefined {
  const last = cache.lastIndex();
  if (!last) return undefined;
  const state = last.index.state();
  const records: SnapshotRecord[] = [{ kind: 'meta', version, synonyms: last.synonyms, shards: state.shards.length }];
  for (const shard of state.shards) {
    const files: SavedFile[] = [];
    for (const entry of shard.entries) {
      const saved = savedFile(cache, entry, last.index, last.synonyms);
      if (!saved) return undefined;
      files.push(saved);
    }
    records.push({ kind: 'shard', files, state: shard });
  }
  for (const name of MAPS) {
    const entries = [...(state[name] as ReadonlyMap<string, unknown>)];
    for (let i = 0; i < entries.length; i += MAP_CHUNK) records.push({ kind: 'map', name, entries: entries.slice(i, i + MAP_CHUNK) });
  }
  return records;
}

function savedFile(cache: ArticleCache, entry: EntryState, index: KnowledgeIndex, synonyms: string): SavedFile | undefined {
  const article = index.get(entry.id);
  const known = article ? cache.known(article.file) : undefined;
  if (!known?.result.success || known.result.data.article.id !== entry.id) return undefined;
  const parsed = known.result.data.article;
  const words = cache.knownWords(parsed, synonyms);
  return {
    file: parsed.file,
    digest: known.digest,
    article: parsed,
    warnings: known.result.warnings,
    ...(known.stat ? { stat: known.stat } : {}),
    ...(words ? { words } : {}),
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
