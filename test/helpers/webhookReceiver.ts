import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookCall {
  readonly at: number;
  readonly status: number;
  readonly idempotencyKey: string | undefined;
  readonly signatureValid: boolean;
  readonly body: { idempotencyKey?: string; ticket?: { id: string; answers: Record<string, string> } };
}

export interface WebhookReceiver {
  readonly url: string;
  readonly calls: WebhookCall[];
  /** While true, every request is answered 503 (partner support's system is down). */
  failing: boolean;
  /** While true, requests are recorded (status 0) and never answered (the system hangs). */
  hanging: boolean;
  /** Calls answered 2xx. */
  accepted(): WebhookCall[];
  waitForAccepted(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A local stand-in for partner support's ticket system: records calls, checks HMAC signatures. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const calls: WebhookCall[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    calls,
    failing: false,
    hanging: false,
    accepted: () => calls.filter((c) => c.status >= 200 && c.status < 300),
    waitForAccepted: async (n, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (receiver.accepted().length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} accepted deliveries, got ${receiver.accepted().length} (${calls.length} calls)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      const status = receiver.hanging ? 0 : receiver.failing ? 503 : 200;
      calls.push({
        at: Date.now(),
        status,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        signatureValid: req.headers['x-signature-256'] === expected,
        body: JSON.parse(raw) as WebhookCall['body'],
      });
      if (status === 0) return; // never answered
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`;
  return receiver;
}
