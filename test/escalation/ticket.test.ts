import { parseScript, type EscalationScript } from '../../src/escalation/script';
import { findTicketId, formatTicketId, summarize, summaryText, TICKET_ID } from '../../src/escalation/ticket';

/** As dialogs/messages.yaml words them. */
const WORDS = { answerSkipped: '(skipped)', answerNotAnswered: '(not answered)' };

const SCRIPT = [
  'id: billing',
  'title: Billing question',
  'intro: Hi.',
  'steps:',
  '  - {id: about, ask: About?, kind: choice, choices: [An invoice or charge, Something else], label: Issue}',
  '  - {id: subscription, ask: Which?, kind: text, optional: true}',
  '  - {id: details, ask: Details?, kind: text, label: Details}',
  '  - {id: partnerId, ask: ID?, kind: partnerId, optional: true, label: Partner ID}',
  'confirm: "{summary}"',
  'done: "{ticket}"',
  'cancelled: Bye.',
].join('\n');

function script(): EscalationScript {
  const r = parseScript(SCRIPT, 'billing.yaml');
  if (!r.success) throw new Error(JSON.stringify(r.problems));
  return r.data;
}

describe('formatTicketId', () => {
  it('joins an upper-case prefix and the number', () => {
    expect(formatTicketId('PS', 10234)).toBe('PS-10234');
    expect(formatTicketId('ps', 7)).toBe('PS-0007');
  });

  it('refuses a prefix or number a reference could not be found by', () => {
    expect(() => formatTicketId('P', 1)).toThrow(RangeError);
    expect(() => formatTicketId('PS1', 1)).toThrow(RangeError);
    expect(() => formatTicketId('PS', -1)).toThrow(RangeError);
    expect(() => formatTicketId('PS', 1.5)).toThrow(RangeError);
    expect(() => formatTicketId('PS', 100_000_000)).toThrow(RangeError);
  });

  it('makes references that TICKET_ID finds again', () => {
    for (const [prefix, n] of [['PS', 1], ['PS', 10234], ['ABCDE', 99_999_999]] as const) {
      const id = formatTicketId(prefix, n);
      expect(TICKET_ID.exec(`status of ${id}?`)?.[0]).toBe(id);
    }
  });
});

describe('TICKET_ID and findTicketId', () => {
  it('finds a reference in any case, with its parts', () => {
    const m = TICKET_ID.exec('what happened to ps-10234, please?');
    expect(m?.[0]).toBe('ps-10234');
    expect(m?.[1]).toBe('ps');
    expect(m?.[2]).toBe('10234');
    expect(findTicketId('what about ps-10234')).toBe('PS-10234');
  });

  it('ignores things that are not references', () => {
    expect(TICKET_ID.exec('Office 365 launched in 2011')).toBeNull();
    expect(TICKET_ID.exec('call 555-0100')).toBeNull();
    expect(TICKET_ID.exec('PS-123')).toBeNull();
    expect(TICKET_ID.exec('XPS-123456789')).toBeNull();
    expect(findTicketId('no reference here')).toBeUndefined();
  });
});

describe('summarize and summaryText', () => {
  it('lists answers in step order with their labels, marking skipped optional steps', () => {
    const summary = summarize(script(), { details: 'Charged twice in May.', about: 'An invoice or charge', subscription: '' }, WORDS);
    expect(summary).toEqual([
      { label: 'Issue', value: 'An invoice or charge' },
      { label: 'subscription', value: '(skipped)' },
      { label: 'Details', value: 'Charged twice in May.' },
      { label: 'Partner ID', value: '(skipped)' },
    ]);
    expect(summaryText(summary)).toBe('- Issue: An invoice or charge\n- subscription: (skipped)\n- Details: Charged twice in May.\n- Partner ID: (skipped)');
  });

  it('marks a required step without an answer', () => {
    expect(summarize(script(), {}, WORDS)[2]).toEqual({ label: 'Details', value: '(not answered)' });
  });

  it('keeps a long answer inside its list item', () => {
    expect(summaryText([{ label: 'Details', value: 'Line one\nLine two\r\nLine three' }])).toBe('- Details: Line one\n  Line two\n  Line three');
  });

  it('is empty for no answers', () => {
    expect(summaryText([])).toBe('');
  });
});
