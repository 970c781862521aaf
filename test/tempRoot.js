// Jest's global set-up and tear-down: every temporary file and folder the tests make (question logs,
// data folders, copies of the knowledge base, browser profiles, those of the bot processes they start)
// goes under one folder made for this run, removed when the run ends, so a developer's /tmp does not
// fill up run after run. Plain JavaScript: jest loads it before any transform.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const KEY = 'PARTNER_BOT_TEST_TMPDIR';

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'partner-bot-tests-'));
  process.env[KEY] = dir;
  // os.tmpdir() reads TMPDIR each time; test workers and the processes they start inherit it.
  process.env.TMPDIR = dir;
}

async function teardown() {
  const dir = process.env[KEY];
  if (dir) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

module.exports = { setup, teardown };
