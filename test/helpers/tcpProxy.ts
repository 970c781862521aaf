import net from 'node:net';

/** How the proxy treats traffic: pass it on, swallow it (a service that never answers), or refuse connections. */
export type ProxyMode = 'pass' | 'hang' | 'refuse';

/** A loopback TCP proxy in front of a local service, to make that service hang or go away on demand. */
export interface TcpProxy {
  readonly port: number;
  /** Switches every connection, open or new, to `mode`. */
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

/**
 * Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>. In `hang` mode connections are accepted and
 * nothing more happens on them (bytes either way are dropped, nothing is closed), as with a storage
 * service whose host stopped answering; in `refuse` mode every connection, open or new, is reset.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | undefined }>();
  const server = net.createServer((client) => {
    if (mode === 'refuse') return void client.resetAndDestroy();
    const pair: { client: net.Socket; upstream: net.Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', drop);
    client.on('close', drop);
    if (mode === 'hang') return; // accepted, never answered
    const upstream = net.connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (mode === 'pass') upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'pass') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    setMode: (next) => {
      mode = next;
      if (next === 'refuse') for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream?.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** Azurite's connection string with its blob endpoint moved to `port` (a proxy in front of it). */
export function throughPort(connectionString: string, port: number): string {
  return connectionString.replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\//, `BlobEndpoint=http://127.0.0.1:${port}/`);
}
