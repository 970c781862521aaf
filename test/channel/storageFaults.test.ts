import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { call, DirectLineClient, issueToken } from '../helpers/directLineClient';
import { FaultyStorage, fsError } from '../helpers/faultyStorage';
import { messageActivity, post, startBot, type RunningBot } from '../helpers/httpHarness';

const KEY = 'storage-faults-signing-key-long-enough-for-hmac';

const until = async (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A 503 that says the storage is unavailable and why, without a path, a stack or the system's own words. */
function expectStorage503(res: { status: number; json: unknown; headers: Headers }, reason: RegExp) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  const text = JSON.stringify(res.json);
  expect(text).toMatch(/StorageUnavailable/);
  expect(text).toMatch(reason);
  expect(text).not.toMatch(/\/srv|\.json|\.lock|secret-conv|EROFS|ENOSPC|read-only file system|no space left|at .*\.js|stack/);
}

describe('a storage failure while the bot runs', () => {
  let bot: RunningBot;
  let storage: FaultyStorage;
  beforeEach(async () => {
    storage = new FaultyStorage();
    bot = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, STORAGE_TIMEOUT_MS: '400' }, storage);
  });
  afterEach(() => bot.close());

  const ask = (text: string, conversation = 'storage-faults-1') =>
    call(`${bot.url}/api/messages`, { method: 'POST', body: JSON.stringify(messageActivity(text, { deliveryMode: 'expectReplies', conversation: { id: conversation } })) });
  const ready = () => call<{ status: string; reason?: string }>(`${bot.url}/readyz`);
  const logged = (msg: string) => bot.logs.filter((l) => l.msg === msg);

  it('gives 503 with the reason on /api/messages, every Direct Line and widget route, and /readyz; logs it once; recovers by itself', async () => {
    // A conversation open before the disk fills up.
    const issued = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    await client.start();
    expect((await ask('when is WPC?')).status).toBe(200);
    const fresh = await issueToken(bot.url); // a page that loads during the outage
    await new Promise((r) => setTimeout(r, 1100)); // past the transcript cache (1 s): every read goes to storage

    storage.failWith(() => fsError('ENOSPC', 'write'), { writesOnly: true });
    expectStorage503(await ask('what is BPOS?'), /the storage is full/);
    const dl = `${bot.url}/v3/directline/conversations`;
    const routes = {
      'POST /api/messages': () => ask('and Office 365?'),
      'POST /v3/directline/conversations': () => call(dl, { method: 'POST', token: fresh.token }),
      'GET /v3/directline/conversations/:id': () => call(`${dl}/${client.conversationId}?watermark=1`, { token: client.token }),
      'GET /v3/directline/conversations/:id/activities': () => call(`${dl}/${client.conversationId}/activities`, { token: client.token }),
      'POST /v3/directline/conversations/:id/activities': () =>
        call(`${dl}/${client.conversationId}/activities`, { method: 'POST', token: client.token, body: JSON.stringify({ type: 'message', text: 'when is WPC?', from: { id: 'x' } }) }),
      'POST /api/webchat/token (resume)': () => call(`${bot.url}/api/webchat/token`, { method: 'POST', body: JSON.stringify({ resume: issued.resume }) }),
      'POST /api/webchat/unread': () => call(`${bot.url}/api/webchat/unread`, { method: 'POST', body: JSON.stringify({ resume: issued.resume, after: 0 }) }),
      // A refresh retires the old token in the conversation's token chain, which lives in the storage.
      'POST /v3/directline/tokens/refresh': () => call(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', token: client.token }),
    };
    for (const [route, request] of Object.entries(routes)) {
      const res = await request();
      try {
        expectStorage503(res, /the storage is full/);
      } catch (err) {
        throw new Error(`${route}: ${(err as Error).message}\n${JSON.stringify(res.json)}`, { cause: err });
      }
    }
    const readiness = await ready();
    expect(readiness.status).toBe(503);
    expect(readiness.json).toMatchObject({ status: 'storageUnavailable', reason: 'the storage is full' });
    // Routes that need no storage still answer.
    expect((await call(`${bot.url}/healthz`)).status).toBe(200);

    // One incident, one line: no per-request errors.
    expect(logged('storage unavailable')).toHaveLength(1);
    for (const noisy of ['turn failed', 'turn error', 'request failed', 'widget token failed', 'could not tell the partner about the error']) expect(logged(noisy)).toEqual([]);

    storage.heal();
    await until(async () => (await ready()).status === 200, '/readyz to be 200 again');
    expect((await ask('what is BPOS?')).status).toBe(200);
    expect(await client.ask('when is WPC?')).toMatchObject({ text: expect.stringMatching(/July 2011/) });
    expect(logged('storage available again')).toHaveLength(1);
    expect(logged('storage unavailable')).toHaveLength(1);
  });

  it('answers 503 soon when the storage stops answering, instead of holding the partner', async () => {
    expect((await ask('when is WPC?')).status).toBe(200);
    storage.hang();
    const slow = await ask('what is BPOS?');
    expectStorage503(slow, /did not answer within 0\.4 s/);
    // Later requests are refused at once rather than each waiting for the time limit.
    const again = await post(bot.url, messageActivity('and WPC?', { deliveryMode: 'expectReplies' }));
    expect(again.status).toBe(503);
    expect((await ready()).status).toBe(503);
    storage.heal();
    await until(async () => (await ready()).status === 200, '/readyz to be 200 again');
    expect((await ask('when is WPC?', 'storage-faults-2')).status).toBe(200);
  });

  it('shuts down within its grace period even when a turn is stuck on a storage that never answers', async () => {
    const patient = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, STORAGE_TIMEOUT_MS: '60000' }, storage);
    try {
      storage.hang();
      const stuck = call(`${patient.url}/api/messages`, { method: 'POST', body: JSON.stringify(messageActivity('when is WPC?', { deliveryMode: 'expectReplies' })) });
      await until(() => storage.hanging > 0, 'the turn to reach the storage');
      const started = Date.now();
      const result = await patient.bot.shutdown(1000);
      // The grace period, then at most the bounded wait for the rest (2 s), with room for a busy machine.
      expect(Date.now() - started).toBeLessThan(1000 + 2000 + 3000);
      expect(result).toEqual({ drained: false });
      await stuck.catch(() => undefined);
    } finally {
      await patient.close().catch(() => undefined);
    }
  });
});

describe('a question log folder that cannot be written', () => {
  it('is logged when it starts failing and when it works again, not once per question; the partners are answered meanwhile', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'question-log-faults-'));
    const blocker = path.join(root, 'logs');
    await writeFile(blocker, 'a file where the folder should be');
    const bot = await startBot({ QUESTION_LOG_DIR: path.join(blocker, 'questions') });
    try {
      const logged = (msg: string) => bot.logs.filter((l) => l.msg === msg);
      for (const text of ['when is WPC?', 'what is BPOS?', 'how do partners get paid?']) {
        expect((await post(bot.url, messageActivity(text, { deliveryMode: 'expectReplies' }))).status).toBe(200);
      }
      await until(() => logged('question log cannot be written').length > 0, 'the question log to fail');
      await rm(blocker);
      await mkdir(blocker);
      expect((await post(bot.url, messageActivity('when is WPC?', { deliveryMode: 'expectReplies' }))).status).toBe(200);
      await until(() => logged('question log written again').length > 0, 'the question log to work again');
      expect(logged('question log cannot be written')).toEqual([expect.objectContaining({ reason: "a part of the storage folder's path is a file", error: { code: 'ENOTDIR', syscall: 'mkdir' } })]);
      expect(logged('question log written again')).toHaveLength(1);
      expect(logged('question log write failed')).toEqual([]);
    } finally {
      await bot.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
