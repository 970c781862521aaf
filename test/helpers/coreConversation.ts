import { viewOf } from '../../src/answering/replyText';
import { emptyFacts, type ConversationFacts, type PartnerProfile } from '../../src/conversation/facts';
import type { Outgoing, ReplyData } from '../../src/conversation/outgoing';
import { respond } from '../../src/conversation/respond';
import type { Effect, PartnerMessage, TurnContent, TurnResult } from '../../src/conversation/turn';
import { parseSupportHours } from '../../src/escalation/supportHours';
import type { Ticket } from '../../src/escalation/ticket';
import type { Dialogs } from '../../src/dialogs/loadDialogs';
import { realContent } from './realContent';

/** Tickets shared by the conversations of one test, as the ticket store would hold them. */
export class TicketDesk {
  readonly tickets: Ticket[] = [];
  /** When set, writing a ticket fails (the partner is given this reference). */
  failWith: string | undefined;
}

export interface CoreOptions {
  readonly shared?: boolean;
  /** In a shared conversation: whether a one-to-one chat can be opened. */
  readonly canMovePrivate?: boolean;
  readonly now?: Date;
  readonly hours?: string;
  readonly timeZone?: string;
  readonly maxQuestionChars?: number;
  readonly desk?: TicketDesk;
  readonly from?: { userId: string; conversationId: string; channelId?: string };
  readonly profile?: PartnerProfile;
  readonly logQuestions?: boolean;
  /** The dialogs folder as loaded (default: the bundled one). */
  readonly dialogs?: Dialogs;
}

/**
 * A conversation with the core's `respond` and nothing else: the facts and profile carried from turn
 * to turn as the edge would keep them, its pending work done in memory (tickets, a private chat).
 */
export class CoreConversation {
  facts: ConversationFacts = emptyFacts();
  profile: PartnerProfile;
  /** Every effect of every turn so far. */
  readonly effects: Effect[] = [];
  /** How many turns read the partner's profile. */
  profileReads = 0;
  readonly desk: TicketDesk;
  last: TurnResult | undefined;
  private questionIds = 0;

  private constructor(
    readonly content: TurnContent,
    private readonly o: CoreOptions,
  ) {
    this.desk = o.desk ?? new TicketDesk();
    this.profile = o.profile ?? {};
  }

  static async start(o: CoreOptions = {}): Promise<CoreConversation> {
    const real = await realContent();
    const { kb } = real;
    const { messages, scripts, phrases } = o.dialogs ?? real;
    const spec = o.hours ?? 'Mon-Sun 00:00-24:00';
    const hours = parseSupportHours(spec, o.timeZone ?? 'UTC');
    if (!hours.ok) throw new Error(hours.message);
    const support = { hours: hours.hours, hoursText: `${spec} (${o.timeZone ?? 'UTC'})`, responseTime: '4 business hours' };
    return new CoreConversation({ kb, messages, scripts, phrases, support, maxQuestionChars: o.maxQuestionChars ?? 1000 }, o);
  }

  /** The partner says `text` (or presses a button); returns what the bot says. */
  say(text: string, extra: Partial<PartnerMessage> = {}): Outgoing[] {
    const from = { userId: this.o.from?.userId ?? 'user1', conversationId: this.o.from?.conversationId ?? 'Convo1', channelId: this.o.from?.channelId ?? 'test', name: 'Jane' };
    const message: PartnerMessage = { text, shared: this.o.shared ?? false, addressed: true, from, ...extra };
    const input = {
      message,
      facts: this.facts,
      content: this.content,
      now: this.o.now ?? new Date('2026-11-24T10:00:00Z'),
      ...(this.o.logQuestions === false ? {} : { newQuestionId: () => `q${(this.questionIds += 1)}` }),
    };
    let result = respond(input);
    if (result.needsProfile) {
      this.profileReads += 1;
      result = respond({ ...input, profile: this.profile });
    }
    result = this.settle(result, from);
    this.last = result;
    this.facts = result.facts;
    if (result.profile) this.profile = result.profile;
    this.effects.push(...result.effects);
    return [...result.replies];
  }

  private settle(result: TurnResult, from: { userId: string; conversationId: string; channelId: string }): TurnResult {
    let r = result;
    for (let p = r.pending; p; p = r.pending) {
      if (p.kind === 'openTicket') {
        if (this.desk.failWith !== undefined) {
          r = p.resume({ ok: false, ref: this.desk.failWith });
          continue;
        }
        const ticket: Ticket = {
          id: `PS-${10000 + this.desk.tickets.length}`,
          scriptId: p.request.script.id,
          scriptTitle: p.request.script.title,
          answers: { ...p.request.answers },
          summary: [...p.request.summary],
          history: [...p.request.history],
          channelId: from.channelId,
          conversationId: from.conversationId,
          partner: { userId: from.userId },
          createdAt: '2026-11-24T10:00:00.000Z',
          delivery: { status: 'pending', attempts: 0 },
        };
        this.desk.tickets.push(ticket);
        r = p.resume({ ok: true, ticket });
      } else if (p.kind === 'findTicket') {
        const id = p.id;
        r = p.resume(this.desk.tickets.find((t) => t.id === id));
      } else {
        r = p.resume(this.o.canMovePrivate ?? false);
      }
    }
    return r;
  }
}

/** What the partner reads: each reply's text as every channel shows it. */
export function textOf(out: readonly Outgoing[], c: CoreConversation): string {
  return out.map((o) => (o.kind === 'text' ? o.text : o.kind === 'knowledge' ? viewOf(o.reply, c.content.kb, c.content.messages).text : o.kind)).join('\n---\n');
}

/** The answers offered as buttons on the last reply. */
export function buttonsOf(out: readonly Outgoing[], c: CoreConversation): string[] {
  const last = out[out.length - 1];
  if (!last) return [];
  if (last.kind === 'text') return [...(last.buttons ?? [])];
  if (last.kind === 'knowledge') return [...(last.offer !== undefined ? [last.offer] : []), ...viewOf(last.reply, c.content.kb, c.content.messages).buttons.map((b) => b.value)];
  return [];
}

/** The reply data of each reply (a knowledge reply's band and article). */
export function dataOf(out: readonly Outgoing[]): Partial<ReplyData>[] {
  return out.map((o) => (o.kind === 'text' ? (o.data ?? {}) : o.kind === 'knowledge' ? knowledgeData(o) : {}));
}

function knowledgeData(o: Extract<Outgoing, { kind: 'knowledge' }>): Partial<ReplyData> {
  const r = o.reply;
  const articleId = r.kind === 'answer' || r.kind === 'partial' ? r.article.id : r.kind === 'clarify' ? (r.candidates[0]?.id ?? null) : null;
  return { band: r.kind, articleId, ...(r.kind === 'smallTalk' ? { intent: r.intent } : {}), ...(o.questionId ? { questionId: o.questionId } : {}) };
}
