import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildBotServer, prepareStorage, type RunningBot as StartedBot } from '../../src/channel/startBot';
import type { Storage } from '../../src/storage/Storage';
import { parseConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { loadKnowledge } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/content/Problem';
import { loadDialogs, type Dialogs } from '../../src/dialogs/loadDialogs';
import { realContent } from './realContent';

export interface RunningBot {
  readonly url: string;
  readonly bot: StartedBot;
  /** Parsed JSON log lines written so far. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Starts the real restify server with the bundled content on a random loopback port; with
 * `dialogsDir`, the dialogs folder there (a copy staff edited) instead of the bundled one.
 */
export async function startBot(env: Record<string, string> = {}, storage?: Storage, knowledgeDir?: string, dialogsDir?: string): Promise<RunningBot> {
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'question-log-'));
  const parsed = parseConfig({ LOG_LEVEL: 'info', QUESTION_LOG_DIR: logDir, ...env });
  if (!parsed.success) throw parsed.error;
  const config: Config = parsed.data;
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const content = await realContent();
  const { messages, scripts, phrases } = dialogsDir ? await dialogsFrom(dialogsDir) : content;
  let kb = content.kb;
  if (knowledgeDir) {
    const loaded = await loadKnowledge(knowledgeDir);
    if (!loaded.success) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    kb = loaded.data;
  }
  const logger = createLogger(config.logLevel, sink);
  const ready = await prepareStorage({ config, logger, ...(storage ? { storage } : {}) });
  const bot = buildBotServer({ config, logger, knowledge: () => kb, messages, scripts, phrases, ready });
  const port = await bot.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, bot, logs, close: async () => void (await bot.shutdown(1000)) };
}

async function dialogsFrom(dir: string): Promise<Dialogs> {
  const loaded = await loadDialogs(dir);
  if (!loaded.success) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return loaded.data;
}

export interface Receiver {
  /** What the bot posted back, as the Bot Connector service would receive it. */
  readonly received: { path: string; activity: Record<string, unknown>; authorization: string | undefined }[];
  readonly serviceUrl: string;
  /** Resolves when `n` activities have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when `n` requests have started arriving (before a slow receiver answers them). */
  waitForArrival(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A local stand-in for a channel's service URL that records replies; optionally slow to answer. */
export async function startReceiver(delayMs = 0): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const waiters: (() => void)[] = [];
  let arrived = 0;
  const server = http.createServer((req, res) => {
    arrived += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      setTimeout(() => {
        received.push({ path: req.url ?? '', activity, authorization: req.headers.authorization });
        waiters.splice(0).forEach((w) => w());
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `reply-${received.length}` }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    serviceUrl: `http://127.0.0.1:${port}`,
    waitFor: async (n, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} activities, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    waitForArrival: async (n, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (arrived < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} requests to arrive, got ${arrived}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let counter = 0;

/** A message activity as a channel would send it. */
export function messageActivity(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    type: 'message',
    id: `act-${counter}`,
    channelId: 'emulator',
    conversation: { id: `conv-${counter}` },
    from: { id: 'partner-1', name: 'Partner' },
    recipient: { id: 'bot', name: 'Partner Bot' },
    text,
    ...extra,
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
