import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { startAzurite, type Azurite } from '../helpers/azurite';
import { partnerOf, spawnBot, type BotProcess } from '../helpers/botProcess';
import { DirectLineClient, issueToken } from '../helpers/directLineClient';
import http from 'node:http';
import { startTcpProxy, throughPort, type TcpProxy } from '../helpers/tcpProxy';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';

const GRACE_MS = 3000;
/** "Within the grace period plus a few seconds", with room for a busy 2-core machine. */
const BOUND_MS = GRACE_MS + 8000;

const say = partnerOf('conv-shutdown', { id: 'partner-7', name: 'Kim' });

/**
 * A Direct Line stream whose client never answers: the WebSocket handshake by hand, then nothing (no
 * close frame back, no FIN), as a browser tab that froze or a network that dropped the path.
 */
async function frozenStream(streamUrl: string): Promise<net.Socket> {
  const url = new URL(streamUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve) => socket.once('data', (c: Buffer) => resolve(c.toString('latin1'))));
  expect(head).toMatch(/^HTTP\/1\.1 101/);
  socket.on('data', () => undefined); // read and ignore: never answer the close handshake
  socket.on('error', () => undefined);
  return socket;
}

/** A channel's service URL that takes the bot's reply and never answers (no timer: nothing keeps the tests alive). */
interface HungChannel {
  readonly serviceUrl: string;
  waitForArrival(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

async function hungChannel(): Promise<HungChannel> {
  let arrived = 0;
  const server = http.createServer(() => (arrived += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}`,
    waitForArrival: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (arrived === 0) {
        if (Date.now() > deadline) throw new Error('the bot never called the channel');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends SIGTERM to every bot at once; resolves with each one's exit code and time to exit. */
async function terminate(bots: BotProcess[]): Promise<{ code: number | null; ms: number }[]> {
  const started = Date.now();
  bots.forEach((b) => b.child.kill('SIGTERM'));
  return Promise.all(
    bots.map(async (b) => {
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([b.exited(), new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), BOUND_MS + 20_000)))]);
      clearTimeout(timer);
      return { code: code === 'running' ? -1 : code, ms: Date.now() - started };
    }),
  );
}

jest.setTimeout(120_000);

describe('SIGTERM ends the process within SHUTDOWN_GRACE_MS plus a few seconds, whatever hangs', () => {
  let azurite: Azurite | undefined;
  let proxy: TcpProxy | undefined;
  let webhook: WebhookReceiver | undefined;
  let channel: HungChannel | undefined;
  let sockets: net.Socket[] = [];
  let bots: BotProcess[] = [];
  afterEach(async () => {
    bots.forEach((b) => b.child.kill('SIGKILL'));
    sockets.forEach((s) => s.destroy());
    await webhook?.close();
    await channel?.close();
    await proxy?.close();
    await azurite?.stop();
    bots = [];
    sockets = [];
    azurite = proxy = webhook = channel = undefined;
  });

  /** Two instances on one Blob container (reached through a proxy that can make it hang or vanish). */
  async function twoInstancesOnBlob(): Promise<[BotProcess, BotProcess]> {
    azurite = await startAzurite();
    proxy = await startTcpProxy(azurite.port);
    webhook = await startWebhookReceiver('shutdown-secret');
    webhook.hanging = true; // partner support's system takes the ticket and never answers
    const env = {
      STORAGE: 'blob',
      BLOB_CONNECTION_STRING: throughPort(azurite.connectionString, proxy.port),
      BLOB_CONTAINER: 'shutdown-test',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      ESCALATION_WEBHOOK_URL: webhook.url,
      ESCALATION_WEBHOOK_SECRET: 'shutdown-secret',
      SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
    };
    const pair = await Promise.all([spawnBot(env), spawnBot(env)]);
    bots.push(...pair);
    // A ticket whose delivery is under way (the webhook never answers), and open widget streams.
    for (const text of ['talk to a person', 'Our customer cannot sign in', 'Kim Lee', 'kim@fabrikam.com', 'Fabrikam', 'skip', 'skip', 'yes']) await say(pair[0], text);
    const deadline = Date.now() + 15_000;
    while (webhook.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(webhook.calls.length).toBeGreaterThan(0);
    for (const bot of pair) {
      const issued = await issueToken(bot.url);
      const { streamUrl } = await new DirectLineClient(bot.url, issued.token, issued.conversationId).start();
      sockets.push(await frozenStream(streamUrl));
    }
    return pair;
  }

  it('two instances on Blob storage that stops answering, with turns stuck on it, a hung webhook and frozen streams', async () => {
    const [one, two] = await twoInstancesOnBlob();
    proxy?.setMode('hang');
    const stuck = [say(one, 'when is WPC?').catch(() => 'failed'), say(two, 'what is BPOS?').catch(() => 'failed')];
    await new Promise((r) => setTimeout(r, 500));
    const exits = await terminate([one, two]);
    for (const exit of exits) {
      expect(exit.code).not.toBe(-1);
      expect(exit.ms).toBeLessThan(BOUND_MS);
    }
    await Promise.all(stuck);
    expect(one.logs.find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
  });

  it('two instances whose Blob storage has gone away (connections refused)', async () => {
    const [one, two] = await twoInstancesOnBlob();
    proxy?.setMode('refuse');
    const turns = [say(one, 'when is WPC?').catch(() => 'failed'), say(two, 'what is BPOS?').catch(() => 'failed')];
    await new Promise((r) => setTimeout(r, 500));
    const exits = await terminate([one, two]);
    for (const exit of exits) {
      expect(exit.code).not.toBe(-1);
      expect(exit.ms).toBeLessThan(BOUND_MS);
    }
    await Promise.all(turns);
  });

  it('file storage, with a turn waiting on a channel that never answers and a frozen stream', async () => {
    channel = await hungChannel();
    const bot = await spawnBot({ SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    bots.push(bot);
    const issued = await issueToken(bot.url);
    const { streamUrl } = await new DirectLineClient(bot.url, issued.token, issued.conversationId).start();
    sockets.push(await frozenStream(streamUrl));
    const inFlight = fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: 'm-1', channelId: 'emulator', serviceUrl: channel.serviceUrl, conversation: { id: 'conv-hung-channel' }, from: { id: 'p' }, recipient: { id: 'bot' }, text: 'when is WPC?' }),
    }).catch(() => undefined);
    await channel.waitForArrival(10_000);
    const [exit] = await terminate([bot]);
    expect(exit?.code).not.toBe(-1);
    expect(exit?.ms).toBeLessThan(BOUND_MS);
    await inFlight;
  });

  it('a second signal during the grace period ends the process at once (Ctrl-C twice)', async () => {
    channel = await hungChannel();
    const bot = await spawnBot({ SHUTDOWN_GRACE_MS: '120000' });
    bots.push(bot);
    const inFlight = fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: 'm-2', channelId: 'emulator', serviceUrl: channel.serviceUrl, conversation: { id: 'conv-twice' }, from: { id: 'p' }, recipient: { id: 'bot' }, text: 'when is WPC?' }),
    }).catch(() => undefined);
    await channel.waitForArrival(10_000);
    bot.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    const [exit] = await terminate([bot]); // the second signal
    expect(exit?.code).toBe(1);
    expect(exit?.ms).toBeLessThan(5000);
    expect(bot.logs.find((l) => l.msg === 'second signal during shutdown: exiting now')).toBeDefined();
    await inFlight;
  });
});
