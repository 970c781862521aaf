import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { fillManifest, TEMPLATE } from '../../src/teams/fillManifest';
import { ROOT } from '../helpers/realContent';

// The schema check (@microsoft/app-manifest) loads ESM-only modules, which jest's module system cannot;
// it is exercised here through the real command, as staff run it.
const VALUES = { teamsAppId: '3f1e2a4b-1111-4222-8333-444455556666', botAppId: '9a8b7c6d-1111-4222-8333-444455556666', botDomain: 'bot.contoso.com' };
const ENV = { MicrosoftAppId: VALUES.botAppId, MicrosoftAppPassword: 'x', BOT_DOMAIN: VALUES.botDomain, TEAMS_APP_ID: VALUES.teamsAppId };

function run(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/src/tools/teamsPackage.js'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

async function withTemplate<T>(change: (text: string) => string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'teams-pkg-'));
  try {
    await writeFile(path.join(dir, TEMPLATE), change(await readFile(path.join(ROOT, 'appPackage', TEMPLATE), 'utf8')));
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

  it('`npm run teams:package` names the settings it needs when they are missing', async () => {
    const missing = await run([], {});
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/MicrosoftAppId/);
    expect(missing.out).toMatch(/BOT_DOMAIN/);
  });
});
