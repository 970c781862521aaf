import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenSigner } from '../../src/channel/directLine/tokens';

export interface FakeAzure {
  readonly url: string;
  readonly calls: { method: string; path: string; authorization: string | undefined }[];
  /** Where the Direct Line protocol calls go (a bot serving its own Direct Line, standing in for Azure's). */
  setDirectLine(url: string): void;
  close(): Promise<void>;
}

/**
 * Azure Bot Service's Direct Line, locally: the token API (which takes the secret) is faked here; the
 * protocol calls are passed to a bot that serves Direct Line itself, whose tokens this fake signs.
 */
export async function startFakeAzureDirectLine(o: { secret: string; signingKey: string }): Promise<FakeAzure> {
  const signer = new TokenSigner(o.signingKey);
  const users = new Map<string, string>();
  const calls: FakeAzure['calls'] = [];
  let directLine = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      calls.push({ method: req.method ?? '', path: url, authorization: req.headers.authorization });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const withSecret = req.headers.authorization === `Bearer ${o.secret}`;
      if (req.method === 'POST' && url === '/v3/directline/tokens/generate') {
        if (!withSecret) return json(403, { error: { code: 'BadArgument' } });
        const user = (JSON.parse(body.toString('utf8')) as { user: { id: string } }).user.id;
        const conv = randomBytes(12).toString('base64url');
        users.set(conv, user);
        return json(200, { conversationId: conv, token: signer.sign('dl', user, conv, 3600).token, expires_in: 3600 });
      }
      const resume = /^\/v3\/directline\/conversations\/([^/?]+)/.exec(url);
      if (withSecret && req.method === 'GET' && resume) {
        const conv = decodeURIComponent(resume[1] ?? '');
        const user = users.get(conv);
        if (!user) return json(404, { error: { code: 'BadArgument' } });
        return json(200, { conversationId: conv, token: signer.sign('dl', user, conv, 3600).token, expires_in: 3600 });
      }
      // Everything else is the Direct Line protocol itself.
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'origin', 'access-control-request-method', 'access-control-request-headers']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      fetch(`${directLine}${url}`, { method: req.method ?? 'GET', headers, ...(body.length > 0 ? { body } : {}) }).then(
        async (upstream) => {
          const out: Record<string, string> = {};
          upstream.headers.forEach((v, k) => {
            if (k === 'content-type' || k.startsWith('access-control-') || k === 'vary') out[k] = v;
          });
          res.writeHead(upstream.status, out);
          res.end(Buffer.from(await upstream.arrayBuffer()));
        },
        () => json(502, { error: { code: 'BadGateway' } }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    setDirectLine: (url) => (directLine = url),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
