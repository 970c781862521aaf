import { DirectLineClient, issueToken, openStream } from '../helpers/directLineClient';
import { startBot, type RunningBot } from '../helpers/httpHarness';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhookReceiver';

/** The value of one series in a Prometheus text exposition (0 when the series is absent). */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(bot: RunningBot, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${bot.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

function partner(bot: RunningBot, conversationId: string, channelId = 'webchat') {
  return async (text: string): Promise<{ text?: string; channelData?: { band?: string } }[]> => {
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `m-${Math.random().toString(36).slice(2)}`,
        channelId,
        deliveryMode: 'expectReplies',
        conversation: { id: conversationId },
        from: { id: `partner-${conversationId}`, name: 'Jane' },
        recipient: { id: 'bot' },
        text,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: { text?: string; channelData?: { band?: string } }[] }).activities;
  };
}

describe('GET /metrics after real turns', () => {
  let bot: RunningBot;
  let webhook: WebhookReceiver;
  beforeAll(async () => {
    webhook = await startWebhookReceiver('metrics-webhook-secret');
    webhook.failing = true; // the first delivery fails, the retry succeeds
    bot = await startBot({
      ESCALATION_WEBHOOK_URL: webhook.url,
      ESCALATION_WEBHOOK_SECRET: 'metrics-webhook-secret',
      ESCALATION_RETRY_BASE_MS: '200',
      RATE_LIMIT_TURNS_PER_MINUTE: '12',
      RATE_LIMIT_REFUSAL_PAUSE_MS: '0',
    });
  });
  afterAll(async () => {
    await bot.close();
    await webhook.close();
  });

  it('counts turns by channel and band, and times turns and answer decisions', async () => {
    const before = await scrape(bot);
    const ask = partner(bot, 'metrics-answers');
    const answer = await ask('when is WPC?');
    expect(answer.some((a) => a.channelData?.band === 'answer')).toBe(true);
    await ask('hello');
    // The sources have the topic but not this detail: an honest partial answer, its own band.
    const partial = await partner(bot, 'metrics-partial')('how many customers has CDW moved to BPOS?');
    expect(partial.some((a) => a.channelData?.band === 'partial')).toBe(true);
    await partner(bot, 'metrics-emulator', 'emulator')('when is WPC?');
    // A channel id the bot does not know is one label, however many a client invents.
    await partner(bot, 'metrics-odd', 'made-up-channel-1')('when is WPC?');
    await partner(bot, 'metrics-odd2', 'made-up-channel-2')('when is WPC?');

    const after = await scrape(bot);
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(delta('partner_bot_turns_total{channel="webchat",band="answer"}')).toBe(1);
    expect(delta('partner_bot_turns_total{channel="webchat",band="smallTalk"}')).toBe(1);
    expect(delta('partner_bot_turns_total{channel="webchat",band="partial"}')).toBe(1);
    expect(delta('partner_bot_turns_total{channel="emulator",band="answer"}')).toBe(1);
    expect(delta('partner_bot_turns_total{channel="other",band="answer"}')).toBe(2);
    expect(after).not.toContain('made-up-channel');
    expect(delta('partner_bot_turn_duration_seconds_count{channel="webchat"}')).toBe(3);
    expect(delta('partner_bot_decide_duration_seconds_count')).toBe(6);
    expect(valueOf(after, 'partner_bot_turn_duration_seconds_sum{channel="webchat"}')).toBeGreaterThan(0);
  });

  it('counts escalations started, cancelled and completed, and ticket deliveries failed, retried and delivered', async () => {
    const before = await scrape(bot);
    const cancelling = partner(bot, 'metrics-cancel');
    await cancelling('talk to a person');
    await cancelling('cancel');

    const completing = partner(bot, 'metrics-ticket');
    await completing('talk to a person');
    for (const answer of ['Pricing for a customer', 'Sam', 'sam@fabrikam.com', 'Fabrikam', 'skip', 'skip']) await completing(answer);
    const done = await completing('yes');
    expect(done.map((a) => a.text ?? '').join(' ')).toMatch(/PS-\d+/);

    // The webhook is down for the first attempt, then back.
    const deadline = Date.now() + 10_000;
    while (webhook.calls.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    webhook.failing = false;
    await webhook.waitForAccepted(1, 15_000);
    await new Promise((r) => setTimeout(r, 200));

    const after = await scrape(bot);
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(delta('partner_bot_escalations_total{event="started"}')).toBe(2);
    expect(delta('partner_bot_escalations_total{event="cancelled"}')).toBe(1);
    expect(delta('partner_bot_escalations_total{event="completed"}')).toBe(1);
    expect(delta('partner_bot_ticket_deliveries_total{outcome="failed"}')).toBeGreaterThanOrEqual(1);
    expect(delta('partner_bot_ticket_deliveries_total{outcome="retried"}')).toBeGreaterThanOrEqual(1);
    expect(delta('partner_bot_ticket_deliveries_total{outcome="delivered"}')).toBe(1);
    expect(delta('partner_bot_turns_total{channel="webchat",band="escalation"}')).toBeGreaterThanOrEqual(3);
  });

  it('counts fair-use refusals by limit', async () => {
    const before = await scrape(bot);
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1) {
      const res = await fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', id: `f-${i}`, channelId: 'webchat', deliveryMode: 'expectReplies', conversation: { id: 'metrics-flood' }, from: { id: 'flooder' }, recipient: { id: 'bot' }, text: 'hello' }),
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 12).every((s) => s === 200)).toBe(true);
    const after = await scrape(bot);
    expect(valueOf(after, 'partner_bot_rate_limit_refusals_total{limit="conversationTurns"}') - valueOf(before, 'partner_bot_rate_limit_refusals_total{limit="conversationTurns"}')).toBe(2);
  });

  it("shows the streams open on the bot's own Direct Line, and counts its turns as the widget's (webchat)", async () => {
    const streams = async () => valueOf(await scrape(bot), 'partner_bot_directline_streams_open');
    const before = await scrape(bot);
    const issued = await issueToken(bot.url);
    const client = new DirectLineClient(bot.url, issued.token, issued.conversationId);
    const { streamUrl } = await client.start();
    const stream = await openStream(streamUrl);
    try {
      expect(await streams()).toBe(1);
      const reply = await client.ask('when is WPC?');
      expect(reply.text).toMatch(/July 2011/);
    } finally {
      stream.ws.close();
    }
    const deadline = Date.now() + 5000;
    while ((await streams()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await streams()).toBe(0);
    const after = await scrape(bot);
    const series = 'partner_bot_turns_total{channel="webchat",band="answer"}'; // the widget's channel, as on Azure
    expect(valueOf(after, series) - valueOf(before, series)).toBe(1);
  });

  it('shows zero series for escalations, deliveries and knowledge changes before any happen, and the open stream gauge', async () => {
    const fresh = await startBot();
    try {
      const text = await scrape(fresh);
      for (const series of [
        'partner_bot_escalations_total{event="started"}',
        'partner_bot_ticket_deliveries_total{outcome="failed"}',
        'partner_bot_knowledge_changes_total{event="refused"}',
        'partner_bot_directline_streams_open',
      ]) {
        expect(text).toContain(`${series} 0`);
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('who may read /metrics', () => {
  const TOKEN = 'scrape-token-0123456789';

  it('is open without credentials outside production', async () => {
    const bot = await startBot();
    try {
      expect((await fetch(`${bot.url}/metrics`)).status).toBe(200);
    } finally {
      await bot.close();
    }
  });

  it('needs the bearer token in production, and refuses a wrong or missing one with 401', async () => {
    const bot = await startBot({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
    try {
      const none = await fetch(`${bot.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await none.text()).not.toContain('partner_bot_');
      expect((await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
      expect((await fetch(`${bot.url}/metrics`, { headers: { authorization: TOKEN } })).status).toBe(401);
      const text = await scrape(bot, { authorization: `Bearer ${TOKEN}` });
      expect(text).toContain('partner_bot_turns_total');
    } finally {
      await bot.close();
    }
  });

  it('does not exist in production without a token (404)', async () => {
    const bot = await startBot({ NODE_ENV: 'production' });
    try {
      const res = await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('partner_bot_');
    } finally {
      await bot.close();
    }
  });
});
