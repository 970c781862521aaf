import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';
import WebSocket from 'ws';
import { hashId, readLog } from '../../src/storage/QuestionLog';
import { QUESTION_LOG_SALT_DOC } from '../../src/channel/startBot';
import { FORMER_BUILT_IN_SALT } from '../../src/config';
import { call, DirectLineClient, issueToken } from '../helpers/directLineClient';
import { messageActivity, startBot, type RunningBot } from '../helpers/httpHarness';

const KEY = 'log-privacy-test-signing-key-long-enough';
const SALT = 'log-privacy-test-salt-0123456789';

function ask(bot: RunningBot, text: string, conversation: string, partner: string) {
  return call<{ activities: { text?: string }[] }>(`${bot.url}/api/messages`, {
    method: 'POST',
    body: JSON.stringify(messageActivity(text, { deliveryMode: 'expectReplies', conversation: { id: conversation }, from: { id: partner } })),
  });
}

/** Waits until the upgrade attempt is over (refused or opened and closed). */
function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', () => resolve());
    ws.once('open', () => {
      ws.close();
      resolve();
    });
    ws.once('error', () => resolve());
  });
}

describe('what the logs keep of partners and their tokens', () => {
  it('never writes a token, a resume proof or a raw conversation or partner id, however the request carries them', async () => {
    const questionDir = await mkdtemp(path.join(os.tmpdir(), 'privacy-questions-'));
    const bot = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, QUESTION_LOG_SALT: SALT, QUESTION_LOG_DIR: questionDir, WEBCHAT_ALLOWED_ORIGINS: 'https://partners.contoso.com' });
    const issued = await issueToken(bot.url);
    const { token, resume, conversationId } = issued;
    const dl = `${bot.url}/v3/directline/conversations/${conversationId}`;
    try {
      const client = new DirectLineClient(bot.url, token, conversationId);
      await client.start();
      expect((await client.ask('when is WPC?')).text).toMatch(/July 2011/);
      expect((await call(`${dl}/activities`, { method: 'POST', token, body: JSON.stringify({ type: 'typing' }) })).status).toBe(200);
      // The request first reported: a stream URL fetched without an upgrade.
      expect((await call(`${dl}/stream?t=${token}`)).status).toBeGreaterThanOrEqual(400);
      expect((await call(`${dl}/stream?t=${token}&watermark=3`, { method: 'POST', body: '{}' })).status).toBeGreaterThanOrEqual(400);
      // Tokens and proofs in every other place a client could put them.
      expect((await call(`${dl}/activities?token=${token}&resume=${resume}`, { token: resume })).status).toBe(403);
      expect((await call(`${bot.url}/${token}/${resume}`)).status).toBe(404);
      expect((await call(`${dl}/no-such-thing/deeper?t=${token}`, { token })).status).toBeGreaterThanOrEqual(400);
      expect((await call(`${bot.url}/api/webchat/token?t=${token}`, { method: 'POST', body: JSON.stringify({ resume }), origin: 'https://evil.example.com' })).status).toBe(403);
      expect((await call(`${bot.url}/api/webchat/unread`, { method: 'POST', body: JSON.stringify({ resume, after: 0 }) })).status).toBe(200);
      expect((await call(`${bot.url}/v3/directline/tokens/refresh?t=${token}`, { method: 'POST', token: 'not-a-token' })).status).toBe(403);
      await tryUpgrade(`${dl.replace('http', 'ws')}/stream?t=${token}`, { origin: 'https://evil.example.com' });
      await tryUpgrade(`${dl.replace('http', 'ws')}/stream?t=${resume}`);
      // A partner in another channel, by conversation and partner id.
      expect((await ask(bot, 'when is WPC?', 'conv-private-123', 'partner-private-9')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await bot.close();
    }

    const all = JSON.stringify(bot.logs);
    expect(bot.logs.length).toBeGreaterThan(5);
    for (const secret of [token, resume, token.split('.')[2] ?? '', resume.split('.')[2] ?? '', KEY, SALT]) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/eyJ[\w-]+\.eyJ/);
    // restify's own lines go through the same logger; none says a handler returned the response object.
    expect(bot.logs.some((l) => l.msg === 'Discarded returned value from async handler')).toBe(false);
    for (const id of [conversationId, 'conv-private-123', 'partner-private-9', issued.userId]) expect(all).not.toContain(id);
    // The reported line is still there, with what staff need and nothing more.
    const refused = bot.logs.find((l) => typeof l.url === 'string' && l.url.includes('/stream?t='));
    expect(refused?.url).toBe(`/v3/directline/conversations/~${hashId(conversationId, SALT)}/stream?t=[redacted]`);

    // Turn logs name the conversation by the same hash as the question log, so the two can be matched.
    const turn = bot.logs.find((l) => l.msg === 'turn' && l.channelId === 'emulator');
    expect(turn?.conversationId).toBe(hashId('conv-private-123', SALT));
    const logged = await readLog(questionDir, new Date(Date.now() - 86_400_000), new Date());
    const question = logged.questions.find((q) => q.channelId === 'emulator');
    expect(question?.conversation).toBe(turn?.conversationId);
    expect(question?.partner).toBe(hashId('partner-private-9', SALT));
  });

  it('without QUESTION_LOG_SALT hashes with a salt generated once and kept in storage, shared by instances on it', async () => {
    const shared = new MemoryStorage();
    const a = await startBot({}, shared);
    const b = await startBot({}, shared);
    const elsewhere = await startBot({}, new MemoryStorage());
    try {
      for (const bot of [a, b, elsewhere]) expect((await ask(bot, 'hello', 'same-conversation', 'same-partner')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
      const hashOf = (bot: RunningBot) => bot.logs.find((l) => l.msg === 'turn')?.conversationId as string;
      const stored = ((await shared.read([QUESTION_LOG_SALT_DOC]))[QUESTION_LOG_SALT_DOC] as { secret: string }).secret;
      expect(stored.length).toBeGreaterThanOrEqual(32);
      expect(hashOf(a)).toBe(hashId('same-conversation', stored));
      expect(hashOf(b)).toBe(hashOf(a));
      expect(hashOf(elsewhere)).not.toBe(hashOf(a));
      expect(hashOf(a)).not.toBe(hashId('same-conversation', FORMER_BUILT_IN_SALT));
    } finally {
      await Promise.all([a.close(), b.close(), elsewhere.close()]);
    }
  });
});
