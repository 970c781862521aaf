#!/usr/bin/env node
// Runs after every install (npm's postinstall). In a production install (no TypeScript installed, as
// after `npm ci --omit=dev`) it deletes the files in node_modules that no running program reads:
// source maps and TypeScript declaration files. They are about half of the production install's size
// (the Azure SDK and OpenTelemetry packages ship a map and a declaration beside every module).
// A development install keeps everything: the type-checker needs the declarations.
//
// Written here rather than taken from a package such as clean-modules: it must run in the production
// install before anything else is there, the current clean-modules needs Node 22, and its default
// patterns delete far more (docs, test folders, licences) than is safe to take from a server's modules.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MODULES = path.join(ROOT, 'node_modules');
/** Files only a debugger or a type-checker opens. */
const DEAD = [/\.map$/, /\.d\.[cm]?ts$/];

function slim(dir) {
  let removed = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removed += slim(full);
    else if (entry.isFile() && DEAD.some((re) => re.test(entry.name))) {
      const { size } = fs.statSync(full);
      fs.rmSync(full, { force: true });
      removed += size;
    }
  }
  return removed;
}

function isDevelopmentInstall() {
  return fs.existsSync(path.join(MODULES, 'typescript', 'package.json'));
}

if (fs.existsSync(MODULES) && !isDevelopmentInstall()) {
  const bytes = slim(MODULES);
  console.log(`production install: removed ${(bytes / 1024 / 1024).toFixed(0)} MB of source maps and type declarations from node_modules`);
}
