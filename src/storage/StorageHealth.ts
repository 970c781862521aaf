import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import type { Storage, StoreItems } from './Storage';

/**
 * The bot's storage cannot be used right now (read-only, full, unreachable, not answering, ...).
 * `reason` says why in words fit for a client: never a path, a stack or an operating system's message.
 */
export class StorageUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`the storage is unavailable: ${reason}`);
    this.name = 'StorageUnavailable';
  }
}

/** The StorageUnavailable in `err` or its causes, if any. */
export function storageUnavailableIn(err: unknown): StorageUnavailable | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof StorageUnavailable) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export type StorageState = { readonly available: true } | { readonly available: false; readonly reason: string; readonly since: string };

export interface StorageHealthOptions {
  /** An operation that takes longer than this has failed (the store is hung). */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** While storage is failing, it is tried this often (default 2 s). */
  readonly retryMs?: number;
  /** While it works, it is tried this often, so a failure shows without traffic (default 30 s). */
  readonly checkMs?: number;
}

interface Incident {
  reason: string;
  readonly since: number;
  refused: number;
}

/**
 * Watches the bot's `Storage` and stands between it and everything that uses it.
 *
 * An operation that fails because the storage itself is failing (a read-only or full disk, no
 * permission, an I/O error, an unreachable or failing storage service, no answer within `timeoutMs`)
 * starts an incident: it is logged once, with the reason, and from then on every operation fails at
 * once with `StorageUnavailable` (which the HTTP routes turn into 503, and which makes `/readyz` 503),
 * so no request waits on a store that is down. Meanwhile the storage is tried every `retryMs` by a
 * probe (write and delete a document of its own); when that works the incident ends, with one log
 * line saying how long it lasted and how many operations were refused. While the storage works the
 * probe runs every `checkMs`, so a failure shows on `/readyz` even without traffic.
 *
 * Errors that are about the data, not the storage (an eTag conflict, an item that is not an object, a
 * corrupt document), pass through unchanged and do not start an incident.
 *
 * A small monitor rather than a general circuit breaker (such as opossum): recovery must be decided by
 * a write (reads keep working on a read-only disk, so a read that succeeds proves nothing), the three
 * operations share one state, and the state is read by `/readyz`.
 */
export class StorageHealth implements Storage {
  private incident: Incident | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private running = false;
  private readonly probeKey = `health-probe/${randomUUID()}`;
  private readonly retryMs: number;
  private readonly checkMs: number;

  constructor(
    private readonly inner: Storage,
    private readonly options: StorageHealthOptions,
  ) {
    this.retryMs = options.retryMs ?? 2000;
    this.checkMs = options.checkMs ?? 30_000;
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.run('read', () => this.inner.read(keys));
  }

  write(changes: StoreItems): Promise<void> {
    return this.run('write', () => this.inner.write(changes));
  }

  delete(keys: string[]): Promise<void> {
    return this.run('delete', () => this.inner.delete(keys));
  }

  state(): StorageState {
    const incident = this.incident;
    return incident ? { available: false, reason: incident.reason, since: new Date(incident.since).toISOString() } : { available: true };
  }

  /** Starts the periodic probe. */
  start(): void {
    this.running = true;
    this.schedule();
  }

  /** Stops probing (operations still go through, with their time limit). */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Tries the storage now: writes and deletes the probe document. True when it works. */
  async probe(): Promise<boolean> {
    if (this.probing) return this.incident === undefined;
    this.probing = true;
    try {
      await this.limited(this.inner.write({ [this.probeKey]: { at: new Date().toISOString() } }));
      await this.limited(this.inner.delete([this.probeKey]));
      this.recovered();
      return true;
    } catch (err) {
      const reason = storageFault(err, this.options.timeoutMs) ?? 'the storage is failing';
      if (this.incident) this.incident.reason = reason;
      else this.failed(reason, 'probe', err);
      return false;
    } finally {
      this.probing = false;
    }
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const incident = this.incident;
    if (incident) {
      incident.refused += 1;
      throw new StorageUnavailable(incident.reason);
    }
    try {
      return await this.limited(fn());
    } catch (err) {
      const reason = storageFault(err, this.options.timeoutMs);
      if (reason === undefined) throw err;
      this.failed(reason, operation, err);
      throw new StorageUnavailable(reason);
    }
  }

  private failed(reason: string, operation: string, err: unknown): void {
    if (this.incident) {
      this.incident.refused += 1;
      return;
    }
    this.incident = { reason, since: Date.now(), refused: 0 };
    this.options.logger.error({ reason, operation, error: summary(err) }, 'storage unavailable');
    this.schedule();
  }

  private recovered(): void {
    const incident = this.incident;
    if (!incident) return;
    this.incident = undefined;
    this.options.logger.info({ reason: incident.reason, downMs: Date.now() - incident.since, refused: incident.refused }, 'storage available again');
    this.schedule();
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.probe().finally(() => {
        if (!this.timer) this.schedule();
      });
    }, this.incident ? this.retryMs : this.checkMs);
    this.timer.unref();
  }

  /** `work`, or a rejection with StorageTimeout once it has taken `timeoutMs`. */
  private limited<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StorageTimeout(this.options.timeoutMs)), this.options.timeoutMs);
      timer.unref();
    });
    work.catch(() => undefined); // an answer after the time limit has nowhere to go
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

class StorageTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer from the storage within ${ms} ms`);
    this.name = 'StorageTimeout';
  }
}

const FILE_SYSTEM_REASONS: Readonly<Record<string, string>> = {
  EROFS: 'the storage is read-only',
  ENOSPC: 'the storage is full',
  EDQUOT: 'the storage is full',
  EFBIG: 'the storage is full',
  EACCES: 'the bot is not allowed to write to its storage',
  EPERM: 'the bot is not allowed to write to its storage',
  EIO: 'the storage reports an input/output error',
  ENXIO: 'the storage device is not available',
  ENODEV: 'the storage device is not available',
  ESTALE: 'the storage device is not available',
  ENOTDIR: "a part of the storage folder's path is a file",
  EMFILE: 'the bot has too many files open',
  ENFILE: 'the bot has too many files open',
  EBUSY: 'the storage is busy',
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/**
 * Why `err` means the storage itself is failing, in words for a client; undefined when it is not such
 * an error (an eTag conflict, bad data, a programming error). Looks through `cause` a few levels deep.
 */
export function storageFault(err: unknown, timeoutMs: number): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof StorageUnavailable) return current.reason;
    if (current instanceof StorageTimeout) return `the storage did not answer within ${Math.round(timeoutMs / 100) / 10} s`;
    const e = current as { code?: unknown; statusCode?: unknown; status?: unknown; name?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code !== undefined && FILE_SYSTEM_REASONS[code]) return FILE_SYSTEM_REASONS[code];
    if ((code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR_'))) || e.name === 'AbortError' || e.name === 'TimeoutError') {
      return 'the storage service cannot be reached';
    }
    const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : undefined;
    if (status === 401 || status === 403) return "the storage service refuses the bot's credentials";
    if (status === 408 || status === 429 || status === 503) return 'the storage service is overloaded';
    if (status !== undefined && status >= 500 && status <= 599) return 'the storage service is failing';
    current = e.cause;
  }
  return undefined;
}

/** What an operator needs to know about the error, without its message (which may hold paths or ids). */
function summary(err: unknown): Record<string, unknown> {
  if (typeof err !== 'object' || err === null) return { value: typeof err };
  const e = err as { name?: unknown; code?: unknown; syscall?: unknown; statusCode?: unknown };
  return Object.fromEntries(Object.entries({ name: e.name, code: e.code, syscall: e.syscall, statusCode: e.statusCode }).filter(([, v]) => v !== undefined));
}
