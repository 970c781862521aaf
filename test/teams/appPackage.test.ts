import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { fillManifest, TEMPLATE } from '../../src/teams/fillManifest';
import { iconProblems } from '../../src/teams/icons';
import { ROOT } from '../helpers/realContent';

// The schema check (@microsoft/app-manifest) loads ESM-only modules, which jest's module system cannot;
// it is exercised here through the real command, as staff run it.
const VALUES = { teamsAppId: '3f1e2a4b-1111-4222-8333-444455556666', botAppId: '9a8b7c6d-1111-4222-8333-444455556666', botDomain: 'bot.contoso.com' };
// No app password: the package needs only what the manifest names.
const ENV = { MicrosoftAppId: VALUES.botAppId, BOT_DOMAIN: VALUES.botDomain, TEAMS_APP_ID: VALUES.teamsAppId };

function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/src/tools/teamsPackage.js'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

async function withTemplate<T>(change: (text: string) => string, fn: (dir: string) => Promise<T>, icons: { color: string; outline: string } = { color: 'color.png', outline: 'outline.png' }): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'teams-pkg-'));
  try {
    await writeFile(path.join(dir, TEMPLATE), change(await readFile(path.join(ROOT, 'appPackage', TEMPLATE), 'utf8')));
    await copyFile(path.join(ROOT, 'appPackage', icons.color), path.join(dir, 'color.png'));
    await copyFile(path.join(ROOT, 'appPackage', icons.outline), path.join(dir, 'outline.png'));
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('Teams app package', () => {
  it('fills the manifest from configuration: app and bot ids, domain, all three scopes, command hints, search', async () => {
    const manifest = fillManifest(await readFile(path.join(ROOT, 'appPackage', TEMPLATE), 'utf8'), VALUES);
    expect(manifest.id).toBe(VALUES.teamsAppId);
    const bot = manifest.bots?.[0];
    expect(bot?.botId).toBe(VALUES.botAppId);
    expect(bot?.scopes).toEqual(expect.arrayContaining(['personal', 'team', 'groupChat']));
    expect(bot?.commandLists?.[0]?.commands.map((c: { title: string }) => c.title)).toEqual(['ask', 'help', 'talk to a person']);
    expect(manifest.composeExtensions?.[0]?.commands?.[0]).toMatchObject({ type: 'query', initialRun: true });
    expect(manifest.validDomains).toEqual(['bot.contoso.com']);
  });

  it('refuses a placeholder it has no value for', () => {
    expect(() => fillManifest('{"id": "${{NOT_A_SETTING}}"}', VALUES)).toThrow(/NOT_A_SETTING/);
  });

  it('`npm run teams:validate` checks the manifest against the official schema, offline', async () => {
    const ok = await run(['--validate'], {});
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/valid against Teams schema 1\.\d+/);
    const broken = await withTemplate(
      (t) => t.replace('"personal", "team", "groupChat"]', '"personal", "everywhere"]'),
      (dir) => run(['--validate', '--dir', dir], {}),
    );
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/scopes/);
  });

  it('`npm run teams:package` zips manifest.json, a 192×192 colour icon and a 32×32 outline icon', async () => {
    const out = await withTemplate(
      (t) => t,
      async (dir) => {
        const built = await run(['--dir', dir], ENV);
        expect(built.code).toBe(0);
        return unzipSync(await readFile(path.join(dir, 'build', 'partner-bot.zip')));
      },
    );
    expect(Object.keys(out).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const size = (png: Uint8Array | undefined) => {
      const b = Buffer.from(png ?? new Uint8Array());
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    expect(size(out['color.png'])).toEqual([192, 192]);
    expect(size(out['outline.png'])).toEqual([32, 32]);
    const manifest = JSON.parse(Buffer.from(out['manifest.json'] ?? new Uint8Array()).toString('utf8')) as { id: string; bots: { botId: string }[] };
    expect(manifest.id).toBe(VALUES.teamsAppId);
    expect(manifest.bots[0]?.botId).toBe(VALUES.botAppId);
  });

  it('the committed icons are what Teams requires: colour 192×192, outline 32×32 white on transparency', async () => {
    const [color, outline] = await Promise.all([readFile(path.join(ROOT, 'appPackage/color.png')), readFile(path.join(ROOT, 'appPackage/outline.png'))]);
    expect(iconProblems(color, outline, { color: 'color.png', outline: 'outline.png' })).toEqual([]);
    // The same check refuses a colour image as the outline, and the sizes swapped.
    expect(iconProblems(outline, color, { color: 'color.png', outline: 'outline.png' })).toEqual([
      'color.png: is 32×32; the full-colour icon must be 192×192',
      'outline.png: is 192×192; the outline icon must be 32×32',
      expect.stringMatching(/^outline\.png: \d+ visible pixels are not white/),
      'outline.png: has no transparent pixels; the outline icon\'s background must be transparent',
    ]);
  });

  it('`npm run teams:validate` refuses a package whose outline icon is not white on transparency', async () => {
    const broken = await withTemplate((t) => t, (dir) => run(['--validate', '--dir', dir], {}), { color: 'color.png', outline: 'color.png' });
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/outline\.png: is 192×192; the outline icon must be 32×32/);
  });

  it('`npm run teams:package` needs no app password, and refuses a malformed setting it uses by name', async () => {
    const bad = await run([], { ...ENV, BOT_DOMAIN: 'https://bot.contoso.com/path' });
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/BOT_DOMAIN: must be a host name/);
    // A runtime setting the package does not use, even a bad one, does not stop it.
    const unrelated = await withTemplate((t) => t, (dir) => run(['--dir', dir, '--out', path.join(dir, 'p.zip')], { ...ENV, PORT: 'not-a-port', STORAGE: 'blob' }));
    expect(unrelated.out).toMatch(/Wrote /);
    expect(unrelated.code).toBe(0);
  });

  it('`npm run teams:package` names the settings it needs when they are missing', async () => {
    const missing = await run([], {});
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/MicrosoftAppId/);
    expect(missing.out).toMatch(/BOT_DOMAIN/);
  });
});
