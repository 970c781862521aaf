import { runInNewContext } from 'node:vm';
import { collectGarbage } from '../src/heap';

describe('the full collection the bot makes after loading the knowledge base', () => {
  it('frees what nothing uses any more, and says how much and how long', () => {
    // Garbage that lives long enough to reach the old generation, as an index build's working data does.
    const made = () => Array.from({ length: 200 }, (_, i) => Array.from({ length: 2000 }, (_, j) => `${i}-${j}-${'x'.repeat(20)}`)).length;
    expect(made()).toBe(200);
    const collected = collectGarbage();
    expect(collected).toBeDefined();
    if (!collected) return;
    // The strings above alone are over 15 MB.
    expect(collected.heapBeforeMb - collected.heapAfterMb).toBeGreaterThanOrEqual(15);
    expect(collected.ms).toBeGreaterThanOrEqual(0);
  });

  it('leaves no gc function behind for code run later', () => {
    collectGarbage();
    expect(runInNewContext('typeof gc')).toBe('undefined');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
