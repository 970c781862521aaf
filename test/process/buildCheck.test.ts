import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/realContent';

/**
 * How staff commands and `npm start` find the build current (`scripts/build.js --if-stale`, which
 * `scripts/run.js` runs before the program), in a copy of the built tree: a copy gives every file a
 * new modification time, as a checkout does.
 */
describe('the build check before a staff command or the bot', () => {
  let dir: string;
  const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const stamp = () => path.join(dir, 'dist', '.build-stamp');
  const built = () => statSync(path.join(dir, 'dist', 'src', 'index.js')).mtimeMs;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist', '.build-stamp'))) throw new Error('run npm run build first (npm test does)');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'build-check-'));
    for (const entry of ['dist', 'knowledge', 'dialogs', 'scripts', 'src', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      await fs.cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  }, 120_000);

  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('finds a copied build current by its content, without compiling, and then by file times alone', async () => {
    const before = built();
    const first = node(['scripts/build.js', '--if-stale']);
    expect(first.status).toBe(0);
    expect(built()).toBe(before);
    // The copy's sources have new times, same contents: the stamp now holds the new times ...
    const rewritten = statSync(stamp()).mtimeMs;
    expect(readFileSync(stamp(), 'utf8')).not.toBe(readFileSync(path.join(ROOT, 'dist', '.build-stamp'), 'utf8'));
    // ... so the next check compares times only and leaves the stamp as it is.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(node(['scripts/build.js', '--if-stale']).status).toBe(0);
    expect(statSync(stamp()).mtimeMs).toBe(rewritten);
    expect(built()).toBe(before);
  }, 120_000);

  it('a source saved without a change does not rebuild', async () => {
    const before = built();
    const source = path.join(dir, 'src', 'config.ts');
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(source, later, later);
    expect(node(['scripts/build.js', '--if-stale']).status).toBe(0);
    expect(built()).toBe(before);
  }, 120_000);

  it('scripts/run.js runs a staff tool as node would, with its arguments, on the current build', () => {
    const args = ['when is WPC?', '--after', 'what is BPOS?'];
    const direct = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/tools/ask.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const run = node(['scripts/run.js', 'dist/src/tools/ask.js', ...args]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/July 2011/);
    expect(run.stdout).toBe(direct.stdout);
    // A tool that runs only as the main module (eval, kb:gaps) is the main module: it reads its arguments.
    const usage = node(['scripts/run.js', 'dist/src/tools/kbGaps.js', '--days', 'soon']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: node dist\/src\/tools\/kbGaps\.js/);
  }, 120_000);

  it('a changed build input is built before the tool runs, and a failed build runs nothing', async () => {
    // An input the compiler reads, changed so that the build fails at once rather than compiling for a minute.
    await fs.writeFile(path.join(dir, 'tsconfig.json'), '{ "include": ["nothing-here/**/*.ts"] }\n');
    const run = node(['scripts/run.js', 'dist/src/tools/ask.js', 'when is WPC?']);
    expect(run.status).not.toBe(0);
    expect(run.stdout).not.toMatch(/July 2011/);
    expect(run.stdout + run.stderr).toMatch(/No inputs were found/);
    // The failed build left no stamp: the next check builds again rather than trust the old build.
    expect(existsSync(stamp())).toBe(false);
  }, 120_000);
});
