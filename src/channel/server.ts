import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Activity, TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import restify from 'restify';
import type { Logger } from '../log';
import { StorageUnavailable, storageUnavailableIn, type StorageState } from '../storage/StorageHealth';
import type { PartnerAdapter } from './adapter';
import { setCorrelationId } from './turnLog';
import { validateActivity } from './validateActivity';

export interface ServerDeps {
  readonly adapter: PartnerAdapter;
  /** Runs one turn of the bot. */
  readonly logic: (context: TurnContext) => Promise<void>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** What `/readyz` reports; undefined while the knowledge base is not loaded. */
  readonly readiness: () => Record<string, unknown> | undefined;
  /** Whether the bot's storage works; `/readyz` is 503 while it does not. */
  readonly storage?: () => StorageState;
}

export interface BotServer {
  readonly server: restify.Server;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /**
   * Stops taking requests, waits for turns in flight (up to `graceMs`), then closes. Requests that
   * arrive meanwhile get 503 with Retry-After, so a load balancer sends them elsewhere.
   */
  shutdown(graceMs: number): Promise<{ drained: boolean }>;
  inFlight(): number;
  /** True once shutdown has begun: routes should refuse new work with 503. */
  stopping(): boolean;
  /**
   * Runs one turn of an activity the bot's own Direct Line endpoint received (already
   * authenticated), queued behind the conversation's earlier turns like any other. A failed turn is
   * logged; the partner hears about it from the adapter's turn error handler. Rejects (only) with
   * StorageUnavailable when the turn could not use the storage.
   */
  runLocalTurn(activity: Activity, correlationId?: string): Promise<void>;
  /** Runs `hook` when shutdown begins (e.g. to close WebSocket streams). */
  onShutdown(hook: () => void): void;
}

export function createBotServer(deps: ServerDeps): BotServer {
  const { adapter, logger } = deps;
  const server = restify.createServer({ name: 'partner-bot', handleUncaughtExceptions: false });
  let active = 0;
  let stopping = false;
  const turns = new TurnQueue();
  const idle: (() => void)[] = [];
  const shutdownHooks: (() => void)[] = [];
  const finished = () => {
    active -= 1;
    if (active === 0) idle.splice(0).forEach((resolve) => resolve());
  };

  // A route that met a storage failure: 503 with the reason, never the error's own text (it names files).
  // StorageHealth logs each incident once, so the requests it fails are not logged again.
  server.on('StorageUnavailable', (req: restify.Request, res: restify.Response, err: StorageUnavailable, cb: () => void) => {
    const body = storageUnavailableBody(err);
    res.header('Retry-After', STORAGE_RETRY_AFTER_SECONDS);
    res.send(503, req.path().startsWith('/v3/directline/') ? { error: body } : body);
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

  const requireJson: restify.RequestHandler = (req, res, next) => {
    if (stopping) {
      res.header('Retry-After', '5');
      res.send(503, { code: 'ShuttingDown', message: 'the bot is restarting; retry shortly' });
      return next(false);
    }
    if (!req.is('json')) {
      res.send(415, { code: 'UnsupportedMediaType', message: 'send the activity as JSON (Content-Type: application/json)' });
      return next(false);
    }
    return next();
  };

  server.post(
    '/api/messages',
    requireJson,
    restify.plugins.bodyReader({ maxBodySize: deps.maxBodyBytes }),
    restify.plugins.jsonBodyParser({ mapParams: false }),
    async (req: restify.Request, res: restify.Response) => {
      const correlationId = headerId(req) ?? randomUUID();
      res.header('x-correlation-id', correlationId);
      const check = validateActivity(req.body);
      if (!check.ok) {
        logger.warn({ correlationId, problems: check.problems }, 'activity refused');
        res.send(400, { code: 'BadActivity', message: `not a valid activity: ${check.problems.join('; ')}`, problems: check.problems });
        return;
      }
      active += 1;
      const release = await turns.enter(`${check.activity.channelId}\u0000${check.activity.conversation.id}`);
      try {
        const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
        const result = await adapter.handle(auth, check.activity as unknown as Activity, (context) => {
          setCorrelationId(context, correlationId);
          return deps.logic(context);
        });
        if (result?.body !== undefined) res.send(result.status, result.body);
        else res.send(result?.status ?? 200);
      } catch (err) {
        const unavailable = storageUnavailableIn(err);
        if (unavailable) throw unavailable; // 503 with the reason (the StorageUnavailable handler above)
        if (err instanceof AuthenticationError || (err as { statusCode?: number }).statusCode === 401) {
          logger.warn({ correlationId, reason: (err as Error).message }, 'unauthorized activity');
          res.send(401, { code: 'Unauthorized', message: 'a valid Bot Framework token is required' });
        } else {
          logger.error({ correlationId, err }, 'turn failed');
          res.send(500, { code: 'InternalError', message: `the bot could not handle this activity (reference ${correlationId})` });
        }
      } finally {
        release();
        finished();
      }
    },
  );

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
    return next();
  });

  server.get('/readyz', (_req, res, next) => {
    const ready = deps.readiness();
    const storage = deps.storage?.();
    if (stopping) res.send(503, { status: 'stopping' });
    else if (!ready) res.send(503, { status: 'loading' });
    else if (storage && !storage.available) res.send(503, { status: 'storageUnavailable', reason: storage.reason, since: storage.since, ...ready });
    else res.send(200, { status: 'ready', ...ready });
    return next();
  });

  return {
    server,
    inFlight: () => active,
    stopping: () => stopping,
    onShutdown: (hook) => shutdownHooks.push(hook),
    runLocalTurn: async (activity, correlationId = randomUUID()) => {
      active += 1;
      const release = await turns.enter(`${activity.channelId}\u0000${activity.conversation.id}`);
      try {
        await adapter.handleLocal(activity, (context) => {
          setCorrelationId(context, correlationId);
          return deps.logic(context);
        });
      } catch (err) {
        // The endpoint answers 503 for a storage failure (logged once per incident by StorageHealth).
        const unavailable = storageUnavailableIn(err);
        if (unavailable) throw unavailable;
        logger.error({ correlationId, err }, 'turn failed');
      } finally {
        release();
        finished();
      }
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    shutdown: async (graceMs) => {
      stopping = true;
      shutdownHooks.forEach((hook) => hook());
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const drained = active === 0 || (await Promise.race([
        new Promise<boolean>((resolve) => idle.push(() => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref()),
      ]));
      server.server.closeAllConnections?.();
      await closed;
      return { drained };
    },
  };
}

const STORAGE_RETRY_AFTER_SECONDS = '10';

function storageUnavailableBody(err: StorageUnavailable): { code: string; message: string } {
  return { code: 'StorageUnavailable', message: `the bot cannot use its storage right now (${err.reason}); try again in a minute` };
}

function headerId(req: restify.Request): string | undefined {
  const v = req.headers['x-correlation-id'] ?? req.headers['x-request-id'];
  return typeof v === 'string' && /^[\w.:-]{1,100}$/.test(v) ? v : undefined;
}

/**
 * Runs the turns of one conversation one after another (in arrival order), so two quick messages
 * from a partner never read and write the same conversation state at once. Different conversations
 * run in parallel.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the conversation's earlier turns; call the returned function when this one is done. */
  async enter(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  /** Conversations with a turn running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
