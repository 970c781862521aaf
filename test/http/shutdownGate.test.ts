import net from 'node:net';
import { rawRequest } from '../helpers/rawHttp';
import { call, DirectLineClient, issueToken } from '../helpers/directLineClient';
import { messageActivity, startBot, startReceiver, type RunningBot } from '../helpers/httpHarness';

const RESTARTING = 'the bot is restarting; retry shortly';
const ALLOWED_ORIGIN = 'https://portal.example.com';

/** Every route that starts work, with the body it answers in during shutdown (Direct Line wraps its errors). */
function routes(conv: string): { method: string; path: string; body?: string; directLine?: boolean }[] {
  const dl = (p: string) => `/v3/directline${p}`;
  return [
    { method: 'POST', path: '/api/messages', body: JSON.stringify(messageActivity('when is WPC?', { deliveryMode: 'expectReplies' })) },
    { method: 'POST', path: '/api/webchat/token', body: '{}' },
    { method: 'POST', path: '/api/webchat/unread', body: '{"resume":"x","after":0}' },
    { method: 'POST', path: dl('/conversations'), directLine: true },
    { method: 'GET', path: dl(`/conversations/${conv}`), directLine: true },
    { method: 'GET', path: dl(`/conversations/${conv}/activities`), directLine: true },
    { method: 'POST', path: dl(`/conversations/${conv}/activities`), body: '{"type":"message","text":"hi"}', directLine: true },
    { method: 'POST', path: dl(`/conversations/${conv}/upload`), directLine: true },
    { method: 'POST', path: dl('/tokens/refresh'), directLine: true },
  ];
}

describe('the shutdown gate: once shutdown begins, every route that starts work answers the same 503', () => {
  let bot: RunningBot;
  let token: string;
  let conv: string;
  beforeEach(async () => {
    bot = await startBot({ WEBCHAT_ALLOWED_ORIGINS: ALLOWED_ORIGIN });
    const issued = await issueToken(bot.url);
    token = issued.token;
    conv = issued.conversationId;
    await new DirectLineClient(bot.url, token, conv).start();
  });
  afterEach(() => bot.close());

  it('the Bot Framework endpoint, the widget token and unread calls and every Direct Line call: 503, Retry-After and the reason', async () => {
    bot.bot.gate.close();
    for (const route of routes(conv)) {
      const res = await call(`${bot.url}${route.path}`, { method: route.method, token, ...(route.body ? { body: route.body } : {}) });
      expect({ route: `${route.method} ${route.path}`, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({ route: `${route.method} ${route.path}`, status: 503, retryAfter: '5' });
      expect(res.json).toEqual(route.directLine ? { error: { code: 'ServiceUnavailable', message: RESTARTING } } : { code: 'ShuttingDown', message: RESTARTING });
    }
  });

  it('an allowed page can read the refusal (CORS headers); a page the policy refuses still gets its 403', async () => {
    bot.bot.gate.close();
    const allowed = await call(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: ALLOWED_ORIGIN });
    expect(allowed.status).toBe(503);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const stream = await call(`${bot.url}/v3/directline/conversations`, { method: 'POST', token, origin: ALLOWED_ORIGIN });
    expect(stream.status).toBe(503);
    expect(stream.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const refused = await call(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}', origin: 'https://evil.example.net' });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'OriginNotAllowed' });
    // A preflight is still answered, so the browser gets to see the 503 of the call itself.
    const preflight = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN } });
    expect(preflight.status).toBe(204);
  });

  it('a new Direct Line stream is refused with 503, Retry-After and the reason', async () => {
    bot.bot.gate.close();
    const { host } = new URL(bot.url);
    const res = await rawRequest(
      bot.url,
      `GET /v3/directline/conversations/${conv}/stream?t=${token} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'ServiceUnavailable', message: RESTARTING } });
  });

  it('health, readiness, metrics and the widget files are still answered as before', async () => {
    bot.bot.gate.close();
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${bot.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'stopping' });
    const metrics = await fetch(`${bot.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    for (const file of ['/', '/widget.js', '/webchat.js']) expect({ file, status: (await fetch(`${bot.url}${file}`)).status }).toEqual({ file, status: 200 });
  });

  it('before shutdown the same calls are served (the gate is open)', async () => {
    const res = await call(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const activities = await call(`${bot.url}/v3/directline/conversations/${conv}/activities`, { token });
    expect(activities.status).toBe(200);
  });
});

describe('shutdown with a turn in flight', () => {
  it('finishes the turn; the next request on that connection, sent during the drain, is never served (503 or closed)', async () => {
    const receiver = await startReceiver(1500); // the channel is slow to accept the reply
    const bot = await startBot();
    const { hostname, port, host } = new URL(bot.url);
    const request = (activity: Record<string, unknown>) => {
      const body = JSON.stringify(activity);
      return `POST /api/messages HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const socket = net.connect(Number(port), hostname);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    try {
      socket.write(request(messageActivity('when is WPC?', { serviceUrl: receiver.serviceUrl })));
      await receiver.waitForArrival(1); // mid-turn: the connection is busy, so shutdown cannot close it yet
      const shutdown = bot.bot.shutdown(5000);
      socket.write(request(messageActivity('what is BPOS?', { deliveryMode: 'expectReplies' })));
      expect(await shutdown).toEqual({ drained: true });
      await closed;
      const [first, ...late] = received.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200/);
      // Node ends a kept-alive connection after its response once the server has stopped listening; a
      // request it still reads from it meets the gate.
      for (const response of late) {
        expect(response).toMatch(/^HTTP\/1\.1 503/);
        expect(response).toMatch(/^retry-after: 5\r$/im);
        expect(JSON.parse(response.split('\r\n\r\n')[1] ?? '')).toEqual({ code: 'ShuttingDown', message: RESTARTING });
      }
      expect(receiver.received).toHaveLength(1); // the late message was never answered
    } finally {
      socket.destroy();
      await receiver.close();
    }
  });
});
