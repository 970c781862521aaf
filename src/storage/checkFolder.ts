import { mkdir, open, readdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { doneWithTemp, errorCode, tempPathFor, unlinkIfPresent } from './fileLock';

/**
 * Why the bot cannot keep its files in `dir`, in a few words, or undefined when it can. Does what the
 * file store and the question log do: creates the folder if it is missing, then writes, syncs,
 * makes a symbolic link (as the store's locks are made), lists and removes a file in it.
 */
export async function folderProblem(dir: string): Promise<string | undefined> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return 'it is a file, not a folder';
  } catch (err) {
    if (errorCode(err) === 'ENOTDIR') return 'a part of its path is a file, not a folder';
    if (errorCode(err) !== 'ENOENT') return problemOf(err, 'look at it');
    try {
      await mkdir(dir, { recursive: true });
    } catch (mkdirErr) {
      if (errorCode(mkdirErr) === 'ENOTDIR' || errorCode(mkdirErr) === 'EEXIST') return 'a part of its path is a file, not a folder';
      return problemOf(mkdirErr, 'create it');
    }
  }
  const probe = tempPathFor(path.join(dir, '.startup-check'));
  const linked = tempPathFor(path.join(dir, '.startup-check'));
  let step = 'write a file in it';
  try {
    const handle = await open(probe, 'wx');
    try {
      await handle.writeFile('check', 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = 'make a symbolic link in it';
    await symlink(path.basename(probe), linked);
    step = 'list it';
    await readdir(dir);
    return undefined;
  } catch (err) {
    if (step === 'make a symbolic link in it' && ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(errorCode(err) ?? '')) {
      return 'its file system has no symbolic links, which the file store needs for its locks';
    }
    return problemOf(err, step);
  } finally {
    await unlinkIfPresent(probe).catch(() => undefined);
    await unlinkIfPresent(linked).catch(() => undefined);
    doneWithTemp(probe);
    doneWithTemp(linked);
  }
}

function problemOf(err: unknown, step: string): string {
  switch (errorCode(err)) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied: the bot's user may not ${step}`;
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EIO':
      return `an input/output error when trying to ${step}`;
    case 'ELOOP':
      return 'its path has a loop of symbolic links';
    case 'ENAMETOOLONG':
      return 'its path is too long';
    default:
      return `cannot ${step} (${errorCode(err) ?? (err instanceof Error ? err.message : String(err))})`;
  }
}
