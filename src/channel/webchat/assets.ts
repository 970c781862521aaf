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

/**
 * The official Web Chat bundle, from the installed botframework-webchat package. The package's
 * `exports` hide `dist/`, so this resolves the package's entry point and goes from there.
 */
export function webChatBundlePath(): string {
  const entry = require.resolve('botframework-webchat');
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'webchat.js');
}

export function webChatVersion(): string {
  const bundle = webChatBundlePath();
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(bundle), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
