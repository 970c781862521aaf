import { MemoryStorage } from 'botbuilder';
import type { Storage, StoreItems } from '../../src/storage/Storage';

/** An operating-system error as Node's fs raises it, path and message included. */
export function fsError(code: string, syscall = 'open', file = '/srv/bot/data/.webchat_conversations_secret-conv-42-0123abcd.json.lock'): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EACCES: 'permission denied',
    EIO: 'i/o error',
  };
  return Object.assign(new Error(`${code}: ${messages[code] ?? 'failure'}, ${syscall} '${file}'`), { code, errno: -1, syscall, path: file });
}

type Fault = { kind: 'error'; make: () => unknown; writesOnly: boolean } | { kind: 'hang' };

/**
 * A MemoryStorage whose operations can be made to fail (with any error, e.g. `fsError('EROFS')`, for
 * writes only as on a read-only disk, or for everything) or to hang (never settle), and healed again.
 */
export class FaultyStorage implements Storage {
  readonly inner = new MemoryStorage();
  /** Operations that reached this store (failed or not). */
  calls = 0;
  private fault: Fault | undefined;
  private readonly hung: (() => void)[] = [];

  failWith(make: () => unknown, opts: { writesOnly?: boolean } = {}): void {
    this.fault = { kind: 'error', make, writesOnly: opts.writesOnly ?? false };
  }

  hang(): void {
    this.fault = { kind: 'hang' };
  }

  /** Works again; operations that were hanging stay hung (as a lost request would). */
  heal(): void {
    this.fault = undefined;
  }

  /** How many operations are hanging right now. */
  get hanging(): number {
    return this.hung.length;
  }

  read(keys: string[]): Promise<StoreItems> {
    return this.guard(false, () => this.inner.read(keys));
  }

  write(changes: StoreItems): Promise<void> {
    return this.guard(true, () => this.inner.write(changes));
  }

  delete(keys: string[]): Promise<void> {
    return this.guard(true, () => this.inner.delete(keys));
  }

  private async guard<T>(writes: boolean, op: () => Promise<T>): Promise<T> {
    this.calls += 1;
    const fault = this.fault;
    if (fault?.kind === 'hang') return new Promise<T>((resolve) => this.hung.push(() => resolve(undefined as T)));
    if (fault?.kind === 'error' && (writes || !fault.writesOnly)) throw fault.make();
    return op();
  }
}
