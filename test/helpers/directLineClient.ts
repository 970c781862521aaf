import WebSocket from 'ws';

export interface Issued {
  token: string;
  conversationId: string;
  userId: string;
  expiresIn: number;
  resume: string;
  resumed: boolean;
  domain?: string;
}

export interface HttpResult<T = unknown> {
  status: number;
  json: T;
  headers: Headers;
}

export async function call<T = unknown>(url: string, init: RequestInit & { token?: string; origin?: string } = {}): Promise<HttpResult<T>> {
  const { token, origin, headers, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    headers: {
      ...(rest.body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(origin ? { origin } : {}),
      ...(headers as Record<string, string> | undefined),
    },
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json: json as T, headers: res.headers };
}

/** What the widget does first: ask the bot for a token. */
export async function issueToken(botUrl: string, body: Record<string, unknown> = {}, origin?: string): Promise<Issued> {
  const res = await call<Issued>(`${botUrl}/api/webchat/token`, { method: 'POST', body: JSON.stringify(body), ...(origin ? { origin } : {}) });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json;
}

export interface DlActivity {
  id: string;
  type: string;
  text?: string;
  from: { id: string; name?: string; role?: string };
  channelData?: Record<string, unknown>;
  suggestedActions?: { actions: { type: string; title: string; value: unknown; text?: string; displayText?: string }[] };
  attachments?: unknown[];
  name?: string;
}

/** A Direct Line 3.0 client, as Web Chat uses the protocol (polling). */
export class DirectLineClient {
  watermark: string | undefined;
  readonly seen: DlActivity[] = [];

  constructor(
    readonly botUrl: string,
    public token: string,
    readonly conversationId: string,
  ) {}

  get base(): string {
    return `${this.botUrl}/v3/directline`;
  }

  async start(): Promise<{ streamUrl: string }> {
    const res = await call<{ conversationId: string; streamUrl: string }>(`${this.base}/conversations`, { method: 'POST', token: this.token });
    if (res.status !== 201) throw new Error(`start answered ${res.status}`);
    return res.json;
  }

  async send(text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await call<{ id: string }>(`${this.base}/conversations/${this.conversationId}/activities`, {
      method: 'POST',
      token: this.token,
      body: JSON.stringify({ type: 'message', text, from: { id: 'whoever' }, ...extra }),
    });
    if (res.status !== 200) throw new Error(`post answered ${res.status}: ${JSON.stringify(res.json)}`);
    return res.json.id;
  }

  /** Activities after the last watermark (and moves it on). */
  async poll(): Promise<DlActivity[]> {
    const q = this.watermark !== undefined ? `?watermark=${this.watermark}` : '';
    const res = await call<{ activities: DlActivity[]; watermark: string }>(`${this.base}/conversations/${this.conversationId}/activities${q}`, { token: this.token });
    if (res.status !== 200) throw new Error(`get activities answered ${res.status}`);
    this.watermark = res.json.watermark;
    this.seen.push(...res.json.activities);
    return res.json.activities;
  }

  /** Polls until an activity matches. */
  async waitFor(match: (a: DlActivity) => boolean, timeoutMs = 5000): Promise<DlActivity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.seen.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching activity; saw: ${this.seen.map((a) => `${a.type}:${a.text ?? a.name ?? ''}`.slice(0, 60)).join(' | ')}`);
      await this.poll();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends and waits for the bot's next message after it. */
  async ask(text: string, extra: Record<string, unknown> = {}): Promise<DlActivity> {
    const id = await this.send(text, extra);
    const after = (a: DlActivity) => a.id > id && a.type === 'message' && a.from.role === 'bot';
    return this.waitFor(after);
  }
}

/** Opens the WebSocket stream and collects what it pushes. */
export async function openStream(streamUrl: string, headers: Record<string, string> = {}): Promise<{ activities: DlActivity[]; watermarks: string[]; ws: WebSocket; waitFor(m: (a: DlActivity) => boolean, timeoutMs?: number): Promise<DlActivity> }> {
  const ws = new WebSocket(streamUrl, { headers });
  const activities: DlActivity[] = [];
  const watermarks: string[] = [];
  ws.on('message', (data) => {
    const text = String(data);
    if (!text) return;
    const page = JSON.parse(text) as { activities: DlActivity[]; watermark: string };
    activities.push(...page.activities);
    watermarks.push(page.watermark);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`stream refused with ${res.statusCode}`)));
  });
  return {
    activities,
    watermarks,
    ws,
    waitFor: async (m, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = activities.find(m);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error('the stream did not deliver a matching activity');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
