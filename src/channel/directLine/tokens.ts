import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a token the bot issues allows: one partner (user id) in one conversation, until `exp`. */
export interface TokenClaims {
  /** `dl` opens the conversation over Direct Line; `resume` lets a reloaded page ask for a new `dl` token. */
  readonly typ: 'dl' | 'resume';
  readonly user: string;
  readonly conv: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  /** Makes every token unique, even two for the same conversation in the same second. */
  readonly jti?: string;
  /**
   * `dl` tokens: the refresh chain the token belongs to (one per token the token endpoint issued),
   * its place in it (0 for the issued token, +1 per refresh: only the latest is valid) and the end of
   * the chain's access (seconds since the epoch), which no refresh moves.
   */
  readonly chain?: string;
  readonly gen?: number;
  readonly max?: number;
}

/** Where a `dl` token stands in its refresh chain (tokens issued before chains existed: a chain of their own). */
export interface ChainPosition {
  readonly chain: string;
  readonly gen: number;
  /** Seconds since the epoch after which no token of the chain is valid. */
  readonly max: number;
}

export function chainOf(claims: TokenClaims): ChainPosition {
  return {
    chain: typeof claims.chain === 'string' ? claims.chain : `jti:${claims.jti ?? `${claims.iat}`}`,
    gen: typeof claims.gen === 'number' && Number.isInteger(claims.gen) && claims.gen >= 0 ? claims.gen : 0,
    max: typeof claims.max === 'number' ? claims.max : claims.exp,
  };
}

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'badSignature' | 'wrongType' | 'expired' };

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/**
 * Issues and checks the bot's own tokens: compact JWTs signed with HMAC-SHA256. A token names one
 * conversation and one user and expires; nothing in it is secret, but nobody without the key can make
 * or alter one, so guessing another partner's conversation id gets nowhere.
 */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(key: string | Buffer, private readonly now: () => number = Date.now) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (this.key.length < 32) throw new Error('token signing key must be at least 32 bytes');
  }

  static randomKey(): string {
    return randomBytes(48).toString('base64url');
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** With `chain`, the token expires after `ttlSeconds` or at the chain's end, whichever is first. */
  sign(typ: TokenClaims['typ'], user: string, conv: string, ttlSeconds: number, chain?: ChainPosition): { token: string; claims: TokenClaims } {
    const iat = this.nowSeconds();
    const exp = chain ? Math.min(iat + ttlSeconds, chain.max) : iat + ttlSeconds;
    const claims: TokenClaims = { typ, user, conv, iat, exp, jti: randomBytes(9).toString('base64url'), ...(chain ? { chain: chain.chain, gen: chain.gen, max: chain.max } : {}) };
    const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
    return { token: `${body}.${this.mac(body)}`, claims };
  }

  /** Checks signature, type and expiry (`graceSeconds` past `exp` still passes). */
  verify(token: string, typ: TokenClaims['typ'], graceSeconds = 0): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER || token.length > 2048) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.mac(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2] ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'badSignature' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claims.user !== 'string' || typeof claims.conv !== 'string' || typeof claims.exp !== 'number') return { ok: false, reason: 'malformed' };
    if (claims.typ !== typ) return { ok: false, reason: 'wrongType' };
    if (this.nowSeconds() > claims.exp + graceSeconds) return { ok: false, reason: 'expired' };
    if (typeof claims.max === 'number' && this.nowSeconds() > claims.max) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/**
 * The first token of a new refresh chain for a conversation: valid for `ttlSeconds`, refreshable
 * until `maxSeconds` after now and not beyond.
 */
export function startChain(signer: TokenSigner, user: string, conv: string, ttlSeconds: number, maxSeconds: number): { token: string; claims: TokenClaims } {
  return signer.sign('dl', user, conv, ttlSeconds, { chain: randomBytes(12).toString('base64url'), gen: 0, max: signer.nowSeconds() + maxSeconds });
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Ids the bot makes up: conversation ids and partner ids (`dl_` as Azure Direct Line expects). */
export function newConversationId(): string {
  return randomBytes(16).toString('base64url');
}

export function newUserId(): string {
  return `dl_${randomBytes(12).toString('base64url')}`;
}
