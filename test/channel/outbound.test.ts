import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStorage } from 'botbuilder';
import { QueueFull, TurnQueue } from '../../src/channel/server';
import { DeliveryWorker } from '../../src/escalation/DeliveryWorker';
import { TicketStore } from '../../src/escalation/TicketStore';
import { createLogger } from '../../src/log';
import { call, DirectLineClient, issueToken } from '../helpers/directLineClient';
import { startFakeTeams, staffPress } from '../helpers/fakeTeams';
import { messageActivity, post, startBot, type RunningBot } from '../helpers/httpHarness';

/**
 * Every call the bot makes to another service has a deadline, and a service that never answers holds
 * a conversation's turns back for a bounded time only.
 */

interface BlackHole {
  readonly url: string;
  /** Requests that arrived (and were never answered). */
  readonly arrived: () => string[];
  close(): Promise<void>;
}

/** A server that takes requests and never answers them. */
async function startBlackHole(): Promise<BlackHole> {
  const arrived: string[] = [];
  const server = http.createServer((req) => void arrived.push(`${req.method ?? ''} ${req.url ?? ''}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: () => [...arrived],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Replies {
  activities: { text?: string; channelData?: { ticketId?: string } }[];
}

const ESCALATION = ['talk to a person', 'Need help moving 40 BPOS seats', 'Jane Doe', 'jane@contoso.com', 'Contoso', 'skip', 'skip', 'yes'];

describe('a channel that never answers', () => {
  let hole: BlackHole;
  let bot: RunningBot | undefined;
  beforeEach(async () => {
    hole = await startBlackHole();
  });
  afterEach(async () => {
    await hole.close();
    await bot?.close();
    bot = undefined;
  });

  it('a reply to it gives up after OUTBOUND_TIMEOUT_MS: the turn ends, logged with the reason', async () => {
    bot = await startBot({ OUTBOUND_TIMEOUT_MS: '300' });
    const res = await post(bot.url, messageActivity('when is WPC?', { serviceUrl: hole.url, conversation: { id: 'hung-1' } }));
    expect(res.status).toBe(200);
    // The answer was attempted (and the apology for it), each cut off at the deadline.
    expect(hole.arrived().filter((a) => a.startsWith('POST /v3/conversations/hung-1/activities')).length).toBeGreaterThanOrEqual(1);
    const error = bot.logs.find((l) => l.msg === 'turn error');
    expect(JSON.stringify(error)).toMatch(/did not answer within 300 ms/);
  });

  it("does not wedge the conversation: the partner's next message is answered after TURN_WAIT_MS while the first is still stuck", async () => {
    bot = await startBot({ OUTBOUND_TIMEOUT_MS: '2000', TURN_WAIT_MS: '300' });
    const conversation = { id: 'hung-2' };
    let firstDone = false;
    const first = post(bot.url, messageActivity('when is WPC?', { serviceUrl: hole.url, conversation })).then((r) => {
      firstDone = true;
      return r;
    });
    while (hole.arrived().length === 0) await new Promise((r) => setTimeout(r, 20));
    const second = await post(bot.url, messageActivity('what is BPOS?', { deliveryMode: 'expectReplies', conversation }));
    expect(second.status).toBe(200);
    expect((second.json as Replies).activities[0]?.text).toMatch(/BPOS/);
    expect(firstDone).toBe(false);
    expect((await first).status).toBe(200);
  });

  it('lets at most TURN_QUEUE_LIMIT turns of a conversation wait: the next gets 429 with Retry-After and a reason, other conversations carry on', async () => {
    bot = await startBot({ OUTBOUND_TIMEOUT_MS: '1000', TURN_WAIT_MS: '60000', TURN_QUEUE_LIMIT: '2' });
    const conversation = { id: 'hung-3' };
    const stuck = [post(bot.url, messageActivity('when is WPC?', { serviceUrl: hole.url, conversation })), post(bot.url, messageActivity('what is BPOS?', { serviceUrl: hole.url, conversation }))];
    while (hole.arrived().length === 0) await new Promise((r) => setTimeout(r, 20));
    const third = await post(bot.url, messageActivity('what is live@edu?', { deliveryMode: 'expectReplies', conversation }));
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('60');
    expect((third.json as { message: string }).message).toMatch(/2 messages waiting/);
    const other = await post(bot.url, messageActivity('what is live@edu?', { deliveryMode: 'expectReplies', conversation: { id: 'someone-else' } }));
    expect(other.status).toBe(200);
    expect((await Promise.all(stuck)).map((r) => r.status)).toEqual([200, 200]);
  });

  it('the staff Teams channel not answering costs the partner nothing: the ticket reference comes, the failure is logged', async () => {
    bot = await startBot({ OUTBOUND_TIMEOUT_MS: '300', STAFF_TEAMS_CHANNEL: '19:staff@thread.tacv2', STAFF_TEAMS_SERVICE_URL: hole.url, SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' });
    let last: Replies | undefined;
    for (const text of ESCALATION) {
      const res = await post(bot.url, messageActivity(text, { deliveryMode: 'expectReplies', conversation: { id: 'staff-hung' } }));
      expect(res.status).toBe(200);
      last = res.json as Replies;
    }
    expect(JSON.stringify(last)).toMatch(/PS-\d{5}/);
    expect(hole.arrived().some((a) => a.startsWith('POST /v3/conversations'))).toBe(true);
    expect(JSON.stringify(bot.logs.find((l) => l.msg === 'could not post the ticket to the staff channel'))).toMatch(/did not answer within 300 ms/);
  });

  it('a proactive message to a partner whose channel does not answer gives up at the deadline; the staff press is still handled', async () => {
    const teams = await startFakeTeams();
    try {
      const staffChannel = '19:staff@thread.tacv2';
      bot = await startBot({ OUTBOUND_TIMEOUT_MS: '300', STAFF_TEAMS_CHANNEL: staffChannel, STAFF_TEAMS_SERVICE_URL: teams.url, SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' });
      // The partner's conversation reference names the black hole; replies come in the response.
      for (const text of ESCALATION) {
        const res = await post(bot.url, messageActivity(text, { deliveryMode: 'expectReplies', serviceUrl: hole.url, conversation: { id: 'partner-hung' } }));
        expect(res.status).toBe(200);
      }
      const press = staffPress(teams, staffChannel, 'take', 'PS-10001');
      const res = await post(bot.url, press);
      expect(res.status).toBe(200);
      expect(teams.calls.some((c) => c.method === 'PUT' && JSON.stringify(c.body).includes('Taken by Riley Chen'))).toBe(true);
      expect(hole.arrived().some((a) => a.includes('/v3/conversations/partner-hung/activities'))).toBe(true);
      expect(JSON.stringify(bot.logs.filter((l) => l.msg === 'turn error'))).toMatch(/did not answer within 300 ms/);
    } finally {
      await teams.close();
    }
  });

  it("Azure's Direct Line not answering: the token endpoint says so (502) after the deadline", async () => {
    bot = await startBot({ OUTBOUND_TIMEOUT_MS: '300', DIRECT_LINE_SECRET: 'azure-secret', DIRECT_LINE_DOMAIN: `${hole.url}/v3/directline` });
    const res = await call<{ code: string }>(`${bot.url}/api/webchat/token`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(502);
    expect(res.json.code).toBe('DirectLineUnavailable');
    expect(hole.arrived()).toEqual(['POST /v3/directline/tokens/generate']);
  });

  it('the ticket webhook not answering is a failed attempt after ESCALATION_WEBHOOK_TIMEOUT_MS, to be retried', async () => {
    const store = new TicketStore(new MemoryStorage());
    await store.init();
    await store.create({ scriptId: 'support', scriptTitle: 'Question', answers: {}, summary: [], history: [], channelId: 'test', conversationId: 'c', partner: { userId: 'u' } }, true);
    const worker = new DeliveryWorker({ store, url: `${hole.url}/hook`, logger: createLogger('silent'), timeoutMs: 300 });
    await worker.runOnce();
    expect(hole.arrived()).toEqual(['POST /hook']);
    expect((await store.list())[0]?.delivery).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/TimeoutError/) });
  });
});

describe("Direct Line: a conversation's queue is bounded too", () => {
  it('answers 429 (and stores nothing) when TURN_QUEUE_LIMIT turns are already waiting', async () => {
    const hole = await startBlackHole();
    const bot = await startBot({ WEBCHAT_TOKEN_SECRET: 'outbound-test-key-long-enough-for-hmac-signing', OUTBOUND_TIMEOUT_MS: '60000', TURN_WAIT_MS: '60000', TURN_QUEUE_LIMIT: '2', STAFF_TEAMS_CHANNEL: '19:staff@thread.tacv2', STAFF_TEAMS_SERVICE_URL: hole.url, SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' });
    try {
      const issued = await issueToken(bot.url);
      const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
      await client.start();
      for (const text of ESCALATION.slice(0, -1)) await client.send(text);
      // "yes" posts the ticket to the staff channel, which never answers: that turn is stuck.
      const stuck = client.send('yes').catch(() => undefined);
      while (hole.arrived().length === 0) await new Promise((r) => setTimeout(r, 20));
      const waiting = client.send('when is WPC?').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const refused = await call<{ error: { code: string; message: string } }>(`${client.base}/conversations/${client.conversationId}/activities`, {
        method: 'POST',
        token: client.token,
        body: JSON.stringify({ type: 'message', text: 'third message' }),
      });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect(refused.json.error.message).toMatch(/waiting/);
      await client.poll();
      expect(client.seen.some((a) => a.text === 'third message')).toBe(false);
      await hole.close();
      await Promise.all([stuck, waiting]);
    } finally {
      await hole.close();
      await bot.close();
    }
  });
});

describe('TurnQueue', () => {
  it('a turn that never finishes holds the next one back for waitMs from its start, not forever, and the queue keeps its order afterwards', async () => {
    const q = new TurnQueue({ waitMs: 200, queueLimit: 10 });
    const log: string[] = [];
    const hung = await q.enter('c');
    log.push('hung started');
    const second = q.enter('c').then((release) => {
      log.push('second started');
      return release;
    });
    const third = q.enter('c').then((release) => {
      log.push('third started');
      release();
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(log).toEqual(['hung started']);
    const releaseSecond = await second;
    expect(log).toEqual(['hung started', 'second started']);
    await new Promise((r) => setTimeout(r, 30));
    expect(log).toEqual(['hung started', 'second started']);
    releaseSecond();
    await third;
    expect(log).toEqual(['hung started', 'second started', 'third started']);
    hung();
    expect(q.size).toBe(0);
  });

  it('refuses more than queueLimit turns of one conversation with QueueFull, and has room again once one is done', async () => {
    const q = new TurnQueue({ waitMs: 60_000, queueLimit: 2 });
    const first = await q.enter('c');
    const second = q.enter('c');
    expect(q.hasRoom('c')).toBe(false);
    await expect(q.enter('c')).rejects.toBeInstanceOf(QueueFull);
    expect(q.hasRoom('other')).toBe(true);
    first();
    (await second)();
    expect(q.hasRoom('c')).toBe(true);
    expect(q.size).toBe(0);
  });
});
