import { readFile } from 'node:fs/promises';
import path from 'node:path';
// @microsoft/app-manifest loads ESM-only dependencies: it runs in Node (the teams:* commands), not under jest.
import { AppManifestUtils, type TeamsManifest } from '@microsoft/app-manifest';
import { zipSync } from 'fflate';
import { fillManifest, TEMPLATE, type PackageValues } from './fillManifest';
import { iconProblems } from './icons';

export { TEMPLATE, type PackageValues };

/** Schema problems of a manifest, checked offline against the schema bundled with @microsoft/app-manifest. */
export async function validateManifest(manifest: TeamsManifest): Promise<string[]> {
  return AppManifestUtils.validateAgainstSchema(manifest);
}

/**
 * The app package Teams takes: manifest.json and the two icons it names (committed beside the template
 * in `dir`: color.png 192×192, outline.png 32×32; drawn by scripts/draw-icons.js), zipped. Problems are
 * the manifest's against the schema and the icons' against what Teams requires of them.
 */
export async function buildAppPackage(dir: string, values: PackageValues): Promise<{ zip: Uint8Array; manifest: TeamsManifest; problems: string[] }> {
  const manifest = fillManifest(await readFile(path.join(dir, TEMPLATE), 'utf8'), values);
  const problems = await validateManifest(manifest);
  const names = { color: manifest.icons?.color ?? 'color.png', outline: manifest.icons?.outline ?? 'outline.png' };
  const read = (name: string) => (path.isAbsolute(name) || name.split(/[\\/]/).includes('..') ? Promise.resolve(undefined) : readFile(path.join(dir, name)).catch(() => undefined));
  const [color, outline] = await Promise.all([read(names.color), read(names.outline)]);
  problems.push(...iconProblems(color, outline, names));
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(JSON.stringify(manifest, null, 2)),
    ...(color ? { [names.color]: new Uint8Array(color) } : {}),
    ...(outline ? { [names.outline]: new Uint8Array(outline) } : {}),
  });
  return { zip, manifest, problems };
}
