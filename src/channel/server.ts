import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Activity, TurnContext } from 'botbuilder';
import restify from 'restify';
import type { ServiceUrlRule } from '../config';
import type { Logger } from '../log';
import { StorageUnavailable, storageUnavailableIn, type StorageState } from '../storage/StorageHealth';
import type { PartnerAdapter } from './adapter';
import { SigningKeysUnavailable, Unauthorized } from './botAuth';
import { checkBodyHeaders, quoteHeader, readJsonBody, type BodyProblem } from '../http/httpBody';
import { isAllowedServiceUrl } from './serviceUrlPolicy';
import { setCorrelationId } from './turnLog';
import { validateActivity, type IncomingActivity } from './validateActivity';
import type { TurnGate } from './fairUseHttp';
import { DIRECT_LINE_PREFIX, ShutdownGate } from '../http/shutdownGate';

export interface ServerDeps {
  readonly adapter: PartnerAdapter;
  /** Runs one turn of the bot. */
  readonly logic: (context: TurnContext) => Promise<void>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Fair use: refuses (or answers) an activity over its conversation's or partner's limit. */
  readonly turnGate?: TurnGate;
  /** What `/readyz` reports; undefined while the knowledge base is not loaded. */
  readonly readiness: () => Record<string, unknown> | undefined;
  /** Without an app id, the serviceUrls replies may go to (SERVICE_URL_ALLOWLIST). */
  readonly serviceUrlAllowlist?: readonly ServiceUrlRule[];
  /** serviceUrls no request to /api/messages may name (the bot's own Direct Line). */
  readonly reservedServiceUrls?: readonly string[];
  /** How long a conversation's turn waits for the one before it, and how many may wait. */
  readonly turnLimits?: TurnLimits;
  /** Whether the bot's storage works; `/readyz` is 503 while it does not. */
  readonly storage?: () => StorageState;
}

export interface BotServer {
  readonly server: restify.Server;
  /** Whether new work is refused (shutdown has begun); routes outside restify (WebSocket upgrades) ask it too. */
  readonly gate: ShutdownGate;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /**
   * Stops taking requests, waits for turns in flight (up to `graceMs`), then closes. Requests that
   * arrive meanwhile get 503 with Retry-After (the shutdown gate), so a load balancer sends them elsewhere.
   */
  shutdown(graceMs: number): Promise<{ drained: boolean }>;
  inFlight(): number;
  /**
   * Runs one turn of an activity the bot's own Direct Line endpoint received (already
   * authenticated), queued behind the conversation's earlier turns like any other. A failed turn is
   * logged; the partner hears about it from the adapter's turn error handler. Rejects with QueueFull
   * when the conversation already has TURN_QUEUE_LIMIT turns waiting, and with StorageUnavailable when
   * the turn could not use the storage.
   */
  runLocalTurn(activity: Activity, correlationId?: string): Promise<void>;
  /** Whether the conversation's turn queue can take one more turn now. */
  hasRoomFor(activity: Pick<Activity, 'channelId' | 'conversation'>): boolean;
  /** Runs `hook` when shutdown begins (e.g. to close WebSocket streams). */
  onShutdown(hook: () => void): void;
}

/**
 * The HTTP server: hardening, the shutdown gate, error answers, `POST /api/messages`, `/healthz` and
 * `/readyz`. The widget's and metrics' routes are added by their own modules.
 */
export function createBotServer(deps: ServerDeps): BotServer {
  const { adapter, logger } = deps;
  // restify's own log lines go through the bot's logger (and its redaction), not a logger of its own.
  // (restify 11 logs with pino; its type definitions still name bunyan's Logger.)
  const restifyLog = logger.child({ component: 'restify' }) as unknown as restify.ServerOptions['log'];
  const server = restify.createServer({ name: 'partner-bot', handleUncaughtExceptions: false, log: restifyLog });
  const gate = new ShutdownGate();
  const turns = new Turns(deps);
  const shutdownHooks: (() => void)[] = [];
  hardenHttpServer(server, logger);
  server.pre(gate.handler());
  answerErrors(server, logger);
  registerMessages(server, deps, gate, turns);
  registerHealth(server, deps, gate);

  return {
    server,
    gate,
    inFlight: () => turns.active,
    onShutdown: (hook) => shutdownHooks.push(hook),
    runLocalTurn: (activity, correlationId = randomUUID()) =>
      turns.run(`${activity.channelId}\u0000${activity.conversation.id}`, correlationId, async (logic) => void (await adapter.handleLocal(activity, logic))).catch((err: unknown) => {
        if (err instanceof QueueFull) throw err;
        // The endpoint answers 503 for a storage failure (logged once per incident by StorageHealth).
        const unavailable = storageUnavailableIn(err);
        if (unavailable) throw unavailable;
        logger.error({ correlationId, err }, 'turn failed');
      }),
    hasRoomFor: (activity) => turns.hasRoom(`${activity.channelId}\u0000${activity.conversation.id}`),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    shutdown: async (graceMs) => {
      gate.close();
      shutdownHooks.forEach((hook) => hook());
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drained = await turns.idle(graceMs);
      server.server.closeAllConnections?.();
      await closed;
      return { drained };
    },
  };
}

/**
 * The turns running or waiting, one queue per conversation: how many there are, and when there are
 * none (what shutdown waits for).
 */
class Turns {
  active = 0;
  private readonly queue: TurnQueue;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly deps: Pick<ServerDeps, 'logic' | 'turnLimits'>) {
    this.queue = new TurnQueue(deps.turnLimits);
  }

  /** Runs the bot's logic on one activity (through `handle`), after the conversation's earlier turns. */
  async run<T>(key: string, correlationId: string, handle: (logic: (context: TurnContext) => Promise<void>) => Promise<T>): Promise<T> {
    this.active += 1;
    let release: (() => void) | undefined;
    try {
      release = await this.queue.enter(key);
      return await handle((context) => {
        setCorrelationId(context, correlationId);
        return this.deps.logic(context);
      });
    } finally {
      release?.();
      this.active -= 1;
      if (this.active === 0) this.waiting.splice(0).forEach((resolve) => resolve());
    }
  }

  hasRoom(key: string): boolean {
    return this.queue.hasRoom(key);
  }

  /** Resolves true when no turn is running, or false after `graceMs`. */
  async idle(graceMs: number): Promise<boolean> {
    if (this.active === 0) return true;
    return Promise.race([
      new Promise<boolean>((resolve) => this.waiting.push(() => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
    ]);
  }
}

/** How a route's failure is answered and logged. */
function answerErrors(server: restify.Server, logger: Logger): void {
  // A route that met a storage failure: 503 with the reason, never the error's own text (it names files).
  // StorageHealth logs each incident once, so the requests it fails are not logged again.
  server.on('StorageUnavailable', (req: restify.Request, res: restify.Response, err: StorageUnavailable, cb: () => void) => {
    const body = storageUnavailableBody(err);
    res.header('Retry-After', STORAGE_RETRY_AFTER_SECONDS);
    res.send(503, req.path().startsWith(`${DIRECT_LINE_PREFIX}/`) ? { error: body } : body);
    cb();
  });

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number }, cb: () => void) => {
    if (err instanceof StorageUnavailable) return cb();
    const status = err.statusCode ?? 500;
    const entry = { method: req.method, url: req.url, status, reason: err.message };
    if (status >= 500) logger.error({ ...entry, err }, 'request failed');
    else logger.warn(entry, 'request refused');
    cb();
  });
}

/** One request to /api/messages: its correlation id, and how it is refused. */
interface Exchange {
  readonly req: restify.Request;
  readonly res: restify.Response;
  readonly correlationId: string;
  refuse(status: number, code: string, message: string): void;
}

/**
 * POST /api/messages, in the order that keeps the work for a hostile request small: headers (no
 * compressed or oversized bodies), the token as far as it can be checked without the body (with an
 * app id), the body (bounded, depth-limited JSON), the activity's shape, where replies would go,
 * the SDK's full token check, then the conversation's turn queue (bounded) and the turn.
 */
function registerMessages(server: restify.Server, deps: ServerDeps, gate: ShutdownGate, turns: Turns): void {
  const { adapter, logger } = deps;
  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    const correlationId = headerId(req) ?? randomUUID();
    res.header('x-correlation-id', correlationId);
    const refuse = (status: number, code: string, message: string) => {
      logger.warn({ correlationId, status, reason: message }, 'request refused');
      res.send(status, { code, message });
    };
    const exchange: Exchange = { req, res, correlationId, refuse };
    const received = await receiveActivity(deps, exchange);
    if (!received) return;
    // Shutdown may have begun while the body arrived and the token was checked.
    if (gate.refuseIfClosed(req, res)) return;
    const { activity, auth } = received;
    const reply = (message: Partial<Activity>) =>
      adapter.handle(auth, activity, async (context) => {
        setCorrelationId(context, correlationId);
        await context.sendActivity(message);
      });
    if (deps.turnGate && !(await deps.turnGate.admit(received.checked, res, correlationId, reply))) return;
    try {
      const result = await turns.run(`${received.checked.channelId}\u0000${received.checked.conversation.id}`, correlationId, (logic) => adapter.handle(auth, activity, logic));
      if (result?.body !== undefined) res.send(result.status, result.body);
      else res.send(result?.status ?? 200);
    } catch (err) {
      const unavailable = storageUnavailableIn(err);
      if (unavailable) throw unavailable; // 503 with the reason (the StorageUnavailable handler)
      if (err instanceof QueueFull) {
        res.header('Retry-After', String(err.retryAfterSeconds));
        refuse(429, 'TooManyTurns', err.message);
      } else {
        logger.error({ correlationId, err }, 'turn failed');
        res.send(500, { code: 'InternalError', message: `the bot could not handle this activity (reference ${correlationId})` });
      }
    }
  });
}

type Received = { activity: Activity; checked: IncomingActivity; auth: Awaited<ReturnType<PartnerAdapter['authenticate']>> };

/** The activity of a request to /api/messages, checked and authenticated; undefined when the request was refused. */
async function receiveActivity(deps: ServerDeps, ex: Exchange): Promise<Received | undefined> {
  const { adapter, logger } = deps;
  const { req, res, correlationId, refuse } = ex;
  const refuseBody = (p: BodyProblem) => {
    if (p.unread) res.header('Connection', 'close');
    refuse(p.status, p.code, p.message);
  };
  const limits = { maxBytes: deps.maxBodyBytes, requireJson: true } as const;
  const early = checkBodyHeaders(req, limits);
  if (early) return void refuseBody(early);
  const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
  try {
    await adapter.checkTokenBeforeBody(authHeader || undefined);
  } catch (err) {
    res.header('Connection', 'close');
    return void authFailed(logger, res, err, correlationId);
  }
  const body = await readJsonBody(req, limits);
  if (!body.ok) return void refuseBody(body);
  const check = validateActivity(body.value);
  if (!check.ok) {
    logger.warn({ correlationId, problems: check.problems }, 'activity refused');
    res.send(400, { code: 'BadActivity', message: `not a valid activity: ${check.problems.join('; ')}`, problems: check.problems });
    return undefined;
  }
  const activity = check.activity as unknown as Activity;
  const refusal = serviceUrlRefusal(deps, check.activity.serviceUrl, adapter.requiresToken);
  if (refusal) return void refuse(400, 'ServiceUrlNotAllowed', refusal);
  try {
    return { activity, checked: check.activity, auth: await adapter.authenticate(authHeader, activity) };
  } catch (err) {
    return void authFailed(logger, res, err, correlationId);
  }
}

/** Why replies may not go to the activity's serviceUrl; undefined when they may. */
function serviceUrlRefusal(deps: ServerDeps, serviceUrl: string | undefined, requiresToken: boolean): string | undefined {
  if (serviceUrl === undefined) return undefined;
  if (deps.reservedServiceUrls?.includes(serviceUrl)) return "this serviceUrl belongs to the bot's own Direct Line and cannot be used here";
  if (!requiresToken && !isAllowedServiceUrl(serviceUrl, deps.serviceUrlAllowlist ?? [{ kind: 'loopback' }])) {
    return `the bot does not send replies to ${originOf(serviceUrl)}: without MicrosoftAppId it only replies to serviceUrls in SERVICE_URL_ALLOWLIST`;
  }
  return undefined;
}

function authFailed(logger: Logger, res: restify.Response, err: unknown, correlationId: string): void {
  if (err instanceof SigningKeysUnavailable) {
    // The fetch failure itself is logged once per attempt (at error); each request it costs, at warn.
    logger.warn({ correlationId, reason: err.message }, 'cannot check Bot Framework tokens: signing keys unavailable');
    res.header('Retry-After', '30');
    res.send(503, { code: 'AuthUnavailable', message: 'the bot cannot check Bot Framework tokens right now; retry shortly' });
    return;
  }
  const reason = err instanceof Unauthorized ? err.message : 'the token could not be checked';
  logger.warn({ correlationId, reason }, 'unauthorized activity');
  res.send(401, { code: 'Unauthorized', message: `a valid Bot Framework token is required: ${reason}` });
}

/** `/healthz` (the process is up: 200 while it runs, shutdown too) and `/readyz` (whether it takes work). */
function registerHealth(server: restify.Server, deps: ServerDeps, gate: ShutdownGate): void {
  gate.serveWhileClosed('/healthz', '/readyz');
  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
    return next();
  });

  server.get('/readyz', (_req, res, next) => {
    const ready = deps.readiness();
    const storage = deps.storage?.();
    if (gate.closed()) res.send(503, { status: 'stopping' });
    else if (!ready) res.send(503, { status: 'loading' });
    else if (storage && !storage.available) res.send(503, { status: 'storageUnavailable', reason: storage.reason, since: storage.since, ...ready });
    else res.send(200, { status: 'ready', ...ready });
    return next();
  });
}

const STORAGE_RETRY_AFTER_SECONDS = '10';

function storageUnavailableBody(err: StorageUnavailable): { code: string; message: string } {
  return { code: 'StorageUnavailable', message: `the bot cannot use its storage right now (${err.reason}); try again in a minute` };
}

function headerId(req: restify.Request): string | undefined {
  const v = req.headers['x-correlation-id'] ?? req.headers['x-request-id'];
  return typeof v === 'string' && /^[\w.:-]{1,100}$/.test(v) ? v : undefined;
}

export interface TurnLimits {
  /** The longest a turn waits for the conversation's turn before it; then it runs anyway. */
  readonly waitMs: number;
  /** Turns of one conversation running or waiting, at most; more are refused with QueueFull. */
  readonly queueLimit: number;
}

/** A conversation already has as many turns waiting as it may: answered with 429 and Retry-After. */
export class QueueFull extends Error {
  readonly retryAfterSeconds: number;
  constructor(limit: number, retryAfterSeconds: number) {
    super(`this conversation already has ${limit} messages waiting for an answer; send the next one when the bot has replied`);
    this.name = 'QueueFull';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Runs the turns of one conversation one after another (in arrival order), so two quick messages
 * from a partner never read and write the same conversation state at once. Different conversations
 * run in parallel. Bounded both ways: a turn stuck on a channel that does not answer holds the next
 * one back for at most `waitMs` from when it started (then the queue moves on without it), and at
 * most `queueLimit` turns of a conversation may be running or waiting.
 */
export class TurnQueue {
  private readonly queues = new Map<string, { tail: Promise<void>; count: number }>();

  constructor(private readonly limits: TurnLimits = { waitMs: 30_000, queueLimit: 1000 }) {}

  /** Waits for the conversation's earlier turns; call the returned function when this one is done. */
  async enter(key: string): Promise<() => void> {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), count: 0 };
    if (queue.count >= this.limits.queueLimit) throw new QueueFull(this.limits.queueLimit, Math.max(1, Math.ceil(this.limits.waitMs / 1000)));
    this.queues.set(key, queue);
    queue.count += 1;
    const previous = queue.tail;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    // The next turn may start when this one is done, or `waitMs` after this one started.
    queue.tail = previous.then(() => doneOrOverdue(done, this.limits.waitMs));
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      queue.count -= 1;
      if (queue.count === 0 && this.queues.get(key) === queue) this.queues.delete(key);
    };
  }

  /** Whether `key` can take one more turn now. */
  hasRoom(key: string): boolean {
    return (this.queues.get(key)?.count ?? 0) < this.limits.queueLimit;
  }

  /** Conversations with a turn running or waiting. */
  get size(): number {
    return this.queues.size;
  }
}

function doneOrOverdue(done: Promise<void>, waitMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    timer.unref();
    void done.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Node's HTTP server, hardened against requests that never reach a route: a malformed request line or
 * header gets a status and a one-line reason instead of a bare 400; so do an HTTP/1.1 request without
 * a Host header (Node would answer an empty 400), CONNECT (dropped without a word) and an Expect
 * header other than 100-continue (an empty 417); and a request must arrive whole within a minute.
 */
function hardenHttpServer(server: restify.Server, logger: Logger): void {
  const http = server.server;
  http.requestTimeout = 60_000;
  http.headersTimeout = 20_000;
  (http as { requireHostHeader?: boolean }).requireHostHeader = false;
  http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'the request did not arrive in time']
          : [400, `malformed HTTP request (${String(err.code ?? 'parse error')})`];
    logger.debug({ status, reason }, 'malformed request refused');
    socket.end(rawResponse(status, { code: STATUS_CODES[status]?.replace(/\W/g, '') ?? 'BadRequest', message: reason }));
  });
  // Not a proxy: CONNECT would otherwise get the connection dropped without a word.
  http.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end(rawResponse(405, { code: 'MethodNotAllowed', message: 'CONNECT is not supported: this server is not a proxy' }));
  });
  http.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({ code: 'ExpectationFailed', message: `only "Expect: 100-continue" is supported (got ${quoteHeader(String(req.headers.expect))})` });
    res.writeHead(417, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  });
  server.pre((req, res, next) => {
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      res.header('Connection', 'close');
      res.send(400, { code: 'BadRequest', message: 'an HTTP/1.1 request needs a Host header' });
      return next(false);
    }
    return next();
  });
}

/** A complete HTTP/1.1 response with a JSON body, for sockets outside Node's response handling. */
export function rawResponse(status: number, body: unknown, extraHeaders: Record<string, string> = {}): string {
  const text = JSON.stringify(body);
  const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close', ...extraHeaders };
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${text}`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'that address';
  }
}
