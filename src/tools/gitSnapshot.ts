import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GIT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

function git(cwd: string, args: string[]): Buffer {
  return execFileSync('git', args, { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why git refused, in one line (its own message when it gave one). */
function gitMessage(err: unknown): string {
  const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
  return (stderr?.split('\n')[0] ?? '') || (err instanceof Error ? err.message : String(err));
}

/**
 * Copies folders as they are at a git ref (a commit, branch or tag) into a new temporary folder, without
 * touching the working tree: `folders` are paths on disk inside the repository. Returns where each
 * folder's copy is, and the commit the ref names; throws with git's reason when it is not a ref.
 */
export function snapshotAt(ref: string, folders: readonly string[]): { commit: string; root: string; copies: string[] } {
  const first = path.resolve(folders[0] ?? '.');
  let top: string;
  try {
    top = git(first, ['rev-parse', '--show-toplevel']).toString().trim();
  } catch (err) {
    throw new Error(`${first} is not in a git repository (${gitMessage(err)})`, { cause: err });
  }
  let commit: string;
  try {
    commit = git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).toString().trim();
  } catch {
    throw new Error(`"${ref}" is neither a saved evaluation file nor a git commit, branch or tag`);
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'partner-bot-eval-'));
  const copies = folders.map((folder) => {
    const rel = path.relative(top, path.resolve(folder)).split(path.sep).join('/');
    const out = path.join(root, rel);
    mkdirSync(out, { recursive: true });
    const names = git(top, ['ls-tree', '-r', '-z', '--name-only', commit, '--', rel]).toString().split('\0').filter((n) => n !== '');
    for (const name of names) {
      const file = path.join(root, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, git(top, ['show', `${commit}:${name}`]));
    }
    return out;
  });
  return { commit, root, copies };
}
