import { readFile } from 'node:fs/promises';
import path from 'node:path';
// @microsoft/app-manifest loads ESM-only dependencies: it runs in Node (the teams:* commands), not under jest.
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import { bubbleIcon, encodePng } from '../tools/png';
import { fillManifest, TEMPLATE, type PackageValues } from './fillManifest';

export { TEMPLATE, type PackageValues };
const ACCENT: [number, number, number] = [0x0f, 0x6c, 0xbd];

/** Schema problems of a manifest, checked offline against the schema bundled with @microsoft/app-manifest. */
export async function validateManifest(manifest: TeamsManifest): Promise<string[]> {
  return AppManifestUtils.validateAgainstSchema(manifest);
}

/** The app package Teams takes: manifest.json, color.png (192×192) and outline.png (32×32), zipped. */
export async function buildAppPackage(dir: string, values: PackageValues): Promise<{ zip: Uint8Array; manifest: TeamsManifest; problems: string[] }> {
  const manifest = fillManifest(await readFile(path.join(dir, TEMPLATE), 'utf8'), values);
  const problems = await validateManifest(manifest);
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    'color.png': encodePng(bubbleIcon(192, ACCENT)),
    'outline.png': encodePng(bubbleIcon(32, undefined)),
  });
  return { zip, manifest, problems };
}
