import { createPublicKey } from 'node:crypto';
import { AuthenticationConstants, SkillValidation, ToBotFromBotOrEmulatorTokenValidationParameters } from 'botframework-connector';
// Not exported from the package root; the validators use these very modules.
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor';
import { OpenIdMetadata, type IOpenIdMetadataKey } from 'botframework-connector/lib/auth/openIdMetadata';
import jwt from 'jsonwebtoken';

/** The token was missing, malformed, forged, expired or for someone else: 401. */
export class Unauthorized extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unauthorized';
  }
}

/** Bot Framework's signing keys could not be fetched, so no token can be checked: 503. */
export class SigningKeysUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeysUnavailable';
  }
}

export interface SigningKeyOptions {
  /** Each fetch of a metadata document or key set gives up after this. */
  readonly timeoutMs: number;
  /** Keys older than this are fetched again (the old ones serve until that succeeds). */
  readonly refreshMs?: number;
  /** After a failed fetch, wait this long before the next (doubling, up to 60 s). */
  readonly retryMs?: number;
  /** A token naming a key not in the set fetches the set again at most this often. */
  readonly unknownKeyRefreshMs?: number;
  /** Told once per failed fetch: the metadata URL and why. */
  readonly onFetchError?: (url: string, reason: string, haveKeys: boolean) => void;
  readonly now?: () => number;
}

const MAX_DOCUMENT_BYTES = 1024 * 1024;

interface Jwk {
  readonly kid?: unknown;
  readonly kty?: unknown;
  readonly n?: unknown;
  readonly e?: unknown;
  readonly endorsements?: unknown;
}

/**
 * The signing keys of one OpenID metadata document, in place of botframework-connector's
 * OpenIdMetadata (which fetches without a timeout, and once its keys are a day old fails every request
 * for as long as the endpoint is down). Here each fetch has a timeout and one runs at a time; keys that
 * were fetched keep serving while a refresh fails; after a failure the next fetch waits (1 s, doubling
 * to 60 s), so an outage costs one slow request, not one per request. Only when no keys were ever
 * fetched does a token fail to be checked, with SigningKeysUnavailable.
 */
export class SigningKeys extends OpenIdMetadata {
  private published = new Map<string, IOpenIdMetadataKey>();
  private fetchedAt = 0;
  private attemptedAt = 0;
  private failures = 0;
  private lastError = '';
  private running: Promise<void> | undefined;

  constructor(
    private readonly metadataUrl: string,
    private readonly options: () => SigningKeyOptions,
  ) {
    super(metadataUrl);
  }

  override async getKey(keyId: string): Promise<IOpenIdMetadataKey | null> {
    const o = this.options();
    const now = (o.now ?? Date.now)();
    const known = this.published.get(keyId);
    const stale = now - this.fetchedAt >= (o.refreshMs ?? 24 * 60 * 60 * 1000);
    const mayRetry = now - this.attemptedAt >= Math.min(60_000, (o.retryMs ?? 1000) * 2 ** Math.max(0, this.failures - 1));
    const lookAgain = !known && now - this.attemptedAt >= (o.unknownKeyRefreshMs ?? 5 * 60 * 1000);
    if ((this.fetchedAt === 0 || stale || lookAgain) && (this.failures === 0 || mayRetry)) await this.refresh();
    const key = this.published.get(keyId);
    if (key) return key;
    // Keys never fetched, or a key we do not have while the endpoint is failing: cannot tell.
    if (this.fetchedAt === 0 || this.failures > 0) {
      throw new SigningKeysUnavailable(`Bot Framework signing keys could not be fetched from ${this.metadataUrl}: ${this.lastError || 'not fetched yet'}`);
    }
    return null;
  }

  /** Whether keys were fetched, and when the last attempt failed with what (for tests and logs). */
  state(): { readonly keys: number; readonly failures: number; readonly lastError: string } {
    return { keys: this.published.size, failures: this.failures, lastError: this.lastError };
  }

  private refresh(): Promise<void> {
    this.running ??= this.fetchKeys().finally(() => (this.running = undefined));
    return this.running;
  }

  private async fetchKeys(): Promise<void> {
    const o = this.options();
    this.attemptedAt = (o.now ?? Date.now)();
    try {
      const metadata = await fetchJson(this.metadataUrl, o.timeoutMs);
      const jwksUri = (metadata as { jwks_uri?: unknown }).jwks_uri;
      if (typeof jwksUri !== 'string' || !/^https?:\/\//.test(jwksUri)) throw new Error('the metadata document has no jwks_uri');
      const set = (await fetchJson(jwksUri, o.timeoutMs)) as { keys?: unknown };
      if (!Array.isArray(set.keys)) throw new Error('the key set has no keys');
      const keys = new Map<string, IOpenIdMetadataKey>();
      for (const jwk of set.keys as Jwk[]) {
        const key = toPem(jwk);
        if (key && typeof jwk.kid === 'string') keys.set(jwk.kid, key);
      }
      if (keys.size === 0) throw new Error('the key set has no RSA keys');
      this.published = keys;
      this.fetchedAt = (o.now ?? Date.now)();
      this.failures = 0;
      this.lastError = '';
    } catch (err) {
      this.failures += 1;
      this.lastError = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
      o.onFetchError?.(this.metadataUrl, this.lastError, this.published.size > 0);
    }
  }
}

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } }).catch((err: unknown) => {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    throw new Error(e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message));
  });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${url} answered ${res.status}`);
  }
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url} sent more than ${MAX_DOCUMENT_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url} did not send JSON`);
  }
}

function toPem(jwk: Jwk): IOpenIdMetadataKey | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return undefined;
  try {
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const endorsements = Array.isArray(jwk.endorsements) ? jwk.endorsements.filter((x): x is string => typeof x === 'string') : undefined;
    return { key, ...(endorsements ? { endorsements } : {}) };
  } catch {
    return undefined;
  }
}

/** Every metadata URL gets a SigningKeys, whichever SDK validator asks for it. */
class SigningKeyCache extends Map<string, OpenIdMetadata> {
  options: SigningKeyOptions = { timeoutMs: 15_000 };

  override get(url: string): OpenIdMetadata {
    let keys = super.get(url);
    if (!keys) {
      keys = new SigningKeys(url, () => this.options);
      super.set(url, keys);
    }
    return keys;
  }
}

/**
 * Makes every token check of botframework-connector (channel, Emulator, skills, government and ASE
 * validators alike) use SigningKeys. The SDK keeps one OpenIdMetadata per URL in a static cache
 * (JwtTokenExtractor.openIdMetadataCache, private in its typings) and offers no other hook for how keys
 * are fetched; replacing that cache is the one place that covers them all. Pinned SDK version; the auth
 * tests fail if this stops taking effect. Returns the cache, for the pre-check below.
 */
export function installSigningKeys(options: SigningKeyOptions): { get(url: string): OpenIdMetadata } {
  const holder = JwtTokenExtractor as unknown as { openIdMetadataCache: Map<string, OpenIdMetadata> };
  if (!(holder.openIdMetadataCache instanceof SigningKeyCache)) holder.openIdMetadataCache = new SigningKeyCache();
  const cache = holder.openIdMetadataCache as SigningKeyCache;
  cache.options = options;
  return cache;
}

export interface TokenPolicy {
  readonly appId: string;
  readonly channelMetadataUrl: string;
  readonly emulatorMetadataUrl: string;
  readonly keys: { get(url: string): OpenIdMetadata };
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const ALGORITHMS = AuthenticationConstants.AllowedSigningAlgorithms as jwt.Algorithm[];
/** The Emulator's issuers as the SDK ships them (copied: the SDK adds to its own list as it goes). */
const EMULATOR_ISSUERS: readonly string[] = [...((ToBotFromBotOrEmulatorTokenValidationParameters.issuer ?? []) as string[])];
const MAX_CLAIMS = 100;

/**
 * Checks a request's Bot Framework token before its body is read: a signed JWT (RS256/384/512) from
 * Bot Framework (or, for the Emulator, from Microsoft Entra ID), signed by a published key, in date,
 * and for this bot. What needs the activity (the key's channel endorsements, the serviceUrl claim) is
 * left to the SDK's full check afterwards, which reads the same cached keys. Throws Unauthorized
 * (with a one-line reason) or SigningKeysUnavailable.
 */
export async function checkTokenBeforeBody(authorization: string | undefined, policy: TokenPolicy): Promise<void> {
  if (!authorization) throw new Unauthorized('a Bot Framework token is required (Authorization: Bearer ...)');
  const m = BEARER.exec(authorization);
  if (!m) throw new Unauthorized('the Authorization header is not a Bearer token (a signed JWT)');
  const header = decodePart(m[1] ?? '');
  const payload = decodePart(m[2] ?? '');
  if (!header || !payload) throw new Unauthorized('the token is malformed');
  if (Object.keys(payload).length > MAX_CLAIMS) throw new Unauthorized('the token has too many claims');
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg as jwt.Algorithm)) {
    throw new Unauthorized(`tokens signed with ${typeof header.alg === 'string' ? header.alg.slice(0, 20) : 'no algorithm'} are not accepted`);
  }
  if (typeof header.kid !== 'string') throw new Unauthorized('the token names no signing key');
  if (SkillValidation.isSkillToken(authorization)) throw new Unauthorized('tokens from other bots (skills) are not accepted');
  const emulatorIssuers = emulatorIssuersFor(payload);
  const fromEmulator = typeof payload.iss === 'string' && emulatorIssuers.includes(payload.iss);
  if (!fromEmulator && payload.iss !== AuthenticationConstants.ToBotFromChannelTokenIssuer) throw new Unauthorized('the token was not issued by Bot Framework');
  const url = fromEmulator ? policy.emulatorMetadataUrl : policy.channelMetadataUrl;
  const key = await policy.keys.get(url).getKey(header.kid);
  if (!key) throw new Unauthorized('the token is signed with a key Bot Framework does not publish');
  const token = authorization.slice('Bearer '.length);
  try {
    jwt.verify(token, key.key, {
      algorithms: ALGORITHMS,
      issuer: fromEmulator ? [...emulatorIssuers] : AuthenticationConstants.ToBotFromChannelTokenIssuer,
      clockTolerance: 5 * 60,
    });
  } catch (err) {
    throw new Unauthorized(`the token is not valid: ${(err as Error).message.slice(0, 120)}`);
  }
  // For this bot: a channel's token has our app id as audience; an Emulator token names it as the caller.
  const forUs = fromEmulator ? (payload.ver === '2.0' ? payload.azp : payload.appid) === policy.appId : payload.aud === policy.appId;
  if (!forUs) throw new Unauthorized('the token is not for this bot');
}

/**
 * The issuers an Emulator token may have: the SDK's list, and Entra ID's issuers for the token's own
 * tenant (as the SDK accepts for single-tenant bots). Worked out here without the SDK's
 * EmulatorValidation.isTokenFromEmulator, which appends every unverified token's tenant to a global
 * list: called on forged tokens it would grow without bound.
 */
function emulatorIssuersFor(payload: Record<string, unknown>): readonly string[] {
  const tid = payload.tid;
  if (typeof tid !== 'string' || tid === '' || tid.length > 100) return EMULATOR_ISSUERS;
  return [
    ...EMULATOR_ISSUERS,
    `${AuthenticationConstants.ValidTokenIssuerUrlTemplateV1}${tid}/`,
    `${AuthenticationConstants.ValidTokenIssuerUrlTemplateV2}${tid}/v2.0`,
    `${AuthenticationConstants.ValidGovernmentTokenIssuerUrlTemplateV1}${tid}/`,
    `${AuthenticationConstants.ValidGovernmentTokenIssuerUrlTemplateV2}${tid}/v2.0`,
  ];
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
