import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/**
 * The process that holds a lock file or wrote a temp file, recorded so that another process on the
 * same machine can tell whether it is still running: a lock whose holder has died can then be broken
 * at once instead of after a timeout.
 *
 * A pid alone is not enough: pids are reused, and a process in another container (another pid
 * namespace) with the same pid is a different process. So an owner is
 * - `scope`: a hash of the machine's boot and the pid namespace (Linux: /proc/sys/kernel/random/boot_id
 *   and /proc/self/ns/pid; elsewhere the platform and host name). Pids compare only within one scope;
 * - `pid`;
 * - `start`: when the process started (Linux: clock ticks after boot, from /proc/<pid>/stat), so a pid
 *   that was reused by a newer process is told apart; empty where the platform does not say.
 */
export interface Owner {
  readonly scope: string;
  readonly pid: number;
  readonly start: string;
}

/**
 * - `self`: this process;
 * - `alive`: another process that is running (or whose state cannot be read: counted as running);
 * - `dead`: no longer running (its pid is free, or now belongs to a process that started later);
 * - `unknown`: another scope (another machine, container or boot): cannot be told from here.
 */
export type Liveness = 'self' | 'alive' | 'dead' | 'unknown';

export const SELF: Owner = { scope: scopeOfThisProcess(), pid: process.pid, start: startOf('self') ?? '' };

/** The owner as text for file contents and names: `<scope>-<pid>-<start>` (only [0-9a-fx-]). */
export function ownerTag(owner: Owner = SELF): string {
  return `${owner.scope}-${owner.pid}-${owner.start || 'x'}`;
}

/** The owner written by `ownerTag`, or undefined for anything else. */
export function parseOwnerTag(tag: string): Owner | undefined {
  const m = /^([0-9a-f]{12})-(\d{1,10})-(\d{1,20}|x)$/.exec(tag);
  if (!m) return undefined;
  const pid = Number(m[2]);
  return pid > 0 && Number.isSafeInteger(pid) ? { scope: m[1] as string, pid, start: m[3] === 'x' ? '' : (m[3] as string) } : undefined;
}

/** Whether `owner` is this process, another running one, one that has gone, or cannot be told. */
export async function livenessOf(owner: Owner): Promise<Liveness> {
  if (owner.scope !== SELF.scope) return 'unknown';
  if (owner.pid === SELF.pid) {
    // Same pid: this process, unless it records another start (a former process that had our pid).
    return owner.start && SELF.start && owner.start !== SELF.start ? 'dead' : 'self';
  }
  try {
    process.kill(owner.pid, 0); // signal 0: only asks whether the pid exists
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ESRCH') return 'dead';
    // EPERM: it exists (another user's). Anything else: cannot tell, so never break a lock on a guess.
    if (code !== 'EPERM') return 'alive';
  }
  if (!owner.start) return 'alive';
  const start = await startOfPid(owner.pid);
  if (start === null) return 'dead'; // exited since the check above
  return start === undefined || start === owner.start ? 'alive' : 'dead';
}

/** The owner record of a running process on this machine (in this process namespace). */
export async function ownerOfPid(pid: number): Promise<Owner> {
  return { scope: SELF.scope, pid, start: (await startOfPid(pid)) ?? '' };
}

function scopeOfThisProcess(): string {
  let raw = `${process.platform}:${os.hostname()}`;
  if (process.platform === 'linux') {
    try {
      raw = `linux:${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}:${readlinkSync('/proc/self/ns/pid')}`;
    } catch {
      // /proc not mounted (rare): fall back to the host name.
    }
  }
  return createHash('sha256').update(raw).digest('hex').slice(0, 12);
}

/** The start time of this process from /proc (Linux), or undefined. */
function startOf(pid: 'self'): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return startField(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The start time of `pid` (Linux): null when the process does not exist, undefined when it cannot be read. */
async function startOfPid(pid: number): Promise<string | null | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    return startField(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    return (err as { code?: unknown }).code === 'ENOENT' ? null : undefined;
  }
}

/** Field 22 (starttime) of a /proc/<pid>/stat line; the command name (field 2) may hold spaces and ')'. */
function startField(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19]; // field 3 is fields[0]
  return start && /^\d+$/.test(start) ? start : undefined;
}
