import type { IncomingMessage } from 'node:http';

/** How deeply a JSON body may nest objects and arrays. Activities from real channels stay far below. */
export const MAX_JSON_DEPTH = 64;

export interface BodyLimits {
  /** Largest body accepted, in bytes as received (compressed bodies are refused, so also as parsed). */
  readonly maxBytes: number;
  readonly maxDepth?: number;
  /** Refuse (415) a Content-Type other than JSON. Without it any type is read as JSON text. */
  readonly requireJson?: boolean;
  /** An empty body reads as `undefined` instead of being refused. */
  readonly allowEmpty?: boolean;
}

export interface BodyProblem {
  readonly ok: false;
  readonly status: 400 | 413 | 415;
  readonly code: string;
  /** One line, safe to show to the caller. */
  readonly message: string;
  /** The body was not read to its end: answer with `Connection: close` so nobody waits for the rest. */
  readonly unread: boolean;
}

export type BodyResult = { readonly ok: true; readonly value: unknown } | BodyProblem;

const problem = (status: BodyProblem['status'], code: string, message: string, unread: boolean): BodyProblem => ({ ok: false, status, code, message, unread });

/** A header value as one short printable line, for messages that quote it. */
export function quoteHeader(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

/**
 * Checks the headers of a request whose body is about to be read: a compressed body (any
 * Content-Encoding but identity) is refused, so what is counted against the limit is what gets parsed
 * and a small gzip body can never inflate to megabytes; a declared length over the limit is refused
 * before a byte of it is read. Undefined when the body may be read.
 */
export function checkBodyHeaders(req: IncomingMessage, limits: BodyLimits): BodyProblem | undefined {
  const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    return problem(415, 'UnsupportedContentEncoding', `compressed request bodies (Content-Encoding: ${quoteHeader(encoding)}) are not accepted; send the body uncompressed`, true);
  }
  if (limits.requireJson) {
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    const [media = '', ...params] = type.split(';').map((p) => p.trim());
    if (!/^application\/(?:[\w.+-]+\+)?json$/.test(media)) {
      return problem(415, 'UnsupportedMediaType', 'send the activity as JSON (Content-Type: application/json)', true);
    }
    const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return problem(415, 'UnsupportedMediaType', `JSON must be UTF-8 (got charset ${quoteHeader(charset)})`, true);
    }
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    return problem(413, 'PayloadTooLarge', `the body is larger than ${limits.maxBytes} bytes`, true);
  }
  return undefined;
}

/**
 * Reads and parses a JSON request body within `limits`: at most `maxBytes` (reading stops at the
 * limit), valid UTF-8, nested at most `maxDepth` deep (deeper JSON would overflow the stack of
 * whatever walks it later: JSON.stringify, structured clone, the SDK), and well-formed. Every refusal
 * is a 4xx with a one-line reason. Written here rather than with restify's bodyReader, which inflates
 * gzip bodies without a bound and keeps reading past its limit.
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyResult> {
  const headers = checkBodyHeaders(req, limits);
  if (headers) return headers;
  const raw = await readBytes(req, limits.maxBytes);
  if (!Buffer.isBuffer(raw)) return raw;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return problem(400, 'BadRequest', 'the body is not valid UTF-8', false);
  }
  if (text.trim() === '') {
    return limits.allowEmpty ? { ok: true, value: undefined } : problem(400, 'BadRequest', 'the body is empty; send a JSON object', false);
  }
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  if (nestedDeeperThan(text, maxDepth)) return problem(400, 'BadRequest', `the JSON is nested deeper than ${maxDepth} levels`, false);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return problem(400, 'BadRequest', `malformed JSON: ${(err as Error).message.split('\n')[0] ?? ''}`.slice(0, 200), false);
  }
}

/** The body's bytes, or a problem once more than `maxBytes` arrived (the rest is left unread). */
function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer | BodyProblem> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | BodyProblem) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('aborted', onAborted);
      req.removeListener('close', onAborted);
      req.removeListener('error', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        finish(problem(413, 'PayloadTooLarge', `the body is larger than ${maxBytes} bytes`, true));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks, size));
    const onAborted = () => finish(problem(400, 'BadRequest', 'the request body ended early', true));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', onAborted);
    req.once('close', onAborted);
    req.once('error', onAborted);
    if (req.readableEnded) onEnd();
    else req.resume();
  });
}

/**
 * Whether JSON text nests objects and arrays deeper than `max`, found in one pass without parsing
 * (so without recursion); strings are skipped, escapes included.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}
