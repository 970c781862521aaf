import type { IncomingMessage } from 'node:http';

/**
 * Which web pages may use the widget's endpoints: the bot's own pages (the demo portal) and the
 * origins in WEBCHAT_ALLOWED_ORIGINS. Requests without an Origin header (not from a browser page) are
 * let through; a browser always sends one on the cross-origin calls Web Chat makes.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowed: readonly string[]) {
    this.allowed = new Set(allowed.map((o) => o.toLowerCase()));
  }

  /** The request's Origin, and whether it may be served. */
  check(req: IncomingMessage): { origin: string | undefined; allowed: boolean } {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    if (origin === undefined) return { origin, allowed: true };
    const o = origin.toLowerCase();
    return { origin, allowed: this.allowed.has(o) || o === ownOrigin(req).toLowerCase() };
  }

  /**
   * Sets the CORS headers for an allowed cross-origin request; returns false (and sets none) when
   * the origin is refused.
   */
  cors(req: IncomingMessage, setHeader: (name: string, value: string) => void): boolean {
    const { origin, allowed } = this.check(req);
    setHeader('Vary', 'Origin');
    if (!allowed) return false;
    if (origin !== undefined) {
      setHeader('Access-Control-Allow-Origin', origin);
      setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with');
      setHeader('Access-Control-Max-Age', '600');
    }
    return true;
  }
}

/** The origin the request was addressed to, as the browser sees it (behind a TLS proxy too). */
export function ownOrigin(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : undefined) ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  return `${proto === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}
