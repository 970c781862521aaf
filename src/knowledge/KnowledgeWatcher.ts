import { createHash } from 'node:crypto';
import { lstatSync, promises as fs, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { loadKnowledge, type KnowledgeBase } from './loadKnowledge';
import { formatProblem, type Problem, type Result } from '../content/Problem';

export interface KnowledgeWatcherOptions {
  /** The knowledge folder to watch. */
  readonly dir: string;
  /** The knowledge base already loaded from `dir` (served until a change is loaded). */
  readonly initial: KnowledgeBase;
  readonly logger: Logger;
  /**
   * How often the folder is looked at. Default 500 ms. A large folder is looked at less often, so that
   * looking costs at most about 2% of a core (10,000 files: every 20 s); change events still bring a
   * look at once.
   */
  readonly pollMs?: number;
  /** How long the folder must stay unchanged before it is loaded (an editor may still be saving). Default 150 ms. */
  readonly settleMs?: number;
  /**
   * Default `loadKnowledge`. `changed`, when given, holds every file (path relative to `dir`) whose size,
   * mtime or inode may differ from what the previous load saw: the load may take every other file as it
   * was without looking at it again. Without it, every file must be checked. The load may note how long
   * each of its phases took (ms) in `phases`, for the reload's log line.
   */
  readonly load?: (dir: string, changed?: ReadonlySet<string>, phases?: Record<string, number>) => Promise<Result<KnowledgeBase>>;
  /**
   * The folder as it was just before `initial` was loaded (`folderFingerprint`): the first look then
   * loads again only if something changed since, instead of loading the whole folder a second time.
   */
  readonly initialFingerprint?: FolderFingerprint;
  /** Called after a new version is in service (not for refused changes). Exceptions are logged. */
  readonly onReload?: (kb: KnowledgeBase) => void;
  /** Called when a change is refused (its problems keep the last good version in service). */
  readonly onRefuse?: (problems: readonly Problem[]) => void;
}

/** One file as the fingerprint sees it. */
interface FileMark {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /**
   * Content digest, only for files modified so recently that a further write could keep the same
   * mtime (coarse timestamps: 1-2 s on some file systems, a few ms on others; clock skew on network
   * shares). Compared only when both sides have one.
   */
  readonly digest?: string;
}

/** The folder's state: every non-dot file with its size and mtime, or why it could not be read. */
type Fingerprint = { readonly files: ReadonlyMap<string, FileMark> } | { readonly error: string };

/** A folder's fingerprint, to hand to a watcher as `initialFingerprint`. */
export type FolderFingerprint = Fingerprint;

/** The folder's fingerprint now; take it before loading the folder. Undefined when it cannot be read. */
export async function folderFingerprint(dir: string): Promise<FolderFingerprint | undefined> {
  try {
    return await fingerprint(dir);
  } catch {
    return undefined;
  }
}

/** How long after its mtime a file's content is also fingerprinted. */
const RACY_MS = 3000;
/** Larger files are never read for the fingerprint. */
const MAX_DIGEST_BYTES = 1 << 20;
/** The most settle rounds before loading anyway (a file that never stops changing). */
const MAX_SETTLE_ROUNDS = 20;
/**
 * Looks at a large folder are spaced by this much per file (a look costs some 20-40 µs of CPU per file,
 * so looking costs at most about 2% of a core; 10,000 files are looked at every 20 s). Counted by files,
 * not by how long a look took, so a busy machine does not slow the watcher down.
 */
const POLL_MS_PER_FILE = 2;
/** ... but never further apart than this. */
const MAX_POLL_MS = 30_000;
/** Most names of changed files kept from change events between two looks; past it, the next look is a full one. */
const MAX_NAMED = 256;

/**
 * Keeps the knowledge base in service current while the bot runs. Every `pollMs`, and at once when the
 * file system reports a change, it takes a cheap fingerprint of the folder (each file's size, mtime and
 * inode; change events alone are unreliable on network shares, bind mounts and some containers, so
 * polling stays). When it changes, it waits until the folder has
 * been quiet for `settleMs`, then loads the whole folder. A good load replaces the knowledge base in
 * one assignment; turns in flight keep the object they took. A load with problems is refused: the
 * last good version stays in service and each problem is logged as `file:line: message`.
 *
 * Loads never overlap. The fingerprint is taken before a load, so anything saved while it runs is
 * seen as a change and loaded right after it.
 */
export class KnowledgeWatcher {
  private kb: KnowledgeBase;
  private problems: readonly Problem[] | undefined;
  /** The folder as it was when last loaded (or refused); undefined until the first look. */
  private seen: Fingerprint | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** File-system change events: a hint to look at once; polling still catches what they miss. */
  private events: FSWatcher | undefined;
  /** An event arrived while a look was running: look again right after it. */
  private nudged = false;
  private started = false;
  /** Set by stop(): a look still waiting for the folder to settle gives up instead of loading. */
  private cancelled = false;
  private readonly pollMs: number;
  private readonly settleMs: number;
  /** How many files the last look at the folder saw. */
  private lookedAt = 0;
  /**
   * Files (and folders) that change events named since the last look, relative to the folder: a look
   * with only these to check stats only them. Bounded by `MAX_NAMED`; past it, or for an event that
   * names nothing, the next look is a full one (`namedAll`).
   */
  private named = new Set<string>();
  private namedAll = false;
  /**
   * The previous load may not have seen every file as `seen` has it (it threw): the next load checks
   * every file.
   */
  private checkAll = true;
  private readonly load: (dir: string, changed?: ReadonlySet<string>, phases?: Record<string, number>) => Promise<Result<KnowledgeBase>>;

  constructor(private readonly opts: KnowledgeWatcherOptions) {
    this.kb = opts.initial;
    this.seen = opts.initialFingerprint;
    this.pollMs = Math.max(10, opts.pollMs ?? 500);
    this.settleMs = Math.max(0, opts.settleMs ?? 150);
    this.load = opts.load ?? ((dir) => loadKnowledge(dir));
    this.checkAll = opts.initialFingerprint === undefined;
  }

  /** The knowledge base in service: the last one that loaded without errors. No I/O. */
  current(): KnowledgeBase {
    return this.kb;
  }

  /** The errors of the last refused change, or undefined when the folder as it is now is in service. */
  lastError(): readonly Problem[] | undefined {
    return this.problems;
  }

  /**
   * Starts watching. The first look loads the folder if it changed since `initialFingerprint` (or,
   * without one, loads it once), so a change saved between the initial load and start() is not missed.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.listen();
    this.schedule(0, true);
  }

  /** Stops watching and waits for a look or reload in progress to finish. */
  async stop(): Promise<void> {
    this.started = false;
    this.events?.close();
    this.events = undefined;
    this.cancelled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Looks at the folder now and loads it if it changed (e.g. on SIGHUP). Joins a look already in
   * progress instead of starting a second one. Never rejects.
   */
  checkNow(): Promise<void> {
    return this.look(true);
  }

  /** One look (see `poll`), joining one in progress; `full`: at every file, not only those events named. */
  private look(full: boolean): Promise<void> {
    if (this.running) return this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.cancelled = false;
    const run = this.poll(full)
      .catch((err: unknown) => {
        this.opts.logger.error({ err }, 'knowledge watcher failed');
        return false;
      })
      .then((loaded) => {
        this.running = undefined;
        // Right after a load, look again at once: a save made during the load is loaded next. With
        // change events coming, a save brings one (and a look at what it names); without, only a look
        // at the whole folder sees it.
        const fullAgain = loaded && !this.events;
        const again = fullAgain || this.nudged;
        this.nudged = false;
        if (this.started && !this.timer) this.schedule(again ? 0 : this.idleMs(), fullAgain || !again);
      });
    this.running = run;
    return run;
  }

  /**
   * Listens for change events on the folder (inotify on Linux, recursive since Node 20) so a save is
   * looked at at once rather than at the next poll. Events are only a hint: on network shares, bind
   * mounts and some containers they never come, and polling alone keeps the folder current.
   */
  private listen(): void {
    try {
      this.events = watch(this.opts.dir, { recursive: true, persistent: false }, (_event, name) => this.nudge(name));
      this.events.on('error', () => {
        this.events?.close();
        this.events = undefined;
      });
    } catch {
      this.events = undefined;
    }
  }

  /** A change event: look now (a look in progress looks again when it ends), at what it names. */
  private nudge(name: string | Buffer | null): void {
    if (!this.started) return;
    const rel = typeof name === 'string' ? name.split(path.sep).join('/') : '';
    if (rel === '' || rel === '.' || this.named.size >= MAX_NAMED) {
      this.namedAll = true;
      this.named.clear();
    } else if (!this.namedAll) this.named.add(rel);
    if (this.running) {
      this.nudged = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0, false);
  }

  /** The time to the next look when nothing is happening. */
  private idleMs(): number {
    return Math.max(this.pollMs, Math.min(MAX_POLL_MS, this.lookedAt * POLL_MS_PER_FILE));
  }

  /** The next look, in `ms`: at every file (`full`) or at those change events named. */
  private schedule(ms: number, full: boolean): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.look(full);
    }, ms);
    this.timer.unref();
  }

  /**
   * One look; true when a load was attempted. A look prompted by change events that named files stats
   * only those (a folder named is walked); any other look stats every file. Events are only a hint:
   * whatever they miss, the next full look (every `pollMs`, or less often for a large folder) sees.
   */
  private async poll(full: boolean): Promise<boolean> {
    const seen = this.seen;
    if (!full && seen && 'files' in seen && !this.namedAll) return this.named.size > 0 ? this.pollNamed(seen) : false;
    this.named.clear();
    this.namedAll = false;
    const dir = this.opts.dir;
    const detected = performance.now();
    let fp = await fingerprint(dir);
    this.lookedAt = 'files' in fp ? fp.files.size : 0;
    if (seen && sameFolder(seen, fp)) return false;
    // Wait until the folder stops changing: editors save in several steps (truncate + write,
    // write temp + rename, backup copies, several files at once).
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round += 1) {
      await sleep(this.settleMs);
      if (this.cancelled) return false;
      const next = await fingerprint(dir);
      const settled = sameFolder(fp, next);
      fp = next;
      if (settled) break;
    }
    await this.reload(detected, fp);
    return true;
  }

  /** A look at the files change events named: each stat'ed (a folder walked); the rest taken as `seen` has them. */
  private async pollNamed(seen: { readonly files: ReadonlyMap<string, FileMark> }): Promise<boolean> {
    const dir = this.opts.dir;
    const detected = performance.now();
    let names = [...this.named];
    this.named.clear();
    let fp = await restat(dir, seen, names);
    if (sameFolder(seen, fp)) return false;
    // Settle as a full look does, re-stating only what events named (a save's later steps bring events too).
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round += 1) {
      await sleep(this.settleMs);
      if (this.cancelled) return false;
      if (this.namedAll || 'error' in fp) {
        // Too many names, one that says nothing, or the folder unreadable: a full look settles it.
        this.named.clear();
        this.namedAll = false;
        const next = await fingerprint(dir);
        const settled = sameFolder(fp, next);
        fp = next;
        if (settled) break;
        continue;
      }
      names = [...new Set([...names, ...this.named])];
      this.named.clear();
      const next = await restat(dir, fp, names);
      const settled = sameFolder(fp, next);
      fp = next;
      if (settled) break;
    }
    await this.reload(detected, fp);
    return true;
  }

  /** Loads the folder as `fp` saw it (telling the load which files changed since the last one), and makes it `seen`. */
  private async reload(detected: number, fp: Fingerprint): Promise<void> {
    const before = this.seen;
    this.seen = fp;
    const changed = !this.checkAll && before ? changedFiles(before, fp) : undefined;
    // Until this load has finished, the files it may not have read are not known to be as `fp` says.
    this.checkAll = true;
    const { logger } = this.opts;
    const previous = this.kb;
    const started = performance.now();
    let result: Result<KnowledgeBase>;
    const phases: Record<string, number> = {};
    try {
      result = await this.load(this.opts.dir, changed, phases);
      this.checkAll = false;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.error({ err }, 'knowledge reload failed');
      this.refuse([{ file: this.opts.dir, line: 0, message: `could not load the knowledge folder: ${message}`, severity: 'error' }]);
      return;
    }
    const loadMs = Math.round(performance.now() - started);

    if (!result.success) {
      for (const p of result.problems) {
        if (p.severity === 'warning') logger.warn({ problem: formatProblem(p) }, 'knowledge warning');
      }
      const errors = result.problems.filter((p) => p.severity === 'error');
      this.refuse(
        errors.length > 0
          ? errors
          : [{ file: this.opts.dir, line: 0, message: 'the knowledge folder did not load (no details given)', severity: 'error' }],
      );
      return;
    }

    const kb = result.data;
    const hadProblems = this.problems !== undefined;
    this.problems = undefined;
    if (kb.version.hash === previous.version.hash) {
      // Touched, saved unchanged, README edited, or a refused change undone: nothing to swap.
      if (hadProblems) logger.info({ version: previous.version }, `knowledge problems fixed; still serving version ${previous.version.hash}`);
      else logger.debug({ version: previous.version, loadMs }, 'knowledge folder changed; content unchanged');
      return;
    }
    for (const w of result.warnings) logger.warn({ problem: formatProblem(w) }, 'knowledge warning');
    this.kb = kb;
    logger.info(
      { version: kb.version, previous: previous.version.hash, ms: Math.round(performance.now() - detected), lookMs: Math.round(started - detected), loadMs, phases, ...(changed ? { changed: changed.size } : {}) },
      'knowledge reloaded',
    );
    if (this.opts.onReload) {
      try {
        this.opts.onReload(kb);
      } catch (err) {
        logger.error({ err }, 'knowledge onReload callback failed');
      }
    }
  }

  private refuse(errors: readonly Problem[]): void {
    const { logger } = this.opts;
    for (const p of errors) logger.error({ problem: formatProblem(p) }, 'knowledge problem');
    this.problems = errors;
    const served = this.kb.version;
    logger.error({ version: served, problems: errors.length }, `knowledge change refused; still serving version ${served.hash}`);
    this.opts.onRefuse?.(errors);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function sameFolder(a: Fingerprint, b: Fingerprint): boolean {
  if ('error' in a || 'error' in b) return 'error' in a && 'error' in b && a.error === b.error;
  if (a.files.size !== b.files.size) return false;
  for (const [name, x] of a.files) {
    const y = b.files.get(name);
    if (!y || !sameMark(x, y)) return false;
  }
  return true;
}

function sameMark(x: FileMark, y: FileMark): boolean {
  if (x.size !== y.size || x.mtimeMs !== y.mtimeMs || x.ino !== y.ino) return false;
  return x.digest === undefined || y.digest === undefined || x.digest === y.digest;
}

/** Files stat'ed between two turns of the event loop while the folder is looked at. */
const STAT_BATCH = 500;

/**
 * Every file under `dir` (recursively, skipping names that start with a dot, as loadKnowledge does)
 * with its size, mtime and inode. Symlinks to files are followed; directories are entered only when
 * they are real directories. A file that vanishes while being looked at is left out: the next look sees it.
 * Files are stat'ed synchronously, in batches between which the event loop runs: a stat takes a few
 * microseconds, where awaiting one from the thread pool costs ten times that (a look at 10,000 files
 * would take most of a second).
 */
async function fingerprint(dir: string): Promise<Fingerprint> {
  const files = new Map<string, FileMark>();
  try {
    await walkInto(dir, '', files, Date.now());
    return { files };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code ?? e.message };
  }
}

/** Adds every file under `dir`/`from` (see `fingerprint`) to `files`. Throws when `dir` itself cannot be read. */
async function walkInto(dir: string, from: string, files: Map<string, FileMark>, now: number): Promise<void> {
  let statted = 0;
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    } catch (err) {
      // A sub-folder removed while being looked at; the folder itself must be readable.
      if (rel && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        await walk(child);
        continue;
      }
      if (!e.isFile() && !e.isSymbolicLink()) continue;
      statted += 1;
      if (statted % STAT_BATCH === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const mark = markOf(path.join(dir, child), now);
      if (mark) files.set(child, mark);
    }
  };
  await walk(from);
}

/**
 * `seen` with the files change events named looked at again: a named file stat'ed (or dropped when gone),
 * a named folder walked (what `seen` had under it replaced). Names under a dot-folder or of a dot-file
 * are skipped, as `fingerprint` skips them. An error reading the folder itself gives an error fingerprint.
 */
async function restat(dir: string, seen: { readonly files: ReadonlyMap<string, FileMark> }, names: readonly string[]): Promise<Fingerprint> {
  const files = new Map(seen.files);
  const now = Date.now();
  try {
    for (const name of names) {
      if (name.split('/').some((part) => part === '' || part.startsWith('.') || part === '..')) continue;
      if (!files.delete(name)) {
        // Not a file seen before: maybe a folder (created, removed or renamed), whose files go with it.
        const under = `${name}/`;
        for (const key of [...files.keys()]) if (key.startsWith(under)) files.delete(key);
      }
      const full = path.join(dir, name);
      const st = lstatSync(full, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) await walkInto(dir, name, files, now);
      else if (st.isFile() || st.isSymbolicLink()) {
        const mark = markOf(full, now);
        if (mark) files.set(name, mark);
      }
    }
    return { files };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code ?? e.message };
  }
}

/** The files whose mark differs between two fingerprints (added, removed or changed); undefined when either is an error. */
function changedFiles(a: Fingerprint, b: Fingerprint): ReadonlySet<string> | undefined {
  if ('error' in a || 'error' in b) return undefined;
  const changed = new Set<string>();
  for (const [name, x] of a.files) {
    const y = b.files.get(name);
    if (!y || !sameMark(x, y)) changed.add(name);
  }
  for (const name of b.files.keys()) if (!a.files.has(name)) changed.add(name);
  return changed;
}

/** One file's mark, or undefined when it is gone or not a file. */
function markOf(full: string, now: number): FileMark | undefined {
  const st = statSync(full, { throwIfNoEntry: false });
  if (!st?.isFile()) return undefined;
  let digest: string | undefined;
  if (now - st.mtimeMs < RACY_MS && st.size <= MAX_DIGEST_BYTES) {
    try {
      digest = createHash('sha1').update(readFileSync(full)).digest('hex');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, ...(digest !== undefined ? { digest } : {}) };
}
