import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './realContent';

/**
 * A fresh copy of the bundled `dialogs/` folder for each test, removed after it, and `edit` to change
 * one of its files as staff would (an edit that changes nothing is a mistake in the test, not a pass).
 */
export function dialogsCopy(): { dir: () => string; edit: (file: string, change: (text: string) => string) => Promise<void> } {
  let dir = '';
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dialogs-'));
    await fs.cp(path.join(ROOT, 'dialogs'), dir, { recursive: true });
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  return {
    dir: () => dir,
    edit: async (file, change) => {
      const before = await fs.readFile(path.join(dir, file), 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`the edit did not change ${file}`);
      await fs.writeFile(path.join(dir, file), after);
    },
  };
}
