import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Activity } from 'botbuilder';
import restify from 'restify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../log';
import { storageUnavailableIn } from '../../storage/StorageHealth';
import { readJsonBody } from '../../http/httpBody';
import { QueueFull, rawResponse } from '../server';
import { DIRECT_LINE_PREFIX, type ShutdownGate } from '../../http/shutdownGate';
import { validateActivity } from '../validateActivity';
import type { OriginPolicy } from '../../http/webchat/origins';
import { ownOrigin } from '../../http/webchat/origins';
import type { TokenClaims, TokenSigner } from './tokens';
import { NotYourConversation, type Transcripts } from './transcripts';
import type { FairUse } from '../../limits/FairUse';
import { tooManyRequests } from '../fairUseHttp';
import type { TokenChains } from './tokenChains';
import { chainOf } from './tokens';

/** The serviceUrl of the conversations this endpoint hosts (never called: the adapter keeps their replies in-process). */
export const LOCAL_SERVICE_URL = 'https://directline.local.invalid/';
/** Activities from the widget carry this channel id, as they do through Azure's Direct Line. */
export const WEBCHAT_CHANNEL = 'webchat';
const PREFIX = DIRECT_LINE_PREFIX;
const ACCEPTED_TYPES = new Set(['message', 'event', 'typing']);
const MAX_ACTIVITY_CHARS = 32_000;
const STREAM_PATH = new RegExp(`^${PREFIX}/conversations/([^/]+)/stream$`);

export interface DirectLineDeps {
  readonly server: restify.Server;
  readonly transcripts: Transcripts;
  readonly signer: TokenSigner;
  readonly tokenTtlSeconds: number;
  readonly origins: OriginPolicy;
  readonly bot: { readonly id: string; readonly name: string };
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  /** Refuses new work once shutdown has begun (the WebSocket upgrade asks it; restify routes are behind it). */
  readonly gate: ShutdownGate;
  readonly runTurn: (activity: Activity) => Promise<void>;
  /** Whether the conversation's turn queue can take another turn (see TURN_QUEUE_LIMIT). */
  readonly hasRoomFor?: (activity: Pick<Activity, 'channelId' | 'conversation'>) => boolean;
  readonly onShutdown: (hook: () => void) => void;
  /** How often an open stream also looks in storage (for replies another instance stored). */
  readonly streamPollMs?: number;
  /** Which tokens are current (a refresh retires the token it replaces, on every instance). */
  readonly chains: TokenChains;
  readonly fairUse: FairUse;
  /** The bot's "slow down" message, for a partner over the limit (once per window). */
  readonly slowDown: (retryAfterSeconds: number) => Partial<Activity>;
}

/**
 * CORS and the bearer token; the token's claims when the call may go ahead. A token that a refresh
 * retired is refused, except (`retired: 'pass'`) for the refresh route, which revokes its chain.
 */
type Guard = (req: restify.Request, res: restify.Response, conv?: string, retired?: 'refuse' | 'pass') => Promise<TokenClaims | undefined>;

const fail = (res: restify.Response, status: number, code: string, message: string) => {
  res.send(status, { error: { code, message } });
};

const notYours = (res: restify.Response) => fail(res, 403, 'ConversationNotAllowed', 'the token is not valid for this conversation');

/**
 * The bot's own Direct Line 3.0 endpoint: the part of the protocol Web Chat uses (start or reconnect
 * to a conversation, post an activity, read activities after a watermark, refresh the token, and the
 * WebSocket stream). Every call needs a token the bot issued for that conversation. Partners' messages
 * run through the same adapter and bot as every other channel; the bot's replies (and later proactive
 * messages) are stored in the conversation's transcript, from which the client reads them. During
 * shutdown the server's gate answers every call (503) before it gets here.
 */
export function registerDirectLine(deps: DirectLineDeps): void {
  deps.gate.corsFor(PREFIX, deps.origins);
  deps.server.opts(`${PREFIX}/*`, (req, res, next) => {
    if (deps.origins.cors(req, (n, v) => res.header(n, v))) res.send(204);
    else res.send(403, { error: { code: 'OriginNotAllowed', message: `pages from ${String(req.headers.origin)} may not use this bot's chat` } });
    return next(false);
  });
  const guard = guardFor(deps);
  registerConversations(deps, guard);
  registerActivities(deps, guard);
  registerRefresh(deps, guard);
  registerStream(deps);
}

function guardFor(deps: DirectLineDeps): Guard {
  return async (req, res, conv, retired = 'refuse') => {
    if (!deps.origins.cors(req, (n, v) => res.header(n, v))) {
      fail(res, 403, 'OriginNotAllowed', `pages from ${String(req.headers.origin)} may not use this bot's chat`);
      return undefined;
    }
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && /^Bearer /i.test(auth) ? auth.slice(7).trim() : '';
    if (!token) {
      fail(res, 403, 'TokenMissing', 'an Authorization: Bearer token is required');
      return undefined;
    }
    const checked = deps.signer.verify(token, 'dl');
    if (!checked.ok) {
      fail(res, 403, checked.reason === 'expired' ? 'TokenExpired' : 'BadToken', checked.reason === 'expired' ? 'the token has expired' : 'the token is not valid');
      return undefined;
    }
    if (conv !== undefined && conv !== checked.claims.conv) {
      notYours(res);
      return undefined;
    }
    const status = await deps.chains.status(checked.claims);
    if (status === 'revoked' || (status === 'retired' && retired === 'refuse')) {
      fail(res, 403, status === 'retired' ? 'TokenRetired' : 'TokenRevoked', status === 'retired' ? 'the token was replaced by a refreshed one' : 'the token was revoked; get a new one from the token endpoint');
      return undefined;
    }
    return checked.claims;
  };
}

const bearer = (req: restify.Request) => String(req.headers.authorization).slice(7).trim();

function streamUrl(req: IncomingMessage, conv: string, token: string, watermark: string | undefined): string {
  const origin = ownOrigin(req).replace(/^http/, 'ws');
  const query = new URLSearchParams({ ...(watermark ? { watermark } : {}), t: token });
  return `${origin}${PREFIX}/conversations/${encodeURIComponent(conv)}/stream?${query.toString()}`;
}

/** Starting a conversation and reconnecting to it: both create it on first use (within the fair-use limits). */
function registerConversations(deps: DirectLineDeps, guard: Guard): void {
  const { server } = deps;
  /** The conversation's start (or reconnect) answer, with a fresh stream URL from `watermark`. */
  const started = async (req: restify.Request, res: restify.Response, claims: TokenClaims, status: number, watermark: string | undefined) => {
    if (!(await admitStart(deps, req, res, claims))) return;
    if (!(await open(deps, claims))) return notYours(res);
    const token = bearer(req);
    res.send(status, { conversationId: claims.conv, token, expires_in: claims.exp - deps.signer.nowSeconds(), streamUrl: streamUrl(req, claims.conv, token, watermark) });
  };

  // Start a conversation: the token already names it (the token endpoint chose it).
  server.post(`${PREFIX}/conversations`, async (req: restify.Request, res: restify.Response) => {
    const claims = await guard(req, res);
    if (claims) await started(req, res, claims, 201, undefined);
  });

  // Reconnect: a fresh stream URL from a watermark.
  server.get(`${PREFIX}/conversations/:conv`, async (req: restify.Request, res: restify.Response) => {
    const claims = await guard(req, res, req.params.conv);
    if (!claims) return;
    const raw = queryParam(req, 'watermark');
    await started(req, res, claims, 200, raw !== undefined && /^\d+$/.test(raw) ? raw : undefined);
  });
}

/** Creates the conversation on first use and welcomes the partner, like a channel adding them. */
async function open(deps: DirectLineDeps, claims: TokenClaims): Promise<boolean> {
  const opened = await deps.transcripts.open(claims.conv, claims.user);
  if (opened !== 'created') return opened === 'theirs';
  // The welcome; if the storage fails meanwhile, the partner's first message will say so (503).
  void deps
    .runTurn({
      type: 'conversationUpdate',
      id: `${claims.conv}|join`,
      channelId: WEBCHAT_CHANNEL,
      serviceUrl: LOCAL_SERVICE_URL,
      conversation: { id: claims.conv } as Activity['conversation'],
      from: { id: claims.user, role: 'user' } as Activity['from'],
      recipient: { id: deps.bot.id, name: deps.bot.name, role: 'bot' } as Activity['recipient'],
      membersAdded: [{ id: claims.user, name: '' }],
      timestamp: new Date(),
    } as Activity)
    .catch(() => undefined);
  return true;
}

/**
 * A conversation that does not exist yet counts against its client address's limit on new
 * conversations (each is a document in storage), whichever call creates it.
 */
async function admitStart(deps: DirectLineDeps, req: restify.Request, res: restify.Response, claims: TokenClaims): Promise<boolean> {
  if (await deps.transcripts.get(claims.conv, 1000)) return true;
  const refused = await deps.fairUse.conversationStart(req);
  if (!refused) return true;
  await tooManyRequests(res, refused, 'directLine', { fairUse: deps.fairUse, logger: deps.logger, fields: { clientAddress: deps.fairUse.clientOf(req) } });
  return false;
}

/** Reading a conversation's activities, posting one, and the (refused) upload. */
function registerActivities(deps: DirectLineDeps, guard: Guard): void {
  const { server, transcripts } = deps;
  server.get(`${PREFIX}/conversations/:conv/activities`, async (req: restify.Request, res: restify.Response) => {
    const claims = await guard(req, res, req.params.conv);
    if (!claims) return;
    const raw = queryParam(req, 'watermark');
    const watermark = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
    // Polling clients ask every second: what this instance wrote in the last half second will do.
    const set = await transcripts.read(claims.conv, watermark, { user: claims.user, maxAgeMs: 500 });
    if (set === 'notYours') return notYours(res);
    res.send(200, set);
  });

  server.post(`${PREFIX}/conversations/:conv/activities`, async (req: restify.Request, res: restify.Response) => {
    // The token first: nobody without one gets their body read (and a refusal closes the connection).
    res.header('Connection', 'close');
    const claims = await guard(req, res, req.params.conv);
    if (!claims) return;
    res.removeHeader('Connection');
    const activity = await receive(deps, req, res, claims);
    if (!activity) return;
    if (activity.type === 'typing') {
      res.send(200, { id: '' });
      return;
    }
    if (!(await admitTurn(deps, res, claims))) return;
    await postActivity(deps, res, claims, activity);
  });

  server.post(`${PREFIX}/conversations/:conv/upload`, async (req: restify.Request, res: restify.Response) => {
    if (await guard(req, res, req.params.conv)) fail(res, 400, 'BadArgument', 'this bot does not take file uploads');
  });
}

/** The partner's activity from the request body, checked; undefined when the request was refused. */
async function receive(deps: DirectLineDeps, req: restify.Request, res: restify.Response, claims: TokenClaims): Promise<Partial<Activity> | undefined> {
  const body = await readJsonBody(req, { maxBytes: deps.maxBodyBytes, requireJson: true });
  if (!body.ok) {
    if (body.unread) res.header('Connection', 'close');
    return void fail(res, body.status, body.status === 413 ? 'MessageTooLarge' : body.status === 415 ? 'UnsupportedMediaType' : 'BadArgument', body.message);
  }
  const activity = fromClient(body.value, claims, deps.bot);
  if (typeof activity === 'string') return void fail(res, 400, 'BadArgument', activity);
  const check = validateActivity(activity);
  if (!check.ok) return void fail(res, 400, 'BadArgument', `not a valid activity: ${check.problems.join('; ')}`);
  // Every activity is kept in the transcript: a partner's message is text, not a payload.
  if (JSON.stringify(activity).length > MAX_ACTIVITY_CHARS) {
    return void fail(res, 413, 'MessageTooLarge', `an activity may be at most ${MAX_ACTIVITY_CHARS / 1000} KB as JSON`);
  }
  return activity;
}

/**
 * The partner's own activity goes into the transcript first (with the server's id), so Web Chat sees
 * it come back; then the bot takes its turn (behind the conversation's earlier ones, within its queue).
 */
async function postActivity(deps: DirectLineDeps, res: restify.Response, claims: TokenClaims, activity: Partial<Activity>): Promise<void> {
  if (deps.hasRoomFor && !deps.hasRoomFor({ channelId: WEBCHAT_CHANNEL, conversation: { id: claims.conv } as Activity['conversation'] })) {
    // As an HTTP date: the Direct Line client in Web Chat cannot read Retry-After in seconds.
    res.header('Retry-After', retryAt(5));
    return fail(res, 429, 'TooManyRequests', 'this conversation already has messages waiting for an answer; send the next one when the bot has replied');
  }
  let id: string | undefined;
  try {
    [id] = await deps.transcripts.append(claims.conv, [activity], claims.user);
  } catch (err) {
    if (err instanceof NotYourConversation) return notYours(res);
    throw err;
  }
  try {
    await deps.runTurn({ ...activity, id } as Activity);
  } catch (err) {
    if (!(err instanceof QueueFull)) throw err;
    res.header('Retry-After', retryAt(err.retryAfterSeconds));
    return fail(res, 429, 'TooManyRequests', err.message);
  }
  res.send(200, { id });
}

/**
 * The conversation's and the partner's turn limits. Over them: 429 with Retry-After (Web Chat marks
 * the message as not sent, with a Retry link), and once per window a "slow down" message from the
 * bot in the conversation, saying for how long.
 */
async function admitTurn(deps: DirectLineDeps, res: restify.Response, claims: TokenClaims): Promise<boolean> {
  const { logger } = deps;
  const refused = await deps.fairUse.turn(WEBCHAT_CHANNEL, claims.conv, claims.user);
  if (!refused) return true;
  if (await deps.fairUse.noticeDue(WEBCHAT_CHANNEL, claims.conv)) {
    const notice = { ...deps.slowDown(refused.retryAfterSeconds), from: { id: deps.bot.id, name: deps.bot.name, role: 'bot' } } as Partial<Activity>;
    await deps.transcripts.append(claims.conv, [notice]).catch((err: unknown) => logger.warn({ err, conversationId: claims.conv }, 'could not ask the partner to slow down'));
  }
  await tooManyRequests(res, refused, 'directLine', { fairUse: deps.fairUse, logger, fields: { channelId: WEBCHAT_CHANNEL, conversationId: claims.conv, partnerId: claims.user } });
  return false;
}

/**
 * POST /tokens/refresh: the next token of the chain, which retires this one (on every instance).
 * Never past the chain's end (WEBCHAT_TOKEN_MAX_MINUTES after the token endpoint issued its first
 * token): from then on the page needs a new token from the token endpoint, which only its resume proof
 * gets it.
 */
function registerRefresh(deps: DirectLineDeps, guard: Guard): void {
  const { signer } = deps;
  const refresh = async (claims: TokenClaims): Promise<{ ok: true; token: string; claims: TokenClaims } | { ok: false; code: string; message: string }> => {
    const position = chainOf(claims);
    if (position.max - signer.nowSeconds() < 1) return { ok: false, code: 'TokenExpired', message: 'the token has reached its maximum lifetime; get a new one from the token endpoint' };
    const next = signer.sign('dl', claims.user, claims.conv, deps.tokenTtlSeconds, { ...position, gen: position.gen + 1 });
    const advanced = await deps.chains.advance(claims, next.claims.exp);
    if (!advanced.ok) {
      deps.logger.warn({ conversationId: claims.conv, status: advanced.status }, 'direct line token refresh refused: the token was already refreshed');
      return { ok: false, code: 'TokenRevoked', message: 'the token was already refreshed; get a new one from the token endpoint' };
    }
    return { ok: true, token: next.token, claims: next.claims };
  };

  deps.server.post(`${PREFIX}/tokens/refresh`, async (req: restify.Request, res: restify.Response) => {
    const claims = await guard(req, res, undefined, 'pass');
    if (!claims) return;
    res.header('Cache-Control', 'no-store');
    const refreshed = await refresh(claims);
    if (!refreshed.ok) return fail(res, 403, refreshed.code, refreshed.message);
    res.send(200, { conversationId: refreshed.claims.conv, token: refreshed.token, expires_in: refreshed.claims.exp - signer.nowSeconds() });
  });
}

/**
 * The WebSocket stream: every activity after the watermark, then each new one as it is stored. Open
 * streams are closed when shutdown begins; a client that does not answer the close handshake must not
 * hold the shutdown up.
 */
function registerStream(deps: DirectLineDeps): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  deps.server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over without an error listener: a client that resets it must not take
    // the process down.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, code: string, message: string, headers: Record<string, string> = {}) => {
      deps.logger.debug({ status, reason: message }, 'direct line stream refused');
      if (socket.writable) socket.end(rawResponse(status, { error: { code, message } }, headers));
      else socket.destroy();
    };
    const target = requestTarget(req.url);
    if (!target) return refuse(400, 'BadArgument', 'the request target is not a path');
    const match = STREAM_PATH.exec(target.path);
    if (!match) return refuse(404, 'NotFound', `WebSocket streams are at ${PREFIX}/conversations/{conversationId}/stream`);
    if (req.method !== 'GET') return refuse(405, 'MethodNotAllowed', 'open the stream with GET');
    const { origin, allowed } = deps.origins.check(req);
    if (!allowed) return refuse(403, 'OriginNotAllowed', `pages from ${quoteOrigin(origin)} may not use this bot's chat`);
    if (deps.gate.closed()) {
      const refusal = deps.gate.refusal(target.path);
      return void socket.end(rawResponse(refusal.status, refusal.body, { 'Retry-After': refusal.retryAfterSeconds }));
    }
    const conv = decodeSegment(match[1] ?? '');
    if (conv === undefined) return refuse(400, 'BadArgument', 'the conversation id in the URL is not valid percent-encoding');
    const query = new URLSearchParams(target.query);
    const checked = deps.signer.verify(query.get('t') ?? '', 'dl');
    if (!checked.ok) return refuse(403, checked.reason === 'expired' ? 'TokenExpired' : 'BadToken', checked.reason === 'expired' ? 'the token has expired' : 'a valid token is required (?t=)');
    if (checked.claims.conv !== conv) return refuse(403, 'ConversationNotAllowed', 'the token is not valid for this conversation');
    const raw = query.get('watermark');
    const from = raw && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
    void admitStream(deps, wss, { req, socket, head }, checked.claims, from);
  });

  deps.onShutdown(() => {
    wss.clients.forEach((ws) => ws.close(1012, 'restarting'));
    setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 1000).unref();
  });
}

/**
 * A stream opens for the chain's current token only, within the conversation's limits on open
 * streams and on connection attempts (429 with Retry-After otherwise).
 */
async function admitStream(
  deps: DirectLineDeps,
  wss: WebSocketServer,
  upgrade: { req: IncomingMessage; socket: Duplex; head: Buffer },
  claims: TokenClaims,
  from: number | undefined,
): Promise<void> {
  const { req, socket, head } = upgrade;
  const refuse = (status: number, reason: string, retryAfterSeconds?: number) => {
    const retry = retryAfterSeconds !== undefined ? `Retry-After: ${retryAfterSeconds}\r\n` : '';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\n${retry}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  // Node's server stops watching an upgraded socket's errors; until ws takes it, a reset is ours.
  const onError = () => socket.destroy();
  socket.on('error', onError);
  try {
    if ((await deps.chains.status(claims)) !== 'current') return refuse(403, 'Forbidden');
    const attempts = await deps.fairUse.streamConnect(claims.conv);
    const slot = attempts ?? deps.fairUse.openStream(claims.conv);
    if (typeof slot !== 'function') {
      if (slot.first) deps.logger.warn({ conversationId: claims.conv, limit: slot.limit, retryAfterSeconds: slot.retryAfterSeconds }, 'stream refused: over the fair-use limit');
      return refuse(429, 'Too Many Requests', slot.retryAfterSeconds);
    }
    if (socket.destroyed) return slot();
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onError);
      ws.once('close', slot);
      stream(deps, ws, claims, from);
    });
  } catch (err) {
    deps.logger.warn({ err, conversationId: claims.conv }, 'direct line stream could not be opened');
    refuse(503, 'Service Unavailable');
  }
}

/** An open stream: sends what the transcript gains, checks the token's chain, pings, and ends at the token's expiry. */
function stream(deps: DirectLineDeps, ws: WebSocket, claims: TokenClaims, from: number | undefined): void {
  const push = transcriptPusher(deps, ws, claims, from);
  const unsubscribe = deps.transcripts.subscribe(claims.conv, () => void push());
  // A refresh leaves a stream opened with the earlier token open until that token expires (it was
  // authorised when it opened, and only reads); a revoked chain (its token was copied) ends it.
  const revoked = () =>
    deps.chains.status(claims).then(
      (status) => status === 'revoked' && ws.close(4003, 'token revoked'),
      () => undefined,
    );
  const poll = setInterval(() => {
    void push(true);
    void revoked();
  }, deps.streamPollMs ?? 3000);
  // A peer that stops answering pings (a laptop that went to sleep) is dropped, freeing its slot.
  let alive = true;
  ws.on('pong', () => (alive = true));
  ws.on('message', () => (alive = true));
  const ping = setInterval(() => {
    if (ws.readyState !== ws.OPEN) return;
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, 30_000);
  // The token's expiry ends the stream; Web Chat reconnects with its refreshed token.
  const expiry = setTimeout(() => ws.close(4001, 'token expired'), Math.max(0, (claims.exp - deps.signer.nowSeconds()) * 1000));
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
}

/**
 * Sends the stream what the transcript has after its watermark, one read at a time (a call while one
 * runs makes it read again). `fresh`: read storage (the periodic look for other instances' changes);
 * otherwise a just-written version will do.
 */
function transcriptPusher(deps: DirectLineDeps, ws: WebSocket, claims: TokenClaims, from: number | undefined): (fresh?: boolean) => Promise<void> {
  let watermark = from;
  let running = false;
  let again = false;
  return async (fresh = false) => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const set = await deps.transcripts.read(claims.conv, watermark, { user: claims.user, maxAgeMs: fresh ? 0 : 1000 });
        if (set === 'notYours') return ws.close(4003, 'not your conversation');
        if (set.activities.length > 0 && ws.readyState === ws.OPEN) ws.send(JSON.stringify(set));
        watermark = Number(set.watermark);
      } while (again);
    } catch (err) {
      // A storage outage is logged once by StorageHealth; the stream carries on when it is over.
      if (!storageUnavailableIn(err)) deps.logger.warn({ err }, 'direct line stream could not read the transcript');
    } finally {
      running = false;
    }
  };
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
  return new URLSearchParams(requestTarget(req.url)?.query ?? '').get(name) ?? undefined;
}

/**
 * The path and query of a request target, without URL parsing that could throw or rewrite it
 * (`//[/x`, `/%`, absolute-form `http://host/x`); undefined for a target that is not a path.
 */
export function requestTarget(url: string | undefined): { path: string; query: string } | undefined {
  let rest = url ?? '';
  const absolute = /^https?:\/\/[^/?#]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  if (!rest.startsWith('/')) return undefined;
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);
  const hash = query.indexOf('#');
  return { path: path.split('#')[0] ?? '', query: hash < 0 ? query : query.slice(0, hash) };
}

/** A percent-encoded path segment, or undefined when its escapes are not valid UTF-8. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function quoteOrigin(origin: string | undefined): string {
  const o = String(origin).replace(/[^\x20-\x7e]/g, '?');
  return o.length > 100 ? `${o.slice(0, 97)}...` : o;
}

/** A Retry-After value as an HTTP date `seconds` from now. */
function retryAt(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toUTCString();
}
