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

  sign(typ: TokenClaims['typ'], user: string, conv: string, ttlSeconds: number): { token: string; claims: TokenClaims } {
    const iat = this.nowSeconds();
    const claims: TokenClaims = { typ, user, conv, iat, exp: iat + ttlSeconds, jti: randomBytes(9).toString('base64url') };
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
    return { ok: true, claims };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
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
