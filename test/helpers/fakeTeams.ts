import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** What the fake answered. */
  response?: { id: string; activityId?: string };
}

/**
 * A local stand-in for the Teams Bot Connector service (the `serviceUrl`): records what the bot sends,
 * answers creating a channel thread with `<channel>;messageid=<n>`.
 */
export async function startFakeTeams(): Promise<{ url: string; calls: ConnectorCall[]; close(): Promise<void> }> {
  const calls: ConnectorCall[] = [];
  let next = 1000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const call: ConnectorCall = { method: req.method ?? '', path: req.url ?? '', body };
      calls.push(call);
      next += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.method === 'POST' && req.url === '/v3/conversations') {
        const channel = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? '19:unknown';
        call.response = { id: `${channel};messageid=${next}`, activityId: String(next) };
      } else call.response = { id: String(next) };
      res.end(JSON.stringify(call.response));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * What Teams sends when Riley Chen of partner support presses "Take it" or "Resolve" on a ticket's card,
 * found among the fake's calls by the ticket's reference.
 */
export function staffPress(teams: { url: string; calls: readonly ConnectorCall[] }, staffChannel: string, action: 'take' | 'resolve', ticketId: string): Record<string, unknown> {
  const card = teams.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations').find((c) => JSON.stringify(c.body).includes(ticketId));
  const thread = card?.response?.id ?? '';
  return {
    type: 'message',
    id: `${action}-${ticketId}`,
    channelId: 'msteams',
    serviceUrl: teams.url,
    conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: 't1' },
    from: { id: '29:riley', name: 'Riley Chen' },
    recipient: { id: '28:bot', name: 'Partner Bot' },
    text: '',
    replyToId: thread.split('messageid=')[1],
    value: { staffAction: action, ticketId },
    channelData: { channel: { id: staffChannel } },
  };
}
