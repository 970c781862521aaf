import WebSocket from 'ws';
import { call, DirectLineClient, openStream, type DlActivity } from '../helpers/directLineClient';
import { messageActivity, startBot, startReceiver, type Receiver, type RunningBot } from '../helpers/httpHarness';

const KEY = 'fair-use-test-signing-key-long-enough-for-hmac';
const isBot = (a: DlActivity) => a.type === 'message' && a.from.role === 'bot';

interface TooMany {
  code?: string;
  message?: string;
  limit?: string;
  retryAfterSeconds?: number;
  error?: { code: string; message: string; limit: string };
  activities?: { text?: string }[];
}

function post(bot: RunningBot, activity: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call<TooMany>(`${bot.url}/api/messages`, { method: 'POST', body: JSON.stringify(activity), headers });
}

function ask(text: string, conversation: string, partner: string, extra: Record<string, unknown> = {}) {
  return messageActivity(text, { deliveryMode: 'expectReplies', conversation: { id: conversation }, from: { id: partner }, ...extra });
}

/** Asserts a 429 with a Retry-After within the minute and a one-line reason naming the limit. */
function expectTooMany(res: { status: number; headers: Headers; json: TooMany }, limit: string): void {
  expect(res.status).toBe(429);
  // Seconds, or for Direct Line clients an HTTP date.
  const header = String(res.headers.get('retry-after'));
  const retry = /^\d+$/.test(header) ? Number(header) : Math.round((Date.parse(header) - Date.now()) / 1000);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(60);
  const body = res.json.error ?? res.json;
  expect(body.code).toBe('TooManyRequests');
  expect(body.limit).toBe(limit);
  expect(body.message).toMatch(/^Too many requests: .+ Try again in \d+ seconds\.$/);
}

describe('fair use on /api/messages (Teams, Emulator and Azure channels)', () => {
  let bot: RunningBot;
  let receiver: Receiver;
  beforeAll(async () => {
    bot = await startBot({ RATE_LIMIT_TURNS_PER_MINUTE: '3', RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: '5' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await bot.close();
    await receiver.close();
  });

  it('answers a conversation up to its limit, then 429 with Retry-After and the reason; other partners are still answered', async () => {
    for (let i = 0; i < 3; i += 1) {
      const ok = await post(bot, ask('when is WPC?', 'flooded', 'flooder'));
      expect(ok.status).toBe(200);
      expect(ok.json.activities?.[0]?.text).toMatch(/July 2011/);
    }
    const t0 = Date.now();
    expectTooMany(await post(bot, ask('when is WPC?', 'flooded', 'flooder')), 'conversationTurns');
    // The refusal is held back a second, so a client that floods slows itself down.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expectTooMany(await post(bot, ask('when is WPC?', 'flooded', 'someone-else')), 'conversationTurns');
    const other = await post(bot, ask('when is WPC?', 'quiet', 'quiet-partner'));
    expect(other.status).toBe(200);
    expect(other.json.activities?.[0]?.text).toMatch(/July 2011/);
    // The first refusal in the window is logged, with the conversation hashed; a flood is not logged line by line.
    const refused = bot.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('request refused: over the fair-use limit') && l.limit === 'conversationTurns');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.conversationId).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(refused)).not.toContain('flooded');
  });

  it('limits one partner across conversations', async () => {
    for (let i = 0; i < 5; i += 1) expect((await post(bot, ask('hello', `hopper-${i}`, 'hopper'))).status).toBe(200);
    expectTooMany(await post(bot, ask('hello', 'hopper-new', 'hopper')), 'partnerTurns');
  });

  it('refuses an invoke over the limit with 429 (Teams shows the action as failed)', async () => {
    for (let i = 0; i < 3; i += 1) await post(bot, ask('hello', 'invoker', `invoker-${i}`));
    const invoke = messageActivity('', { type: 'invoke', name: 'composeExtension/query', value: { parameters: [] }, conversation: { id: 'invoker' }, from: { id: 'invoker-x' }, serviceUrl: receiver.serviceUrl });
    expectTooMany(await post(bot, invoke), 'conversationTurns');
  });

  it('in a channel chat answers 200 and says "slow down" once in the chat, instead of a 429 the partner would never see', async () => {
    const inChat = (text: string) => messageActivity(text, { conversation: { id: 'teams-chat' }, from: { id: 'teams-partner' }, serviceUrl: receiver.serviceUrl });
    for (let i = 0; i < 3; i += 1) expect((await post(bot, inChat('when is WPC?'))).status).toBe(200);
    await receiver.waitFor(3);
    const before = receiver.received.length;
    for (let i = 0; i < 4; i += 1) expect((await post(bot, inChat(`message ${i}`))).status).toBe(200);
    await receiver.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    const notices = receiver.received.slice(before);
    expect(notices).toHaveLength(1);
    const text = String(notices[0]?.activity.text);
    expect(text).toMatch(/faster than I can answer/);
    const seconds = Number(/wait (\d+) seconds/.exec(text)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(notices[0]?.path).toContain('/v3/conversations/teams-chat/activities');
    // Each message it did not read is in the log (hashed ids), so none is lost silently.
    const skipped = bot.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('message not read'));
    expect(skipped).toHaveLength(4);
    expect(JSON.stringify(skipped)).not.toMatch(/teams-chat|teams-partner/);
  });
});

describe('fair use on the widget and the bot\'s own Direct Line', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot({
      WEBCHAT_TOKEN_SECRET: KEY,
      RATE_LIMIT_TOKENS_PER_MINUTE: '4',
      RATE_LIMIT_CONVERSATIONS_PER_MINUTE: '3',
      RATE_LIMIT_TURNS_PER_MINUTE: '3',
      RATE_LIMIT_STREAMS_PER_CONVERSATION: '2',
      RATE_LIMIT_STREAM_CONNECTS_PER_MINUTE: '4',
      TRUSTED_PROXY_HOPS: '1',
    });
  });
  afterAll(() => bot.close());

  const token = (forwardedFor: string) => call<TooMany & { token?: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', headers: { 'x-forwarded-for': forwardedFor } });

  it('limits token requests per client address, read from X-Forwarded-For only as far as the trusted proxy wrote it', async () => {
    for (let i = 0; i < 4; i += 1) expect((await token(`198.51.100.${i}, 203.0.113.10:5000`)).status).toBe(200);
    // Changing what the client itself wrote (left of the proxy's entry) does not help.
    expectTooMany(await token('192.0.2.99, 203.0.113.10:6000'), 'tokens');
    // Another partner, behind the same proxy, is unaffected.
    expect((await token('203.0.113.11:5000')).status).toBe(200);
    const unread = (xff: string) => call<TooMany>(`${bot.url}/api/webchat/unread`, { method: 'POST', body: JSON.stringify({ resume: 'x', after: 0 }), headers: { 'x-forwarded-for': xff } });
    for (let i = 0; i < 4; i += 1) expect((await unread('203.0.113.12')).status).toBe(200);
    expectTooMany(await unread('203.0.113.12'), 'unread');
  });

  it('limits conversations started per client address', async () => {
    const xff = { 'x-forwarded-for': '203.0.113.20' };
    const tokens: { token?: string; conversationId?: string }[] = [];
    for (let i = 0; i < 4; i += 1) tokens.push((await token(`203.0.113.${30 + i}`)).json);
    const start = (t: string) => call<TooMany>(`${bot.url}/v3/directline/conversations`, { method: 'POST', token: t, headers: xff });
    for (let i = 0; i < 3; i += 1) expect((await start(String(tokens[i]?.token))).status).toBe(201);
    expectTooMany(await start(String(tokens[3]?.token)), 'conversations');
    // Nor does a reconnect create one past the limit; reconnecting to an existing conversation is not a new one.
    const reconnect = (t: { token?: string; conversationId?: string } | undefined) => call<TooMany>(`${bot.url}/v3/directline/conversations/${String(t?.conversationId)}`, { token: String(t?.token), headers: xff });
    expectTooMany(await reconnect(tokens[3]), 'conversations');
    expect((await reconnect(tokens[0])).status).toBe(200);
  });

  it("limits a conversation's messages: 429 (Web Chat shows it as not sent) and one \"slow down\" message in the chat", async () => {
    const issued = (await token('203.0.113.40')).json as unknown as { token: string; conversationId: string };
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    expect((await call(`${client.base}/conversations`, { method: 'POST', token: client.token, headers: { 'x-forwarded-for': '203.0.113.40' } })).status).toBe(201);
    for (let i = 0; i < 3; i += 1) await client.send(`hello ${i}`);
    const url = `${client.base}/conversations/${client.conversationId}/activities`;
    const over = () => call<TooMany>(url, { method: 'POST', token: client.token, body: JSON.stringify({ type: 'message', text: 'one more' }) });
    expectTooMany(await over(), 'conversationTurns');
    expectTooMany(await over(), 'conversationTurns');
    const notice = await client.waitFor((a) => isBot(a) && /faster than I can answer/.test(a.text ?? ''));
    expect(notice.text).toMatch(/wait \d+ seconds/);
    await client.poll();
    expect(client.seen.filter((a) => /faster than I can answer/.test(a.text ?? ''))).toHaveLength(1);
    expect(client.seen.map((a) => a.text)).not.toContain('one more');
  });

  it('limits open streams and stream connection attempts per conversation (429 on the upgrade)', async () => {
    const issued = (await token('203.0.113.50')).json as unknown as { token: string; conversationId: string };
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    const { streamUrl } = (await call<{ streamUrl: string }>(`${client.base}/conversations`, { method: 'POST', token: client.token, headers: { 'x-forwarded-for': '203.0.113.50' } })).json;
    const first = await openStream(streamUrl);
    const second = await openStream(streamUrl);
    await expect(openStream(streamUrl)).rejects.toThrow(/429/);
    // Closing one frees its place.
    await new Promise<void>((resolve) => {
      first.ws.once('close', () => resolve());
      first.ws.close();
    });
    await new Promise((r) => setTimeout(r, 100));
    const third = await openStream(streamUrl);
    // Four attempts in this minute so far: the fifth is refused whatever is open.
    third.ws.close();
    await new Promise((r) => setTimeout(r, 100));
    const refused = await new Promise<{ status: number | undefined; retryAfter: string | undefined }>((resolve) => {
      const ws = new WebSocket(streamUrl);
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
      ws.once('open', () => resolve({ status: 101, retryAfter: undefined }));
      ws.once('error', () => undefined);
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    second.ws.close();
  });
});
