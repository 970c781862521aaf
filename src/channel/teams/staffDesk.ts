import { CardFactory, type Activity, type Attachment, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import { fill, type Messages } from '../../answering/Messages';
import type { Ticket } from '../../escalation/ticket';
import type { TicketStore } from '../../escalation/TicketStore';
import type { Logger } from '../../log';

/** What the buttons on a staff ticket card send back. */
export interface StaffActionValue {
  readonly staffAction: 'take' | 'resolve';
  readonly ticketId: string;
}

export function isStaffActionValue(v: unknown): v is StaffActionValue {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (r.staffAction === 'take' || r.staffAction === 'resolve') && typeof r.ticketId === 'string' && r.ticketId.length <= 40;
}

export interface StaffDeskOptions {
  readonly adapter: CloudAdapter;
  /** The bot's app id ('' when running without credentials). */
  readonly appId: string;
  /** The staff channel, e.g. 19:abc@thread.tacv2. */
  readonly channelId: string;
  readonly serviceUrl: string;
  readonly tenantId?: string;
  readonly tickets: TicketStore;
  readonly messages: Messages;
  readonly logger: Logger;
}

/**
 * Partner support's side in Teams: each new ticket is posted to the staff channel as a card with the
 * partner's details and question history; "Take it" and "Resolve" update the card for everyone and
 * tell the partner, proactively, through the conversation reference stored on the ticket (so it works
 * after a restart). Only presses from the staff channel count.
 */
export class StaffDesk {
  constructor(private readonly o: StaffDeskOptions) {}

  /** Posts a new ticket to the staff channel and records where its card is. Never throws. */
  async announce(ticket: Ticket): Promise<void> {
    try {
      const card = this.card(ticket);
      let posted: { conversationId: string; activityId: string } | undefined;
      await this.o.adapter.createConversationAsync(
        this.o.appId,
        'msteams',
        this.o.serviceUrl,
        '',
        {
          isGroup: true,
          bot: { id: this.o.appId, name: '' },
          channelData: { channel: { id: this.o.channelId }, ...(this.o.tenantId ? { tenant: { id: this.o.tenantId } } : {}) },
          activity: { type: 'message', attachments: [card], summary: `${ticket.id}: ${ticket.scriptTitle}` } as Activity,
        },
        async (context) => {
          // Teams names a new channel thread "<channel>;messageid=<id of its first message>".
          const conversationId = context.activity.conversation.id;
          posted = { conversationId, activityId: /;messageid=(\d+|[\w-]+)$/.exec(conversationId)?.[1] ?? '' };
        },
      );
      const where = posted;
      if (!where) return;
      await this.o.tickets.update(ticket.id, (t) => ({ ...t, staff: { conversationId: where.conversationId, activityId: where.activityId, status: 'open' } }));
      this.o.logger.info({ ticket: ticket.id }, 'ticket posted to the staff channel');
    } catch (err) {
      this.o.logger.error({ err, ticket: ticket.id }, 'could not post the ticket to the staff channel');
    }
  }

  /** Whether a turn comes from the staff channel (a thread in it). */
  isStaffConversation(context: TurnContext): boolean {
    const a = context.activity;
    const channel = (a.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
    return a.channelId === 'msteams' && (channel === this.o.channelId || a.conversation.id.startsWith(`${this.o.channelId};`) || a.conversation.id === this.o.channelId);
  }

  /** Handles "Take it" / "Resolve" pressed on a ticket card in the staff channel. */
  async act(context: TurnContext, action: StaffActionValue): Promise<void> {
    const name = context.activity.from.name ?? this.o.messages.staffUnnamed;
    const at = new Date().toISOString();
    const updated = await this.o.tickets.update(action.ticketId, (t) => {
      const staff = t.staff ?? { conversationId: context.activity.conversation.id, activityId: context.activity.replyToId ?? '', status: 'open' as const };
      if (action.staffAction === 'take') return { ...t, staff: { ...staff, status: 'taken', assignee: name, takenAt: at } };
      return { ...t, staff: { ...staff, status: 'resolved', assignee: staff.assignee ?? name, resolvedAt: at } };
    });
    if (!updated?.staff) return;
    // A button press replies to the card it is on; the id recorded when posting is the fallback.
    const cardActivityId = context.activity.replyToId ?? updated.staff.activityId;
    if (cardActivityId) {
      await context.updateActivity({ id: cardActivityId, type: 'message', attachments: [this.card(updated)] });
    }
    const message = fill(action.staffAction === 'take' ? this.o.messages.ticketTaken : this.o.messages.ticketResolved, { ticket: updated.id, name });
    if (updated.partnerRef) {
      await this.o.adapter.continueConversationAsync(this.o.appId, updated.partnerRef as Partial<ConversationReference>, async (partner) => {
        await partner.sendActivity(message);
      });
    }
    this.o.logger.info({ ticket: updated.id, action: action.staffAction, by: name }, 'staff action');
  }

  /** The ticket card: reference, subject, the partner's details, answers and question history, status. */
  card(t: Ticket): Attachment {
    const m = this.o.messages;
    const status =
      t.staff?.status === 'resolved'
        ? fill(m.staffResolved, { name: t.staff.assignee ?? m.staffUnnamed })
        : t.staff?.status === 'taken'
          ? fill(m.staffTaken, { name: t.staff.assignee ?? m.staffUnnamed })
          : m.staffOpen;
    const facts = t.summary.map((s) => ({ title: s.label, value: s.value }));
    const history = t.history.map((h) => `- ${h.question} → ${h.band}${h.articleId ? ` (${h.articleId})` : ''}`).join('\n');
    const actions =
      t.staff?.status === 'resolved'
        ? []
        : [
            ...(t.staff?.status === 'taken' ? [] : [submit(m.staffTakeButton, { staffAction: 'take', ticketId: t.id })]),
            submit(m.staffResolveButton, { staffAction: 'resolve', ticketId: t.id }),
          ];
    return CardFactory.adaptiveCard({
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: `${t.id}: ${t.scriptTitle}`, weight: 'Bolder', size: 'Medium', wrap: true },
        { type: 'TextBlock', text: fill(m.staffCardFrom, { partner: t.partner.name ?? t.partner.userId, channel: t.channelId, time: t.createdAt.slice(0, 16).replace('T', ' ') }), isSubtle: true, wrap: true },
        { type: 'FactSet', facts },
        ...(history ? [{ type: 'TextBlock', text: `${m.staffAskedBefore}\n${history}`, wrap: true, size: 'Small' }] : []),
        { type: 'TextBlock', text: status, weight: 'Bolder', color: t.staff?.status === 'resolved' ? 'Good' : 'Accent', wrap: true },
      ],
      actions,
    });
  }
}

function submit(title: string, value: StaffActionValue): object {
  return { type: 'Action.Submit', title, data: { ...value, msteams: { type: 'messageBack', displayText: title, text: '', value } } };
}
