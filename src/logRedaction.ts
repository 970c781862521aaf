/**
 * What request logs may show of a URL or an error message: never a token, a resume proof or a
 * secret, and conversation ids only hashed. Used by the logger's serializers (`src/log.ts`), so every
 * log line's `url`, `reason` and `err` go through it whoever writes them.
 */

/** Query parameters whose values are never secret; every other value is logged as `[redacted]`. */
const SAFE_PARAMS = new Set(['watermark', 'v']);
/** A JWT or anything shaped like one (the bot's own tokens, Bot Framework and Direct Line tokens). */
const JWT = /eyJ[\w-]*(?:\.[\w-]*){1,2}/g;
/** `name=value` of a query string inside free text. */
const QUERY_PAIR = /([?&][^=&#\s]{1,64}=)[^&#\s]*/g;
/** Longest URL written to a log. */
const MAX_URL = 512;

/**
 * The URL with every query value replaced by `[redacted]` (except `watermark` and `v`), each path
 * segment after `conversations` replaced by `hashId(segment)`, and anything shaped like a token
 * removed. Never throws, whatever the URL.
 */
export function redactUrl(url: unknown, hashId: (id: string) => string): string {
  if (typeof url !== 'string') return '';
  // Tokens go first, so that cutting a long URL short cannot leave part of one behind.
  const scrubbed = url.replace(JWT, '[token]');
  const cut = scrubbed.length > MAX_URL ? `${scrubbed.slice(0, MAX_URL)}…` : scrubbed;
  const q = cut.search(/[?#]/);
  const path = q < 0 ? cut : cut.slice(0, q);
  const rest = q < 0 ? '' : cut.slice(q);
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i += 1) {
    if (segments[i - 1] === 'conversations' && segments[i] !== '') segments[i] = `~${hashId(decode(segments[i] ?? ''))}`;
  }
  const query = rest.replace(/#.*$/, '').replace(/([?&])([^=&]*)(=?)([^&]*)/g, (_all, sep: string, name: string, eq: string, value: string) =>
    eq && !(SAFE_PARAMS.has(name) && /^[\w.-]{0,40}$/.test(value)) ? `${sep}${name}=[redacted]` : `${sep}${name}${eq}${value}`,
  );
  return redactText(`${segments.join('/')}${query}`);
}

/**
 * Free text (an error message, a reason) with tokens and query-string values removed, and with
 * `hashId`, conversation ids in paths (`/conversations/<id>`) hashed.
 */
export function redactText(text: unknown, hashId?: (id: string) => string): string {
  if (typeof text !== 'string') return String(text);
  const scrubbed = text.replace(JWT, '[token]').replace(QUERY_PAIR, (all, name: string) => (/^[?&](watermark|v)=$/.test(name) ? all : `${name}[redacted]`));
  return hashId ? scrubbed.replace(/\/conversations\/(?!~)([^/\s?#]+)/g, (_all, id: string) => `/conversations/~${hashId(decode(id))}`) : scrubbed;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
