import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { Transcripts } from '../../src/channel/directLine/transcripts';
import { FileStorage } from '../../src/storage/FileStorage';
import type { Storage } from '../../src/storage/Storage';
import { startAzurite } from '../helpers/azurite';
import { ROOT } from '../helpers/realContent';

/**
 * Two bot processes adding to one Direct Line conversation at the same moment (the partner's message
 * lands on one instance while a proactive message is sent from the other): each process runs the built
 * Transcripts on its own store client, starts when told to, and prints the ids it was given.
 */
const WRITER = `
const { Transcripts } = require(${JSON.stringify(path.join(ROOT, 'dist/src/channel/directLine/transcripts.js'))});
const store = process.env.STORE === 'file'
  ? new (require(${JSON.stringify(path.join(ROOT, 'dist/src/storage/FileStorage.js'))}).FileStorage)(process.env.DIR)
  : new (require('botbuilder-azure-blobs').BlobsStorage)(process.env.CONN, process.env.CONTAINER);
const t = new Transcripts(store, { pageSize: 3, maxActivities: 1000 });
process.stdin.once('data', async () => {
  const ids = [];
  const other = process.env.NAME === 'a' ? 'b' : 'a';
  for (let i = 0; i < 30; i += 1) {
    ids.push(...(await t.append('c1', [{ type: 'message', text: process.env.NAME + i }])));
    // After its first append each writer waits to see the other's, so the two run at the same time
    // however the machine schedules the two processes.
    for (let waited = 0; i === 0 && waited < 20000; waited += 5) {
      const set = await t.read('c1', undefined);
      if (set !== 'notYours' && set.activities.some((a) => String(a.text).startsWith(other))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  process.stdout.write(JSON.stringify(ids));
  process.exit(0);
});
process.stdout.write('ready\\n');
`;

function writer(env: Record<string, string>): { ready: Promise<void>; go: () => void; ids: Promise<string[]> } {
  const child = spawn(process.execPath, ['-e', WRITER], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.startsWith('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}: ${err}`)));
  });
  const ids = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as string[]) : reject(new Error(`writer exited with ${code}: ${err}`))));
  });
  return { ready, go: () => child.stdin.write('go\n'), ids };
}

async function checkTranscript(storage: Storage, ids: string[][]): Promise<void> {
  const set = await new Transcripts(storage).read('c1', undefined);
  if (set === 'notYours') throw new Error('unexpected owner');
  // 60 activities, each once, numbered in one order; each process's own in the order it sent them.
  const expected = Array.from({ length: 60 }, (_, i) => `c1|${String(i).padStart(7, '0')}`);
  expect(set.activities.map((a) => a.id)).toEqual(expected);
  expect(ids.flat().sort()).toEqual(expected);
  expect(set.watermark).toBe('60');
  const got = set.activities.map((a) => a.text as string);
  for (const name of ['a', 'b']) expect(got.filter((x) => x.startsWith(name))).toEqual(Array.from({ length: 30 }, (_, i) => `${name}${i}`));
  // The two really wrote at the same time: their activities are interleaved, not one block after the other.
  expect(got.slice(0, 30).some((x) => x.startsWith('a')) && got.slice(0, 30).some((x) => x.startsWith('b'))).toBe(true);
}

describe('two processes appending to one Direct Line conversation at once', () => {
  it('on file storage (one folder): lose and repeat nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dl-two-processes-'));
    try {
      await new Transcripts(new FileStorage(dir)).open('c1', 'dl_jane');
      const writers = ['a', 'b'].map((name) => writer({ STORE: 'file', DIR: dir, NAME: name }));
      await Promise.all(writers.map((w) => w.ready));
      writers.forEach((w) => w.go());
      await checkTranscript(new FileStorage(dir), await Promise.all(writers.map((w) => w.ids)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('on Azure Blob storage (Azurite): lose and repeat nothing', async () => {
    const azurite = await startAzurite();
    try {
      const container = `dl-two-${randomBytes(6).toString('hex')}`;
      await new Transcripts(new BlobsStorage(azurite.connectionString, container)).open('c1', 'dl_jane');
      const writers = ['a', 'b'].map((name) => writer({ STORE: 'blob', CONN: azurite.connectionString, CONTAINER: container, NAME: name }));
      await Promise.all(writers.map((w) => w.ready));
      writers.forEach((w) => w.go());
      await checkTranscript(new BlobsStorage(azurite.connectionString, container), await Promise.all(writers.map((w) => w.ids)));
    } finally {
      await azurite.stop();
    }
  }, 60_000);
});
