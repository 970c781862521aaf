/**
 * The two calls the token endpoint makes to Azure Bot Service's Direct Line with the secret, which
 * never leaves the server: generate a token for a new conversation bound to a user id, and get a
 * fresh token for an existing conversation (a reloaded page resuming).
 */
export interface DirectLineToken {
  readonly conversationId: string;
  readonly token: string;
  readonly expiresIn: number;
}

export class DirectLineUnavailable extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DirectLineUnavailable';
  }
}

export class AzureDirectLine {
  constructor(
    private readonly domain: string,
    private readonly secret: string,
    /** Each call (answer included) gives up after this (OUTBOUND_TIMEOUT_MS). */
    private readonly timeoutMs = 15_000,
  ) {}

  generate(userId: string, trustedOrigins: readonly string[]): Promise<DirectLineToken> {
    return this.call('POST', `${this.domain}/tokens/generate`, { user: { id: userId }, trustedOrigins });
  }

  resume(conversationId: string): Promise<DirectLineToken> {
    return this.call('GET', `${this.domain}/conversations/${encodeURIComponent(conversationId)}`);
  }

  private async call(method: string, url: string, body?: unknown): Promise<DirectLineToken> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { Authorization: `Bearer ${this.secret}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new DirectLineUnavailable(`Direct Line did not answer: ${(err as Error).message}`);
    }
    let text: string;
    try {
      // The timeout's signal covers the body too.
      text = await res.text();
    } catch (err) {
      throw new DirectLineUnavailable(`Direct Line's answer did not arrive: ${(err as Error).message}`);
    }
    if (!res.ok) throw new DirectLineUnavailable(`Direct Line answered ${res.status}`, res.status);
    let json: { conversationId?: unknown; token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new DirectLineUnavailable('Direct Line answered with something other than JSON');
    }
    if (typeof json !== 'object' || json === null) throw new DirectLineUnavailable('Direct Line answered without a token');
    if (typeof json.token !== 'string' || typeof json.conversationId !== 'string') throw new DirectLineUnavailable('Direct Line answered without a token');
    return { conversationId: json.conversationId, token: json.token, expiresIn: typeof json.expires_in === 'number' ? json.expires_in : 3600 };
  }
}
