import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runToExit, spawnBot, type BotProcess } from '../helpers/botProcess';
import { call, DirectLineClient, issueToken } from '../helpers/directLineClient';
import { startAzurite } from '../helpers/azurite';
import { canMountTmpfs, inNamespaceOf, onTmpfs } from '../helpers/mountNamespace';
import { startTcpProxy, throughPort } from '../helpers/tcpProxy';

const until = async (check: () => Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const message = (text: string, conversation: string) =>
  JSON.stringify({ type: 'message', id: `m-${Math.random().toString(36).slice(2)}`, channelId: 'webchat', deliveryMode: 'expectReplies', conversation: { id: conversation }, from: { id: 'partner-disk' }, recipient: { id: 'bot' }, text });

/** The 503 a partner's client gets: the reason in words, no path, no stack, no text from the OS. */
function expect503(res: { status: number; json: unknown }, reason: string) {
  expect(res.status).toBe(503);
  const text = JSON.stringify(res.json);
  expect(text).toContain(reason);
  expect(text).not.toMatch(/\/tmp|\.json|\.lock|EROFS|ENOSPC|read-only file system|no space left| at /);
}

// Real faults need a tmpfs of the bot's own (see mountNamespace.ts); machines that allow no namespaces skip these.
const withMounts = canMountTmpfs() ? describe : describe.skip;

withMounts('storage failing under a running bot process (DATA_DIR on a small tmpfs)', () => {
  let root: string;
  let dataDir: string;
  let bot: BotProcess | undefined;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'storage-faults-'));
    dataDir = path.join(root, 'data');
    await mkdir(dataDir);
  });
  afterEach(async () => {
    bot?.child.kill('SIGKILL');
    bot = undefined;
    await rm(root, { recursive: true, force: true });
  });

  const start = async () => {
    const b = await spawnBot({ STORAGE: 'file', DATA_DIR: dataDir }, { prefix: onTmpfs(dataDir, 2048) });
    bot = b;
    // The disk fails under a bot in service, not in the middle of the knowledge snapshot it saves after start-up.
    await until(async () => b.logs.some((l) => l.msg === 'knowledge snapshot saved'), 'the knowledge snapshot to be saved');
    return b;
  };

  async function incident(b: BotProcess, breakIt: string, healIt: string, reason: string, turnsThatMayStillFit = 0) {
    const ask = (text: string, conversation = 'conv-disk') => call(`${b.url}/api/messages`, { method: 'POST', body: message(text, conversation) });
    const issued = await issueToken(b.url);
    const widget = new DirectLineClient(b.url, issued.token, issued.conversationId);
    await widget.start();
    expect((await ask('when is WPC?')).status).toBe(200);

    inNamespaceOf(b.child.pid as number, breakIt);
    // The journal appends to a file whose last block may still have room: a turn or two can still be
    // saved (durably) on a disk that has just become full; the first that needs new space gets 503.
    let first = await ask('what is BPOS?');
    for (let i = 0; i < turnsThatMayStillFit && first.status === 200; i++) first = await ask('what is BPOS?');
    expect503(first, reason);
    expect503(await ask('what is BPOS?', 'conv-disk-2'), reason);
    expect503(
      await call(`${widget.base}/conversations/${widget.conversationId}/activities`, { method: 'POST', token: widget.token, body: JSON.stringify({ type: 'message', text: 'when is WPC?', from: { id: 'x' } }) }),
      reason,
    );
    const readiness = await call(`${b.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(readiness.json).toMatchObject({ status: 'storageUnavailable', reason });

    inNamespaceOf(b.child.pid as number, healIt);
    await until(async () => (await call(`${b.url}/readyz`)).status === 200, '/readyz to be 200 again');
    expect((await ask('what is BPOS?')).status).toBe(200);
    expect(await widget.ask('when is WPC?')).toMatchObject({ text: expect.stringMatching(/July 2011/) });
  }

  it('a full disk: 503 with the reason everywhere, /readyz 503, logged once; back in service by itself once space is freed', async () => {
    const b = await start();
    await incident(b, `dd if=/dev/zero of="${dataDir}/filler" bs=64k 2>/dev/null; true`, `rm -f "${dataDir}/filler"`, 'the storage is full', 8);
    await b.logged((l) => l.msg === 'storage available again');
    const named = (msg: string) => b.logs.filter((l) => l.msg === msg);
    expect(named('storage unavailable')).toHaveLength(1);
    expect(named('storage unavailable')[0]).toMatchObject({ reason: 'the storage is full', error: { code: 'ENOSPC' } });
    expect(named('storage available again')).toHaveLength(1);
    expect(named('question log cannot be written').length).toBeLessThanOrEqual(1);
    expect(b.logs.filter((l) => (l.level as number) >= 50 && !['storage unavailable', 'question log cannot be written'].includes(l.msg as string))).toEqual([]);
  });

  it('a disk that turns read-only: the same, and back when it is writable again', async () => {
    const b = await start();
    await incident(b, `mount -o remount,ro "${dataDir}"`, `mount -o remount,rw "${dataDir}"`, 'the storage is read-only');
    await b.logged((l) => l.msg === 'storage available again');
    expect(b.logs.filter((l) => l.msg === 'storage unavailable')).toHaveLength(1);
    expect(b.logs.filter((l) => l.msg === 'storage available again')).toHaveLength(1);
  });
});

describe('Azure Blob storage failing under a running bot process', () => {
  it('that stops answering: 503 within STORAGE_TIMEOUT_MS, /readyz 503, logged once; back by itself when it answers again', async () => {
    const azurite = await startAzurite();
    const proxy = await startTcpProxy(azurite.port);
    let bot: BotProcess | undefined;
    try {
      bot = await spawnBot({ STORAGE: 'blob', BLOB_CONNECTION_STRING: throughPort(azurite.connectionString, proxy.port), BLOB_CONTAINER: 'faults', STORAGE_TIMEOUT_MS: '1500' });
      const b = bot;
      const ask = (text: string) => call(`${b.url}/api/messages`, { method: 'POST', body: message(text, 'conv-blob') });
      expect((await ask('when is WPC?')).status).toBe(200);

      proxy.setMode('hang');
      expect503(await ask('what is BPOS?'), 'the storage did not answer within 1.5 s');
      expect503(await ask('what is BPOS?'), 'the storage did not answer within 1.5 s'); // at once: no second wait
      expect((await call(`${b.url}/readyz`)).status).toBe(503);

      proxy.setMode('pass');
      await until(async () => (await call(`${b.url}/readyz`)).status === 200, '/readyz to be 200 again');
      expect((await ask('what is BPOS?')).status).toBe(200);
      await b.logged((l) => l.msg === 'storage available again');
      expect(b.logs.filter((l) => l.msg === 'storage unavailable')).toHaveLength(1);
      expect(b.logs.filter((l) => l.msg === 'storage available again')).toHaveLength(1);
    } finally {
      bot?.child.kill('SIGKILL');
      await proxy.close();
      await azurite.stop();
    }
  });
});

describe('an unusable DATA_DIR at start-up', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'bad-data-dir-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** The bot stopped with exit code 1 and exactly one line naming the folder and the cause. */
  function expectOneLine(run: { code: number | null; stderr: string; stdout: string }, folder: string, cause: RegExp) {
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`The bot cannot start: the data folder ${folder} (DATA_DIR) is not usable`);
    expect(lines[0]).toMatch(cause);
    expect(run.stdout).not.toMatch(/listening/);
  }

  it('a file where the folder should be', async () => {
    const file = path.join(root, 'data');
    await writeFile(file, 'not a folder');
    expectOneLine(await runToExit({ PORT: '0', DATA_DIR: file }), file, /it is a file, not a folder/);
  });

  it('a folder inside a file', async () => {
    await writeFile(path.join(root, 'file'), 'x');
    const dir = path.join(root, 'file', 'data');
    expectOneLine(await runToExit({ PORT: '0', DATA_DIR: dir }), dir, /a part of its path is a file/);
  });

  it('a folder the bot may not write to', async () => {
    const dir = path.join(root, 'data');
    await mkdir(dir);
    await chmod(root, 0o755);
    await chmod(dir, 0o555);
    // As root, permissions stop nobody: run the bot as an unprivileged user when the tests are root.
    const asRoot = process.getuid?.() === 0;
    expectOneLine(await runToExit({ PORT: '0', DATA_DIR: dir }, 15_000, asRoot ? { uid: 65534, gid: 65534 } : {}), dir, /permission denied/);
  });

  (canMountTmpfs() ? it : it.skip)('a read-only file system', async () => {
    const dir = path.join(root, 'data');
    await mkdir(dir);
    expectOneLine(await runToExit({ PORT: '0', DATA_DIR: dir }, 15_000, { prefix: onTmpfs(dir, 64, true) }), dir, /read-only file system/);
  });

  it('Blob storage that cannot be reached: one line naming the storage', async () => {
    const run = await runToExit({
      PORT: '0',
      DATA_DIR: root,
      STORAGE: 'blob',
      STORAGE_TIMEOUT_MS: '1500',
      BLOB_CONTAINER: 'unreachable',
      // A loopback port nothing listens on.
      BLOB_CONNECTION_STRING: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;',
    });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^The bot cannot start: its storage, Azure Blob Storage \(container unreachable\), is not usable: the storage (service cannot be reached|did not answer within 1\.5 s)\.$/)]);
  });
});
