import { MemoryStorage } from 'botbuilder';
import WebSocket from 'ws';
import { TokenSigner } from '../../../src/channel/directLine/tokens';
import { call, DirectLineClient, issueToken, openStream, type DlActivity } from '../../helpers/directLineClient';
import { startBot, type RunningBot } from '../../helpers/httpHarness';

const KEY = 'token-lifetime-test-key-long-enough-for-hmac';
const isBot = (a: DlActivity) => a.type === 'message' && a.from.role === 'bot';

interface Refreshed {
  token: string;
  conversationId: string;
  expires_in: number;
  error?: { code: string };
}

function claimsOf(token: string): Record<string, unknown> {
  const checked = new TokenSigner(KEY).verify(token, 'dl');
  if (!checked.ok) throw new Error(`not a valid token: ${checked.reason}`);
  return checked.claims as unknown as Record<string, unknown>;
}

const refresh = (bot: RunningBot, token: string) => call<Refreshed>(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', token });
const read = (bot: RunningBot, conv: string, token: string) => call<{ error?: { code: string } }>(`${bot.url}/v3/directline/conversations/${conv}/activities`, { token });

async function started(bot: RunningBot): Promise<DirectLineClient> {
  const issued = await issueToken(bot.url);
  const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
  await client.start();
  return client;
}

/** The status the stream upgrade answers with (101 when it opens). */
function upgradeStatus(streamUrl: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(streamUrl);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', () => undefined);
  });
}

/** The first status other than 200 within `ms` (polling), or 200. */
async function statusWithin(ms: number, request: () => Promise<{ status: number }>): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { status } = await request();
    if (status !== 200 || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("the bot's own Direct Line tokens: retirement and maximum lifetime", () => {
  let storage: MemoryStorage;
  let bot: RunningBot;
  beforeAll(async () => {
    storage = new MemoryStorage();
    bot = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_TOKEN_TTL_MINUTES: '30', WEBCHAT_TOKEN_MAX_MINUTES: '120' }, storage);
  });
  afterAll(() => bot.close());

  it('issues a token whose chain ends WEBCHAT_TOKEN_MAX_MINUTES after issue, and a refresh keeps that end', async () => {
    const client = await started(bot);
    const first = claimsOf(client.token);
    expect(Number(first.exp) - Number(first.iat)).toBe(30 * 60);
    expect(Number(first.max) - Number(first.iat)).toBe(120 * 60);
    const res = await refresh(bot, client.token);
    expect(res.status).toBe(200);
    const second = claimsOf(res.json.token);
    expect(second.max).toBe(first.max);
    expect(second.chain).toBe(first.chain);
    expect(second.gen).toBe(1);
  });

  it('retires the old token on refresh: it gets 403 everywhere (read, post, reconnect, stream); the new one works', async () => {
    const client = await started(bot);
    const old = client.token;
    const { streamUrl } = (await call<{ streamUrl: string }>(`${client.base}/conversations/${client.conversationId}`, { token: old })).json;
    const res = await refresh(bot, old);
    expect(res.status).toBe(200);
    const url = `${client.base}/conversations/${client.conversationId}`;
    const oldRead = await read(bot, client.conversationId, old);
    expect(oldRead.status).toBe(403);
    expect(oldRead.json.error?.code).toBe('TokenRetired');
    expect((await call(`${url}/activities`, { method: 'POST', token: old, body: JSON.stringify({ type: 'message', text: 'from the old token' }) })).status).toBe(403);
    expect((await call(url, { token: old })).status).toBe(403);
    expect(await upgradeStatus(streamUrl)).toBe(403);

    client.token = res.json.token;
    expect((await client.ask('when is WPC?')).text).toMatch(/July 2011/);
    await client.poll();
    expect(client.seen.map((a) => a.text)).not.toContain('from the old token');
  });

  it('revokes the whole chain when a retired token is refreshed again (someone holds a copy); its open streams close', async () => {
    const client = await started(bot);
    const copied = client.token;
    const legit = await refresh(bot, client.token);
    expect(legit.status).toBe(200);
    const { streamUrl } = (await call<{ streamUrl: string }>(`${client.base}/conversations/${client.conversationId}`, { token: legit.json.token })).json;
    const stream = await openStream(streamUrl);
    const closed = new Promise<number>((resolve) => stream.ws.once('close', (code) => resolve(code)));

    const thief = await refresh(bot, copied);
    expect(thief.status).toBe(403);
    expect(thief.json.error?.code).toBe('TokenRevoked');
    const after = await read(bot, client.conversationId, legit.json.token);
    expect(after.status).toBe(403);
    expect(after.json.error?.code).toBe('TokenRevoked');
    expect(await closed).toBe(4003);
    // The partner's page starts over from the token endpoint with its resume proof.
    const again = await issueToken(bot.url);
    expect((await read(bot, again.conversationId, again.token)).status).toBe(200);
  });

  it('keeps a stream opened before a refresh until its own token expires (it only reads)', async () => {
    const client = await started(bot);
    const { streamUrl } = (await call<{ streamUrl: string }>(`${client.base}/conversations/${client.conversationId}`, { token: client.token })).json;
    const stream = await openStream(streamUrl);
    try {
      const res = await refresh(bot, client.token);
      client.token = res.json.token;
      const id = await client.send('when is WPC?');
      await stream.waitFor((a) => isBot(a) && a.id > id && /July 2011/.test(a.text ?? ''), 8000);
    } finally {
      stream.ws.close();
    }
  });

  it('never refreshes past the chain\'s end: the last refresh expires at it, then 403', async () => {
    const client = await started(bot);
    const signer = new TokenSigner(KEY);
    const user = String(claimsOf(client.token).user);
    const nearEnd = signer.sign('dl', user, client.conversationId, 600, { chain: 'ending-chain', gen: 0, max: signer.nowSeconds() + 2 }).token;
    expect(claimsOf(nearEnd).exp).toBe(claimsOf(nearEnd).max);
    const last = await refresh(bot, nearEnd);
    expect(last.status).toBe(200);
    expect(last.json.expires_in).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 3100));
    const refused = await refresh(bot, last.json.token);
    expect(refused.status).toBe(403);
    expect((await read(bot, client.conversationId, last.json.token)).status).toBe(403);
  });

  it('a refresh on one instance retires the old token on another sharing the storage', async () => {
    const other = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_TOKEN_TTL_MINUTES: '30', WEBCHAT_TOKEN_MAX_MINUTES: '120' }, storage);
    try {
      const client = await started(bot);
      // The other instance has just read (and cached) the conversation's token state.
      expect((await read(other, client.conversationId, client.token)).status).toBe(200);
      const res = await refresh(bot, client.token);
      expect(res.status).toBe(200);
      // Each instance caches what it read for up to 2 seconds.
      expect(await statusWithin(5000, () => read(other, client.conversationId, client.token))).toBe(403);
      expect((await read(other, client.conversationId, res.json.token)).status).toBe(200);
      // And the old token cannot be refreshed there either: that revokes the chain for both.
      expect((await refresh(other, client.token)).status).toBe(403);
      expect(await statusWithin(5000, () => read(bot, client.conversationId, res.json.token))).toBe(403);
    } finally {
      await other.close();
    }
  });
});
