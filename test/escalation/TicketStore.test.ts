import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TicketStore, type TicketDraft } from '../../src/escalation/TicketStore';
import { FileStorage } from '../../src/storage/FileStorage';

const draft = (question: string): TicketDraft => ({
  scriptId: 'support',
  scriptTitle: 'Question for partner support',
  answers: { question },
  summary: [{ label: 'Question', value: question }],
  history: [],
  channelId: 'test',
  conversationId: 'c1',
  partner: { userId: 'u1' },
});

describe('TicketStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tickets-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('numbers tickets in order with a short reference, and lists them for staff', async () => {
    const store = new TicketStore(new FileStorage(dir), 'PS');
    const a = await store.create(draft('first'), true);
    const b = await store.create(draft('second'), false);
    expect(a.id).toBe('PS-10001');
    expect(b.id).toBe('PS-10002');
    expect((await store.list()).map((t) => t.answers.question)).toEqual(['first', 'second']);
    expect(await store.pending()).toEqual(['PS-10001']);
    expect((await store.get('ps-10002'))?.delivery.status).toBe('stored');
  });

  it('never hands out the same reference twice, even to two stores (instances) creating at once', async () => {
    const one = new TicketStore(new FileStorage(dir));
    const two = new TicketStore(new FileStorage(dir));
    const created = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).create(draft(`q${i}`), true)));
    const ids = created.map((t) => t.id);
    expect(new Set(ids).size).toBe(30);
    expect((await one.list()).map((t) => t.id).sort()).toEqual([...ids].sort());
    expect((await two.pending()).sort()).toEqual([...ids].sort());
  });

  it('survives a restart: a new store on the same folder continues the numbering', async () => {
    await new TicketStore(new FileStorage(dir)).create(draft('before'), false);
    const after = await new TicketStore(new FileStorage(dir)).create(draft('after'), false);
    expect(after.id).toBe('PS-10002');
  });
});
