import type { Messages } from '../answering/Messages';
import type { Reply } from '../answering/Reply';
import { promptOf } from '../escalation/flow';
import type { TicketExchange } from '../escalation/ticket';
import { bandOfReply, type Band } from './band';
import { withExchange, type ConversationFacts, type PartnerProfile } from './facts';
import type { Outgoing } from './outgoing';
import type { Effect, Pending, TurnInput, TurnLog, TurnResult } from './turn';

/**
 * A turn being decided: the replies, facts and effects so far. Used only inside `respond` and the
 * escalation rules; what leaves them is the plain `TurnResult`.
 */
export class TurnBuilder {
  facts: ConversationFacts;
  searched = false;
  /** The turn read the partner's profile, which the edge had not loaded. */
  needsProfile = false;
  private profileNow: PartnerProfile | undefined;
  private readonly replies: Outgoing[] = [];
  private readonly effects: Effect[] = [];
  private log: TurnLog | undefined;

  constructor(readonly input: TurnInput) {
    this.facts = input.facts;
    this.profileNow = input.profile;
  }

  /** The partner's profile; reading it when the edge has not loaded it asks for the turn again with it. */
  get profile(): PartnerProfile {
    if (this.input.profile === undefined) this.needsProfile = true;
    return this.profileNow ?? {};
  }

  set profile(profile: PartnerProfile) {
    this.profileNow = profile;
  }

  get messages(): Messages {
    return this.input.content.messages;
  }

  say(...out: Outgoing[]): this {
    this.replies.push(...out);
    return this;
  }

  effect(effect: Effect): this {
    this.effects.push(effect);
    return this;
  }

  remember(exchange: TicketExchange): void {
    this.facts = withExchange(this.facts, exchange);
  }

  /** Logs the question and what the bot did; returns its id in the question log (none without a log). */
  recordQuestion(question: string, reply: Reply): string | undefined {
    const id = this.input.newQuestionId?.();
    if (id !== undefined) this.effect({ kind: 'recordQuestion', id, question, reply });
    return id;
  }

  /** The turn's outcome, written as a log line. */
  logged(outcome: string, fields: Record<string, unknown> = {}, articleId?: string): this {
    this.log = { outcome, logged: true, fields, ...(articleId !== undefined ? { articleId } : {}) };
    return this;
  }

  /** The turn's band, for the metrics only. */
  noted(band: Band): this {
    this.log = { outcome: band, logged: false };
    return this;
  }

  /** Asks the current question of a request for a person again (after help, feedback or an answer given mid-way). */
  repromptEscalation(prefix?: string): void {
    const progress = this.facts.escalation;
    const script = progress && this.input.content.scripts.find((s) => s.id === progress.scriptId);
    if (!progress || !script) return;
    // The profile is read only when the question offers what the partner told us last time.
    const current = progress.phase === 'collect' ? script.steps.find((s) => s.id === progress.current) : undefined;
    const prompt = promptOf(script, progress, current?.remember ? this.profile : {}, this.messages);
    this.say({ kind: 'text', text: prefix ? `${prefix}\n\n${prompt.text}` : prompt.text, ...(prompt.buttons.length > 0 ? { buttons: prompt.buttons } : {}), expectsAnswer: true });
  }

  result(pending?: Pending): TurnResult {
    return {
      replies: this.replies,
      facts: this.facts,
      ...(this.profileNow ? { profile: this.profileNow } : {}),
      effects: this.effects,
      ...(this.log ? { log: this.log } : {}),
      ...(this.searched ? { searched: true } : {}),
      ...(this.needsProfile ? { needsProfile: true } : {}),
      ...(pending ? { pending } : {}),
    };
  }
}

/** What a ticket remembers of an exchange: the question, the band of the reply, the article shown. */
export function exchangeOf(question: string, reply: Reply, at: Date): TicketExchange {
  return {
    question,
    band: bandOfReply(reply.kind),
    ...(reply.kind === 'answer' || reply.kind === 'partial' ? { articleId: reply.article.id } : {}),
    ...(reply.kind === 'clarify' && reply.candidates[0] ? { articleId: reply.candidates[0].id } : {}),
    at: at.toISOString(),
  };
}
