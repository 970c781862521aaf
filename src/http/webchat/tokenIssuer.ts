import type { Transcripts } from '../../channel/directLine/transcripts';
import { newConversationId, newUserId, startChain, type TokenSigner } from '../../channel/directLine/tokens';
import type { AzureDirectLine } from './azureDirectLine';
import { DirectLineUnavailable } from './azureDirectLine';

/** What the widget gets: never the Direct Line secret. */
export interface IssuedToken {
  /** The Direct Line token: for one conversation and one user, expiring after `expiresIn` seconds. */
  readonly token: string;
  readonly conversationId: string;
  readonly userId: string;
  readonly expiresIn: number;
  /** Where the Direct Line is; undefined for the bot's own endpoint (next to the widget). */
  readonly domain: string | undefined;
  /** Proof of this user and conversation, for a reloaded page to resume it (kept by the widget). */
  readonly resume: string;
  /** True when this continues the conversation named in the request's resume proof. */
  readonly resumed: boolean;
}

export interface TokenRequest {
  readonly resume?: string | undefined;
  /** Start a new conversation (the partner asked for one), keeping who the partner is. */
  readonly fresh?: boolean | undefined;
  /** Origins Azure should accept the token from. */
  readonly origins: readonly string[];
}

/** The resume proof lasts this long; whether it still resumes is decided by the resume window. */
const RESUME_PROOF_SECONDS = 90 * 24 * 60 * 60;

/**
 * Issues the widget's tokens. With Azure Bot Service (a Direct Line secret) it exchanges the secret
 * for a token server-side; otherwise it signs a token for the bot's own Direct Line endpoint. Either
 * way a reload within the resume window continues the same conversation, and a partner's id is only
 * ever one the bot made up and handed to that browser.
 */
export class TokenIssuer {
  constructor(
    private readonly o: {
      readonly signer: TokenSigner;
      readonly tokenTtlSeconds: number;
      /** How long refreshing can keep a token chain going (the bot's own Direct Line). */
      readonly tokenMaxSeconds: number;
      readonly resumeSeconds: number;
      readonly transcripts: Transcripts;
      readonly azure?: AzureDirectLine | undefined;
      readonly azureDomain?: string | undefined;
      readonly now?: () => number;
    },
  ) {}

  async issue(request: TokenRequest): Promise<IssuedToken> {
    const signer = this.o.signer;
    const proof = request.resume ? signer.verify(request.resume, 'resume') : undefined;
    const user = proof?.ok ? proof.claims.user : newUserId();
    const candidate = proof?.ok && !request.fresh ? proof.claims.conv : undefined;
    const now = (this.o.now ?? Date.now)();

    if (this.o.azure) {
      // Azure keeps the transcript; the window counts from the page's last token request.
      let issued;
      let resumed = false;
      if (candidate && proof?.ok && now / 1000 - proof.claims.iat < this.o.resumeSeconds) {
        issued = await this.o.azure.resume(candidate).catch((err: unknown) => {
          if (err instanceof DirectLineUnavailable && (err.status === 403 || err.status === 404)) return undefined;
          throw err;
        });
        resumed = issued !== undefined;
      }
      issued ??= await this.o.azure.generate(user, request.origins);
      return {
        token: issued.token,
        conversationId: issued.conversationId,
        userId: user,
        expiresIn: issued.expiresIn,
        domain: this.o.azureDomain,
        resume: signer.sign('resume', user, issued.conversationId, RESUME_PROOF_SECONDS).token,
        resumed,
      };
    }

    let conv: string | undefined;
    if (candidate) {
      const doc = await this.o.transcripts.get(candidate);
      if (doc && doc.user === user && Date.parse(doc.updatedAt) + this.o.resumeSeconds * 1000 > now) conv = candidate;
    }
    const resumed = conv !== undefined;
    conv ??= newConversationId();
    const token = startChain(signer, user, conv, this.o.tokenTtlSeconds, this.o.tokenMaxSeconds);
    return {
      token: token.token,
      conversationId: conv,
      userId: user,
      expiresIn: token.claims.exp - token.claims.iat,
      domain: undefined,
      resume: signer.sign('resume', user, conv, RESUME_PROOF_SECONDS).token,
      resumed,
    };
  }

  /**
   * How many bot messages the partner's conversation (named in `resume`) has after watermark `after`:
   * what arrived while no page of theirs was open. Zero for an invalid proof, someone else's
   * conversation, or with Azure (which keeps the transcript).
   */
  async unread(resume: string, after: number): Promise<number> {
    if (this.o.azure) return 0;
    const proof = this.o.signer.verify(resume, 'resume');
    if (!proof.ok) return 0;
    const set = await this.o.transcripts.read(proof.claims.conv, after, { user: proof.claims.user, maxAgeMs: 1000 });
    if (set === 'notYours') return 0;
    return set.activities.filter((a) => a.type === 'message' && a.from?.role === 'bot').length;
  }
}
