import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeliveryWorker, sign } from '../../src/escalation/DeliveryWorker';
import { TicketStore, type TicketDraft } from '../../src/escalation/TicketStore';
import { createLogger } from '../../src/log';
import { FileStorage } from '../../src/storage/FileStorage';

const draft: TicketDraft = {
  scriptId: 'support',
  scriptTitle: 'Question for partner support',
  answers: { question: 'help' },
  summary: [{ label: 'Question', value: 'help' }],
  history: [],
  channelId: 'test',
  conversationId: 'c1',
  partner: { userId: 'u1' },
};

interface Call {
  headers: Record<string, string>;
  body: string;
}

/** A fake `fetch` that records calls and answers with the given statuses in turn (the last repeats). */
function fakeFetch(statuses: number[], delayMs = 0): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const impl = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ headers: init?.headers as Record<string, string>, body: String(init?.body) });
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)] ?? 200;
    return new Response('{}', { status });
  };
  return { fetch: impl as typeof fetch, calls };
}

describe('DeliveryWorker', () => {
  let dir: string;
  let store: TicketStore;
  const logger = createLogger('silent');
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'outbox-'));
    store = new TicketStore(new FileStorage(dir));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('POSTs the ticket signed with HMAC-SHA256 and an idempotency key, then marks it delivered and dequeues it', async () => {
    const ticket = await store.create(draft, true);
    const fake = fakeFetch([200]);
    const worker = new DeliveryWorker({ store, url: 'http://127.0.0.1:1/x', secret: 's3cret', logger, fetch: fake.fetch });
    await worker.runOnce();
    expect(fake.calls).toHaveLength(1);
    const [call] = fake.calls;
    expect(call?.headers['idempotency-key']).toBe(ticket.id);
    expect(call?.headers['x-signature-256']).toBe(sign(call?.body ?? '', 's3cret'));
    expect(JSON.parse(call?.body ?? '{}')).toMatchObject({ event: 'ticket.created', idempotencyKey: ticket.id, ticket: { id: ticket.id } });
    expect((await store.get(ticket.id))?.delivery).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await store.pending()).toEqual([]);
    await worker.runOnce();
    expect(fake.calls).toHaveLength(1);
  });

  it('retries a failing webhook with growing waits, and only when each wait is over', async () => {
    await store.create(draft, true);
    const fake = fakeFetch([500, 500, 500, 200]);
    const worker = new DeliveryWorker({ store, url: 'http://127.0.0.1:1/x', logger, fetch: fake.fetch, baseDelayMs: 1000, maxDelayMs: 3000 });
    let now = Date.now();
    const clock = () => new Date(now);
    await worker.runOnce(clock); // attempt 1 fails: wait 1 s
    await worker.runOnce(clock); // too early
    expect(fake.calls).toHaveLength(1);
    now += 1001;
    await worker.runOnce(clock); // attempt 2 fails: wait 2 s
    now += 1001;
    await worker.runOnce(clock); // too early
    expect(fake.calls).toHaveLength(2);
    now += 1000;
    await worker.runOnce(clock); // attempt 3 fails: wait capped at 3 s
    const pending = (await store.list())[0]?.delivery;
    expect(pending).toMatchObject({ status: 'pending', attempts: 3, lastError: 'webhook answered 500' });
    expect(Date.parse(pending?.nextAttemptAt ?? '') - now).toBe(3000);
    now += 3000;
    await worker.runOnce(clock);
    expect(fake.calls).toHaveLength(4);
    expect((await store.list())[0]?.delivery.status).toBe('delivered');
  });

  it('treats a timeout or a refused connection as a failure to retry, not a delivery', async () => {
    await store.create(draft, true);
    const worker = new DeliveryWorker({ store, url: 'http://127.0.0.1:9/refused', logger, timeoutMs: 500 });
    await worker.runOnce();
    expect((await store.list())[0]?.delivery).toMatchObject({ status: 'pending', attempts: 1 });
  });

  it('two instances working the same outbox deliver each ticket once', async () => {
    const created = await Promise.all(Array.from({ length: 5 }, () => store.create(draft, true)));
    const fake = fakeFetch([200], 20);
    const other = new TicketStore(new FileStorage(dir));
    const a = new DeliveryWorker({ store, url: 'http://127.0.0.1:1/x', logger, fetch: fake.fetch });
    const b = new DeliveryWorker({ store: other, url: 'http://127.0.0.1:1/x', logger, fetch: fake.fetch });
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    const keys = fake.calls.map((c) => c.headers['idempotency-key']).sort();
    expect(keys).toEqual(created.map((t) => t.id).sort());
  });
});
