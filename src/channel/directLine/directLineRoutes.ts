import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Activity } from 'botbuilder';
import restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../log';
import { storageUnavailableIn } from '../../storage/StorageHealth';
import type { OriginPolicy } from '../webchat/origins';
import { ownOrigin } from '../webchat/origins';
import type { TokenClaims, TokenSigner } from './tokens';
import { NotYourConversation, Transcripts } from './transcripts';

/** The serviceUrl of the conversations this endpoint hosts (never called: the adapter keeps their replies in-process). */
export const LOCAL_SERVICE_URL = 'https://directline.local.invalid/';
/** Activities from the widget carry this channel id, as they do through Azure's Direct Line. */
export const WEBCHAT_CHANNEL = 'webchat';
const PREFIX = '/v3/directline';
const ACCEPTED_TYPES = new Set(['message', 'event', 'typing']);
const MAX_ACTIVITY_CHARS = 32_000;

export interface DirectLineDeps {
  readonly server: restify.Server;
  readonly transcripts: Transcripts;
  readonly signer: () => TokenSigner;
  readonly tokenTtlSeconds: number;
  readonly origins: OriginPolicy;
  readonly bot: { readonly id: string; readonly name: string };
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly stopping: () => boolean;
  readonly runTurn: (activity: Activity) => Promise<void>;
  readonly onShutdown: (hook: () => void) => void;
  /** How often an open stream also looks in storage (for replies another instance stored). */
  readonly streamPollMs?: number;
}

/**
 * The bot's own Direct Line 3.0 endpoint: the part of the protocol Web Chat uses (start or reconnect
 * to a conversation, post an activity, read activities after a watermark, refresh the token, and the
 * WebSocket stream). Every call needs a token the bot issued for that conversation. Partners' messages
 * run through the same adapter and bot as every other channel; the bot's replies (and later proactive
 * messages) are stored in the conversation's transcript, from which the client reads them.
 */
export function registerDirectLine(deps: DirectLineDeps): void {
  const { server, transcripts, logger } = deps;

  const fail = (res: restify.Response, status: number, code: string, message: string) => {
    res.send(status, { error: { code, message } });
  };

  /** CORS, shutdown and the bearer token; the token's claims when the call may go ahead. */
  const guard = (req: restify.Request, res: restify.Response, conv?: string): TokenClaims | undefined => {
    if (!deps.origins.cors(req, (n, v) => res.header(n, v))) {
      fail(res, 403, 'OriginNotAllowed', `pages from ${String(req.headers.origin)} may not use this bot's chat`);
      return undefined;
    }
    if (deps.stopping()) {
      res.header('Retry-After', '5');
      fail(res, 503, 'ServiceUnavailable', 'the bot is restarting; retry shortly');
      return undefined;
    }
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && /^Bearer /i.test(auth) ? auth.slice(7).trim() : '';
    if (!token) {
      fail(res, 403, 'TokenMissing', 'an Authorization: Bearer token is required');
      return undefined;
    }
    const checked = deps.signer().verify(token, 'dl');
    if (!checked.ok) {
      fail(res, 403, checked.reason === 'expired' ? 'TokenExpired' : 'BadToken', checked.reason === 'expired' ? 'the token has expired' : 'the token is not valid');
      return undefined;
    }
    if (conv !== undefined && conv !== checked.claims.conv) {
      fail(res, 403, 'ConversationNotAllowed', 'the token is not valid for this conversation');
      return undefined;
    }
    return checked.claims;
  };

  const streamUrl = (req: IncomingMessage, conv: string, token: string, watermark: string | undefined) => {
    const origin = ownOrigin(req).replace(/^http/, 'ws');
    const query = new URLSearchParams({ ...(watermark ? { watermark } : {}), t: token });
    return `${origin}${PREFIX}/conversations/${encodeURIComponent(conv)}/stream?${query.toString()}`;
  };

  const bearer = (req: restify.Request) => String(req.headers.authorization).slice(7).trim();

  /** Creates the conversation on first use and welcomes the partner, like a channel adding them. */
  const open = async (claims: TokenClaims) => {
    const opened = await transcripts.open(claims.conv, claims.user);
    if (opened !== 'created') return opened === 'theirs';
    // The welcome; if the storage fails meanwhile, the partner's first message will say so (503).
    void deps.runTurn({
      type: 'conversationUpdate',
      id: `${claims.conv}|join`,
      channelId: WEBCHAT_CHANNEL,
      serviceUrl: LOCAL_SERVICE_URL,
      conversation: { id: claims.conv } as Activity['conversation'],
      from: { id: claims.user, role: 'user' } as Activity['from'],
      recipient: { id: deps.bot.id, name: deps.bot.name, role: 'bot' } as Activity['recipient'],
      membersAdded: [{ id: claims.user, name: '' }],
      timestamp: new Date(),
    } as Activity).catch(() => undefined);
    return true;
  };

  server.opts(`${PREFIX}/*`, (req, res, next) => {
    res.send(deps.origins.cors(req, (n, v) => res.header(n, v)) ? 204 : 403);
    return next(false);
  });

  // Start a conversation: the token already names it (the token endpoint chose it).
  server.post(`${PREFIX}/conversations`, async (req: restify.Request, res: restify.Response) => {
    const claims = guard(req, res);
    if (!claims) return;
    if (!(await open(claims))) return fail(res, 403, 'ConversationNotAllowed', 'the token is not valid for this conversation');
    const token = bearer(req);
    res.send(201, { conversationId: claims.conv, token, expires_in: claims.exp - deps.signer().nowSeconds(), streamUrl: streamUrl(req, claims.conv, token, undefined) });
  });

  // Reconnect: a fresh stream URL from a watermark.
  server.get(`${PREFIX}/conversations/:conv`, async (req: restify.Request, res: restify.Response) => {
    const claims = guard(req, res, req.params.conv);
    if (!claims) return;
    if (!(await open(claims))) return fail(res, 403, 'ConversationNotAllowed', 'the token is not valid for this conversation');
    const token = bearer(req);
    const raw = queryParam(req, 'watermark');
    const watermark = raw !== undefined && /^\d+$/.test(raw) ? raw : undefined;
    res.send(200, { conversationId: claims.conv, token, expires_in: claims.exp - deps.signer().nowSeconds(), streamUrl: streamUrl(req, claims.conv, token, watermark) });
  });

  server.get(`${PREFIX}/conversations/:conv/activities`, async (req: restify.Request, res: restify.Response) => {
    const claims = guard(req, res, req.params.conv);
    if (!claims) return;
    const raw = queryParam(req, 'watermark');
    const watermark = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
    // Polling clients ask every second: what this instance wrote in the last half second will do.
    const doc = await transcripts.get(claims.conv, 500);
    if (doc && doc.user !== claims.user) return fail(res, 403, 'ConversationNotAllowed', 'the token is not valid for this conversation');
    res.send(200, Transcripts.page(doc, watermark));
  });

  server.post(
    `${PREFIX}/conversations/:conv/activities`,
    restify.plugins.bodyReader({ maxBodySize: deps.maxBodyBytes }),
    restify.plugins.jsonBodyParser({ mapParams: false }),
    async (req: restify.Request, res: restify.Response) => {
      const claims = guard(req, res, req.params.conv);
      if (!claims) return;
      const activity = fromClient(req.body, claims, deps.bot);
      if (typeof activity === 'string') return fail(res, 400, 'BadArgument', activity);
      // Every activity is kept in the transcript: a partner's message is text, not a payload.
      if (JSON.stringify(activity).length > MAX_ACTIVITY_CHARS) {
        return fail(res, 413, 'MessageTooLarge', `an activity may be at most ${MAX_ACTIVITY_CHARS / 1000} KB as JSON`);
      }
      if (activity.type === 'typing') return res.send(200, { id: '' });
      // The partner's own activity goes into the transcript first (with the server's id), so Web Chat
      // sees it come back; then the bot takes its turn.
      let id: string | undefined;
      try {
        [id] = await transcripts.append(claims.conv, [activity], claims.user);
      } catch (err) {
        if (err instanceof NotYourConversation) return fail(res, 403, 'ConversationNotAllowed', 'the token is not valid for this conversation');
        throw err;
      }
      await deps.runTurn({ ...activity, id } as Activity);
      res.send(200, { id });
    },
  );

  server.post(`${PREFIX}/conversations/:conv/upload`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
    if (guard(req, res, req.params.conv)) fail(res, 400, 'BadArgument', 'this bot does not take file uploads');
    return next(false);
  });

  server.post(`${PREFIX}/tokens/refresh`, (req: restify.Request, res: restify.Response, next: restify.Next) => {
    const claims = guard(req, res);
    if (claims) {
      const { token, claims: fresh } = deps.signer().sign('dl', claims.user, claims.conv, deps.tokenTtlSeconds);
      res.header('Cache-Control', 'no-store');
      res.send(200, { conversationId: fresh.conv, token, expires_in: deps.tokenTtlSeconds });
    }
    return next(false);
  });

  // The WebSocket stream: every activity after the watermark, then each new one as it is stored.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const pollMs = deps.streamPollMs ?? 3000;
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = new RegExp(`^${PREFIX}/conversations/([^/]+)/stream$`).exec(url.pathname);
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!match) return refuse(404, 'Not Found');
    if (!deps.origins.check(req).allowed) return refuse(403, 'Forbidden');
    if (deps.stopping()) return refuse(503, 'Service Unavailable');
    const checked = deps.signer().verify(url.searchParams.get('t') ?? '', 'dl');
    const conv = decodeURIComponent(match[1] ?? '');
    if (!checked.ok || checked.claims.conv !== conv) return refuse(403, 'Forbidden');
    const raw = url.searchParams.get('watermark');
    const from = raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
    wss.handleUpgrade(req, socket, head, (ws) => stream(ws, checked.claims, from));
  });

  const stream = (ws: WebSocket, claims: TokenClaims, from: number | undefined) => {
    let watermark = from;
    let running = false;
    let again = false;
    /** `fresh`: read storage (the periodic look for other instances' changes); otherwise a just-written version will do. */
    const push = async (fresh = false): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const doc = await transcripts.get(claims.conv, fresh ? 0 : 1000);
          if (doc && doc.user !== claims.user) return ws.close(4003, 'not your conversation');
          const page = Transcripts.page(doc, watermark);
          if (page.activities.length > 0 && ws.readyState === ws.OPEN) ws.send(JSON.stringify(page));
          watermark = Number(page.watermark);
        } while (again);
      } catch (err) {
        // A storage outage is logged once by StorageHealth; the stream carries on when it is over.
        if (!storageUnavailableIn(err)) logger.warn({ err }, 'direct line stream could not read the transcript');
      } finally {
        running = false;
      }
    };
    const unsubscribe = transcripts.subscribe(claims.conv, () => void push());
    const poll = setInterval(() => void push(true), pollMs);
    const ping = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), 30_000);
    // The token's expiry ends the stream; Web Chat reconnects with its refreshed token.
    const expiry = setTimeout(() => ws.close(4001, 'token expired'), Math.max(0, (claims.exp - deps.signer().nowSeconds()) * 1000));
    poll.unref();
    ping.unref();
    expiry.unref();
    ws.on('close', () => {
      unsubscribe();
      clearInterval(poll);
      clearInterval(ping);
      clearTimeout(expiry);
    });
    ws.on('error', () => ws.terminate());
    void push();
  };

  // A client that does not answer the close handshake must not hold the shutdown up.
  deps.onShutdown(() => {
    wss.clients.forEach((ws) => ws.close(1012, 'restarting'));
    setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 1000).unref();
  });
}

/**
 * The partner's activity as the bot receives it: the server decides who sent it (the token's user),
 * where it belongs and when; from the client it keeps only what a partner can say.
 */
function fromClient(body: unknown, claims: TokenClaims, bot: { id: string; name: string }): Partial<Activity> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'send one activity as a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string' || !ACCEPTED_TYPES.has(b.type)) return `activity type must be one of ${[...ACCEPTED_TYPES].join(', ')}`;
  if (b.text !== undefined && typeof b.text !== 'string') return 'text must be a string';
  if (b.type === 'event' && typeof b.name !== 'string') return 'an event needs a name';
  if (Array.isArray(b.attachments) && b.attachments.length > 0) return 'this bot does not take attachments';
  const from = typeof b.from === 'object' && b.from !== null ? (b.from as Record<string, unknown>) : {};
  const channelData = typeof b.channelData === 'object' && b.channelData !== null && !Array.isArray(b.channelData) ? b.channelData : undefined;
  return {
    type: b.type,
    channelId: WEBCHAT_CHANNEL,
    serviceUrl: LOCAL_SERVICE_URL,
    conversation: { id: claims.conv } as Activity['conversation'],
    from: { id: claims.user, name: typeof from.name === 'string' ? from.name.slice(0, 100) : '', role: 'user' } as Activity['from'],
    recipient: { id: bot.id, name: bot.name, role: 'bot' } as Activity['recipient'],
    ...(typeof b.text === 'string' ? { text: b.text } : {}),
    ...(b.value !== undefined ? { value: b.value } : {}),
    ...(typeof b.name === 'string' ? { name: b.name.slice(0, 200) } : {}),
    ...(typeof b.locale === 'string' && b.locale.length <= 20 ? { locale: b.locale } : {}),
    ...(typeof b.textFormat === 'string' ? { textFormat: b.textFormat } : {}),
    ...(channelData ? { channelData } : {}),
    ...(Array.isArray(b.entities) ? { entities: b.entities as Activity['entities'] } : {}),
  };
}

function queryParam(req: IncomingMessage, name: string): string | undefined {
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get(name) ?? undefined;
}
