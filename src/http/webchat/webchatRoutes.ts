import path from 'node:path';
import restify from 'restify';
import type { FairUse } from '../../limits/FairUse';
import type { Logger } from '../../log';
import { tooManyRequests } from '../../channel/fairUseHttp';
import { storageUnavailableIn } from '../../storage/StorageHealth';
import { readJsonBody } from '../httpBody';
import type { ShutdownGate } from '../shutdownGate';
import { Asset, webFiles } from './assets';
import { DirectLineUnavailable } from './azureDirectLine';
import type { OriginPolicy } from './origins';
import { ownOrigin } from './origins';
import type { TokenIssuer } from './tokenIssuer';
import { widgetSource, type WidgetWords } from './widgetWords';

export interface WebChatDeps {
  readonly server: restify.Server;
  readonly issuer: TokenIssuer;
  readonly origins: OriginPolicy;
  readonly allowedOrigins: readonly string[];
  readonly logger: Logger;
  /** Refuses the widget's calls once shutdown begins; its static files are still served. */
  readonly gate: ShutdownGate;
  readonly fairUse: FairUse;
  /** The widget's words (dialogs/messages.yaml), put into the `widget.js` it serves. */
  readonly words: WidgetWords;
}

const WEBCHAT_API = '/api/webchat';

/**
 * The portal widget's routes: `GET /widget.js` (the loader a portal embeds), `GET /webchat.js` (the
 * official Web Chat bundle, served from the build output), `GET /` (a demo portal page with the
 * widget), `POST /api/webchat/token` and `POST /api/webchat/unread`.
 */
export function registerWebChat(deps: WebChatDeps): void {
  registerAssets(deps.server, deps.gate, deps.words);
  deps.gate.corsFor(WEBCHAT_API, deps.origins);
  deps.server.opts(`${WEBCHAT_API}/*`, (req, res, next) => {
    if (deps.origins.cors(req, (n, v) => res.header(n, v))) res.send(204);
    else res.send(403, { code: 'OriginNotAllowed', message: `pages from ${String(req.headers.origin)} may not use this bot's chat; add the origin to WEBCHAT_ALLOWED_ORIGINS` });
    return next(false);
  });
  registerUnread(deps);
  registerToken(deps);
}

/**
 * The widget's files, served from memory (gzipped when asked), during shutdown too: they start no work.
 * `widget.js` carries the words, so its ETag changes with them: a browser revalidating it after staff
 * reworded `dialogs/messages.yaml` (and the bot restarted) gets the new file.
 */
function registerAssets(server: restify.Server, gate: ShutdownGate, words: WidgetWords): void {
  const files = webFiles();
  const version = files.webChatVersion;
  const bundle = Asset.fromFile(files.bundle, 'application/javascript; charset=utf-8');
  const loaderSource = Asset.fromFile(path.join(files.dir, 'widget.js'), 'application/javascript; charset=utf-8');
  const loader = new Asset(Buffer.from(widgetSource(loaderSource.body.toString('utf8'), `/webchat.js?v=${version}`, words)), loaderSource.contentType);
  const demo = Asset.fromFile(path.join(files.dir, 'demo.html'), 'text/html; charset=utf-8');
  // Compress the bundle now (off the main thread), so the first partner to open the chat does not wait.
  void bundle.gzip();
  gate.serveWhileClosed('/widget.js', '/webchat.js', '/', '/favicon.ico');

  // A portal's page loads these with <script src>, from any origin.
  const anySite = { 'Cross-Origin-Resource-Policy': 'cross-origin' };
  server.get('/widget.js', serve(loader, 'public, max-age=300', anySite));
  const bundlePinned = serve(bundle, 'public, max-age=31536000, immutable', anySite);
  const bundleLatest = serve(bundle, 'public, max-age=3600', anySite);
  server.get('/webchat.js', async (req: restify.Request, res: restify.Response) => (new URL(req.url ?? '/', 'http://localhost').searchParams.get('v') === version ? bundlePinned : bundleLatest)(req, res));
  server.get('/', serve(demo, 'no-cache', { 'X-Frame-Options': 'SAMEORIGIN', 'Referrer-Policy': 'strict-origin-when-cross-origin' }));

  server.get('/favicon.ico', (_req, res, next) => {
    res.send(204);
    return next(false);
  });
}

/** A route handler that serves `asset` with an ETag (304 when it matches) and gzip when the client takes it. */
function serve(asset: Asset, cacheControl: string, extra: Record<string, string> = {}) {
  return async (req: restify.Request, res: restify.Response): Promise<void> => {
    res.header('Cache-Control', cacheControl);
    res.header('ETag', asset.etag);
    res.header('Vary', 'Accept-Encoding');
    res.header('X-Content-Type-Options', 'nosniff');
    for (const [k, v] of Object.entries(extra)) res.header(k, v);
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? await asset.gzip() : asset.body;
    res.writeHead(200, { 'Content-Type': asset.contentType, 'Content-Length': body.length, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** No caching, and the origin check (with its CORS headers); false when the request was refused. */
function admit(deps: WebChatDeps, req: restify.Request, res: restify.Response): boolean {
  res.header('Cache-Control', 'no-store');
  if (deps.origins.cors(req, (n, v) => res.header(n, v))) return true;
  deps.logger.warn({ origin: req.headers.origin, url: req.url }, 'widget request refused: origin not allowed');
  res.send(403, { code: 'OriginNotAllowed', message: `pages from ${String(req.headers.origin)} may not use this bot's chat; add the origin to WEBCHAT_ALLOWED_ORIGINS` });
  return false;
}

/** A page that loads with the chat closed asks whether anything arrived since the partner last looked. */
function registerUnread(deps: WebChatDeps): void {
  deps.server.post(`${WEBCHAT_API}/unread`, async (req: restify.Request, res: restify.Response) => {
    if (!admit(deps, req, res)) return;
    const limited = await deps.fairUse.unreadRequest(req);
    if (limited) return tooManyRequests(res, limited, 'plain', { fairUse: deps.fairUse, logger: deps.logger, fields: { clientAddress: deps.fairUse.clientOf(req) } });
    const body = await readSmallJson(req, res);
    if (isRefusal(body)) {
      res.send(body.status, { code: body.code, message: body.message });
      return;
    }
    const after = Number(body.after);
    if (typeof body.resume !== 'string' || !Number.isInteger(after) || after < 0) {
      res.send(400, { code: 'BadRequest', message: 'send {"resume": "...", "after": <watermark>}' });
      return;
    }
    res.send(200, { unread: await deps.issuer.unread(body.resume, after) });
  });
}

/** The widget's token: a new conversation, or the partner's own one again with its resume proof. */
function registerToken(deps: WebChatDeps): void {
  const { logger } = deps;
  deps.server.post(`${WEBCHAT_API}/token`, async (req: restify.Request, res: restify.Response) => {
    if (!admit(deps, req, res)) return;
    const limited = await deps.fairUse.tokenRequest(req);
    if (limited) return tooManyRequests(res, limited, 'plain', { fairUse: deps.fairUse, logger, fields: { clientAddress: deps.fairUse.clientOf(req) } });
    const body = parseBody(await readSmallJson(req, res));
    if (isRefusal(body)) {
      res.send(body.status, { code: body.code, message: body.message });
      return;
    }
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : ownOrigin(req);
    try {
      const issued = await deps.issuer.issue({ resume: body.resume, fresh: body.fresh, origins: [...new Set([origin, ...deps.allowedOrigins])] });
      res.send(200, issued);
    } catch (err) {
      const unavailable = storageUnavailableIn(err);
      if (unavailable) throw unavailable; // 503 with the reason, like every route that meets a storage failure
      if (err instanceof DirectLineUnavailable) {
        logger.error({ err }, 'Direct Line token exchange failed');
        res.send(502, { code: 'DirectLineUnavailable', message: 'the chat service is not available right now; try again in a minute' });
      } else {
        logger.error({ err }, 'widget token failed');
        res.send(500, { code: 'InternalError', message: 'the chat could not start' });
      }
    }
  });
}

/**
 * The JSON body of a small request (at most 8 KB, any content type, empty reads as {}), or the reason
 * it is not one. An oversized or compressed body also closes the connection.
 */
async function readSmallJson(req: restify.Request, res: restify.Response): Promise<Record<string, unknown> | Refusal> {
  const body = await readJsonBody(req, { maxBytes: 8 * 1024, allowEmpty: true });
  if (!body.ok) {
    if (body.unread) res.header('Connection', 'close');
    return new Refusal(body.status, body.code, body.status === 400 ? `the body must be JSON, e.g. {} or {"resume": "..."} (${body.message})` : body.message);
  }
  const json = body.value ?? {};
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return new Refusal(400, 'BadRequest', 'the body must be a JSON object');
  return json as Record<string, unknown>;
}

/** Why a small body was refused: a 4xx status, a code and a one-line message. */
class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}
const isRefusal = (v: unknown): v is Refusal => v instanceof Refusal;

function parseBody(json: Record<string, unknown> | Refusal): { resume?: string; fresh?: boolean } | Refusal {
  if (isRefusal(json)) return json;
  const { resume, fresh } = json;
  if (resume !== undefined && resume !== null && typeof resume !== 'string') return new Refusal(400, 'BadRequest', '"resume" must be a string');
  if (fresh !== undefined && typeof fresh !== 'boolean') return new Refusal(400, 'BadRequest', '"fresh" must be true or false');
  return { ...(typeof resume === 'string' ? { resume } : {}), ...(fresh !== undefined ? { fresh } : {}) };
}
