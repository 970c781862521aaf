import type { IncomingMessage } from 'node:http';
import type { FairUseLimits } from '../config';
import { clientIp } from './clientIp';
import { KeyedLimiter, type Verdict } from './KeyedLimiter';

/** Why a request was refused, for the 429 (or the chat) and the log. */
export interface Refusal {
  /** Which limit: `tokens`, `unread`, `conversations`, `conversationTurns`, `partnerTurns`, `streamConnects`, `streams`. */
  readonly limit: string;
  readonly retryAfterSeconds: number;
  /** One sentence for the client. */
  readonly message: string;
  /** The first refusal of this key in its window (the one worth a log line; a flood is not logged request by request). */
  readonly first: boolean;
}

const MINUTE = 60;

/**
 * The bot's fair-use limits, per instance: per client address on the widget's token endpoint and on
 * starting Direct Line conversations; per conversation and per partner on turns (every channel); per
 * conversation on WebSocket streams (open at once, and connection attempts). Each method answers
 * undefined when the request may go ahead and counts it, or the refusal.
 */
export class FairUse {
  private readonly tokens: KeyedLimiter;
  private readonly unreadChecks: KeyedLimiter;
  private readonly conversations: KeyedLimiter;
  private readonly conversationTurns: KeyedLimiter;
  private readonly partnerTurns: KeyedLimiter;
  private readonly streamConnects: KeyedLimiter;
  /** One "slow down" message per conversation per window, whatever the partner keeps sending. */
  private readonly notices: KeyedLimiter;
  /** Open streams per conversation (only conversations with a stream open have an entry). */
  private readonly openStreams = new Map<string, number>();
  /** Refusals being held back now (see `holdRefusal`). */
  private held = 0;
  /** How long a refusal is held before it is answered. */
  readonly refusalPauseMs: number;
  private readonly maxHeld: number;
  /** Streams open now, in all conversations. */
  private streamsOpen = 0;
  private readonly onRefusal: (limit: string) => void;

  constructor(
    readonly limits: FairUseLimits,
    o: { readonly maxHeld?: number; readonly onRefusal?: (limit: string) => void } = {},
  ) {
    this.refusalPauseMs = limits.refusalPauseMs;
    this.maxHeld = o.maxHeld ?? 4096;
    this.onRefusal = o.onRefusal ?? (() => undefined);
    const keys = limits.maxKeys;
    this.tokens = new KeyedLimiter(limits.tokensPerMinute, MINUTE, keys);
    this.unreadChecks = new KeyedLimiter(limits.tokensPerMinute, MINUTE, keys);
    this.conversations = new KeyedLimiter(limits.conversationsPerMinute, MINUTE, keys);
    this.conversationTurns = new KeyedLimiter(limits.turnsPerMinute, MINUTE, keys);
    this.partnerTurns = new KeyedLimiter(limits.partnerTurnsPerMinute, MINUTE, keys);
    this.streamConnects = new KeyedLimiter(limits.streamConnectsPerMinute, MINUTE, keys);
    this.notices = new KeyedLimiter(1, MINUTE, keys);
  }

  /**
   * A place to hold back one refusal for `refusalPauseMs` before answering it, or undefined when
   * `maxHeld` are held already (then it is answered at once). A client over its limit has to wait
   * anyway; one that floods by sending its next request as soon as the last is answered is slowed to
   * one request per pause per connection, instead of costing the bot thousands a second. Call the
   * returned function once the refusal is answered.
   */
  holdRefusal(): (() => void) | undefined {
    if (this.refusalPauseMs === 0 || this.held >= this.maxHeld) return undefined;
    this.held += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= 1;
    };
  }

  /** The client's address as the limits see it (X-Forwarded-For only through TRUSTED_PROXY_HOPS). */
  clientOf(req: IncomingMessage): string {
    return clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.limits.trustedProxyHops);
  }

  /** A widget token request (`POST /api/webchat/token`). */
  async tokenRequest(req: IncomingMessage): Promise<Refusal | undefined> {
    return this.refusal(await this.tokens.take(this.clientOf(req)), 'tokens', `at most ${this.limits.tokensPerMinute} chat tokens a minute from one address`);
  }

  /** A returning page asking what arrived while it was away (`POST /api/webchat/unread`). */
  async unreadRequest(req: IncomingMessage): Promise<Refusal | undefined> {
    return this.refusal(await this.unreadChecks.take(this.clientOf(req)), 'unread', `at most ${this.limits.tokensPerMinute} unread checks a minute from one address`);
  }

  /** Starting a conversation on the bot's own Direct Line. */
  async conversationStart(req: IncomingMessage): Promise<Refusal | undefined> {
    return this.refusal(await this.conversations.take(this.clientOf(req)), 'conversations', `at most ${this.limits.conversationsPerMinute} new conversations a minute from one address`);
  }

  /** One turn (an activity the bot will act on) in `conversationId` from `partnerId`, on `channelId`. */
  async turn(channelId: string, conversationId: string, partnerId: string): Promise<Refusal | undefined> {
    const conversation = await this.conversationTurns.take(`${channelId}\u0000${conversationId}`);
    if (!conversation.ok) return this.refusal(conversation, 'conversationTurns', `at most ${this.limits.turnsPerMinute} messages a minute in one conversation`);
    return this.refusal(await this.partnerTurns.take(`${channelId}\u0000${partnerId}`), 'partnerTurns', `at most ${this.limits.partnerTurnsPerMinute} messages a minute from one partner`);
  }

  /**
   * Whether to tell the partner, in the chat, that their messages are not being read for now: true
   * the first time in a window for the conversation, false after that (one notice, not one per message).
   */
  async noticeDue(channelId: string, conversationId: string): Promise<boolean> {
    return (await this.notices.take(`${channelId}\u0000${conversationId}`)).ok;
  }

  /** A WebSocket stream connection attempt for a conversation. */
  async streamConnect(conversationId: string): Promise<Refusal | undefined> {
    return this.refusal(await this.streamConnects.take(conversationId), 'streamConnects', `at most ${this.limits.streamConnectsPerMinute} stream connections a minute for one conversation`);
  }

  /**
   * Takes one of the conversation's stream slots: the function to give it back when the stream
   * closes, or the refusal when the conversation has all its streams open.
   */
  openStream(conversationId: string): (() => void) | Refusal {
    const open = this.openStreams.get(conversationId) ?? 0;
    if (open >= this.limits.streamsPerConversation) {
      this.onRefusal('streams');
      return { limit: 'streams', retryAfterSeconds: 30, first: true, message: `Too many requests: at most ${this.limits.streamsPerConversation} streams open at once for one conversation. Try again in 30 seconds.` };
    }
    this.openStreams.set(conversationId, open + 1);
    this.streamsOpen += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.streamsOpen -= 1;
      const left = (this.openStreams.get(conversationId) ?? 1) - 1;
      if (left <= 0) this.openStreams.delete(conversationId);
      else this.openStreams.set(conversationId, left);
    };
  }

  /** WebSocket streams open now, in all conversations. */
  openStreamCount(): number {
    return this.streamsOpen;
  }

  private refusal(verdict: Verdict, limit: string, rule: string): Refusal | undefined {
    const refused = refusal(verdict, limit, rule);
    if (refused) this.onRefusal(limit);
    return refused;
  }
}

function refusal(verdict: Verdict, limit: string, rule: string): Refusal | undefined {
  if (verdict.ok) return undefined;
  return { limit, retryAfterSeconds: verdict.retryAfterSeconds, first: verdict.first, message: `Too many requests: ${rule}. Try again in ${verdict.retryAfterSeconds} seconds.` };
}
