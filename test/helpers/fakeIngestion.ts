import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One Application Insights telemetry item as the exporter sends it (the Breeze envelope). */
export interface Envelope {
  readonly name: string;
  readonly time?: string;
  readonly tags?: Record<string, string>;
  readonly data?: {
    readonly baseType?: string;
    readonly baseData?: {
      readonly name?: string;
      readonly properties?: Record<string, string>;
      readonly metrics?: { name: string; value: number; count?: number }[];
    };
  };
}

export interface FakeIngestion {
  /** The IngestionEndpoint to name in a connection string (https: the exporter uses nothing else). */
  readonly url: string;
  /** The endpoint's self-signed certificate, for the bot process's NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  readonly envelopes: Envelope[];
  /** The request paths it received (the exporter posts to /v2.1/track). */
  readonly paths: string[];
  /** When each request arrived (ms since the epoch). */
  readonly arrivals: number[];
  /** While true, requests are taken and never answered (an endpoint that hangs). */
  hanging: boolean;
  waitFor(match: (e: Envelope) => boolean, timeoutMs: number): Promise<Envelope>;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (openssl, as Debian ships it). */
function selfSigned(): { key: string; cert: string; caFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-ingestion-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore', timeout: 20_000 });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), caFile: cert };
}

/**
 * A loopback stand-in for Azure Monitor's ingestion endpoint (Breeze), over https with a self-signed
 * certificate (the exporter turns any http endpoint into https): accepts what the exporter posts
 * (JSON, gzipped or not) and keeps every envelope.
 */
export async function startFakeIngestion(): Promise<FakeIngestion> {
  const envelopes: Envelope[] = [];
  const paths: string[] = [];
  const arrivals: number[] = [];
  const tls = selfSigned();
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    arrivals.push(Date.now());
    if (fake.hanging) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      let raw = Buffer.concat(chunks);
      if (/gzip/i.test(String(req.headers['content-encoding'] ?? ''))) raw = gunzipSync(raw);
      const text = raw.toString('utf8').trim();
      let items: Envelope[];
      try {
        const parsed = JSON.parse(text) as Envelope | Envelope[];
        items = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        items = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Envelope);
      }
      envelopes.push(...items);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeIngestion = {
    hanging: false,
    arrivals,
    url: `https://127.0.0.1:${port}`,
    caFile: tls.caFile,
    envelopes,
    paths,
    waitFor: async (match, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = envelopes.find(match);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching telemetry within ${timeoutMs} ms; got ${envelopes.map((e) => `${e.data?.baseType}:${e.data?.baseData?.name ?? ''}`).join(', ') || 'nothing'}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
