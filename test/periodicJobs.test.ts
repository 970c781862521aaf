import { Writable } from 'node:stream';
import { createLogger } from '../src/log';
import { PeriodicJobs } from '../src/PeriodicJobs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logSink(): { logger: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('the periodic jobs (sweeps) scheduled by the composition root', () => {
  it('runs a job at once and then every interval, until stopped; after stop nothing runs again', async () => {
    const jobs = new PeriodicJobs(logSink().logger);
    let runs = 0;
    jobs.every('state sweep', 20, async () => void (runs += 1), { now: true });
    expect(runs).toBe(1);
    await sleep(150);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(jobs.scheduled()).toEqual(['state sweep']);
    await jobs.stop(1000);
    const atStop = runs;
    await sleep(100);
    expect(runs).toBe(atStop);
    expect(jobs.scheduled()).toEqual([]);
    expect(() => jobs.every('late job', 20, async () => undefined)).toThrow(/stopped/);
  });

  it('never runs a job twice at once: a slow sweep skips its next turns', async () => {
    const jobs = new PeriodicJobs(logSink().logger);
    let running = 0;
    let most = 0;
    let runs = 0;
    jobs.every(
      'question log sweep',
      10,
      async () => {
        runs += 1;
        running += 1;
        most = Math.max(most, running);
        await sleep(60);
        running -= 1;
      },
      { now: true },
    );
    // Until the job has run three times (a busy machine delays timers; the bound only stops a hang).
    const started = Date.now();
    while (runs < 3 && Date.now() - started < 10_000) await sleep(20);
    const elapsed = Date.now() - started;
    await jobs.stop(1000);
    expect(most).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(3);
    // Every 10 ms would have started a run each tick; each run takes 60 ms and the next waits for it.
    expect(runs).toBeLessThanOrEqual(Math.floor(elapsed / 60) + 2);
  });

  it('logs a failed run as "<name> failed" and runs the job again at its next time', async () => {
    const { logger, lines } = logSink();
    const jobs = new PeriodicJobs(logger);
    let runs = 0;
    jobs.every(
      'state sweep',
      20,
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('disk full');
      },
      { now: true },
    );
    await sleep(100);
    await jobs.stop(1000);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(lines.filter((l) => l.msg === 'state sweep failed')).toHaveLength(1);
  });

  it('stop waits for a run in progress (so the storage is not closed under it), but only up to its limit', async () => {
    const jobs = new PeriodicJobs(logSink().logger);
    let finished = false;
    jobs.every('state sweep', 60_000, async () => {
      await sleep(100);
      finished = true;
    }, { now: true });
    await jobs.stop(5000);
    expect(finished).toBe(true);

    const hung = new PeriodicJobs(logSink().logger);
    hung.every('stuck sweep', 60_000, () => new Promise(() => undefined), { now: true });
    const started = Date.now();
    await hung.stop(100);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
