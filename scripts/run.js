#!/usr/bin/env node
// Runs a program of the build (the bot or a staff tool) on a current build:
//
//   node scripts/run.js dist/src/tools/ask.js "when is WPC?"
//
// builds first when the sources changed since the last build (as `node scripts/build.js --if-stale`),
// then runs the program in this same process, as `node <program> <arguments>` would: it sees the same
// process.argv and is the main module. One Node.js start-up instead of two makes every staff command and
// the bot's start quicker. Plain JavaScript with no dependencies, like build.js.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { buildIfStale } = require('./build.js');

const [program, ...args] = process.argv.slice(2);
if (program === undefined) {
  console.error('usage: node scripts/run.js <program of the build, e.g. dist/src/index.js> [arguments]');
  process.exit(2);
}
buildIfStale();
process.argv = [process.argv[0] ?? process.execPath, path.resolve(program), ...args];
// Node.js's own entry point (what `node <program>` calls): loads the program as the main module.
Module.runMain();
