import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { storageUnavailableIn } from '../storage/StorageHealth';
import type { Ticket } from './ticket';
import type { TicketStore } from './TicketStore';

export interface DeliveryOptions {
  readonly store: TicketStore;
  readonly url: string;
  /** When set, each request carries `X-Signature-256: sha256=<hex HMAC-SHA256 of the body>`. */
  readonly secret?: string;
  readonly logger: Logger;
  readonly timeoutMs?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly pollMs?: number;
  /** How long a claim on a ticket lasts; another instance may retry it after that. */
  readonly leaseMs?: number;
  readonly fetch?: typeof fetch;
  /** Told about each delivery attempt (`attempt` counts from 1), for the metrics. */
  readonly onAttempt?: (attempt: number, delivered: boolean) => void;
}

/** The JSON body POSTed to the webhook. */
export interface TicketWebhookPayload {
  readonly event: 'ticket.created';
  /** The same for every attempt at the same ticket: receivers drop repeats by it. */
  readonly idempotencyKey: string;
  readonly ticket: Ticket;
}

export const SIGNATURE_HEADER = 'x-signature-256';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The delivery outbox's worker: POSTs each queued ticket to the staff webhook until one attempt
 * succeeds (2xx), waiting longer after each failure (1 s, 2 s, 4 s, ... up to 5 minutes). The queue
 * lives in storage, so a restart picks up where it stopped. Before sending, the worker claims the
 * ticket with an eTag-checked write, so two instances never send it at the same time; a delivered
 * ticket is marked so before it leaves the queue and is never sent again.
 */
export class DeliveryWorker {
  private readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: DeliveryOptions) {}

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.o.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /**
   * Stops polling and starting deliveries, and waits for the one in progress to finish, at most
   * `waitMs`. One not finished by then is left to its lease: it is tried again later (by another
   * instance, or after a restart), with the same idempotency key.
   */
  async stop(waitMs = Infinity): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    if (waitMs === Infinity) return this.running;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /** Looks at the queue now (coalesced with a run in progress). */
  kick(): void {
    if (this.stopped) return; // e.g. a turn that finishes during shutdown
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .catch((err: unknown) => {
        // A storage outage is logged once by the storage's monitor, not on every poll.
        if (!storageUnavailableIn(err)) this.o.logger.error({ err }, 'delivery run failed');
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Delivers every ticket that is due. */
  async runOnce(now: () => Date = () => new Date()): Promise<void> {
    for (const id of await this.o.store.pending()) {
      if (this.stopped) return;
      const ticket = await this.o.store.get(id);
      if (!ticket || ticket.delivery.status !== 'pending') {
        await this.o.store.dequeue(id);
        continue;
      }
      const claimed = await this.claim(id, now());
      if (claimed) await this.deliver(claimed, now);
    }
  }

  private async claim(id: string, at: Date): Promise<Ticket | undefined> {
    const lease = this.o.leaseMs ?? 60_000;
    let mine = false;
    await this.o.store.update(id, (t) => {
      mine = false;
      const d = t.delivery;
      if (d.status !== 'pending') return undefined;
      if (d.nextAttemptAt && Date.parse(d.nextAttemptAt) > at.getTime()) return undefined;
      // A live claim (anyone's, this worker's too) means an attempt is under way.
      if (d.claimedUntil && Date.parse(d.claimedUntil) > at.getTime()) return undefined;
      mine = true;
      return { ...t, delivery: { ...d, claimedBy: this.id, claimedUntil: new Date(at.getTime() + lease).toISOString() } };
    });
    return mine ? this.o.store.get(id) : undefined;
  }

  private async deliver(ticket: Ticket, now: () => Date): Promise<void> {
    const log = this.o.logger.child({ ticket: ticket.id });
    const payload: TicketWebhookPayload = { event: 'ticket.created', idempotencyKey: ticket.id, ticket: publicView(ticket) };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', [IDEMPOTENCY_HEADER]: ticket.id };
    if (this.o.secret) headers[SIGNATURE_HEADER] = sign(body, this.o.secret);
    const attempt = ticket.delivery.attempts + 1;
    let error: string | undefined;
    try {
      const res = await (this.o.fetch ?? fetch)(this.o.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `webhook answered ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }

    if (error === undefined) {
      await this.o.store.update(ticket.id, (t) => ({
        ...t,
        delivery: { status: 'delivered', attempts: attempt, deliveredAt: now().toISOString() },
      }));
      await this.o.store.dequeue(ticket.id);
      this.o.onAttempt?.(attempt, true);
      log.info({ attempts: attempt }, 'ticket delivered');
      return;
    }
    const delay = Math.min(this.o.maxDelayMs ?? 300_000, (this.o.baseDelayMs ?? 1000) * 2 ** (attempt - 1));
    const next = new Date(now().getTime() + delay);
    await this.o.store.update(ticket.id, (t) =>
      t.delivery.status === 'pending'
        ? { ...t, delivery: { status: 'pending', attempts: attempt, lastError: error, nextAttemptAt: next.toISOString() } }
        : undefined,
    );
    this.o.onAttempt?.(attempt, false);
    log.warn({ attempts: attempt, error, retryAt: next.toISOString() }, 'ticket delivery failed; will retry');
  }
}

/** The ticket as staff receive it: without the worker's bookkeeping or the bot's routing data. */
function publicView(t: Ticket): Ticket {
  const { claimedBy: _by, claimedUntil: _until, ...delivery } = t.delivery;
  const { partnerRef: _ref, ...rest } = t;
  return { ...rest, delivery };
}
