import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Real storage faults for a bot process: its data folder on a small tmpfs of its own, in a private
 * mount namespace (`unshare`), which the test can fill up (ENOSPC) or remount read-only (EROFS) from
 * outside with `nsenter`. As root the namespace is a plain mount namespace; otherwise a user namespace
 * maps the test's user to root inside it (where the system allows unprivileged user namespaces). chmod
 * cannot stand in: root writes through it.
 */

const asRoot = process.getuid?.() === 0;
const NAMESPACE = asRoot ? ['--mount', '--propagation', 'private'] : ['--user', '--map-root-user', '--mount', '--propagation', 'private'];
const ENTER = asRoot ? ['-m'] : ['-U', '-m', '--preserve-credentials'];

let available: boolean | undefined;

/** Whether this machine lets a test mount a tmpfs in a private namespace. */
export function canMountTmpfs(): boolean {
  if (available !== undefined) return available;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-probe-'));
  try {
    const probe = spawnSync('unshare', [...NAMESPACE, 'sh', '-c', `mount -t tmpfs -o size=64k none "${dir}" && mount -o remount,ro "${dir}"`], { stdio: 'ignore', timeout: 10_000 });
    available = probe.status === 0;
  } catch {
    available = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return available;
}

/**
 * The command prefix that runs the bot with `dir` as a fresh tmpfs of `sizeKb` (read-only with
 * `readOnly`), seen only by the bot.
 */
export function onTmpfs(dir: string, sizeKb: number, readOnly = false): string[] {
  const options = `size=${sizeKb}k,mode=0755${readOnly ? ',ro' : ''}`;
  return ['unshare', ...NAMESPACE, 'sh', '-c', `mount -t tmpfs -o ${options} none "${dir}" && exec "$@"`, 'sh'];
}

/** Runs a shell script in the mount namespace of process `pid` (e.g. to fill or remount its tmpfs). */
export function inNamespaceOf(pid: number, script: string): string {
  return execFileSync('nsenter', ['-t', String(pid), ...ENTER, 'sh', '-c', script], { encoding: 'utf8', timeout: 20_000 });
}
