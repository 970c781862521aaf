import { execFile, execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSaved } from '../../src/answering/evalCompare';
import { ROOT } from '../helpers/realContent';

function evalTool(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/src/tools/eval.js'), ...args], { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=Staff', '-c', 'user.email=staff@example.com', ...args], { cwd, stdio: 'pipe' });

/** The WPC article with its date taken out: the staff set's WPC date questions go wrong. */
const undated = (t: string) => t.replace('takes place in July 2011', 'takes place in 2011');

describe('npm run eval: the staff set and what an edit changed', () => {
  let dir: string;
  const article = () => path.join(dir, 'knowledge/wpc/wpc-2011.md');

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-compare-'));
    await fs.cp(path.join(ROOT, 'knowledge'), path.join(dir, 'knowledge'), { recursive: true });
    await fs.cp(path.join(ROOT, 'dialogs'), path.join(dir, 'dialogs'), { recursive: true });
    git(dir, 'init', '-q');
    // What is committed is the article without its date; the working copy has it back.
    const good = await fs.readFile(article(), 'utf8');
    await fs.writeFile(article(), undated(good));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'knowledge');
    await fs.writeFile(article(), good);
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('runs knowledge/eval.yaml by default, and --against a git ref lists the questions the edit fixed', async () => {
    const { code, out } = await evalTool(dir, ['--against', 'HEAD', '--save', 'after.json']);
    expect(out).toMatch(/^Evaluation of knowledge\/eval\.yaml/);
    expect(out).toMatch(/fixed [1-9]\d*, broken 0/);
    expect(out).toMatch(/Fixed \(\d+\): wrong before, right now\n {2}knowledge\/eval\.yaml:\d+: \[in-scope\] "when is wpc\?": was answer wpc-2011 \(does not show "July 2011"\), now answer wpc-2011/);
    expect(code).toBe(0);
    // The working tree is as it was: the ref was read from git, not checked out.
    expect(await fs.readFile(article(), 'utf8')).toMatch(/July 2011/);
    const saved = parseSaved(await fs.readFile(path.join(dir, 'after.json'), 'utf8'), 'after.json');
    if (!saved.success) throw new Error(saved.message);
    expect(saved.data.items.find((x) => x.q === 'when is wpc?')).toMatchObject({ right: true, articleId: 'wpc-2011', category: 'inScope' });
  });

  it('--against a saved result lists the questions an edit broke, and exits 1', async () => {
    await fs.writeFile(article(), undated(await fs.readFile(article(), 'utf8')));
    const { code, out } = await evalTool(dir, ['--against', 'after.json']);
    expect(out).toMatch(/fixed 0, broken [1-9]\d*/);
    expect(out).toMatch(/Broken \(\d+\): right before, wrong now\n {2}knowledge\/eval\.yaml:\d+: \[in-scope\] "when is wpc\?": was answer wpc-2011, now answer wpc-2011: does not show "July 2011"/);
    expect(code).toBe(1);
  });

  it('says plainly when --against is neither a saved result nor a git ref', async () => {
    const { code, out } = await evalTool(dir, ['--against', 'no-such-branch']);
    expect(out).toMatch(/"no-such-branch" is neither a saved evaluation file nor a git commit, branch or tag/);
    expect(code).toBe(2);
    await fs.writeFile(path.join(dir, 'not-a-result.json'), '{"hello": 1}');
    expect((await evalTool(dir, ['--against', 'not-a-result.json'])).out).toMatch(/not-a-result\.json: not a saved evaluation/);
  });
});

describe('npm run eval --against a ref whose dialogs folder lacks a message this version needs', () => {
  it('compares the knowledge base at that ref using the dialogs folder of today, and says so', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-compare-old-'));
    try {
      await fs.cp(path.join(ROOT, 'knowledge'), path.join(dir, 'knowledge'), { recursive: true });
      await fs.cp(path.join(ROOT, 'dialogs'), path.join(dir, 'dialogs'), { recursive: true });
      const messages = path.join(dir, 'dialogs/messages.yaml');
      const today = await fs.readFile(messages, 'utf8');
      // The ref was committed before the bot had the "sources give no reason" message.
      expect(today).toMatch(/^partialNoReason: .*$/m);
      await fs.writeFile(messages, today.replace(/^partialNoReason: .*\n/m, ''));
      git(dir, 'init', '-q');
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', 'before the message was added');
      await fs.writeFile(messages, today);
      const { code, out } = await evalTool(dir, ['--against', 'HEAD']);
      expect(out).toMatch(/--against HEAD: its dialogs folder does not load with this version of the bot \(.*partialNoReason.*\); its knowledge base is compared using today's dialogs\./);
      expect(out).toMatch(/right before 92\/92 .*, now 92\/92/);
      expect(code).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
