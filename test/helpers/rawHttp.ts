import net from 'node:net';

export interface RawResponse {
  /** 0 when the server closed the connection without a status line. */
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The reason the response gives: JSON `message` / `error.message`, or its text. */
  readonly reason: string;
}

/**
 * Sends bytes exactly as given (no client-side URL or header checks) to a server on loopback and reads
 * the first response. `hangUp`: reset the connection right after writing, without reading anything.
 */
export function rawRequest(baseUrl: string, request: string | Buffer, o: { timeoutMs?: number; hangUp?: boolean } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => done(() => (chunks.length ? resolve(parse(Buffer.concat(chunks))) : reject(new Error(`no response within ${o.timeoutMs ?? 5000} ms`)))), o.timeoutMs ?? 5000);
    socket.on('connect', () => {
      socket.write(request, () => {
        if (o.hangUp) {
          socket.resetAndDestroy();
          done(() => resolve({ status: 0, headers: {}, body: '', reason: '' }));
        }
      });
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const parsed = parse(Buffer.concat(chunks));
      if (parsed.complete) done(() => resolve(parsed));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(() => resolve(parse(Buffer.concat(chunks)))));
  });
}

function parse(data: Buffer): RawResponse & { complete: boolean } {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '', reason: '', complete: false };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const rawBody = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  let body: string;
  let complete: boolean;
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    complete = rawBody.length >= length;
    body = rawBody.subarray(0, length).toString('utf8');
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const decoded = dechunk(rawBody);
    complete = decoded.complete;
    body = decoded.body;
  } else {
    complete = false;
    body = rawBody.toString('utf8');
  }
  return { status, headers, body, reason: reasonOf(body), complete };
}

function dechunk(data: Buffer): { body: string; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const nl = data.indexOf('\r\n', at);
    if (nl < 0) return { body: Buffer.concat(parts).toString('utf8'), complete: false };
    const size = parseInt(data.subarray(at, nl).toString('latin1'), 16);
    if (Number.isNaN(size)) return { body: Buffer.concat(parts).toString('utf8'), complete: true };
    if (size === 0) return { body: Buffer.concat(parts).toString('utf8'), complete: true };
    parts.push(data.subarray(nl + 2, nl + 2 + size));
    at = nl + 2 + size + 2;
  }
}

function reasonOf(body: string): string {
  try {
    const json = JSON.parse(body) as { message?: unknown; error?: { message?: unknown } };
    const message = json.message ?? json.error?.message;
    return typeof message === 'string' ? message : '';
  } catch {
    return body.trim();
  }
}

/** An HTTP/1.1 request as text, with Host and (for a body) Content-Length unless given. */
export function httpRequest(method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer; host?: string | null } = {}): Buffer {
  const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
  const headers: Record<string, string> = {
    ...(o.host === null ? {} : { Host: o.host ?? 'localhost' }),
    ...(body !== undefined && !Object.keys(o.headers ?? {}).some((h) => /^(content-length|transfer-encoding)$/i.test(h)) ? { 'Content-Length': String(body.length) } : {}),
    Connection: 'close',
    ...o.headers,
  };
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)]);
}

/** A WebSocket upgrade request for `path`, with a valid handshake unless headers say otherwise. */
export function upgradeRequest(path: string, headers: Record<string, string> = {}, method = 'GET'): Buffer {
  return httpRequest(method, path, {
    headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
  });
}
