import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

const gzip = promisify(gzipCallback);
const loaded = new Map<string, Asset>();

/** A file served to browsers: its bytes, a gzipped copy (made on first request) and an ETag. */
export class Asset {
  readonly etag: string;
  private gzipped: Promise<Buffer> | undefined;

  constructor(
    readonly body: Buffer,
    readonly contentType: string,
  ) {
    this.etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  }

  /** The file's asset, read once per process (several bots in one process share it). */
  static fromFile(file: string, contentType: string): Asset {
    const key = `${file}\u0000${contentType}`;
    let asset = loaded.get(key);
    if (!asset) {
      asset = new Asset(readFileSync(file), contentType);
      loaded.set(key, asset);
    }
    return asset;
  }

  gzip(): Promise<Buffer> {
    this.gzipped ??= gzip(this.body, { level: 9 });
    return this.gzipped;
  }
}

/** The project's folder (where package.json is), from the compiled or the source tree alike. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** The files the widget serves: its loader, the demo portal page and the official Web Chat bundle. */
export interface WebFiles {
  /** The folder of `widget.js` and `demo.html`. */
  readonly dir: string;
  /** The official Web Chat bundle. */
  readonly bundle: string;
  /** Its version (the bundle's URL carries it, so browsers cache each version for good). */
  readonly webChatVersion: string;
}

/**
 * Where the widget's files are. The compiled bot serves them from its build output (`dist/web`, which
 * `npm run build` fills, copying the bundle from the botframework-webchat dev dependency), so a
 * production install needs no browser packages. Run from the TypeScript sources (the tests), it
 * serves `src/web` and the bundle of the installed package.
 */
export function webFiles(from: string = __dirname): WebFiles {
  const root = projectRoot(from);
  const compiled = path.relative(path.join(root, 'dist'), from).split(path.sep)[0] !== '..';
  if (compiled) {
    const dir = path.join(root, 'dist', 'web');
    const bundle = path.join(dir, 'webchat.js');
    const versionFile = path.join(dir, 'webchat.json');
    if (!existsSync(bundle) || !existsSync(versionFile)) throw new Error(`the build has no Web Chat bundle (${bundle}): run npm run build`);
    const { version } = JSON.parse(readFileSync(versionFile, 'utf8')) as { version: string };
    return { dir, bundle, webChatVersion: version };
  }
  const pkg = webChatPackageDir();
  const { version } = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string };
  return { dir: path.join(root, 'src', 'web'), bundle: path.join(pkg, 'dist', 'webchat.js'), webChatVersion: version };
}

/**
 * The installed botframework-webchat package's folder. Its `exports` hide `dist/` and `package.json`
 * from require.resolve, so this resolves the package's entry point and goes up from there.
 */
function webChatPackageDir(): string {
  let dir = path.dirname(require.resolve('botframework-webchat'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}
