import { messageActivity, post, startBot, startReceiver, type RunningBot } from '../helpers/httpHarness';

interface Replies {
  activities: { text?: string; channelData?: { band?: string; articleId?: string | null; confidence?: number | null }; replyToId?: string }[];
}

describe('HTTP server (real restify on a random port)', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(async () => {
    await bot.close();
  });

  describe('delivery', () => {
    it('returns the answer in the response body for deliveryMode expectReplies', async () => {
      const res = await post(bot.url, messageActivity('when is WPC?', { deliveryMode: 'expectReplies' }));
      expect(res.status).toBe(200);
      const [reply] = (res.json as Replies).activities;
      expect(reply?.text).toMatch(/July 2011/);
      expect(reply?.channelData).toMatchObject({ band: 'answer', articleId: 'wpc-2011' });
    });

    it("posts the answer to the activity's serviceUrl and answers the request itself with 200", async () => {
      const receiver = await startReceiver();
      try {
        const activity = messageActivity('what is the billing policy for partners?', { serviceUrl: receiver.serviceUrl });
        const res = await post(bot.url, activity);
        expect(res.status).toBe(200);
        await receiver.waitFor(1);
        const [delivered] = receiver.received;
        const conversationId = (activity.conversation as { id: string }).id;
        expect(delivered?.path).toBe(`/v3/conversations/${conversationId}/activities/${String(activity.id)}`);
        expect(delivered?.activity).toMatchObject({ type: 'message', replyToId: activity.id, channelData: { band: 'answer', articleId: 'partner-billing-policy' } });
        expect(delivered?.authorization).toBeUndefined();
      } finally {
        await receiver.close();
      }
    });

    it('tags each request with a correlation id that appears in the turn log line', async () => {
      const res = await post(bot.url, messageActivity('who leads microsoft online services?', { deliveryMode: 'expectReplies' }), {
        'x-correlation-id': 'test-corr-42',
      });
      expect(res.headers.get('x-correlation-id')).toBe('test-corr-42');
      const line = bot.logs.find((l) => l.correlationId === 'test-corr-42' && l.msg === 'turn');
      expect(line).toMatchObject({ outcome: 'answer', articleId: 'online-services-leadership' });
    });
  });

  describe('bad requests get a 4xx with a reason, never a 5xx', () => {
    it.each([
      ['malformed JSON', '{"type": "message", ', 400, /JSON/i],
      ['a JSON array', '[1,2,3]', 400, /object/],
      ['a JSON string', '"hello"', 400, /object/],
      ['null', 'null', 400, /object/],
      ['an object that is not an activity', '{"hello":"world"}', 400, /type/],
      ['an activity without a conversation', JSON.stringify({ type: 'message', channelId: 'emulator', from: { id: 'u' }, deliveryMode: 'expectReplies' }), 400, /conversation/],
      ['a message with no serviceUrl and no expectReplies', JSON.stringify({ type: 'message', channelId: 'x', conversation: { id: 'c' }, from: { id: 'u' } }), 400, /serviceUrl/],
      ['a non-http serviceUrl', JSON.stringify({ type: 'message', channelId: 'x', conversation: { id: 'c' }, from: { id: 'u' }, serviceUrl: 'file:///etc/passwd' }), 400, /serviceUrl/],
      ['a wrongly typed text', JSON.stringify({ type: 'message', channelId: 'x', conversation: { id: 'c' }, from: { id: 'u' }, deliveryMode: 'expectReplies', text: 42 }), 400, /text/],
    ])('%s is refused with a reason', async (_name, body, status, reason) => {
      const res = await post(bot.url, body);
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.json)).toMatch(reason);
    });

    it('refuses a body that is not JSON with 415', async () => {
      const res = await post(bot.url, 'type=message', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(JSON.stringify(res.json)).toMatch(/JSON/);
    });

    it('refuses an oversized payload with 413', async () => {
      const res = await post(bot.url, messageActivity('x'.repeat(300 * 1024), { deliveryMode: 'expectReplies' }));
      expect(res.status).toBe(413);
      expect(JSON.stringify(res.json)).toMatch(/size|large/i);
    });

    it('answers GET on the messages endpoint with 405', async () => {
      const res = await fetch(`${bot.url}/api/messages`);
      expect(res.status).toBe(405);
    });

    it('keeps serving after a burst of bad requests', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => post(bot.url, i % 2 ? '{' : '[]')));
      const res = await post(bot.url, messageActivity('what is live@edu?', { deliveryMode: 'expectReplies' }));
      expect((res.json as Replies).activities[0]?.channelData?.articleId).toBe('live-at-edu');
    });
  });

  describe('health', () => {
    it('/healthz says the process is up', async () => {
      const res = await fetch(`${bot.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok' });
    });

    it('/readyz reports the loaded knowledge base version', async () => {
      const res = await fetch(`${bot.url}/readyz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; knowledge: { articles: number; hash: string; loadedAt: string } };
      expect(body.status).toBe('ready');
      expect(body.knowledge.articles).toBeGreaterThanOrEqual(17);
      expect(body.knowledge.hash).toMatch(/^[0-9a-f]{12}$/);
      expect(Number.isNaN(Date.parse(body.knowledge.loadedAt))).toBe(false);
    });
  });
});

describe('HTTP server with a Microsoft App ID configured', () => {
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' });
  });
  afterAll(async () => {
    await bot.close();
  });

  it('answers 401 to a request without a Bot Framework token', async () => {
    const res = await post(bot.url, messageActivity('when is WPC?', { deliveryMode: 'expectReplies', channelId: 'msteams' }));
    expect(res.status).toBe(401);
  });

  it('answers 401 to a request with a forged token', async () => {
    const forged = ['eyJhbGciOiJub25lIn0', Buffer.from(JSON.stringify({ aud: '00000000-0000-0000-0000-000000000001' })).toString('base64url'), ''].join('.');
    const res = await post(bot.url, messageActivity('when is WPC?', { deliveryMode: 'expectReplies', channelId: 'msteams' }), {
      authorization: `Bearer ${forged}`,
    });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.json)).not.toMatch(/not-a-real-secret/);
  });
});
