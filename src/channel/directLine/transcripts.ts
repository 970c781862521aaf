import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Activity } from 'botbuilder';
import { casUpdate } from '../../storage/casUpdate';
import type { Storage } from '../../storage/Storage';

/** One stored activity and its place in the conversation (the watermark counts these). */
interface Entry {
  readonly seq: number;
  readonly activity: Partial<Activity>;
}

/** A full page of the transcript, as its conversation's head lists it. */
interface PageRef {
  /** The sequence number of the page's first activity; every activity on it is in [from, to). */
  readonly from: number;
  readonly to: number;
  /** How many activities the page holds (fewer than `to - from` once one was removed). */
  readonly count: number;
  /** Names this version of the page: a page is never rewritten in place; a changed one gets a new id. */
  readonly id: string;
}

/** The document of one full page. */
interface StoredPage {
  readonly conv: string;
  readonly from: number;
  readonly to: number;
  readonly entries: readonly Entry[];
}

/**
 * A conversation of the bot's own Direct Line: who it belongs to, its full pages (oldest first) and
 * the activities after them (`tail`, fewer than a page). The only document every append rewrites.
 */
export interface TranscriptHead {
  readonly conv: string;
  readonly user: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The sequence number the next activity gets; the watermark after the last one. */
  readonly next: number;
  readonly pages: readonly PageRef[];
  readonly tail: readonly Entry[];
}

/**
 * How earlier versions stored a conversation: every activity in the one document. Still read as it
 * is; the first change to such a conversation moves its activities into pages.
 */
interface WholeTranscript {
  readonly conv: string;
  readonly user: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly next: number;
  readonly entries: readonly Entry[];
}

/** What a client reads: the activities after its watermark, and the watermark after them (Direct Line's ActivitySet). */
export interface ActivitySet {
  readonly activities: Partial<Activity>[];
  readonly watermark: string;
}

/** A change to a conversation: its new head, the pages to store first, and the pages it no longer lists. */
interface Plan {
  readonly head: TranscriptHead;
  readonly write: readonly { readonly ref: PageRef; readonly page: StoredPage }[];
  readonly drop: readonly PageRef[];
}

/** Activities per page: a page is sealed once the tail holds this many. */
export const PAGE_SIZE = 20;
/** How many times a read starts over when a page its head listed has just been replaced or dropped. */
const READ_ATTEMPTS = 3;
/** Conversations whose latest head this process keeps (most recent last). */
const RECENT_HEADS = 1000;

/**
 * The transcripts of the conversations the bot hosts itself, kept in the bot's `Storage` (so they
 * survive restarts and are shared by every instance).
 *
 * Layout: each conversation has a small head document (`key(conv)`: owner, times, the next sequence
 * number, the list of its full pages and the activities after them) and one document per full page of
 * `pageSize` activities (`<key>/pages/<first seq>-<id>`). An append rewrites only the head, whose size
 * does not grow with the conversation; when the tail reaches a page, the page is written once under a
 * new key and the head, in the same compare-and-set, lists it and drops those activities from its tail.
 * So every change is one eTag-guarded write of the head: two instances appending at once cannot lose or
 * repeat an activity, and a page the head lists never changes (a page an update or removal changes is
 * written anew under another id, and the old one deleted). Page documents of a write that lost its
 * compare-and-set are deleted before the next attempt.
 *
 * A transcript keeps at most its last `maxActivities` activities, dropping whole pages (the oldest
 * first), so between `maxActivities - pageSize + 1` and `maxActivities` stay; watermarks keep counting,
 * so a client never sees an activity twice. Reading after a watermark reads the head and only the pages
 * with activities after it.
 *
 * Appends to one conversation are serialised within the process and guarded by eTags across
 * processes. Listeners (open WebSocket streams) hear about appends made by this process at once.
 */
export class Transcripts {
  private readonly events = new EventEmitter();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The last head of each conversation this process read or wrote, and when (most recent last). */
  private readonly recent = new Map<string, { head: TranscriptHead; at: number }>();
  private readonly maxActivities: number;
  private readonly pageSize: number;
  private readonly now: () => Date;

  constructor(
    private readonly storage: Storage,
    o: { readonly maxActivities?: number; readonly pageSize?: number; readonly now?: () => Date } = {},
  ) {
    this.maxActivities = Math.max(1, o.maxActivities ?? 200);
    this.pageSize = Math.max(1, Math.min(o.pageSize ?? PAGE_SIZE, this.maxActivities));
    this.now = o.now ?? (() => new Date());
    this.events.setMaxListeners(0);
  }

  static key(conv: string): string {
    return `local-directline/conversations/${encodeURIComponent(conv)}`;
  }

  static pageKey(conv: string, page: Pick<PageRef, 'from' | 'id'>): string {
    return `${Transcripts.key(conv)}/pages/${page.from}-${page.id}`;
  }

  /**
   * The conversation's head as stored. With `maxAgeMs`, a version this process read or wrote that
   * recently will do (it saves reading the head on every poll and every push); another instance's
   * changes then show up at most that much later.
   */
  async get(conv: string, maxAgeMs = 0): Promise<TranscriptHead | undefined> {
    const cached = this.recent.get(conv);
    if (cached && maxAgeMs > 0 && this.now().getTime() - cached.at <= maxAgeMs) return cached.head;
    const key = Transcripts.key(conv);
    const head = asHead((await this.storage.read([key]))[key]);
    if (head) this.remember(conv, head);
    return head;
  }

  /**
   * The activities of `conv` after `watermark` (all that are kept for none), reading only the pages
   * that hold any. `notYours` when the conversation belongs to someone other than `user`; no
   * activities when it does not exist. `maxAgeMs` as for `get`.
   */
  async read(conv: string, watermark: number | undefined, o: { readonly user?: string; readonly maxAgeMs?: number } = {}): Promise<ActivitySet | 'notYours'> {
    const from = watermark ?? 0;
    let head = await this.get(conv, o.maxAgeMs ?? 0);
    for (let attempt = 1; ; attempt += 1) {
      if (!head) return { activities: [], watermark: String(from) };
      if (o.user !== undefined && head.user !== o.user) return 'notYours';
      const wanted = head.pages.filter((p) => p.to > from);
      const keys = wanted.map((p) => Transcripts.pageKey(conv, p));
      const found = keys.length > 0 ? await this.storage.read(keys) : {};
      const pages = keys.map((k) => asPage(found[k]));
      // A page missing: another writer replaced or dropped it since this head was read. Read the
      // head again; a page still missing after that is gone (expired with old state) and is skipped.
      if (pages.some((p) => p === undefined) && attempt < READ_ATTEMPTS) {
        head = await this.get(conv, 0);
        continue;
      }
      const entries = [...pages.flatMap((p) => p?.entries ?? []), ...head.tail].filter((e) => e.seq >= from);
      // Never hand back a lower watermark than the client had (a head a moment old from another instance).
      return { activities: entries.map((e) => e.activity), watermark: String(Math.max(head.next, from)) };
    }
  }

  private remember(conv: string, head: TranscriptHead): void {
    this.recent.delete(conv);
    this.recent.set(conv, { head, at: this.now().getTime() });
    if (this.recent.size > RECENT_HEADS) this.recent.delete(this.recent.keys().next().value as string);
  }

  /**
   * Opens the conversation for `user`: creates it if it does not exist. Says whether it was created,
   * already theirs, or someone else's.
   */
  open(conv: string, user: string): Promise<'created' | 'theirs' | 'notYours'> {
    return this.serial(conv, async () => {
      let created = false;
      const head = await this.change(conv, (current) => {
        if (current) return undefined;
        created = true;
        const at = this.now().toISOString();
        return { head: { conv, user, createdAt: at, updatedAt: at, next: 0, pages: [], tail: [] }, write: [], drop: [] };
      });
      if (created) return 'created';
      return head && head.user !== '' && head.user !== user ? 'notYours' : 'theirs';
    });
  }

  /**
   * Adds activities to the end of the conversation, giving each a server id (`<conv>|<seq>`) and a
   * timestamp; resolves with the ids. With `expectUser`, refuses (NotYourConversation) to add to a
   * conversation that belongs to someone else.
   */
  append(conv: string, activities: readonly Partial<Activity>[], expectUser?: string): Promise<string[]> {
    return this.serial(conv, async () => {
      let ids: string[] = [];
      await this.change(conv, (current) => {
        const at = this.now();
        const head = current ?? { conv, user: '', createdAt: at.toISOString(), updatedAt: at.toISOString(), next: 0, pages: [], tail: [] };
        if (expectUser !== undefined && head.user !== '' && head.user !== expectUser) throw new NotYourConversation(conv);
        const added = activities.map((a, i): Entry => {
          const seq = head.next + i;
          const id = `${conv}|${String(seq).padStart(7, '0')}`;
          // What a client needs; the channel's routing fields (serviceUrl, recipient) stay on the server.
          const { serviceUrl: _s, recipient: _r, ...rest } = a;
          return { seq, activity: { ...rest, id, timestamp: at.toISOString() as unknown as Date } };
        });
        ids = added.map((e) => e.activity.id as string);
        return this.settle({ ...head, updatedAt: at.toISOString(), next: head.next + added.length, tail: [...head.tail, ...serialisable(added)] });
      });
      this.events.emit(conv);
      return ids;
    });
  }

  /** Replaces a stored activity (same id), e.g. a card the bot updates. */
  update(conv: string, activity: Partial<Activity>): Promise<void> {
    return this.serial(conv, async () => {
      await this.changeEntry(conv, activity.id, (old) => [{ seq: old.seq, activity: { ...old.activity, ...activity, id: old.activity.id } }]);
      this.events.emit(conv);
    });
  }

  remove(conv: string, activityId: string): Promise<void> {
    return this.serial(conv, () => this.changeEntry(conv, activityId, () => []));
  }

  /** Calls `listener` whenever this process appends to `conv`; returns the unsubscribe function. */
  subscribe(conv: string, listener: () => void): () => void {
    this.events.on(conv, listener);
    return () => this.events.off(conv, listener);
  }

  /** Replaces the activity with id `id` (wherever it is: the tail or a page) with what `edit` returns. */
  private async changeEntry(conv: string, id: string | undefined, edit: (old: Entry) => Entry[]): Promise<void> {
    const seq = id !== undefined && id.startsWith(`${conv}|`) ? Number(id.slice(conv.length + 1)) : NaN;
    if (!Number.isSafeInteger(seq)) return;
    await this.change(conv, async (head) => {
      if (!head) return undefined;
      const i = head.tail.findIndex((e) => e.seq === seq);
      if (i >= 0) {
        const tail = [...head.tail.slice(0, i), ...serialisable(edit(head.tail[i] as Entry)), ...head.tail.slice(i + 1)];
        return this.settle({ ...head, tail });
      }
      const ref = head.pages.find((p) => p.from <= seq && seq < p.to);
      if (!ref) return undefined;
      const key = Transcripts.pageKey(conv, ref);
      const page = asPage((await this.storage.read([key]))[key]);
      const j = page?.entries.findIndex((e) => e.seq === seq) ?? -1;
      if (!page || j < 0) return undefined;
      const entries = [...page.entries.slice(0, j), ...serialisable(edit(page.entries[j] as Entry)), ...page.entries.slice(j + 1)];
      const pages = head.pages.filter((p) => p !== ref);
      if (entries.length === 0) return { head: { ...head, pages }, write: [], drop: [ref] };
      const replaced: PageRef = { ...ref, count: entries.length, id: newPageId() };
      pages.splice(head.pages.indexOf(ref), 0, replaced);
      return { head: { ...head, pages }, write: [{ ref: replaced, page: { ...page, entries } }], drop: [ref] };
    });
  }

  /**
   * Moves full pages out of the head's tail into page documents, and drops the oldest pages while the
   * conversation keeps more than `maxActivities`.
   */
  private settle(head: TranscriptHead): Plan {
    let tail = head.tail;
    const pages = [...head.pages];
    const write: { ref: PageRef; page: StoredPage }[] = [];
    while (tail.length >= this.pageSize) {
      const entries = tail.slice(0, this.pageSize);
      tail = tail.slice(this.pageSize);
      const from = (entries[0] as Entry).seq;
      const to = (entries[entries.length - 1] as Entry).seq + 1;
      const ref: PageRef = { from, to, count: entries.length, id: newPageId() };
      pages.push(ref);
      write.push({ ref, page: { conv: head.conv, from, to, entries } });
    }
    let kept = pages.reduce((n, p) => n + p.count, tail.length);
    const dropped: PageRef[] = [];
    while (kept > this.maxActivities && pages.length > 0) {
      const oldest = pages.shift() as PageRef;
      kept -= oldest.count;
      dropped.push(oldest);
    }
    // A page sealed and dropped in the same change is never written.
    return {
      head: { ...head, pages, tail },
      write: write.filter((w) => !dropped.includes(w.ref)),
      drop: dropped.filter((d) => !write.some((w) => w.ref === d)),
    };
  }

  /**
   * One change to a conversation, as a compare-and-set of its head: the new pages are written first
   * (under keys nobody else writes), then the head that lists them, with the eTag it was read with;
   * when another writer got there first, the pages are deleted and the change starts over. After the
   * head is written, the pages it no longer lists are deleted. Resolves with the head as it now is.
   */
  private async change(conv: string, plan: (current: TranscriptHead | undefined) => Plan | undefined | Promise<Plan | undefined>): Promise<TranscriptHead | undefined> {
    const key = Transcripts.key(conv);
    let chosen: Plan | undefined;
    let proposed: Record<string, unknown> | undefined;
    const written = await casUpdate<Record<string, unknown>>(
      this.storage,
      key,
      async (stored) => {
        chosen = await plan(asHead(stored));
        if (!chosen) return undefined;
        if (chosen.write.length > 0) {
          const pages: Record<string, StoredPage> = {};
          for (const w of chosen.write) pages[Transcripts.pageKey(conv, w.ref)] = w.page;
          await this.storage.write(pages);
        }
        proposed = { ...chosen.head };
        return proposed;
      },
      { lost: () => this.deletePages(conv, chosen?.write.map((w) => w.ref) ?? []) },
    );
    const head = asHead(written);
    if (head) this.remember(conv, head);
    // What no head lists any more; one left behind by a failure here expires with old state.
    if (chosen && written !== undefined && written === proposed) await this.deletePages(conv, chosen.drop);
    return head;
  }

  private async deletePages(conv: string, refs: readonly PageRef[]): Promise<void> {
    if (refs.length === 0) return;
    await this.storage.delete(refs.map((r) => Transcripts.pageKey(conv, r))).catch(() => undefined);
  }

  private serial<T>(conv: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(conv) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.chains.set(conv, tail);
    void tail.then(() => {
      if (this.chains.get(conv) === tail) this.chains.delete(conv);
    });
    return run;
  }
}

export class NotYourConversation extends Error {
  constructor(conv: string) {
    super(`conversation ${conv} belongs to another user`);
    this.name = 'NotYourConversation';
  }
}

/**
 * A stored conversation document as a head: one in this layout as it is, one in the earlier layout
 * (every activity in `entries`) with its activities as the tail; anything else (or nothing) undefined.
 */
function asHead(stored: unknown): TranscriptHead | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const s = stored as Partial<TranscriptHead & WholeTranscript> & { eTag?: unknown };
  if (typeof s.user !== 'string' || typeof s.conv !== 'string' || typeof s.next !== 'number') return undefined;
  const base = { conv: s.conv, user: s.user, createdAt: String(s.createdAt), updatedAt: String(s.updatedAt), next: s.next };
  if (Array.isArray(s.tail) && Array.isArray(s.pages)) return { ...base, pages: s.pages, tail: s.tail };
  if (Array.isArray(s.entries)) return { ...base, pages: [], tail: s.entries };
  return undefined;
}

function asPage(stored: unknown): StoredPage | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const p = stored as Partial<StoredPage>;
  return Array.isArray(p.entries) && typeof p.from === 'number' ? (p as StoredPage) : undefined;
}

function newPageId(): string {
  return randomBytes(6).toString('hex');
}

/** Activities as JSON (dates as ISO strings), as a client reads them. */
function serialisable(entries: Entry[]): Entry[] {
  return JSON.parse(JSON.stringify(entries)) as Entry[];
}
