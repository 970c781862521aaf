import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import { parseMessages, type Messages } from '../../src/answering/Messages';
import { StaffDesk } from '../../src/channel/teams/staffDesk';
import type { Ticket } from '../../src/escalation/ticket';
import type { TicketStore } from '../../src/escalation/TicketStore';
import { realContent, ROOT, silentLogger } from '../helpers/realContent';

/** The ticket card partner support sees in their Teams channel, worded from dialogs/messages.yaml. */
const TICKET: Ticket = {
  id: 'PS-10001',
  scriptId: 'support',
  scriptTitle: 'Request for partner support',
  answers: {},
  summary: [{ label: 'Question', value: 'Need help moving 40 BPOS seats' }],
  history: [{ question: 'when is wpc?', band: 'answer', articleId: 'wpc-2011', at: '2026-11-24T09:58:00.000Z' }],
  channelId: 'webchat',
  conversationId: 'c1',
  partner: { userId: 'u1', name: 'Jane Doe' },
  createdAt: '2026-11-24T10:00:00.000Z',
  delivery: { status: 'stored', attempts: 0 },
};

function cardText(messages: Messages, ticket: Ticket): string {
  const desk = new StaffDesk({ adapter: {} as CloudAdapter, appId: '', channelId: '19:staff@thread.tacv2', serviceUrl: 'http://127.0.0.1:1/', tickets: {} as TicketStore, messages, logger: silentLogger() });
  const card = desk.card(ticket).content as { body: { text?: string }[]; actions: { title: string }[] };
  return [...card.body.map((b) => b.text ?? ''), ...card.actions.map((a) => `[${a.title}]`)].filter((t) => t !== '').join('\n');
}

describe('the staff ticket card', () => {
  it('is worded from messages.yaml: who and where, what they asked before, the status and the buttons', async () => {
    const { messages } = await realContent();
    expect(cardText(messages, TICKET)).toBe(
      [
        'PS-10001: Request for partner support',
        'Jane Doe via webchat, 2026-11-24 10:00 UTC',
        'Asked before:\n- when is wpc? → answer (wpc-2011)',
        'Open: nobody has taken it yet',
        '[Take it]',
        '[Resolve]',
      ].join('\n'),
    );
    const taken = { ...TICKET, staff: { conversationId: 'x', activityId: '1', status: 'taken' as const, assignee: 'Riley Chen' } };
    expect(cardText(messages, taken)).toMatch(/\nTaken by Riley Chen\n\[Resolve\]$/);
    expect(cardText(messages, { ...taken, staff: { ...taken.staff, status: 'resolved' } })).toMatch(/\nResolved by Riley Chen$/);
  });

  it('follows a staff edit of messages.yaml', () => {
    const file = path.join(ROOT, 'dialogs', 'messages.yaml');
    const text = readFileSync(file, 'utf8')
      .replace(/^staffOpen: .*$/m, 'staffOpen: Waiting for someone to take it')
      .replace(/^staffCardFrom: .*$/m, 'staffCardFrom: "From {partner} ({channel}) at {time} UTC"')
      .replace(/^staffAskedBefore: .*$/m, 'staffAskedBefore: "Earlier questions:"')
      .replace(/^staffTakeButton: .*$/m, 'staffTakeButton: Mine');
    const edited = parseMessages(text, file);
    if (!edited.success) throw new Error(JSON.stringify(edited.problems));
    const card = cardText(edited.data, TICKET);
    expect(card).toContain('From Jane Doe (webchat) at 2026-11-24 10:00 UTC');
    expect(card).toContain('Earlier questions:\n- when is wpc?');
    expect(card).toContain('Waiting for someone to take it\n[Mine]\n[Resolve]');
    expect(card).not.toMatch(/Open: nobody|Asked before|Take it/);
  });
});
