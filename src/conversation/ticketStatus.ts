import { fill } from '../answering/Messages';
import type { Ticket } from '../escalation/ticket';
import { noArticle, say } from './outgoing';
import type { TurnBuilder } from './TurnBuilder';
import type { TurnResult } from './turn';

/**
 * Where a ticket stands: the one named, or the last one opened in this conversation. Only tickets
 * opened in this conversation or by this partner (in this channel) are shown; any other reference is
 * "not found", so no one can read another partner's.
 */
export function ticketStatus(t: TurnBuilder, id: string | undefined): TurnResult {
  const wanted = id ?? t.facts.tickets[t.facts.tickets.length - 1];
  if (!wanted) return t.say(say(t.messages.noTickets, noArticle())).logged('ticketStatus').result();
  return t.result({ kind: 'findTicket', id: wanted, resume: (ticket) => statusOf(t, wanted, ticket) });
}

function statusOf(t: TurnBuilder, wanted: string, ticket: Ticket | undefined): TurnResult {
  const m = t.messages;
  const from = t.input.message.from;
  const mine = ticket && (ticket.conversationId === from.conversationId || (ticket.partner.userId === from.userId && ticket.channelId === from.channelId));
  if (!ticket || !mine) return t.say(say(fill(m.ticketNotFound, { ticket: wanted }), noArticle())).logged('ticketStatus').result();
  const d = ticket.delivery;
  const text =
    d.status === 'delivered'
      ? fill(m.ticketDelivered, { ticket: ticket.id, when: d.deliveredAt ? formatWhen(d.deliveredAt) : m.earlierDate })
      : d.status === 'pending'
        ? fill(m.ticketPending, { ticket: ticket.id, attempts: d.attempts })
        : fill(m.ticketStored, { ticket: ticket.id });
  t.say(say(text, { band: 'ticketStatus', articleId: null, confidence: null, ticketId: ticket.id, delivery: d.status }));
  return t.logged('ticketStatus').result();
}

function formatWhen(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
