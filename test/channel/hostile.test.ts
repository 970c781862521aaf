import { gzipSync } from 'node:zlib';
import { TokenSigner } from '../../src/channel/directLine/tokens';
import { spawnBot, type BotProcess } from '../helpers/botProcess';
import { newSigningKey, signToken, startFakeOpenId, type FakeOpenId } from '../helpers/fakeOpenId';
import { startReceiver, type Receiver } from '../helpers/httpHarness';
import { httpRequest, rawRequest, upgradeRequest, type RawResponse } from '../helpers/rawHttp';

/**
 * Hostile input against a real bot process (the built `dist`, its own Direct Line on, no app id):
 * malformed request lines, methods, paths, headers, encodings, bodies, activities and WebSocket
 * upgrades at every route. Each must get a 4xx with a one-line reason, and the bot must still answer
 * a partner afterwards. A random (seeded) mutation loop of valid activities follows.
 */

const KEY = 'hostile-suite-signing-key-long-enough-for-hmac';
const PORTAL = 'https://partners.contoso.com';
const signer = new TokenSigner(KEY);
const CONV = 'hostileconv01';
const USER = 'dl_hostile';
const token = signer.sign('dl', USER, CONV, 3600).token;
const otherToken = signer.sign('dl', 'dl_other', 'otherconv', 3600).token;
const expired = new TokenSigner(KEY, () => Date.now() - 2 * 3600 * 1000).sign('dl', USER, CONV, 60).token;
const resume = signer.sign('resume', USER, CONV, 3600).token;

const json = (value: unknown) => JSON.stringify(value);
const deep = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i += 1) v = i % 2 ? [v] : { d: v };
  return v;
};
const deepText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** JSON text of `value` with `"__DEEP__"` replaced by arrays nested `depth` deep (JSON.stringify could not write them). */
const withDeep = (value: unknown, depth: number) => json(value).replace('"__DEEP__"', `${'[{"d":'.repeat(depth)}1${'}]'.repeat(depth)}`);

let bot: BotProcess;
let receiver: Receiver;

/** A valid activity for /api/messages, answered in the response. */
function activity(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: 'h-1',
    channelId: 'emulator',
    deliveryMode: 'expectReplies',
    conversation: { id: 'hostile-1' },
    from: { id: 'attacker' },
    recipient: { id: 'bot' },
    text: 'when is WPC?',
    ...extra,
  };
}

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) => httpRequest('POST', path, { headers: { 'Content-Type': 'application/json', ...headers }, body });
const messages = (body: unknown, headers: Record<string, string> = {}) => post('/api/messages', typeof body === 'string' || Buffer.isBuffer(body) ? body : json(body), headers);
const dlPost = (body: unknown, headers: Record<string, string> = {}) =>
  post(`/v3/directline/conversations/${CONV}/activities`, typeof body === 'string' || Buffer.isBuffer(body) ? body : json(body), { Authorization: `Bearer ${token}`, ...headers });
const dlGet = (path: string, headers: Record<string, string> = {}) => httpRequest('GET', `/v3/directline${path}`, { headers });

interface Case {
  readonly name: string;
  readonly request: Buffer | (() => Buffer);
  /** The status expected; a range [low, high] when more than one is right. */
  readonly status: number | readonly [number, number];
  readonly reason?: RegExp;
}

/** Every route the bot serves, with a method it does not take. */
const WRONG_METHODS: [string, string][] = [
  ['POST', '/'],
  ['DELETE', '/widget.js'],
  ['PUT', '/webchat.js'],
  ['POST', '/favicon.ico'],
  ['POST', '/healthz'],
  ['DELETE', '/readyz'],
  ['GET', '/api/messages'],
  ['PUT', '/api/messages'],
  ['DELETE', '/api/messages'],
  ['PATCH', '/api/messages'],
  ['OPTIONS', '/api/messages'],
  ['GET', '/api/webchat/token'],
  ['PUT', '/api/webchat/unread'],
  ['GET', '/v3/directline/conversations'],
  ['DELETE', `/v3/directline/conversations/${CONV}`],
  ['PUT', `/v3/directline/conversations/${CONV}/activities`],
  ['GET', `/v3/directline/conversations/${CONV}/upload`],
  ['GET', '/v3/directline/tokens/refresh'],
];

const CASES: Case[] = [
  // Request lines and paths no route serves.
  ...WRONG_METHODS.map(([method, path]): Case => ({ name: `${method} ${path}`, request: httpRequest(method, path), status: 405, reason: /not allowed/ })),
  { name: 'an unknown path', request: httpRequest('GET', '/nope'), status: 404, reason: /does not exist/ },
  { name: 'GET //[/stream (not a URL)', request: httpRequest('GET', '//[/stream'), status: 404 },
  { name: 'GET /% (a broken escape)', request: httpRequest('GET', '/%'), status: 404 },
  { name: 'a NUL escape in the path', request: httpRequest('GET', '/api/%00messages'), status: 404 },
  { name: 'an encoded path traversal', request: httpRequest('GET', '/..%2f..%2fetc%2fpasswd'), status: 404 },
  { name: 'an 8 KB path', request: httpRequest('GET', `/${'a'.repeat(8000)}`), status: 404 },
  { name: 'an absolute-form request target', request: httpRequest('GET', 'http://evil.example/nope'), status: 404 },
  { name: 'a broken escape in a Direct Line conversation id', request: dlGet('/conversations/%E0%A4%A', { Authorization: `Bearer ${token}` }), status: [400, 404] },
  { name: 'an unknown method', request: httpRequest('BREW', '/api/messages'), status: 400, reason: /malformed HTTP request/ },
  { name: 'CONNECT (as to a proxy)', request: httpRequest('CONNECT', '169.254.169.254:80', { host: '169.254.169.254:80' }), status: 405, reason: /not a proxy/ },
  { name: 'TRACE', request: httpRequest('TRACE', '/'), status: 405, reason: /not allowed/ },
  { name: 'an Expect header other than 100-continue', request: httpRequest('GET', '/healthz', { headers: { Expect: 'teapot' } }), status: 417, reason: /100-continue/ },
  { name: 'a request line that is not HTTP', request: Buffer.from('hello there\r\n\r\n'), status: 400, reason: /malformed/ },
  { name: 'no Host header', request: httpRequest('GET', '/healthz', { host: null }), status: 400, reason: /Host/ },
  { name: 'headers over 16 KB', request: httpRequest('GET', '/healthz', { headers: { 'X-Big': 'a'.repeat(20_000) } }), status: 431, reason: /too large/ },
  { name: 'a control character in a header', request: Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n', 'latin1'), status: 400, reason: /malformed/ },
  { name: 'Content-Length and Transfer-Encoding together', request: httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Content-Length': '2', 'Transfer-Encoding': 'chunked' }, body: '0\r\n\r\n' }), status: 400, reason: /malformed/ },
  { name: 'a negative Content-Length', request: httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Content-Length': '-1' } }), status: 400, reason: /malformed/ },
  { name: 'a broken chunked body', request: httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: 'zz\r\n{}\r\n0\r\n\r\n' }), status: 400, reason: /malformed/ },

  // /api/messages: encodings, types, sizes, JSON.
  { name: 'a gzip body (190 KB that inflates to 200 MB)', request: () => messages(gzipSync(Buffer.alloc(200 * 1024 * 1024, 32)), { 'Content-Encoding': 'gzip' }), status: 415, reason: /uncompressed/ },
  { name: 'a deflate body', request: messages(json(activity()), { 'Content-Encoding': 'deflate' }), status: 415, reason: /uncompressed/ },
  { name: 'an unknown Content-Encoding', request: messages(json(activity()), { 'Content-Encoding': 'x-evil\u00ff' }), status: 415, reason: /uncompressed/ },
  { name: 'text/plain', request: messages(json(activity()), { 'Content-Type': 'text/plain' }), status: 415, reason: /JSON/ },
  { name: 'JSON in Latin-1', request: messages(json(activity()), { 'Content-Type': 'application/json; charset=latin1' }), status: 415, reason: /UTF-8/ },
  { name: 'multipart', request: messages('--x\r\n\r\n--x--', { 'Content-Type': 'multipart/form-data; boundary=x' }), status: 415 },
  { name: 'no Content-Type', request: httpRequest('POST', '/api/messages', { body: json(activity()) }), status: 415 },
  { name: 'a declared 10 MB body (refused before it is sent)', request: httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Content-Length': String(10 * 1024 * 1024) }, body: '{' }), status: 413, reason: /larger than/ },
  { name: 'a chunked body over the limit', request: httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: `40000\r\n${'a'.repeat(0x40000)}\r\n40000\r\n${'a'.repeat(0x40000)}\r\n0\r\n\r\n` }), status: 413, reason: /larger than/ },
  { name: 'an empty body', request: messages(''), status: 400, reason: /empty/ },
  { name: 'malformed JSON', request: messages('{"type": "message", '), status: 400, reason: /malformed JSON/ },
  { name: 'invalid UTF-8', request: messages(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), status: 400, reason: /UTF-8/ },
  { name: 'JSON nested 100 000 deep', request: messages(deepText(100_000)), status: 400, reason: /nested deeper/ },
  { name: 'deep JSON inside from', request: messages(withDeep(activity({ from: { id: 'a', x: '__DEEP__' } }), 5000)), status: 400, reason: /nested deeper/ },
  { name: 'deep JSON inside conversation', request: messages(withDeep(activity({ conversation: { id: 'c', x: '__DEEP__' } }), 5000)), status: 400, reason: /nested deeper/ },
  { name: 'deep JSON inside channelData', request: messages(activity({ channelData: deep(200) })), status: 400, reason: /nested deeper/ },
  { name: 'a JSON array', request: messages('[1,2,3]'), status: 400, reason: /object/ },
  { name: 'a JSON number', request: messages('42'), status: 400, reason: /object/ },
  { name: 'membersAdded: "x"', request: messages(activity({ type: 'conversationUpdate', membersAdded: 'x' })), status: 400, reason: /membersAdded/ },
  { name: 'membersAdded: [null]', request: messages(activity({ type: 'conversationUpdate', membersAdded: [null] })), status: 400, reason: /membersAdded/ },
  { name: 'membersRemoved: {}', request: messages(activity({ type: 'conversationUpdate', membersRemoved: {} })), status: 400, reason: /membersRemoved/ },
  { name: 'reactionsAdded: [1]', request: messages(activity({ type: 'messageReaction', reactionsAdded: [1] })), status: 400, reason: /reactionsAdded/ },
  { name: 'entities: "x"', request: messages(activity({ entities: 'x' })), status: 400, reason: /entities/ },
  { name: 'an entity without a type', request: messages(activity({ entities: [{}] })), status: 400, reason: /entities/ },
  { name: 'a mention without who', request: messages(activity({ channelId: 'msteams', conversation: { id: 'c', conversationType: 'channel' }, entities: [{ type: 'mention', text: '<at>bot</at>' }] })), status: 400, reason: /mention/ },
  { name: 'attachments: "x"', request: messages(activity({ attachments: 'x' })), status: 400, reason: /attachments/ },
  { name: 'an attachment without a contentType', request: messages(activity({ attachments: [{ content: 1 }] })), status: 400, reason: /contentType/ },
  { name: 'channelData: "x"', request: messages(activity({ channelData: 'x' })), status: 400, reason: /channelData/ },
  { name: 'channelData: []', request: messages(activity({ channelData: [] })), status: 400, reason: /channelData/ },
  { name: 'text: 42', request: messages(activity({ text: 42 })), status: 400, reason: /text/ },
  { name: 'locale: {}', request: messages(activity({ locale: {} })), status: 400, reason: /locale/ },
  { name: 'from: "x"', request: messages(activity({ from: 'x' })), status: 400, reason: /from/ },
  { name: 'from.id: 5', request: messages(activity({ from: { id: 5 } })), status: 400, reason: /from\.id/ },
  { name: 'conversation.isGroup: "yes"', request: messages(activity({ conversation: { id: 'c', isGroup: 'yes' } })), status: 400, reason: /isGroup/ },
  { name: 'a conversation id of 2000 characters', request: messages(activity({ conversation: { id: 'c'.repeat(2000) } })), status: 400, reason: /conversation\.id/ },
  { name: 'a conversation id with a NUL', request: messages(activity({ conversation: { id: 'a\u0000b' } })), status: 400, reason: /control/ },
  { name: 'a conversation id of ".."', request: messages(activity({ conversation: { id: '..' } })), status: 400, reason: /dots/ },
  { name: 'replyToId: {}', request: messages(activity({ replyToId: {} })), status: 400, reason: /replyToId/ },
  { name: 'type: 7', request: messages(activity({ type: 7 })), status: 400, reason: /type/ },
  { name: 'composeExtension/query with value null', request: messages(activity({ type: 'invoke', name: 'composeExtension/query', channelId: 'msteams', value: null })), status: 400, reason: /value/ },
  { name: 'composeExtension/query with parameters "x"', request: messages(activity({ type: 'invoke', name: 'composeExtension/query', channelId: 'msteams', value: { parameters: 'x' } })), status: 400, reason: /parameters/ },
  { name: 'an invoke the bot does not handle', request: messages(activity({ type: 'invoke', name: 'adaptiveCard/action', channelId: 'msteams', value: {} })), status: 400, reason: /invoke/ },
  { name: 'an invoke without a name', request: messages(activity({ type: 'invoke', channelId: 'msteams' })), status: 400, reason: /invoke/ },
  { name: 'a Teams message edit without channelData', request: messages(activity({ type: 'messageUpdate', channelId: 'msteams' })), status: 400, reason: /channelData/ },
  { name: 'a serviceUrl that is not http', request: messages(activity({ deliveryMode: undefined, serviceUrl: 'file:///etc/passwd' })), status: 400, reason: /serviceUrl/ },
  { name: 'a serviceUrl off the allowlist', request: messages(activity({ deliveryMode: undefined, serviceUrl: 'http://169.254.169.254/latest/' })), status: 400, reason: /SERVICE_URL_ALLOWLIST/ },
  { name: 'a serviceUrl with a query', request: () => messages(activity({ deliveryMode: undefined, serviceUrl: `${receiver.serviceUrl}/?x=1` })), status: 400, reason: /query/ },
  { name: "the bot's own Direct Line serviceUrl", request: messages(activity({ channelId: 'webchat', deliveryMode: undefined, serviceUrl: 'https://directline.local.invalid/' })), status: 400, reason: /Direct Line/ },

  // The widget's token endpoints.
  { name: 'token: a page from another origin', request: post('/api/webchat/token', '{}', { Origin: 'https://evil.example' }), status: 403, reason: /may not use/ },
  { name: 'token: preflight from another origin', request: httpRequest('OPTIONS', '/api/webchat/token', { headers: { Origin: 'https://evil.example' } }), status: 403, reason: /may not use/ },
  { name: 'token: malformed JSON', request: post('/api/webchat/token', '{"resume":'), status: 400, reason: /JSON/ },
  { name: 'token: JSON nested 4000 deep', request: post('/api/webchat/token', deepText(4000)), status: 400, reason: /nested deeper/ },
  { name: 'token: a gzip body', request: post('/api/webchat/token', gzipSync('{}'), { 'Content-Encoding': 'gzip' }), status: 415, reason: /uncompressed/ },
  { name: 'token: 9 KB', request: post('/api/webchat/token', json({ resume: 'x'.repeat(9000) })), status: 413, reason: /larger than/ },
  { name: 'token: resume is a number', request: post('/api/webchat/token', json({ resume: 5 })), status: 400, reason: /resume/ },
  { name: 'token: fresh is a string', request: post('/api/webchat/token', json({ fresh: 'yes' })), status: 400, reason: /fresh/ },
  { name: 'unread: no resume', request: post('/api/webchat/unread', '{}'), status: 400, reason: /resume/ },
  { name: 'unread: an array', request: post('/api/webchat/unread', '[]'), status: 400, reason: /object/ },
  { name: 'unread: invalid UTF-8', request: post('/api/webchat/unread', Buffer.from([0x22, 0xc3, 0x28, 0x22])), status: 400, reason: /UTF-8/ },

  // The bot's own Direct Line.
  { name: 'Direct Line preflight from another origin', request: httpRequest('OPTIONS', '/v3/directline/conversations', { headers: { Origin: 'https://evil.example' } }), status: 403, reason: /may not use/ },
  { name: 'start without a token', request: httpRequest('POST', '/v3/directline/conversations'), status: 403, reason: /token/ },
  { name: 'start with a Basic token', request: httpRequest('POST', '/v3/directline/conversations', { headers: { Authorization: 'Basic YTpi' } }), status: 403, reason: /token/ },
  { name: 'start with a forged token', request: httpRequest('POST', '/v3/directline/conversations', { headers: { Authorization: `Bearer ${token.slice(0, -3)}abc` } }), status: 403, reason: /not valid/ },
  { name: 'start with an expired token', request: httpRequest('POST', '/v3/directline/conversations', { headers: { Authorization: `Bearer ${expired}` } }), status: 403, reason: /expired/ },
  { name: 'start with a resume proof as token', request: httpRequest('POST', '/v3/directline/conversations', { headers: { Authorization: `Bearer ${resume}` } }), status: 403, reason: /not valid/ },
  { name: 'start with an 8 KB token', request: httpRequest('POST', '/v3/directline/conversations', { headers: { Authorization: `Bearer ${'a.'.repeat(4000)}` } }), status: 403 },
  { name: 'reconnect to another conversation', request: dlGet(`/conversations/${CONV}`, { Authorization: `Bearer ${otherToken}` }), status: 403, reason: /conversation/ },
  { name: 'activities of another conversation', request: dlGet(`/conversations/${CONV}/activities?watermark=-1`, { Authorization: `Bearer ${otherToken}` }), status: 403 },
  { name: 'post without a token (body not read)', request: post(`/v3/directline/conversations/${CONV}/activities`, '{'.repeat(10)), status: 403, reason: /token/ },
  { name: 'post: malformed JSON', request: dlPost('{"type":'), status: 400, reason: /malformed JSON/ },
  { name: 'post: a gzip body', request: dlPost(gzipSync(json({ type: 'message', text: 'hi' })), { 'Content-Encoding': 'gzip' }), status: 415, reason: /uncompressed/ },
  { name: 'post: text/plain', request: dlPost(json({ type: 'message', text: 'hi' }), { 'Content-Type': 'text/plain' }), status: 415 },
  { name: 'post: 300 KB', request: dlPost(json({ type: 'message', text: 'x'.repeat(300 * 1024) })), status: 413, reason: /larger than/ },
  { name: 'post: 40 KB of text', request: dlPost(json({ type: 'message', text: 'x'.repeat(40 * 1024) })), status: 413, reason: /KB/ },
  { name: 'post: deep value', request: dlPost(withDeep({ type: 'message', text: 'hi', value: '__DEEP__' }, 5000)), status: 400, reason: /nested deeper/ },
  { name: 'post: deep channelData', request: dlPost(withDeep({ type: 'message', text: 'hi', channelData: { x: '__DEEP__' } }, 5000)), status: 400, reason: /nested deeper/ },
  { name: 'post: an invoke', request: dlPost(json({ type: 'invoke', name: 'composeExtension/query', value: null })), status: 400, reason: /type/ },
  { name: 'post: an event without a name', request: dlPost(json({ type: 'event' })), status: 400, reason: /name/ },
  { name: 'post: text 42', request: dlPost(json({ type: 'message', text: 42 })), status: 400, reason: /text/ },
  { name: 'post: entities [1]', request: dlPost(json({ type: 'message', text: 'hi', entities: [1] })), status: 400, reason: /entities/ },
  { name: 'post: an attachment', request: dlPost(json({ type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'http://169.254.169.254/' }] })), status: 400, reason: /attachments/ },
  { name: 'post: a JSON string', request: dlPost('"hello"'), status: 400, reason: /object/ },
  { name: 'upload', request: httpRequest('POST', `/v3/directline/conversations/${CONV}/upload`, { headers: { Authorization: `Bearer ${token}` }, body: 'x' }), status: 400, reason: /upload/ },
  { name: 'refresh without a token', request: httpRequest('POST', '/v3/directline/tokens/refresh'), status: 403, reason: /token/ },

  // WebSocket upgrades.
  { name: 'upgrade: /v3/directline/conversations/%/stream', request: upgradeRequest('/v3/directline/conversations/%/stream'), status: 400, reason: /percent-encoding/ },
  { name: 'upgrade: //[/stream', request: upgradeRequest('//[/stream'), status: 404, reason: /stream/ },
  { name: 'upgrade: an invalid UTF-8 escape', request: upgradeRequest(`/v3/directline/conversations/%E0%A4%A/stream?t=${token}`), status: 400, reason: /percent-encoding/ },
  { name: 'upgrade: a broken escape in the token', request: upgradeRequest('/v3/directline/conversations/abc/stream?t=%zz'), status: 403, reason: /token/ },
  { name: 'upgrade: a target that is not a path', request: upgradeRequest('*'), status: 400, reason: /path/ },
  { name: 'upgrade: absolute-form with a bad host', request: upgradeRequest('http://[/v3/directline/conversations/a/stream'), status: 403, reason: /token/ },
  { name: 'upgrade: no token', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream`), status: 403, reason: /token/ },
  { name: "upgrade: another conversation's token", request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${otherToken}`), status: 403, reason: /conversation/ },
  { name: 'upgrade: an expired token', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${expired}`), status: 403, reason: /expired/ },
  { name: 'upgrade: from another origin', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${token}`, { Origin: 'https://evil.example' }), status: 403, reason: /may not use/ },
  { name: 'upgrade: POST', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${token}`, {}, 'POST'), status: 405, reason: /GET/ },
  { name: 'upgrade: no Sec-WebSocket-Key', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${token}`, { 'Sec-WebSocket-Key': '' }), status: 400, reason: /Sec-WebSocket-Key/ },
  { name: 'upgrade: Upgrade: h2c', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${token}`, { Upgrade: 'h2c' }), status: 400, reason: /Upgrade/ },
  { name: 'upgrade: an unsupported WebSocket version', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${token}`, { 'Sec-WebSocket-Version': '99' }), status: 400, reason: /version/i },
  { name: 'upgrade: on /api/messages', request: upgradeRequest('/api/messages'), status: 404, reason: /stream/ },
  { name: 'upgrade: a 20 KB URL', request: upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${'a'.repeat(20_000)}`), status: 431, reason: /too large/ },
];

let partners = 0;

/**
 * GET /healthz answers and a partner's question gets its answer: the bot is up and working. Each check
 * is a different partner, as other partners would be while the attack goes on (one partner asking this
 * often would be over the fair-use limit).
 */
async function answersAPartner(): Promise<void> {
  expect(bot.child.exitCode).toBeNull();
  const health = await fetch(`${bot.url}/healthz`);
  expect(health.status).toBe(200);
  partners += 1;
  const partner = { conversation: { id: `a-partner-${partners}` }, from: { id: `partner-${partners}` } };
  const res = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json(activity(partner)) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { activities: { text?: string }[] };
  expect(body.activities[0]?.text).toMatch(/July 2011/);
}

function expectRefused(res: RawResponse, c: Case): void {
  const [low, high] = typeof c.status === 'number' ? [c.status, c.status] : c.status;
  expect({ case: c.name, status: res.status }).toEqual({ case: c.name, status: expect.any(Number) });
  if (res.status < low || res.status > high) throw new Error(`${c.name}: expected ${String(c.status)}, got ${res.status}: ${res.body.slice(0, 300)}`);
  expect(res.reason.length).toBeGreaterThan(0);
  expect(res.reason).not.toMatch(/\n/);
  if (c.reason) expect(res.reason).toMatch(c.reason);
}

describe('hostile input at every route of a running bot', () => {
  beforeAll(async () => {
    receiver = await startReceiver();
    bot = await spawnBot({ WEBCHAT_TOKEN_SECRET: KEY, WEBCHAT_ALLOWED_ORIGINS: PORTAL, STORAGE: 'memory', SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' });
    // The conversation the Direct Line cases post to exists (and is the token's user's).
    const start = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(start.status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    bot.child.kill('SIGTERM');
    await bot.exited();
    await receiver.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s: a 4xx with a reason, and the bot still answers', async (_name, c) => {
    const request = typeof c.request === 'function' ? c.request() : c.request;
    const res = await rawRequest(bot.url, request);
    expectRefused(res, c);
    await answersAPartner();
  });

  it('survives clients that reset the connection mid-request or mid-upgrade', async () => {
    const resets = [
      upgradeRequest('/v3/directline/conversations/%/stream'),
      upgradeRequest(`/v3/directline/conversations/${CONV}/stream?t=${token}`),
      httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Content-Length': '100000' }, body: '{"type":' }),
      httpRequest('POST', `/v3/directline/conversations/${CONV}/activities`, { headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'Content-Length': '5000' }, body: '{' }),
    ];
    for (let round = 0; round < 5; round += 1) await Promise.all(resets.map((r) => rawRequest(bot.url, r, { hangUp: true })));
    await answersAPartner();
  });

  it('refuses an oversized body from its Content-Length without waiting for it', async () => {
    // Headers announce 50 MB; only a few bytes follow and the connection stays open.
    const res = await rawRequest(bot.url, httpRequest('POST', '/api/messages', { headers: { 'Content-Type': 'application/json', 'Content-Length': String(50 * 1024 * 1024), Connection: 'keep-alive' }, body: '{"type":"message"' }), { timeoutMs: 3000 });
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
  });

  it('logged no turn errors and no failed requests for any of it', () => {
    const failures = bot.logs.filter((l) => ['turn error', 'turn failed', 'request failed'].includes(String(l.msg)) || Number(l.level) >= 50);
    expect(failures).toEqual([]);
    expect(bot.stderr()).not.toMatch(/Error|at .*\.js:\d+/);
  });
});

describe('hostile input at a running bot with an app id', () => {
  const APP_ID = '11111111-2222-3333-4444-555555555555';
  const published = newSigningKey('bf-1', ['msteams', 'emulator']);
  const foreign = newSigningKey('bf-1');
  const claims = () => ({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/teams/', exp: Math.floor(Date.now() / 1000) + 600 });
  const b64 = (v: unknown) => Buffer.from(json(v)).toString('base64url');
  let appBot: BotProcess;
  let keys: FakeOpenId;
  beforeAll(async () => {
    keys = await startFakeOpenId([published]);
    appBot = await spawnBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', ToBotFromChannelOpenIdMetadataUrl: keys.metadataUrl, WEBCHAT_TOKEN_SECRET: KEY, STORAGE: 'memory' });
  }, 30_000);
  afterAll(async () => {
    appBot.child.kill('SIGTERM');
    await appBot.exited();
    await keys.close();
  });

  const teamsMessage = json(activity({ channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/teams/' }));
  const withAuth = (authorization: string) => messages(teamsMessage, { Authorization: authorization });
  const cases: Case[] = [
    { name: 'upgrade: /v3/directline/conversations/%/stream', request: upgradeRequest('/v3/directline/conversations/%/stream'), status: 400 },
    { name: 'upgrade: //[/stream', request: upgradeRequest('//[/stream'), status: 404 },
    { name: 'upgrade: an invalid percent-escape', request: upgradeRequest('/v3/directline/conversations/%C0%AF%/stream'), status: 400 },
    { name: 'no token', request: messages(teamsMessage), status: 401, reason: /required/ },
    { name: 'alg none', request: withAuth(`Bearer ${b64({ alg: 'none', kid: 'bf-1' })}.${b64(claims())}.eA`), status: 401, reason: /none/ },
    { name: 'a foreign RSA key', request: withAuth(`Bearer ${signToken(foreign, claims())}`), status: 401, reason: /invalid signature/ },
    { name: 'a malformed token', request: withAuth('Bearer eyJ.eyJ.eyJ'), status: 401, reason: /malformed/ },
    { name: 'an expired token', request: withAuth(`Bearer ${signToken(published, { ...claims(), exp: 1 })}`), status: 401, reason: /expired/ },
    { name: 'a wrong audience', request: withAuth(`Bearer ${signToken(published, { ...claims(), aud: 'someone-else' })}`), status: 401, reason: /not for this bot/ },
    { name: 'a wrong issuer', request: withAuth(`Bearer ${signToken(published, { ...claims(), iss: 'https://login.evil.example' })}`), status: 401, reason: /not issued/ },
    { name: 'a forged token with a gzip bomb behind it', request: () => messages(gzipSync(Buffer.alloc(50 * 1024 * 1024, 32)), { 'Content-Encoding': 'gzip', Authorization: `Bearer ${signToken(foreign, claims())}` }), status: [401, 415] },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s: a 4xx with a reason, and the process lives', async (_name, c) => {
    const res = await rawRequest(appBot.url, typeof c.request === 'function' ? c.request() : c.request);
    expectRefused(res, c);
    expect(appBot.child.exitCode).toBeNull();
    expect((await fetch(`${appBot.url}/healthz`)).status).toBe(200);
  });

  it('answers a real token after all of it', async () => {
    const res = await fetch(`${appBot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${signToken(published, claims())}` }, body: teamsMessage });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/July 2011/);
    expect(appBot.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });
});

/** A small seeded generator (mulberry32), so a failure can be replayed with its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = [
  'type', 'id', 'channelId', 'serviceUrl', 'conversation', 'conversation.id', 'conversation.isGroup', 'conversation.conversationType', 'from', 'from.id', 'from.name',
  'recipient', 'recipient.id', 'text', 'locale', 'textFormat', 'deliveryMode', 'replyToId', 'name', 'value', 'value.parameters', 'value.feedback', 'value.questionId',
  'value.staffAction', 'value.ticketId', 'value.ask', 'channelData', 'channelData.channel', 'channelData.tenant', 'channelData.eventType', 'entities', 'attachments',
  'membersAdded', 'membersRemoved', 'reactionsAdded', 'action', 'timestamp', 'suggestedActions', 'relatesTo', 'listenFor',
];
const TYPES = ['message', 'conversationUpdate', 'installationUpdate', 'invoke', 'event', 'typing', 'endOfConversation', 'messageReaction', 'messageUpdate', 'messageDelete', 'trace', 'handoff', 'command', 'x'];

function junk(rnd: () => number, depth = 0): unknown {
  const pick = Math.floor(rnd() * 16);
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(rnd() * 2 ** 40) - 2 ** 39;
    case 2: return rnd() < 0.5;
    case 3: return '';
    case 4: return 'x'.repeat(Math.floor(rnd() * 3000));
    case 5: return '\u0000\u202e<at>bot</at>../..%00';
    case 6: return TYPES[Math.floor(rnd() * TYPES.length)];
    case 7: return ['composeExtension/query', 'adaptiveCard/action', 'task/fetch', 'signin/verifyState', 'tokens/response', 'add', 'remove', 'expectReplies'][Math.floor(rnd() * 8)];
    case 8: return [];
    case 9: return {};
    case 10: return depth > 3 ? 1 : [junk(rnd, depth + 1), junk(rnd, depth + 1)];
    case 11: return depth > 3 ? 1 : { id: junk(rnd, depth + 1), type: junk(rnd, depth + 1), name: junk(rnd, depth + 1), text: junk(rnd, depth + 1) };
    case 12: return depth > 3 ? 1 : [{ type: 'mention', text: '<at>bot</at>', mentioned: { id: junk(rnd, depth + 1) } }];
    case 13: return depth > 3 ? 1 : [{ id: 'partner-x', name: junk(rnd, depth + 1) }, { id: 'bot' }];
    case 14: return deep(Math.floor(rnd() * 120));
    default: return depth > 3 ? 1 : { parameters: [{ name: 'query', value: junk(rnd, depth + 1) }], feedback: 'helpful', questionId: junk(rnd, depth + 1) };
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null || Array.isArray(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function mutate(rnd: () => number, base: Record<string, unknown>): Record<string, unknown> {
  const a = structuredClone(base);
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i += 1) {
    const field = FIELDS[Math.floor(rnd() * FIELDS.length)] ?? 'text';
    setPath(a, field, rnd() < 0.15 ? undefined : junk(rnd));
  }
  return a;
}

describe('random mutations of valid activities (seeded)', () => {
  const SEED = 20261128;
  let fuzzBot: BotProcess;
  let teamsChannel: Receiver;
  beforeAll(async () => {
    teamsChannel = await startReceiver();
    fuzzBot = await spawnBot({ WEBCHAT_TOKEN_SECRET: KEY, STORAGE: 'memory', SUPPORT_HOURS: 'Mon-Sun 00:00-24:00' });
    const start = await fetch(`${fuzzBot.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(start.status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    fuzzBot.child.kill('SIGTERM');
    await fuzzBot.exited();
    await teamsChannel.close();
  });

  it('300 mutated activities on /api/messages and 100 on Direct Line: never a 5xx, never a turn error, the bot keeps answering', async () => {
    const rnd = random(SEED);
    const channelBase = (i: number): Record<string, unknown> => ({
      type: 'message',
      id: `f-${i}`,
      channelId: rnd() < 0.5 ? 'msteams' : 'emulator',
      serviceUrl: teamsChannel.serviceUrl,
      deliveryMode: rnd() < 0.5 ? 'expectReplies' : undefined,
      conversation: { id: `fuzz-${i % 7}`, conversationType: rnd() < 0.3 ? 'channel' : 'personal', tenantId: 't' },
      from: { id: `partner-${i % 3}`, name: 'Fuzz' },
      recipient: { id: 'bot', name: 'Bot' },
      text: ['when is WPC?', 'talk to a person', 'yes', 'cancel', 'status of PS-10001', ''][i % 6],
      channelData: { tenant: { id: 't' } },
    });
    const seen = new Map<number, number>();
    for (let i = 0; i < 300; i += 1) {
      const body = mutate(rnd, channelBase(i));
      const res = await fetch(`${fuzzBot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json(body) });
      await res.arrayBuffer();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`seed ${SEED}, case ${i}: ${res.status} for ${json(body).slice(0, 500)}`);
    }
    for (let i = 0; i < 100; i += 1) {
      const body = mutate(rnd, { type: 'message', text: 'what is BPOS?', channelData: { clientActivityID: `c${i}` } });
      const res = await fetch(`${fuzzBot.url}/v3/directline/conversations/${CONV}/activities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: json(body),
      });
      await res.arrayBuffer();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`seed ${SEED}, Direct Line case ${i}: ${res.status} for ${json(body).slice(0, 500)}`);
    }
    // The loop reached turns (200) as well as refusals (400), not only one of them.
    expect(seen.get(200)).toBeGreaterThan(50);
    expect(seen.get(400)).toBeGreaterThan(50);
    expect(fuzzBot.logs.filter((l) => ['turn error', 'turn failed', 'request failed'].includes(String(l.msg)))).toEqual([]);
    expect(fuzzBot.child.exitCode).toBeNull();
    const res = await fetch(`${fuzzBot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json(activity({ conversation: { id: 'after-fuzz' } })) });
    expect(((await res.json()) as { activities: { text?: string }[] }).activities[0]?.text).toMatch(/July 2011/);
  }, 120_000);
});
