import type { Storage } from '../storage/Storage';
import { casUpdate } from '../storage/casUpdate';
import { formatTicketId, type Ticket } from './ticket';

const COUNTER_KEY = 'tickets/counter';
const INDEX_KEY = 'tickets/index';
const OUTBOX_KEY = 'outbox/pending';
const FIRST_NUMBER = 10001;

interface Counter {
  next: number;
}
interface IdList {
  ids: string[];
}

export type TicketDraft = Omit<Ticket, 'id' | 'createdAt' | 'delivery'>;

/**
 * Tickets in any `Storage`: numbered from a shared counter (so two instances never hand out the same
 * reference), listed in an index for staff, and queued in the delivery outbox when a webhook is set.
 * Every shared document is changed with eTags, never overwritten blindly.
 */
export class TicketStore {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly prefix = 'PS',
  ) {}

  /**
   * Creates the shared documents (counter, index, outbox) if they are missing, once per store; the
   * bot calls it at start-up, before it takes any turn. Storage eTags only guard documents that
   * exist (the `Storage` contract has no "create if absent"), so every later change is a guarded
   * update and only this first creation is a plain write, of the same empty values by whoever does it.
   * The one race left: an instance starting up at the very moment another one creates the first
   * ticket of a new store could reset that counter.
   */
  init(): Promise<void> {
    this.ready ??= (async () => {
      const found = await this.storage.read([COUNTER_KEY, INDEX_KEY, OUTBOX_KEY]);
      const missing: Record<string, object> = {};
      if (!found[COUNTER_KEY]) missing[COUNTER_KEY] = { next: FIRST_NUMBER };
      if (!found[INDEX_KEY]) missing[INDEX_KEY] = { ids: [] };
      if (!found[OUTBOX_KEY]) missing[OUTBOX_KEY] = { ids: [] };
      if (Object.keys(missing).length > 0) await this.storage.write(missing);
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /**
   * Records a new ticket and returns it. It is durable when this resolves: the caller may then tell
   * the partner its reference. With `deliver`, it is also queued for the webhook.
   */
  async create(draft: TicketDraft, deliver: boolean, now = new Date()): Promise<Ticket> {
    await this.init();
    const counter = await casUpdate<Counter>(this.storage, COUNTER_KEY, (c) => ({ next: (c?.next ?? FIRST_NUMBER) + 1 }));
    const number = (counter?.next ?? FIRST_NUMBER + 1) - 1;
    const ticket: Ticket = {
      ...draft,
      id: formatTicketId(this.prefix, number),
      createdAt: now.toISOString(),
      delivery: deliver ? { status: 'pending', attempts: 0, nextAttemptAt: now.toISOString() } : { status: 'stored', attempts: 0 },
    };
    await this.storage.write({ [ticketKey(ticket.id)]: { ...ticket } });
    await casUpdate<IdList>(this.storage, INDEX_KEY, (list) => ({ ids: [...(list?.ids ?? []), ticket.id] }));
    if (deliver) await casUpdate<IdList>(this.storage, OUTBOX_KEY, (list) => ({ ids: [...(list?.ids ?? []), ticket.id] }));
    return ticket;
  }

  async get(id: string): Promise<Ticket | undefined> {
    const doc = (await this.storage.read([ticketKey(id)]))[ticketKey(id)] as (Ticket & { eTag?: string }) | undefined;
    if (!doc) return undefined;
    const { eTag: _eTag, ...ticket } = doc;
    return ticket;
  }

  /** Changes a ticket with optimistic concurrency; `change` may return undefined to leave it alone. */
  update(id: string, change: (t: Ticket) => Ticket | undefined): Promise<Ticket | undefined> {
    return casUpdate<Ticket>(this.storage, ticketKey(id), (t) => (t ? change(t) : undefined));
  }

  /** Every ticket, oldest first. */
  async list(): Promise<Ticket[]> {
    const index = (await this.storage.read([INDEX_KEY]))[INDEX_KEY] as IdList | undefined;
    const ids = index?.ids ?? [];
    const docs = ids.length > 0 ? await this.storage.read(ids.map(ticketKey)) : {};
    return ids.flatMap((id) => {
      const doc = docs[ticketKey(id)] as (Ticket & { eTag?: string }) | undefined;
      if (!doc) return [];
      const { eTag: _eTag, ...ticket } = doc;
      return [ticket];
    });
  }

  /** Ids waiting for delivery. */
  async pending(): Promise<string[]> {
    const list = (await this.storage.read([OUTBOX_KEY]))[OUTBOX_KEY] as IdList | undefined;
    return list?.ids ?? [];
  }

  /** Takes a delivered ticket off the outbox. */
  async dequeue(id: string): Promise<void> {
    await casUpdate<IdList>(this.storage, OUTBOX_KEY, (list) =>
      list && list.ids.includes(id) ? { ids: list.ids.filter((x) => x !== id) } : undefined,
    );
  }
}

function ticketKey(id: string): string {
  return `tickets/${id.toUpperCase()}`;
}
