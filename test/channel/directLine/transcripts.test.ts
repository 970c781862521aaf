import { MemoryStorage } from 'botbuilder';
import { Transcripts } from '../../../src/channel/directLine/transcripts';

const msg = (text: string) => ({ type: 'message', text });

describe('Transcripts', () => {
  it('numbers activities in order, pages them by watermark and keeps counting after old ones are dropped', async () => {
    const t = new Transcripts(new MemoryStorage(), 5);
    await t.open('c1', 'dl_jane');
    for (let i = 0; i < 8; i += 1) await t.append('c1', [msg(`m${i}`)]);
    const doc = await t.get('c1');
    const all = Transcripts.page(doc, undefined);
    expect(all.activities.map((a) => a.text)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect(all.watermark).toBe('8');
    expect(Transcripts.page(doc, 6).activities.map((a) => a.text)).toEqual(['m6', 'm7']);
    expect(Transcripts.page(doc, 8).activities).toEqual([]);
    expect(all.activities[0]?.id).toBe('c1|0000003');
  });

  it('keeps concurrent appends from one process all, in a single order', async () => {
    const t = new Transcripts(new MemoryStorage());
    await t.open('c1', 'dl_jane');
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => t.append('c1', [msg(`m${i}`)])));
    const page = Transcripts.page(await t.get('c1'), undefined);
    expect(page.activities).toHaveLength(20);
    expect(new Set(ids.flat()).size).toBe(20);
  });

  it('keeps appends from two instances on one store (eTag conflicts retried)', async () => {
    const storage = new MemoryStorage();
    const a = new Transcripts(storage);
    const b = new Transcripts(storage);
    await a.open('c1', 'dl_jane');
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).append('c1', [msg(`m${i}`)])));
    expect(Transcripts.page(await a.get('c1'), undefined).activities).toHaveLength(10);
  });

  it('tells listeners about appends, and creates a conversation only once, for its first user', async () => {
    const t = new Transcripts(new MemoryStorage());
    expect(await t.open('c1', 'dl_jane')).toBe('created');
    expect(await t.open('c1', 'dl_jane')).toBe('theirs');
    expect(await t.open('c1', 'dl_mallory')).toBe('notYours');
    expect((await t.get('c1'))?.user).toBe('dl_jane');
    let heard = 0;
    const stop = t.subscribe('c1', () => (heard += 1));
    await t.append('c1', [msg('hello')]);
    stop();
    await t.append('c1', [msg('again')]);
    expect(heard).toBe(1);
  });
});
