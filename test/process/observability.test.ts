import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnBot, type BotProcess } from '../helpers/botProcess';
import { startFakeIngestion, type FakeIngestion } from '../helpers/fakeIngestion';
import { ROOT } from '../helpers/realContent';

/**
 * A preload that writes, at exit, every telemetry SDK module the process loaded: the Azure Monitor
 * distro, the OpenTelemetry SDKs and instrumentations (the no-op OpenTelemetry API that Azure SDK
 * packages load does nothing by itself and is not counted).
 */
async function moduleProbe(): Promise<{ env: Record<string, string>; loaded: () => string[] }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'probe-'));
  const script = path.join(dir, 'probe.js');
  const out = path.join(dir, 'loaded.json');
  await fs.writeFile(
    script,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules[\\\\/](@azure[\\\\/]monitor-opentelemetry|@opentelemetry[\\\\/](sdk-|instrumentation|exporter-))/.test(k)))));\n`,
  );
  return {
    env: { NODE_OPTIONS: `--no-deprecation --require ${script}` },
    loaded: () => JSON.parse(readFileSync(out, 'utf8')) as string[],
  };
}

async function ask(bot: BotProcess, text: string, correlationId: string): Promise<{ channelData?: { band?: string; articleId?: string } }[]> {
  const res = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify({
      type: 'message',
      id: `m-${correlationId}`,
      channelId: 'webchat',
      deliveryMode: 'expectReplies',
      conversation: { id: `conv-${correlationId}` },
      from: { id: `partner-${correlationId}` },
      recipient: { id: 'bot' },
      text,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { activities: { channelData?: { band?: string; articleId?: string } }[] }).activities;
}

async function stop(bot: BotProcess): Promise<number | null> {
  bot.child.kill('SIGTERM');
  return bot.exited();
}

describe('tracing and metrics to Azure Monitor (a local fake ingestion endpoint)', () => {
  let ingestion: FakeIngestion;
  beforeAll(async () => {
    ingestion = await startFakeIngestion();
  });
  afterAll(() => ingestion.close());

  it('sends one span per turn with its correlation id, band and article, and the bot metrics at shutdown', async () => {
    const probe = await moduleProbe();
    const bot = await spawnBot({
      STORAGE: 'memory',
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=${ingestion.url}/;LiveEndpoint=${ingestion.url}/`,
      // The SDK's own usage reports go to Microsoft; keep this test on loopback.
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      NODE_EXTRA_CA_CERTS: ingestion.caFile,
      ...probe.env,
    });
    let exited = false;
    try {
      expect(bot.logs.find((l) => typeof l.port === 'number')?.tracing).toBe('Azure Monitor');
      const replies = await ask(bot, 'when is WPC?', 'trace-answer-1');
      expect(replies[0]?.channelData?.articleId).toBe('wpc-2011');
      await ask(bot, 'hello', 'trace-smalltalk-1');

      const isTurn = (id: string) => (e: { data?: { baseType?: string; baseData?: { properties?: Record<string, string> } } }) =>
        e.data?.baseType === 'RequestData' && e.data.baseData?.properties?.['partner_bot.correlation_id'] === id;
      const answered = await ingestion.waitFor(isTurn('trace-answer-1'), 20_000);
      expect(answered.data?.baseData?.name).toBe('turn');
      expect(answered.data?.baseData?.properties).toMatchObject({ 'partner_bot.band': 'answer', 'partner_bot.article': 'wpc-2011', 'partner_bot.channel': 'webchat' });
      // Spans leave in batches every few seconds: the second turn's may be in the next batch.
      const chatted = await ingestion.waitFor(isTurn('trace-smalltalk-1'), 20_000);
      expect(chatted.data?.baseData?.properties?.['partner_bot.band']).toBe('smallTalk');
      expect(chatted.data?.baseData?.properties?.['partner_bot.article']).toBeUndefined();
      // One span per turn: no duplicates, and no spans for anything else (health probes, downloads).
      await fetch(`${bot.url}/healthz`);
      expect(ingestion.envelopes.filter(isTurn('trace-answer-1'))).toHaveLength(1);
      expect(ingestion.paths.every((p) => p.startsWith('/v2.1/track'))).toBe(true);
      // No partner or conversation id on a span.
      expect(JSON.stringify(ingestion.envelopes)).not.toMatch(/partner-trace|conv-trace/);

      // Shutdown sends the metrics still buffered (the regular export is once a minute).
      expect(await stop(bot)).toBe(0);
      exited = true;
      const metric = await ingestion.waitFor((e) => e.data?.baseType === 'MetricData' && (e.data.baseData?.metrics ?? []).some((m) => m.name === 'partner_bot.turns'), 5_000);
      expect(metric.data?.baseData?.metrics?.find((m) => m.name === 'partner_bot.turns')?.value).toBeGreaterThanOrEqual(1);
      expect(probe.loaded().some((m) => m.includes('monitor-opentelemetry'))).toBe(true);
      // The SDK's diagnostics go to the JSON log, not as bare lines on stderr.
      expect(bot.stderr()).not.toMatch(/resource attributes|Envelopes/);
    } finally {
      if (!exited) bot.child.kill('SIGKILL');
    }
  });
});

describe('an ingestion endpoint that never answers', () => {
  it('turns still answer; each export gives up after OUTBOUND_TIMEOUT_MS, says so in the log, and shutdown is not held up', async () => {
    const ingestion = await startFakeIngestion();
    ingestion.hanging = true;
    const bot = await spawnBot({
      STORAGE: 'memory',
      OUTBOUND_TIMEOUT_MS: '1000',
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=${ingestion.url}/`,
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      NODE_EXTRA_CA_CERTS: ingestion.caFile,
    });
    let exited = false;
    try {
      const replies = await ask(bot, 'when is WPC?', 'hang-1');
      expect(replies[0]?.channelData?.articleId).toBe('wpc-2011');
      // The span batch leaves within 5 s; the call is cut off after 1 s and logged.
      const deadline = Date.now() + 20_000;
      const failure = () => bot.logs.find((l) => l.component === 'telemetry' && /abort/i.test(JSON.stringify(l)));
      while (!failure() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const logged = failure();
      expect(logged).toBeDefined();
      const first = ingestion.arrivals[0] ?? Number.NaN;
      expect(Date.parse(String(logged?.time)) - first).toBeLessThan(5000);
      expect(await ask(bot, 'hello', 'hang-2')).not.toHaveLength(0);
      const stopping = Date.now();
      expect(await stop(bot)).toBe(0);
      exited = true;
      expect(Date.now() - stopping).toBeLessThan(10_000);
    } finally {
      if (!exited) bot.child.kill('SIGKILL');
      await ingestion.close();
    }
  });
});

describe('without a connection string', () => {
  it('loads no telemetry SDK, and serves process metrics and knowledge reload counts on /metrics', async () => {
    const probe = await moduleProbe();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-metrics-'));
    const kb = path.join(dir, 'knowledge');
    await fs.cp(path.join(ROOT, 'knowledge'), kb, { recursive: true });
    const article = path.join(kb, 'wpc/wpc-2011.md');
    const original = await fs.readFile(article, 'utf8');
    const bot = await spawnBot({ STORAGE: 'memory', KNOWLEDGE_DIR: kb, ...probe.env });
    let exited = false;
    try {
      expect(bot.logs.find((l) => typeof l.port === 'number')?.tracing).toBe('off');
      const scrape = async () => (await fetch(`${bot.url}/metrics`)).text();
      const count = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
      const first = await scrape();
      expect(first).toMatch(/^partner_bot_process_cpu_seconds_total \d/m);
      expect(first).toMatch(/^partner_bot_process_resident_memory_bytes \d/m);
      expect(first).toMatch(/^partner_bot_nodejs_eventloop_lag_seconds \d/m);

      const waitForCount = async (series: string, n: number) => {
        const deadline = Date.now() + 10_000;
        while (count(await scrape(), series) < n) {
          if (Date.now() > deadline) throw new Error(`${series} did not reach ${n}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await fs.writeFile(article, original.replace('takes place in July 2011.', 'takes place in July 2011 (edited).'));
      await waitForCount('partner_bot_knowledge_changes_total{event="reloaded"}', 1);
      await fs.writeFile(article, original.replace('asOf: spring 2011', 'asOf: someday'));
      await waitForCount('partner_bot_knowledge_changes_total{event="refused"}', 1);
      expect(count(await scrape(), 'partner_bot_knowledge_changes_total{event="reloaded"}')).toBe(1);

      expect(await stop(bot)).toBe(0);
      exited = true;
      expect(probe.loaded()).toEqual([]);
    } finally {
      if (!exited) bot.child.kill('SIGKILL');
    }
  });
});
