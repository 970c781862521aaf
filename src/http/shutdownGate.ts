import type restify from 'restify';
import type { OriginPolicy } from './webchat/origins';

/** What every refused request hears while the bot shuts down. */
export const RESTARTING_MESSAGE = 'the bot is restarting; retry shortly';
/** Retry-After (seconds) on a request refused during shutdown: a load balancer sends it elsewhere meanwhile. */
export const RESTARTING_RETRY_AFTER_SECONDS = '5';
/** The Direct Line 3.0 endpoint's path: its answers wrap the error in `{ error: ... }`, as the protocol does. */
export const DIRECT_LINE_PREFIX = '/v3/directline';

/** The answer to a request refused during shutdown. */
export interface Refusal {
  readonly status: 503;
  readonly retryAfterSeconds: string;
  readonly body: Record<string, unknown>;
}

/**
 * The one place that decides whether a request may start new work: once shutdown begins, every route
 * (the Bot Framework endpoint, the widget's token and unread calls, the Direct Line endpoint and its
 * WebSocket stream) answers 503 with Retry-After and the same reason, before its handler runs. Health
 * and readiness, metrics, the widget's static files and CORS preflights are still answered (they start
 * no work). Installed as a restify `pre` handler, so a route added later is covered without a word.
 */
export class ShutdownGate {
  private closing = false;
  private readonly servedWhileClosed = new Set<string>();
  private readonly corsByPrefix: { prefix: string; origins: OriginPolicy }[] = [];

  /** True once shutdown has begun. */
  closed(): boolean {
    return this.closing;
  }

  /** Shutdown has begun: from now on new work is refused. */
  close(): void {
    this.closing = true;
  }

  /** Paths still answered during shutdown (GET or HEAD): health, readiness, metrics, static files. */
  serveWhileClosed(...paths: string[]): void {
    for (const p of paths) this.servedWhileClosed.add(p);
  }

  /**
   * Requests under `prefix` are browser calls: a refusal carries the CORS headers an allowed page needs
   * to read it, and a page the policy refuses is left to the route (which answers 403, as always).
   */
  corsFor(prefix: string, origins: OriginPolicy): void {
    this.corsByPrefix.push({ prefix, origins });
  }

  /** The answer to a request refused during shutdown, in the envelope of the protocol at `path`. */
  refusal(path: string): Refusal {
    const error = inDirectLine(path) ? { code: 'ServiceUnavailable', message: RESTARTING_MESSAGE } : undefined;
    return { status: 503, retryAfterSeconds: RESTARTING_RETRY_AFTER_SECONDS, body: error ? { error } : { code: 'ShuttingDown', message: RESTARTING_MESSAGE } };
  }

  /** Answers `res` with the refusal when shutdown has begun; true when it did (the caller stops there). */
  refuseIfClosed(req: restify.Request, res: restify.Response): boolean {
    if (!this.closing) return false;
    const refusal = this.refusal(req.path());
    res.header('Retry-After', refusal.retryAfterSeconds);
    res.send(refusal.status, refusal.body);
    return true;
  }

  /** The restify `pre` handler. */
  handler(): restify.RequestHandler {
    return (req, res, next) => {
      if (!this.closing || this.exempt(req)) return next();
      const path = req.path();
      const cors = this.corsByPrefix.find((c) => path === c.prefix || path.startsWith(`${c.prefix}/`));
      if (cors && !cors.origins.cors(req, (n, v) => res.header(n, v))) return next();
      this.refuseIfClosed(req, res);
      return next(false);
    };
  }

  private exempt(req: restify.Request): boolean {
    if (req.method === 'OPTIONS') return true;
    return (req.method === 'GET' || req.method === 'HEAD') && this.servedWhileClosed.has(req.path());
  }
}

function inDirectLine(path: string): boolean {
  return path === DIRECT_LINE_PREFIX || path.startsWith(`${DIRECT_LINE_PREFIX}/`);
}
