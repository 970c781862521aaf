import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenSigner } from '../../../src/channel/directLine/tokens';
import { call, issueToken, type Issued } from '../../helpers/directLineClient';
import { startBot, type RunningBot } from '../../helpers/httpHarness';

const SECRET = 'dl-secret-AbC123.never-in-a-browser';
const KEY = 'test-signing-key-that-is-long-enough-for-hmac';

interface FakeCall {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
}

/** A local stand-in for Azure Bot Service's Direct Line token API. */
async function startFakeDirectLine(): Promise<{ domain: string; calls: FakeCall[]; down: boolean; close(): Promise<void> }> {
  const state = { calls: [] as FakeCall[], down: false };
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      state.calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined });
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (state.down) return reply(503, { error: { code: 'ServiceUnavailable' } });
      if (req.headers.authorization !== `Bearer ${SECRET}`) return reply(403, { error: { code: 'BadArgument', message: 'bad secret' } });
      n += 1;
      if (req.method === 'POST' && req.url === '/v3/directline/tokens/generate') return reply(200, { conversationId: `azure-conv-${n}`, token: `azure-token-${n}`, expires_in: 3600 });
      const m = /^\/v3\/directline\/conversations\/([^/?]+)$/.exec(req.url ?? '');
      if (req.method === 'GET' && m) {
        if (m[1] === 'gone') return reply(404, { error: { code: 'BadArgument' } });
        return reply(200, { conversationId: decodeURIComponent(m[1] ?? ''), token: `azure-token-${n}`, expires_in: 3600, streamUrl: 'wss://example/stream' });
      }
      reply(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const fake = {
    domain: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/directline`,
    calls: state.calls,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return fake;
}

describe('the widget token endpoint with Azure Bot Service (DIRECT_LINE_SECRET)', () => {
  let fake: Awaited<ReturnType<typeof startFakeDirectLine>>;
  let bot: RunningBot;
  beforeAll(async () => {
    fake = await startFakeDirectLine();
    bot = await startBot({ WEBCHAT_TOKEN_SECRET: KEY, DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_DOMAIN: fake.domain, WEBCHAT_ALLOWED_ORIGINS: 'https://partners.contoso.com' });
  });
  afterAll(async () => {
    await bot.close();
    await fake.close();
  });

  it('exchanges the secret server-side for a token bound to a generated user id, and returns only the token', async () => {
    const res = await call<Issued>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: 'https://partners.contoso.com' });
    expect(res.status).toBe(200);
    const raw = JSON.stringify(res.json);
    expect(raw).not.toContain(SECRET);
    expect(res.json.token).toMatch(/^azure-token-\d+$/);
    expect(res.json.domain).toBe(fake.domain);
    expect(res.json.userId).toMatch(/^dl_[\w-]{8,}$/);
    const generate = fake.calls.at(-1);
    expect(generate?.path).toBe('/v3/directline/tokens/generate');
    expect(generate?.authorization).toBe(`Bearer ${SECRET}`);
    expect(generate?.body).toMatchObject({ user: { id: res.json.userId }, trustedOrigins: expect.arrayContaining(['https://partners.contoso.com']) });
    // Each page gets its own partner id.
    const other = await issueToken(bot.url, {}, 'https://partners.contoso.com');
    expect(other.userId).not.toBe(res.json.userId);
  });

  it('refuses pages from other origins before calling Azure', async () => {
    const before = fake.calls.length;
    const res = await call<{ code: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: 'https://evil.example.com' });
    expect(res.status).toBe(403);
    expect(fake.calls.length).toBe(before);
  });

  it('a reload resumes the Azure conversation with a fresh token for it; a gone conversation starts a new one', async () => {
    const first = await issueToken(bot.url, {}, 'https://partners.contoso.com');
    const again = await issueToken(bot.url, { resume: first.resume }, 'https://partners.contoso.com');
    expect(again.resumed).toBe(true);
    expect(again.conversationId).toBe(first.conversationId);
    expect(again.userId).toBe(first.userId);
    expect(fake.calls.at(-1)?.path).toBe(`/v3/directline/conversations/${first.conversationId}`);
    expect(fake.calls.at(-1)?.method).toBe('GET');
    const fresh = await issueToken(bot.url, { resume: first.resume, fresh: true }, 'https://partners.contoso.com');
    expect(fresh.conversationId).not.toBe(first.conversationId);
    expect(fresh.userId).toBe(first.userId);
    const goneProof = new TokenSigner(KEY).sign('resume', first.userId, 'gone', 3600).token;
    const gone = await issueToken(bot.url, { resume: goneProof }, 'https://partners.contoso.com');
    expect(gone.resumed).toBe(false);
    expect(gone.conversationId).toMatch(/^azure-conv-/);
    expect(gone.userId).toBe(first.userId);
  });

  it('says so (502, with a reason) when Direct Line is down, and recovers when it is back', async () => {
    fake.down = true;
    const res = await call<{ code: string; message: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    expect(res.json.message).toMatch(/not available/);
    expect(JSON.stringify(res.json)).not.toContain(SECRET);
    fake.down = false;
    expect((await issueToken(bot.url)).token).toMatch(/^azure-token/);
  });

  it("does not serve the bot's own Direct Line when Azure's is configured", async () => {
    expect((await call(`${bot.url}/v3/directline/conversations`, { method: 'POST', token: 'x' })).status).toBe(404);
  });
});
