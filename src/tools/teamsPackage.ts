/**
 * `npm run teams:package`: writes the Teams app package (appPackage/build/partner-bot.zip) with the
 * manifest filled from configuration (MicrosoftAppId, BOT_DOMAIN, TEAMS_APP_ID).
 * `npm run teams:validate`: checks the manifest against the official schema, offline; with settings
 * missing it checks the template with stand-in values.
 */
import dotenv from 'dotenv';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseTeamsPackageConfig } from '../config';
import { buildAppPackage, type PackageValues } from '../teams/appPackage';
import { runCli } from './runCli';

const STAND_IN: PackageValues = {
  teamsAppId: '00000000-0000-4000-8000-000000000001',
  botAppId: '00000000-0000-4000-8000-000000000002',
  botDomain: 'bot.example.com',
};

const USAGE = 'usage: npm run teams:package -- [--dir appPackage] [--out file.zip] | npm run teams:validate';

async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  const { values: args } = parseArgs({
    options: { validate: { type: 'boolean', default: false }, dir: { type: 'string', default: 'appPackage' }, out: { type: 'string' } },
  });
  // Only what the manifest needs: no app password or other runtime settings are required here.
  const config = parseTeamsPackageConfig(process.env);
  if (!config.success) {
    console.error(config.error.message);
    return 2;
  }
  const { botAppId, teamsAppId, botDomain } = config.data;
  const missing = [!botAppId && 'MicrosoftAppId', !botDomain && 'BOT_DOMAIN'].filter((x): x is string => Boolean(x));
  if (!args.validate && missing.length > 0) {
    console.error(`Set ${missing.join(' and ')} (in .env or the environment) to build the Teams app package.`);
    return 2;
  }
  const values: PackageValues =
    missing.length === 0
      ? { teamsAppId: teamsAppId ?? (botAppId as string), botAppId: botAppId as string, botDomain: botDomain as string }
      : STAND_IN;
  const built = await buildAppPackage(args.dir, values);
  if (built.problems.length > 0) {
    console.error(`${args.dir}: the app package is not what Teams accepts (manifest schema ${built.manifest.manifestVersion}, icons):`);
    for (const p of built.problems) console.error(`  ${p}`);
    return 1;
  }
  if (args.validate) {
    console.log(`Manifest valid against Teams schema ${built.manifest.manifestVersion}, icons as Teams requires${missing.length > 0 ? ` (checked with stand-in values for ${missing.join(', ')})` : ''}.`);
    return 0;
  }
  const out = args.out ?? path.join(args.dir, 'build', 'partner-bot.zip');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, built.zip);
  console.log(`Wrote ${out} (${built.zip.length} bytes): upload it in Teams (Apps > Manage your apps > Upload an app).`);
  return 0;
}

runCli(main, USAGE);
