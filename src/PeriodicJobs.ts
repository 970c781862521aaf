import type { Logger } from './log';

interface Job {
  readonly name: string;
  readonly run: () => Promise<unknown>;
  timer: NodeJS.Timeout | undefined;
  /** The run in progress, if any: a job never runs twice at once (a slow sweep skips its next turn). */
  running: Promise<void> | undefined;
}

/**
 * The bot's periodic housekeeping (expired state, old question log files, files left by stopped
 * processes), scheduled in one place and stopped in one place at shutdown. A run that fails is logged
 * as "<name> failed" and the job runs again at its next time; the timers never keep the process alive.
 * (By hand: a few lines around setInterval; a scheduling library would add a dependency for nothing.)
 */
export class PeriodicJobs {
  private readonly jobs: Job[] = [];
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  /** Runs `run` every `everyMs` (and at once, with `now`), until `stop`. */
  every(name: string, everyMs: number, run: () => Promise<unknown>, options: { readonly now?: boolean } = {}): void {
    if (this.stopped) throw new Error(`cannot schedule "${name}": the periodic jobs were stopped`);
    const job: Job = { name, run, timer: undefined, running: undefined };
    job.timer = setInterval(() => this.start(job), everyMs);
    job.timer.unref();
    this.jobs.push(job);
    if (options.now) this.start(job);
  }

  /** The names of the jobs scheduled and not stopped. */
  scheduled(): string[] {
    return this.jobs.filter((j) => j.timer !== undefined).map((j) => j.name);
  }

  /** Cancels every job; resolves when the runs in progress have finished, or after `waitMs`, whichever comes first. */
  async stop(waitMs: number): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs) {
      clearInterval(job.timer);
      job.timer = undefined;
    }
    const running = this.jobs.flatMap((j) => (j.running ? [j.running] : []));
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([Promise.all(running), late]);
    clearTimeout(timer);
  }

  private start(job: Job): void {
    if (this.stopped || job.running) return;
    job.running = job
      .run()
      .then(
        () => undefined,
        (err: unknown) => this.logger.error({ err }, `${job.name} failed`),
      )
      .finally(() => (job.running = undefined));
  }
}
