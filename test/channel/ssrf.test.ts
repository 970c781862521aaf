import { parseConfig } from '../../src/config';
import { isAllowedServiceUrl, isLoopbackHost } from '../../src/channel/serviceUrlPolicy';
import { DirectLineClient, issueToken } from '../helpers/directLineClient';
import { messageActivity, post, startBot, startReceiver, type Receiver, type RunningBot } from '../helpers/httpHarness';

/**
 * Without an app id nobody can make the bot send replies to an address of their choosing: only
 * serviceUrls on SERVICE_URL_ALLOWLIST (loopback by default) are used; others are refused with 400
 * before the turn runs.
 */

const turnsOf = (bot: RunningBot, conversationId: string) => bot.logs.filter((l) => l.msg === 'turn' && JSON.stringify(l).includes(conversationId));

describe('serviceUrl allowlist, default (loopback)', () => {
  let bot: RunningBot;
  let receiver: Receiver;
  beforeAll(async () => {
    bot = await startBot();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await bot.close();
    await receiver.close();
  });

  it('replies to a loopback serviceUrl (the Emulator, local tests), however the loopback address is spelt', async () => {
    const port = new URL(receiver.serviceUrl).port;
    for (const [i, url] of [`http://127.0.0.1:${port}`, `http://localhost:${port}/`, `http://2130706433:${port}`].entries()) {
      const res = await post(bot.url, messageActivity('when is WPC?', { serviceUrl: url, conversation: { id: `loop-${i}` } }));
      expect(res.status).toBe(200);
    }
    await receiver.waitFor(3);
    expect(receiver.received.map((r) => r.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^\/v3\/conversations\/loop-0\//)]));
  });

  it.each([
    ['a cloud metadata endpoint', 'http://169.254.169.254/latest/meta-data/'],
    ['a private network address', 'http://10.0.0.1:8080/'],
    ['a public host', 'https://evil.example/hook/'],
    ['0.0.0.0 (this host, not loopback by name)', 'http://0.0.0.0:3978/'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]:3978/'],
    ['a host that merely starts with localhost', 'http://localhost.evil.example/'],
  ])('refuses %s with 400 before the turn runs', async (_name, serviceUrl) => {
    const conversation = { id: `ssrf-${Math.random().toString(36).slice(2)}` };
    const res = await post(bot.url, messageActivity('when is WPC?', { serviceUrl, conversation }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'ServiceUrlNotAllowed', message: expect.stringMatching(/SERVICE_URL_ALLOWLIST/) });
    expect(turnsOf(bot, conversation.id)).toEqual([]);
  });

  it.each([
    ['credentials', (u: string) => u.replace('http://', 'http://user:pass@')],
    ['a query', (u: string) => `${u}/?next=http://169.254.169.254/`],
    ['a fragment', (u: string) => `${u}/#x`],
    ['a scheme other than http(s)', () => 'gopher://127.0.0.1:70/'],
  ])('refuses a serviceUrl with %s, even on loopback', async (_name, make) => {
    const res = await post(bot.url, messageActivity('when is WPC?', { serviceUrl: make(receiver.serviceUrl) }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toMatch(/serviceUrl/);
  });

  it("refuses the bot's own Direct Line serviceUrl on /api/messages (only its own endpoint may use it)", async () => {
    const res = await post(bot.url, messageActivity('when is WPC?', { channelId: 'webchat', serviceUrl: 'https://directline.local.invalid/' }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'ServiceUrlNotAllowed' });
  });
});

describe('serviceUrl allowlist, set to one URL prefix', () => {
  it('replies only under that prefix: another path or port on the same host is refused and never called', async () => {
    const allowed = await startReceiver();
    const other = await startReceiver();
    const bot = await startBot({ SERVICE_URL_ALLOWLIST: `${allowed.serviceUrl}/bf/` });
    try {
      const ok = await post(bot.url, messageActivity('when is WPC?', { serviceUrl: `${allowed.serviceUrl}/bf/` }));
      expect(ok.status).toBe(200);
      await allowed.waitFor(1);
      expect(allowed.received[0]?.path).toMatch(/^\/bf\/v3\/conversations\//);

      for (const serviceUrl of [`${allowed.serviceUrl}/`, `${allowed.serviceUrl}/bfx/`, `${other.serviceUrl}/bf/`, 'http://localhost:1/bf/']) {
        const res = await post(bot.url, messageActivity('when is WPC?', { serviceUrl }));
        expect({ serviceUrl, status: res.status }).toEqual({ serviceUrl, status: 400 });
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(allowed.received).toHaveLength(1);
      expect(other.received).toHaveLength(0);
    } finally {
      await bot.close();
      await allowed.close();
      await other.close();
    }
  });

  it('"none": no serviceUrl at all, while expectReplies and the bot\'s own Direct Line keep working', async () => {
    const receiver = await startReceiver();
    const bot = await startBot({ SERVICE_URL_ALLOWLIST: 'none', WEBCHAT_TOKEN_SECRET: 'ssrf-test-signing-key-long-enough-for-hmac' });
    try {
      expect((await post(bot.url, messageActivity('when is WPC?', { serviceUrl: receiver.serviceUrl }))).status).toBe(400);
      const inline = await post(bot.url, messageActivity('when is WPC?', { deliveryMode: 'expectReplies' }));
      expect(JSON.stringify(inline.json)).toMatch(/July 2011/);
      const issued = await issueToken(bot.url);
      const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
      await client.start();
      expect((await client.ask('when is WPC?')).text).toMatch(/July 2011/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await bot.close();
      await receiver.close();
    }
  });
});

describe('the allowlist setting and matching', () => {
  it('reads "loopback", URL prefixes and "none"; refuses anything else by name', () => {
    const parsed = parseConfig({ SERVICE_URL_ALLOWLIST: 'loopback, https://smba.trafficmanager.net/teams' });
    expect(parsed.success && parsed.data.serviceUrlAllowlist).toEqual([
      { kind: 'loopback' },
      { kind: 'prefix', origin: 'https://smba.trafficmanager.net', path: '/teams/' },
    ]);
    const none = parseConfig({ SERVICE_URL_ALLOWLIST: 'none' });
    expect(none.success && none.data.serviceUrlAllowlist).toEqual([]);
    const byDefault = parseConfig({});
    expect(byDefault.success && byDefault.data.serviceUrlAllowlist).toEqual([{ kind: 'loopback' }]);
    for (const bad of ['ftp://files.example/', 'https://u:p@x.example/', 'https://x.example/?q=1', 'smba.trafficmanager.net']) {
      const result = parseConfig({ SERVICE_URL_ALLOWLIST: bad });
      expect(result.success ? [] : result.error.problems.map((p) => p.variable)).toEqual(['SERVICE_URL_ALLOWLIST']);
    }
  });

  it('matches loopback by address, and prefixes by origin and whole path segments', () => {
    expect(['localhost', '127.0.0.1', '127.8.9.10', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', 'localhost.example', '[::ffff:7f00:1]', '128.0.0.1', '10.0.0.1'].some(isLoopbackHost)).toBe(false);
    const rules = [{ kind: 'prefix', origin: 'https://smba.trafficmanager.net', path: '/teams/' }] as const;
    expect(isAllowedServiceUrl('https://smba.trafficmanager.net/teams/', rules)).toBe(true);
    expect(isAllowedServiceUrl('https://SMBA.trafficmanager.net/teams', rules)).toBe(true);
    expect(isAllowedServiceUrl('https://smba.trafficmanager.net/teamsx/', rules)).toBe(false);
    expect(isAllowedServiceUrl('https://smba.trafficmanager.net/teams/../admin/', rules)).toBe(false);
    expect(isAllowedServiceUrl('http://smba.trafficmanager.net/teams/', rules)).toBe(false);
    expect(isAllowedServiceUrl('https://smba.trafficmanager.net.evil.example/teams/', rules)).toBe(false);
  });
});
