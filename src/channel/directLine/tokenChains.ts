import { casUpdate } from '../../storage/casUpdate';
import type { Storage } from '../../storage/Storage';
import { chainOf, type TokenClaims } from './tokens';

/** One refresh chain of a conversation: which generation is current, and until when any of it is valid. */
interface ChainState {
  readonly gen: number;
  /** The expiry (seconds since the epoch) of the chain's latest token: after it, nothing of the chain is valid. */
  readonly until: number;
  /** A retired token was presented for refresh: the chain was copied, so none of it is valid any more. */
  readonly revoked?: boolean;
}

/** Per conversation: its chains that have been refreshed at least once (a chain not listed is at generation 0). */
interface ChainsDoc {
  readonly chains: Readonly<Record<string, ChainState>>;
}

export type ChainStatus = 'current' | 'retired' | 'revoked';
export type Advance = { ok: true } | { ok: false; status: 'retired' | 'revoked' };

/**
 * Which of the bot's Direct Line tokens are still current, kept in the bot's storage so that every
 * instance on the same storage agrees: refreshing a token retires it (and every earlier one of its
 * chain) everywhere. Each conversation has one small document listing its chains that have been
 * refreshed, with their current generation; chains whose tokens have all expired are dropped from it.
 *
 * Checking a token reads that document through a short in-process cache (`cacheMs`), so another
 * instance honours a refresh within that time; a refresh itself always reads and writes the stored
 * document (with its eTag), so two refreshes of the same token cannot both succeed. A retired token
 * presented for refresh means two parties hold the chain: the whole chain is revoked, and the partner's
 * page gets a new token from the token endpoint with its resume proof.
 */
export class TokenChains {
  private readonly recent = new Map<string, { doc: ChainsDoc | undefined; at: number }>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(
    private readonly storage: Storage,
    o: { readonly cacheMs?: number; readonly now?: () => number } = {},
  ) {
    this.cacheMs = o.cacheMs ?? 2000;
    this.now = o.now ?? Date.now;
  }

  static key(conv: string): string {
    return `local-directline/conversations/${encodeURIComponent(conv)}/tokens`;
  }

  /** Whether `claims` (already verified: signature, type, expiry) is its chain's current token. */
  async status(claims: TokenClaims): Promise<ChainStatus> {
    const cached = this.recent.get(claims.conv);
    const doc = cached && this.now() - cached.at <= this.cacheMs ? cached.doc : await this.read(claims.conv);
    return statusIn(doc, claims);
  }

  /**
   * Makes the successor of `claims` (generation + 1, expiring at `successorExp`) its chain's current
   * token, if `claims` is current now. Otherwise says why not; a retired token revokes its chain.
   */
  async advance(claims: TokenClaims, successorExp: number): Promise<Advance> {
    const { chain, gen } = chainOf(claims);
    let result: Advance = { ok: true };
    const nowSeconds = Math.floor(this.now() / 1000);
    const written = await casUpdate<ChainsDoc>(this.storage, TokenChains.key(claims.conv), (current) => {
      const status = statusIn(current, claims);
      const chains: Record<string, ChainState> = {};
      // Chains whose last token has expired are of no more use: nothing of them can be presented.
      for (const [id, state] of Object.entries(current?.chains ?? {})) if (state.until >= nowSeconds) chains[id] = state;
      if (status === 'revoked') {
        result = { ok: false, status };
        return undefined;
      }
      if (status === 'retired') {
        result = { ok: false, status: 'revoked' };
        chains[chain] = { gen: chains[chain]?.gen ?? gen, until: Math.max(chains[chain]?.until ?? 0, claims.exp), revoked: true };
        return { chains };
      }
      result = { ok: true };
      chains[chain] = { gen: gen + 1, until: successorExp };
      return { chains };
    });
    this.remember(claims.conv, written);
    return result;
  }

  private async read(conv: string): Promise<ChainsDoc | undefined> {
    const key = TokenChains.key(conv);
    const found = (await this.storage.read([key]))[key] as ChainsDoc | undefined;
    const doc = found && typeof found.chains === 'object' && found.chains !== null ? found : undefined;
    this.remember(conv, doc);
    return doc;
  }

  private remember(conv: string, doc: ChainsDoc | undefined): void {
    this.recent.delete(conv);
    this.recent.set(conv, { doc, at: this.now() });
    if (this.recent.size > 5000) this.recent.delete(this.recent.keys().next().value as string);
  }
}

function statusIn(doc: ChainsDoc | undefined, claims: TokenClaims): ChainStatus {
  const { chain, gen } = chainOf(claims);
  const state = doc?.chains[chain];
  if (state?.revoked) return 'revoked';
  return gen === (state?.gen ?? 0) ? 'current' : 'retired';
}
