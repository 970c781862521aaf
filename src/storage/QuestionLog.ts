import { createHmac, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { BANDS, bandOfReply, type Band } from '../conversation/band';
import type { Reply } from '../answering/Reply';
import { openUnsyncedAppender, type Appender } from './fsCalls';

/**
 * An append-only log of what partners asked and how the bot replied, for the "what partners asked that
 * we could not answer" report (`src/tools/kbGaps.ts`). One JSON object per line, in
 * `<dir>/questions-YYYY-MM-DD-<instance>.jsonl` (UTC date; one file per bot instance, so instances
 * never share a file). Partner and conversation ids are written only as salted hashes.
 */

export type Feedback = 'helpful' | 'notHelpful';

export interface QuestionRecord {
  /** A UUID; feedback refers to the question by it. */
  id: string;
  /** ISO time the question was recorded. */
  at: string;
  /** `hashId(partnerId, salt)`: the same partner always hashes the same, but cannot be read back. */
  partner: string;
  channelId: string;
  /** `hashId(conversationId, salt)`. */
  conversation: string;
  /** What the partner typed (at most `MAX_QUESTION_CHARS` characters). */
  question: string;
  band: Band;
  /** For `noAnswer`: `noMatch`, `vague` or `notCovered`. */
  reason?: string;
  /** The article answered with, or for `noAnswer` the closest (weak) match. */
  articleId?: string;
  /** For `clarify`: the articles offered, best first. */
  candidates?: string[];
  confidence?: number;
  /** For `notCovered`: the not-covered subject (`about` in not-covered.yaml). */
  gap?: string;
}

export interface FeedbackRecord {
  /** The question's id. */
  id: string;
  at: string;
  feedback: Feedback;
}

/** What the log keeps of a reply: its band and, by band, the article, the candidates or the reason. */
export function questionFieldsOf(reply: Reply): Omit<QuestionInput, 'partnerId' | 'conversationId' | 'channelId' | 'question'> {
  return {
    band: bandOfReply(reply.kind),
    ...(reply.kind === 'answer' || reply.kind === 'partial' ? { articleId: reply.article.id, confidence: reply.confidence } : {}),
    ...(reply.kind === 'clarify' ? { candidates: reply.candidates.map((c) => c.id), confidence: reply.confidence } : {}),
    ...(reply.kind === 'noAnswer'
      ? { reason: reply.reason, confidence: reply.confidence, ...(reply.closest ? { articleId: reply.closest.id } : {}), ...(reply.gap ? { gap: reply.gap } : {}) }
      : {}),
  };
}

export type QuestionInput = Omit<QuestionRecord, 'id' | 'at' | 'partner' | 'conversation'> & {
  partnerId: string;
  conversationId: string;
};

export interface QuestionLogOptions {
  dir: string;
  /**
   * Secret salt for `hashId` (or where to get it, when it is loaded after the log is made). Keep it
   * stable: a new salt makes the same partner hash differently.
   */
  salt: string | (() => string);
  /** Part of the file name; default `<hostname>-<pid>`. Characters other than `A-Za-z0-9_.-` become `_`. */
  instance?: string;
  /** `sweep()` deletes files dated more than this many days before today (UTC). Default 90. */
  retentionDays?: number;
  now?: () => Date;
  /** Called for every failed write (the record is dropped) or dropped record; never for the caller to catch. */
  onError?: (err: unknown) => void;
  /** Called after each successful write (e.g. to tell that writes work again after errors). */
  onWritten?: () => void;
}

/** Longest question text written; longer text is cut. */
export const MAX_QUESTION_CHARS = 2000;
/** Records waiting for the disk beyond this are dropped (and reported): a stuck disk must not eat memory. */
export const MAX_QUEUED = 10_000;
/** Most bytes given to one `appendFile`: a write this size is one `write(2)` on an O_APPEND file. */
const MAX_WRITE_BYTES = 64 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const FILE_RE = /^questions-(\d{4}-\d{2}-\d{2})(?:-[A-Za-z0-9_.-]*)?\.jsonl$/;

/** Hashes computed lately (by salt, then id): a turn hashes the same ids for its log lines and its question. */
const recentHashes = new Map<string, Map<string, string>>();
/** At most this many ids are remembered (then the memory starts afresh). */
const MAX_REMEMBERED_HASHES = 10_000;
const MAX_ID_CHARS_REMEMBERED = 512;
let rememberedHashes = 0;

/** HMAC-SHA256 of `id` keyed with `salt`, as 16 hex characters. */
export function hashId(id: string, salt: string): string {
  const bySalt = recentHashes.get(salt);
  const known = bySalt?.get(id);
  if (known !== undefined) return known;
  const hash = createHmac('sha256', salt).update(id).digest('hex').slice(0, 16);
  if (id.length <= MAX_ID_CHARS_REMEMBERED) {
    if (rememberedHashes >= MAX_REMEMBERED_HASHES) {
      recentHashes.clear();
      rememberedHashes = 0;
    }
    let into = recentHashes.get(salt);
    if (!into) {
      into = new Map<string, string>();
      recentHashes.set(salt, into);
    }
    into.set(id, hash);
    rememberedHashes += 1;
  }
  return hash;
}

/** `YYYY-MM-DD` of a time, in UTC. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The name of the log file of one instance for one UTC day. */
export function logFileName(day: string, instance: string): string {
  return `questions-${day}-${instance}.jsonl`;
}

function sanitise(instance: string): string {
  const s = instance.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
  return s === '' ? 'bot' : s;
}

interface Pending {
  readonly file: string;
  readonly line: string;
}

export class QuestionLog {
  private readonly dir: string;
  private readonly salt: () => string;
  private readonly instance: string;
  private readonly retentionDays: number;
  private readonly now: () => Date;
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly onWritten: (() => void) | undefined;
  private queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  /** The folder has been made (made again if an append finds it gone). */
  private dirMade = false;

  constructor(opts: QuestionLogOptions) {
    this.dir = opts.dir;
    const salt = opts.salt;
    this.salt = typeof salt === 'string' ? () => salt : salt;
    this.instance = sanitise(opts.instance ?? `${os.hostname()}-${process.pid}`);
    this.retentionDays = opts.retentionDays ?? 90;
    if (!Number.isFinite(this.retentionDays) || this.retentionDays < 0) throw new RangeError('retentionDays must be 0 or more');
    this.now = opts.now ?? (() => new Date());
    this.onError = opts.onError;
    this.onWritten = opts.onWritten;
  }

  /** Queues a question for writing and returns its id at once. Never throws. */
  recordQuestion(input: QuestionInput, id: string = randomUUID()): string {
    try {
      const at = this.now();
      const record: QuestionRecord = {
        id,
        at: at.toISOString(),
        partner: hashId(String(input.partnerId), this.salt()),
        channelId: String(input.channelId),
        conversation: hashId(String(input.conversationId), this.salt()),
        question: String(input.question).slice(0, MAX_QUESTION_CHARS),
        band: input.band,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        ...(input.articleId !== undefined ? { articleId: input.articleId } : {}),
        ...(input.candidates !== undefined ? { candidates: [...input.candidates] } : {}),
        ...(input.confidence !== undefined && Number.isFinite(input.confidence) ? { confidence: input.confidence } : {}),
        ...(input.gap !== undefined ? { gap: input.gap } : {}),
      };
      this.enqueue(at, { type: 'question', ...record });
    } catch (err) {
      this.report(err);
    }
    return id;
  }

  /** Queues the partner's feedback on an answer. Never throws. */
  recordFeedback(id: string, feedback: Feedback): void {
    try {
      const at = this.now();
      const record: FeedbackRecord = { id: String(id), at: at.toISOString(), feedback };
      this.enqueue(at, { type: 'feedback', ...record });
    } catch (err) {
      this.report(err);
    }
  }

  /** Resolves when everything recorded before the call has been written (or has failed and been reported). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Deletes this folder's log files (of every instance) dated more than `retentionDays` before today. */
  async sweep(): Promise<number> {
    const cutoff = utcDay(new Date(this.now().getTime() - this.retentionDays * DAY_MS));
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let deleted = 0;
    for (const name of names) {
      const day = FILE_RE.exec(name)?.[1];
      if (day === undefined || day >= cutoff) continue;
      try {
        await fs.unlink(path.join(this.dir, name));
        deleted += 1;
      } catch (err) {
        // Another instance swept it first.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return deleted;
  }

  private enqueue(at: Date, line: object): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.report(new Error(`question log: more than ${MAX_QUEUED} records waiting for the disk; record dropped`));
      return;
    }
    const file = path.join(this.dir, logFileName(utcDay(at), this.instance));
    this.queue.push({ file, line: `${JSON.stringify(line)}\n` });
    this.drain();
  }

  /** Starts writing the queue unless a writer is already running; the writer runs until the queue is empty. */
  private drain(): void {
    if (this.draining) return;
    this.draining = this.write()
      .catch((err: unknown) => this.report(err))
      .finally(() => {
        this.draining = undefined;
        // A record queued between the writer's last look and now.
        if (this.queue.length > 0) this.drain();
      });
  }

  private async write(): Promise<void> {
    // Records of the same turn of the event loop (turns that finished together) go in one write.
    await new Promise((resolve) => setImmediate(resolve));
    const files = new OpenFiles();
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const byFile = new Map<string, string[]>();
        for (const p of batch) {
          const lines = byFile.get(p.file) ?? [];
          lines.push(p.line);
          byFile.set(p.file, lines);
        }
        for (const [file, lines] of byFile) {
          for (const chunk of chunks(lines)) {
            try {
              await (await files.get(file, () => this.open(file))).append(Buffer.from(chunk, 'utf8'));
              this.onWritten?.();
            } catch (err) {
              await files.drop(file);
              this.report(err);
            }
          }
        }
      }
    } finally {
      await files.closeAll();
    }
  }

  /** Opens `file` for appending, making the folder first (again, if an operator or a sweep removed it). */
  private async open(file: string): Promise<Appender> {
    if (!this.dirMade) {
      await fs.mkdir(this.dir, { recursive: true });
      this.dirMade = true;
    }
    try {
      return await openUnsyncedAppender(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.dirMade = false;
      await fs.mkdir(this.dir, { recursive: true });
      this.dirMade = true;
      return openUnsyncedAppender(file);
    }
  }

  private report(err: unknown): void {
    try {
      this.onError?.(err);
    } catch {
      // The error handler's own failure has nowhere to go.
    }
  }
}

/** Files kept open while the writer runs, each for at most this long (then opened again, so a removed folder is made again). */
const REOPEN_MS = 1000;

/**
 * The log files the writer has open. While records keep coming (a busy bot) the writer keeps running
 * and appends each batch to the open file, instead of opening and closing it around every batch; a
 * file is opened again after REOPEN_MS, and all are closed when the queue is empty.
 */
class OpenFiles {
  private readonly open = new Map<string, { appender: Promise<Appender>; since: number }>();

  async get(file: string, openFile: () => Promise<Appender>): Promise<Appender> {
    const found = this.open.get(file);
    if (found && Date.now() - found.since < REOPEN_MS) return found.appender;
    if (found) await this.drop(file);
    const appender = openFile();
    this.open.set(file, { appender, since: Date.now() });
    return appender;
  }

  async drop(file: string): Promise<void> {
    const found = this.open.get(file);
    this.open.delete(file);
    await found?.appender.then((a) => a.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((file) => this.drop(file)));
  }
}

/** Whole lines joined into pieces of at most MAX_WRITE_BYTES (a longer single line is its own piece). */
function chunks(lines: readonly string[]): string[] {
  const out: string[] = [];
  let current = '';
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > MAX_WRITE_BYTES) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += line;
    size += bytes;
  }
  if (size > 0) out.push(current);
  return out;
}

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a time');

const QuestionLine = z.object({
  type: z.literal('question'),
  id: z.string().min(1),
  at: isoTime,
  partner: z.string(),
  channelId: z.string(),
  conversation: z.string(),
  question: z.string(),
  // Logs written before the band names were one list say `escalate` for `escalation`.
  band: z.preprocess((b) => (b === 'escalate' ? 'escalation' : b), z.enum(BANDS)),
  reason: z.string().optional(),
  articleId: z.string().optional(),
  candidates: z.array(z.string()).optional(),
  confidence: z.number().optional(),
  gap: z.string().optional(),
});

const FeedbackLine = z.object({
  type: z.literal('feedback'),
  id: z.string().min(1),
  at: isoTime,
  feedback: z.enum(['helpful', 'notHelpful']),
});

const LogLine = z.discriminatedUnion('type', [QuestionLine, FeedbackLine]);

export type LoggedQuestion = QuestionRecord & { feedback?: Feedback };

export interface LogContents {
  /** Questions asked in the period, oldest first, each with its partner's last feedback. */
  questions: LoggedQuestion[];
  /** Lines in the period's files that were not a valid record (including a line cut short by a crash). */
  badLines: number;
}

/**
 * Reads the questions asked between `from` and `to` (inclusive) from every instance's files in `dir`.
 * Files are chosen by the date in their name, records by their time. Feedback is joined to its
 * question by id, the latest winning; feedback written in the day after `to` still counts, so a
 * question asked just before midnight keeps its feedback. A missing folder reads as empty.
 */
export async function readLog(dir: string, from: Date, to: Date): Promise<LogContents> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { questions: [], badLines: 0 };
    throw err;
  }
  const fromDay = utcDay(from);
  const toDay = utcDay(to);
  const feedbackToDay = utcDay(new Date(to.getTime() + DAY_MS));
  const files = names
    .flatMap((name) => {
      const day = FILE_RE.exec(name)?.[1];
      return day !== undefined && day >= fromDay && day <= feedbackToDay ? [{ name, day }] : [];
    })
    .sort((a, b) => a.day.localeCompare(b.day) || a.name.localeCompare(b.name));

  const questions = new Map<string, LoggedQuestion>();
  const feedback = new Map<string, { at: number; feedback: Feedback }>();
  let badLines = 0;
  for (const { name, day } of files) {
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // swept meanwhile
      throw err;
    }
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        if (day <= toDay) badLines += 1;
        continue;
      }
      const parsed = LogLine.safeParse(json);
      if (!parsed.success) {
        if (day <= toDay) badLines += 1;
        continue;
      }
      const line = parsed.data;
      const at = Date.parse(line.at);
      if (line.type === 'feedback') {
        const previous = feedback.get(line.id);
        if (!previous || at >= previous.at) feedback.set(line.id, { at, feedback: line.feedback });
        continue;
      }
      if (day > toDay || at < from.getTime() || at > to.getTime() || questions.has(line.id)) continue;
      const { type: _type, ...record } = line;
      questions.set(line.id, record);
    }
  }
  const out = [...questions.values()].map((q) => {
    const f = feedback.get(q.id);
    return f ? { ...q, feedback: f.feedback } : q;
  });
  out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { questions: out, badLines };
}
