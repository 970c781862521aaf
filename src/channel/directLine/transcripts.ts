import { EventEmitter } from 'node:events';
import type { Activity } from 'botbuilder';
import { casUpdate } from '../../escalation/casUpdate';
import type { Storage } from '../../storage/Storage';

/** One stored activity and its place in the conversation (the watermark counts these). */
interface Entry {
  readonly seq: number;
  readonly activity: Partial<Activity>;
}

/** A conversation of the bot's own Direct Line: who it belongs to and what was said, in order. */
export interface TranscriptDoc {
  readonly conv: string;
  readonly user: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The sequence number the next activity gets; the watermark after the last one. */
  readonly next: number;
  readonly entries: readonly Entry[];
}

export interface Page {
  readonly activities: Partial<Activity>[];
  readonly watermark: string;
}

/**
 * The transcripts of the conversations the bot hosts itself, kept in the bot's `Storage` (so they
 * survive restarts and are shared by every instance). A transcript keeps its last `maxActivities`
 * activities; watermarks keep counting, so a client never sees an activity twice.
 *
 * Appends to one conversation are serialised within the process and guarded by eTags across
 * processes. Listeners (open WebSocket streams) hear about appends made by this process at once.
 */
export class Transcripts {
  private readonly events = new EventEmitter();
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The last version of each conversation this process read or wrote, and when (most recent last). */
  private readonly recent = new Map<string, { doc: TranscriptDoc; at: number }>();

  constructor(
    private readonly storage: Storage,
    private readonly maxActivities = 200,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.events.setMaxListeners(0);
  }

  static key(conv: string): string {
    return `local-directline/conversations/${encodeURIComponent(conv)}`;
  }

  /**
   * The conversation as stored. With `maxAgeMs`, a version this process read or wrote that recently
   * will do (it saves reading and parsing the transcript on every poll and every push); another
   * instance's changes then show up at most that much later.
   */
  async get(conv: string, maxAgeMs = 0): Promise<TranscriptDoc | undefined> {
    const cached = this.recent.get(conv);
    if (cached && maxAgeMs > 0 && this.now().getTime() - cached.at <= maxAgeMs) return cached.doc;
    const key = Transcripts.key(conv);
    const found = (await this.storage.read([key]))[key] as (TranscriptDoc & { eTag?: string }) | undefined;
    const doc = found && typeof found.user === 'string' ? found : undefined;
    if (doc) this.remember(conv, doc);
    return doc;
  }

  private remember(conv: string, doc: TranscriptDoc): void {
    this.recent.delete(conv);
    this.recent.set(conv, { doc, at: this.now().getTime() });
    if (this.recent.size > 1000) this.recent.delete(this.recent.keys().next().value as string);
  }

  /**
   * Opens the conversation for `user`: creates it if it does not exist. Says whether it was created,
   * already theirs, or someone else's.
   */
  open(conv: string, user: string): Promise<'created' | 'theirs' | 'notYours'> {
    return this.serial(conv, async () => {
      let created = false;
      const doc = await casUpdate<TranscriptDoc>(this.storage, Transcripts.key(conv), (current) => {
        if (current) return undefined;
        created = true;
        const at = this.now().toISOString();
        return { conv, user, createdAt: at, updatedAt: at, next: 0, entries: [] };
      });
      if (doc) this.remember(conv, doc);
      if (created) return 'created';
      return doc && doc.user !== '' && doc.user !== user ? 'notYours' : 'theirs';
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
      const written = await casUpdate<TranscriptDoc>(this.storage, Transcripts.key(conv), (current) => {
        const at = this.now();
        const doc = current ?? { conv, user: '', createdAt: at.toISOString(), updatedAt: at.toISOString(), next: 0, entries: [] };
        if (expectUser !== undefined && doc.user !== '' && doc.user !== expectUser) throw new NotYourConversation(conv);
        const added = activities.map((a, i): Entry => {
          const seq = doc.next + i;
          const id = `${conv}|${String(seq).padStart(7, '0')}`;
          // What a client needs; the channel's routing fields (serviceUrl, recipient) stay on the server.
          const { serviceUrl: _s, recipient: _r, ...rest } = a;
          return { seq, activity: { ...rest, id, timestamp: at.toISOString() as unknown as Date } };
        });
        ids = added.map((e) => e.activity.id as string);
        const entries = [...doc.entries, ...serialisable(added)].slice(-this.maxActivities);
        return { ...doc, updatedAt: at.toISOString(), next: doc.next + added.length, entries };
      });
      if (written) this.remember(conv, written);
      this.events.emit(conv);
      return ids;
    });
  }

  /** Replaces a stored activity (same id), e.g. a card the bot updates. */
  update(conv: string, activity: Partial<Activity>): Promise<void> {
    return this.serial(conv, async () => {
      this.recent.delete(conv);
      await casUpdate<TranscriptDoc>(this.storage, Transcripts.key(conv), (current) => {
        const i = current?.entries.findIndex((e) => e.activity.id === activity.id) ?? -1;
        if (!current || i < 0) return undefined;
        const entries = [...current.entries];
        const old = entries[i] as Entry;
        entries[i] = { seq: old.seq, activity: { ...old.activity, ...activity, id: old.activity.id } };
        return { ...current, entries: serialisable(entries) };
      });
      this.events.emit(conv);
    });
  }

  remove(conv: string, activityId: string): Promise<void> {
    return this.serial(conv, async () => {
      this.recent.delete(conv);
      await casUpdate<TranscriptDoc>(this.storage, Transcripts.key(conv), (current) =>
        current ? { ...current, entries: current.entries.filter((e) => e.activity.id !== activityId) } : undefined,
      );
    });
  }

  /** The activities after `watermark` (all of them for none), and the watermark after them. */
  static page(doc: TranscriptDoc | undefined, watermark: number | undefined): Page {
    if (!doc) return { activities: [], watermark: String(watermark ?? 0) };
    const from = watermark ?? 0;
    // Never hand back a lower watermark than the client had (a copy a moment old from another instance).
    return { activities: doc.entries.filter((e) => e.seq >= from).map((e) => e.activity), watermark: String(Math.max(doc.next, from)) };
  }

  /** Calls `listener` whenever this process appends to `conv`; returns the unsubscribe function. */
  subscribe(conv: string, listener: () => void): () => void {
    this.events.on(conv, listener);
    return () => this.events.off(conv, listener);
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

/** Activities as JSON (dates as ISO strings), as a client reads them. */
function serialisable(entries: Entry[]): Entry[] {
  return JSON.parse(JSON.stringify(entries)) as Entry[];
}
