#!/usr/bin/env node
// Builds everything the bot runs and serves into dist/: the compiled TypeScript, the widget's files
// (src/web) and the official Web Chat bundle, copied from the botframework-webchat dev dependency so a
// production install (npm ci --omit=dev) needs neither that package nor TypeScript.
//
//   node scripts/build.js             build
//   node scripts/build.js --if-stale  build only when the sources changed since the last build
//
// A build ends by writing dist/.build-stamp: a hash of what the running bot is built from (src/, with
// src/web; tsconfig.json, package-lock.json and this script). `--if-stale` hashes them again and
// builds only when the hash differs, so `npm start` on a current build starts at once. Tests and
// benchmarks are compiled too but are not in the hash: they do not change what `npm start` runs, and
// `npm test` and the benchmarks build in full. Plain JavaScript with no dependencies, because it must
// run in a pruned production install.
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const WEB_OUT = path.join(DIST, 'web');
/** The bot's sources (the widget's files included); files at the root that shape the build. */
const INPUT_DIRS = ['src'];
const INPUT_FILES = ['tsconfig.json', 'package-lock.json', 'scripts/build.js'];

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return listFiles(full);
      return e.isFile() ? [full] : [];
    });
}

/** The hash of every build input, by path and content (content, not mtime: a checkout keeps it right). */
function inputHash() {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap((d) => listFiles(path.join(ROOT, d))), ...INPUT_FILES.map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f))];
  for (const file of files) {
    hash.update(path.relative(ROOT, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function readStamp() {
  try {
    return fs.readFileSync(STAMP, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The folder of an installed package whose `exports` hide package.json: from its entry point up. */
function packageDir(name) {
  let dir = path.dirname(require.resolve(name, { paths: [ROOT] }));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${name}'s entry point`);
    dir = up;
  }
  return dir;
}

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function build(hash) {
  let tsc;
  let webchat;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    webchat = packageDir('botframework-webchat');
  } catch {
    fail(
      'the build in dist/ is missing or older than the sources, and TypeScript or botframework-webchat is not installed ' +
        '(a production install). Build where the dev dependencies are installed (npm ci && npm run build), then prune with npm prune --omit=dev.',
    );
  }
  fs.rmSync(STAMP, { force: true });
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);

  fs.rmSync(WEB_OUT, { recursive: true, force: true });
  fs.mkdirSync(WEB_OUT, { recursive: true });
  for (const file of listFiles(path.join(ROOT, 'src', 'web'))) fs.copyFileSync(file, path.join(WEB_OUT, path.basename(file)));
  const bundle = path.join(webchat, 'dist', 'webchat.js');
  if (!fs.existsSync(bundle)) fail(`the Web Chat bundle is not where it should be: ${bundle}`);
  fs.copyFileSync(bundle, path.join(WEB_OUT, 'webchat.js'));
  const { version } = JSON.parse(fs.readFileSync(path.join(webchat, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(WEB_OUT, 'webchat.json'), `${JSON.stringify({ version }, null, 2)}\n`);
  fs.writeFileSync(STAMP, `${hash}\n`);
}

function main() {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale) {
    const built = fs.existsSync(path.join(DIST, 'src', 'index.js')) && fs.existsSync(path.join(WEB_OUT, 'webchat.js'));
    // A deployment that ships only the build (no sources) runs it as it is.
    if (built && !fs.existsSync(path.join(ROOT, 'src'))) return;
    const hash = inputHash();
    if (built && readStamp() === hash) return;
    build(hash);
    return;
  }
  build(inputHash());
}

main();
