import { TokenSigner } from '../../../src/channel/directLine/tokens';
import { Transcripts } from '../../../src/channel/directLine/transcripts';
import { MemoryStorage } from 'botbuilder';
import { call, DirectLineClient, issueToken, openStream, type DlActivity } from '../../helpers/directLineClient';
import { startBot, type RunningBot } from '../../helpers/httpHarness';

const KEY = 'test-signing-key-that-is-long-enough-for-hmac';
const isBot = (a: DlActivity) => a.type === 'message' && a.from.role === 'bot';

describe("the bot's own Direct Line endpoint (the widget without Azure)", () => {
  let bot: RunningBot;
  let storage: MemoryStorage;
  beforeAll(async () => {
    storage = new MemoryStorage();
    // Every partner here comes from one loopback address: the per-address limits are for fairUse.test.ts.
    bot = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_ALLOWED_ORIGINS: 'https://partners.contoso.com', RATE_LIMIT_TOKENS_PER_MINUTE: '1000', RATE_LIMIT_CONVERSATIONS_PER_MINUTE: '1000' }, storage);
  });
  afterAll(() => bot.close());

  async function open(): Promise<DirectLineClient> {
    const issued = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    await client.start();
    return client;
  }

  it('welcomes the partner, answers a question and returns their own message with a server id and their clientActivityID', async () => {
    const client = await open();
    const welcome = await client.waitFor(isBot);
    expect(welcome.text).toMatch(/partner bot/i);

    const id = await client.send('when is WPC?', { channelData: { clientActivityID: 'client-42' }, from: { id: 'someone-else', name: 'Jane' } });
    const echo = await client.waitFor((a) => a.id === id);
    expect(echo.channelData?.clientActivityID).toBe('client-42');
    expect(echo.id).toMatch(new RegExp(`^${client.conversationId}\\|\\d+$`));
    // Who sent it is the token's user, not whatever the client claimed.
    const { claims } = (() => {
      const v = new TokenSigner(KEY).verify(client.token, 'dl');
      if (!v.ok) throw new Error('bad token');
      return v;
    })();
    expect(echo.from.id).toBe(claims.user);
    const answer = await client.waitFor((a) => isBot(a) && a.id > id);
    expect(answer.text).toMatch(/July 2011/);
    // Answers carry the related questions and the feedback buttons as suggested actions.
    const actions = answer.suggestedActions?.actions ?? [];
    expect(actions.some((x) => x.type === 'messageBack' || /helpful/i.test(x.title))).toBe(true);
  });

  it('reads activities after a watermark only, and never repeats one', async () => {
    const client = await open();
    await client.waitFor(isBot);
    const mark = client.watermark;
    await client.ask('what is BPOS?');
    const res = await call<{ activities: DlActivity[]; watermark: string }>(`${client.base}/conversations/${client.conversationId}/activities?watermark=${mark}`, { token: client.token });
    expect(res.json.activities.map((a) => a.text)).toContain('what is BPOS?');
    expect(res.json.activities.some((a) => /partner bot/i.test(a.text ?? '') && a.id.endsWith('|0000000'))).toBe(false);
    const again = await call<{ activities: DlActivity[] }>(`${client.base}/conversations/${client.conversationId}/activities?watermark=${res.json.watermark}`, { token: client.token });
    expect(again.json.activities).toEqual([]);
  });

  it('streams the history and then each new activity over the WebSocket', async () => {
    const issued = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    const { streamUrl } = await client.start();
    expect(streamUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/.+\/stream\?t=/);
    const stream = await openStream(streamUrl);
    try {
      await stream.waitFor(isBot);
      const id = await client.send('when is WPC?', { channelData: { clientActivityID: 'ws-1' } });
      await stream.waitFor((a) => a.id === id && a.channelData?.clientActivityID === 'ws-1');
      await stream.waitFor((a) => isBot(a) && /July 2011/.test(a.text ?? ''));
      const ids = stream.activities.map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      stream.ws.close();
    }
  });

  it("keeps each partner in their own conversation: another conversation's id, a forged or expired token gets 403", async () => {
    const alice = await open();
    const bob = await open();
    await alice.ask('my secret question about billing for contoso');
    const signer = new TokenSigner(KEY);
    const forged = signer.sign('dl', 'dl_mallory', alice.conversationId, 60).token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const expired = new TokenSigner(KEY, () => Date.now() - 7200_000).sign('dl', 'dl_x', alice.conversationId, 60).token;
    const otherKey = new TokenSigner('a-different-key-of-at-least-32-bytes!!').sign('dl', 'dl_x', alice.conversationId, 600).token;
    const url = `${alice.base}/conversations/${alice.conversationId}/activities`;
    for (const token of [bob.token, forged, expired, otherKey, alice.token.split('.').slice(0, 2).join('.') + '.']) {
      const read = await call<{ error: { code: string } }>(url, { token });
      expect(read.status).toBe(403);
      expect(JSON.stringify(read.json)).not.toMatch(/secret question/);
      const write = await call(url, { method: 'POST', token, body: JSON.stringify({ type: 'message', text: 'injected' }) });
      expect(write.status).toBe(403);
    }
    expect((await call(url)).status).toBe(403);
    // A token signed for Alice's conversation with a user other than hers cannot read it either.
    const wrongUser = signer.sign('dl', 'dl_mallory', alice.conversationId, 600).token;
    expect((await call(url, { token: wrongUser })).status).toBe(403);
    await expect(openStream(`${bot.url.replace('http', 'ws')}/v3/directline/conversations/${alice.conversationId}/stream?t=${bob.token}`)).rejects.toThrow(/403/);
    await alice.poll();
    expect(alice.seen.map((a) => a.text)).not.toContain('injected');
  });

  it('refreshes a live token for the same conversation; an expired one cannot be refreshed', async () => {
    const client = await open();
    const res = await call<{ token: string; conversationId: string; expires_in: number }>(`${client.base}/tokens/refresh`, { method: 'POST', token: client.token });
    expect(res.status).toBe(200);
    expect(res.json.conversationId).toBe(client.conversationId);
    expect(res.json.expires_in).toBe(3600);
    client.token = res.json.token;
    expect((await client.ask('when is WPC?')).text).toMatch(/July 2011/);
    const expired = new TokenSigner(KEY, () => Date.now() - 7200_000).sign('dl', 'dl_x', client.conversationId, 60).token;
    expect((await call(`${client.base}/tokens/refresh`, { method: 'POST', token: expired })).status).toBe(403);
  });

  it('refuses bad activities with a reason and keeps the conversation working', async () => {
    const client = await open();
    const url = `${client.base}/conversations/${client.conversationId}/activities`;
    const cases: [string, RegExp][] = [
      ['not json', /./],
      [JSON.stringify({ type: 'conversationUpdate' }), /type must be one of/],
      [JSON.stringify({ type: 'message', text: 42 }), /text must be a string/],
      [JSON.stringify({ type: 'message', text: 'x', attachments: [{ contentType: 'image/png', contentUrl: 'http://x' }] }), /attachments/],
      [JSON.stringify([1, 2]), /one activity/],
    ];
    for (const [body, reason] of cases) {
      const res = await call<{ error?: { message: string }; message?: string }>(url, { method: 'POST', token: client.token, body });
      expect(res.status).toBe(400);
      expect(res.json.error?.message ?? res.json.message ?? '').toMatch(reason);
    }
    const bloated = await call<{ error: { message: string } }>(url, { method: 'POST', token: client.token, body: JSON.stringify({ type: 'message', text: 'hi', channelData: { clientActivityID: 'x', junk: 'x'.repeat(100_000) } }) });
    expect(bloated.status).toBe(413);
    expect(bloated.json.error.message).toMatch(/at most 32 KB/);
    expect((await client.ask('when is WPC?')).text).toMatch(/July 2011/);
    await client.poll();
    expect(JSON.stringify(client.seen)).not.toContain('x'.repeat(1000));
  });

  it('serves only pages from allowed origins (token endpoint, Direct Line and preflight alike)', async () => {
    const evil = 'https://evil.example.com';
    const token = await call<{ code: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: evil });
    expect(token.status).toBe(403);
    expect(token.json.code).toBe('OriginNotAllowed');
    expect(token.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await call(`${bot.url}/api/webchat/token`, { method: 'OPTIONS', origin: evil, headers: { 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

    const good = 'https://partners.contoso.com';
    const ok = await call<{ token: string; conversationId: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: good });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(good);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const dlPreflight = await call(`${bot.url}/v3/directline/conversations`, { method: 'OPTIONS', origin: good, headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    expect(dlPreflight.status).toBe(204);
    expect(dlPreflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);
    const dlEvil = await call(`${bot.url}/v3/directline/conversations`, { method: 'POST', origin: evil, token: ok.json.token });
    expect(dlEvil.status).toBe(403);
    await expect(openStream(`${bot.url.replace('http', 'ws')}/v3/directline/conversations/${ok.json.conversationId}/stream?t=${ok.json.token}`, { origin: evil })).rejects.toThrow(/403/);
    // The bot's own pages (the demo portal) need no listing.
    const own = await call(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: bot.url });
    expect(own.status).toBe(200);
  });

  it('a reload resumes the conversation with its history; "new conversation" starts fresh for the same partner', async () => {
    const first = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, first.token, first.conversationId);
    await client.start();
    await client.ask('when is WPC?');

    const again = await issueToken(bot.url, { resume: first.resume });
    expect(again.resumed).toBe(true);
    expect(again.conversationId).toBe(first.conversationId);
    expect(again.userId).toBe(first.userId);
    const reloaded = new DirectLineClient(bot.url, again.token, again.conversationId);
    await reloaded.poll();
    expect(reloaded.seen.map((a) => a.text)).toContain('when is WPC?');

    const fresh = await issueToken(bot.url, { resume: first.resume, fresh: true });
    expect(fresh.resumed).toBe(false);
    expect(fresh.conversationId).not.toBe(first.conversationId);
    expect(fresh.userId).toBe(first.userId);

    // A resume proof that was tampered with gets a new partner id and conversation.
    const tampered = await issueToken(bot.url, { resume: first.resume.slice(0, -2) + 'xx' });
    expect(tampered.resumed).toBe(false);
    expect(tampered.userId).not.toBe(first.userId);
    const bad = await call<{ message: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{"resume": 5}' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/resume/);
  });

  it('does not resume a conversation idle for longer than WEBCHAT_RESUME_MINUTES', async () => {
    const first = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, first.token, first.conversationId);
    await client.start();
    await client.ask('when is WPC?');
    // Age the conversation past the default window (24 hours).
    const key = Transcripts.key(first.conversationId);
    const doc = (await storage.read([key]))[key] as Record<string, unknown>;
    await storage.write({ [key]: { ...doc, eTag: '*', updatedAt: new Date(Date.now() - 25 * 3600_000).toISOString() } });
    const later = await issueToken(bot.url, { resume: first.resume });
    expect(later.resumed).toBe(false);
    expect(later.conversationId).not.toBe(first.conversationId);
    expect(later.userId).toBe(first.userId);
  });

  it('counts, for a returning page, the bot messages after the watermark it last saw (its own conversation only)', async () => {
    const first = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, first.token, first.conversationId);
    await client.start();
    await client.waitFor(isBot);
    const seen = Number(client.watermark);
    await client.ask('when is WPC?');
    await client.ask('what is BPOS?');
    const unread = (resume: unknown, after: unknown) => call<{ unread?: number; message?: string }>(`${bot.url}/api/webchat/unread`, { method: 'POST', body: JSON.stringify({ resume, after }) });
    expect((await unread(first.resume, seen)).json.unread).toBe(2);
    await client.poll();
    expect((await unread(first.resume, Number(client.watermark))).json.unread).toBe(0);
    // Someone else's proof, or a tampered one, learns nothing.
    const other = await issueToken(bot.url);
    const forged = new TokenSigner(KEY).sign('resume', other.userId, first.conversationId, 600).token;
    expect((await unread(forged, 0)).json.unread).toBe(0);
    expect((await unread(first.resume.slice(0, -3) + 'abc', 0)).json.unread).toBe(0);
    const bad = await unread(first.resume, -1);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/after/);
  });
});
