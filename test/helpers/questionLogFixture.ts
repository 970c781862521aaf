import { QuestionLog, type Feedback, type QuestionInput } from '../../src/storage/QuestionLog';
import type { Band } from '../../src/conversation/band';
import type { GapInput } from '../../src/answering/gaps';

/**
 * A week of partner questions (Mon 2011-06-06 .. Sun 2011-06-12, UTC) as the bot answered them with the
 * bundled knowledge base (band, reason, articles and not-covered subject as `decide()` gives them), plus
 * a few records just outside the week.
 */
export const WEEK = { from: '2011-06-06', to: '2011-06-12' } as const;

const PRICES = 'prices, costs per user and licensing terms';
const WPC_VENUE = 'where WPC is held or how to register for it';
const MIGRATION = 'the Office 365 launch date and how to migrate customers';
const MARGINS = 'partner margins, commissions and incentives';

export interface FixtureRecord {
  /** Day of the week (0 = 2011-06-06); -3 and 7 are outside it. */
  day: number;
  /** Time of day, `HH:MM`. */
  time?: string;
  partner?: string;
  question: string;
  band: Band;
  reason?: string;
  articleId?: string;
  candidates?: string[];
  gap?: string;
  confidence?: number;
  /** Feedback in order given; the last wins. `day`/`time` of feedback: same as the question, 5 minutes later, unless given. */
  feedback?: { value: Feedback; day?: number; time?: string }[];
}

const CLOUD_CANDIDATES = ['mpn-cloud-partner-strategy', 'cloud-vs-on-premise', 'partner-billing-policy'];
const PARTNER_CANDIDATES = ['partner-billing-policy', 'top-cloud-partners', 'mpn-cloud-partner-strategy'];

export const FIXTURE: FixtureRecord[] = [
  // Gaps: the price group (3), by not-covered subject and by words.
  { day: 0, question: 'how much does bpos cost', band: 'noAnswer', reason: 'notCovered', gap: PRICES, articleId: 'bpos-why-customers-choose', confidence: 0.792 },
  { day: 1, question: 'bpos price per user', band: 'noAnswer', reason: 'notCovered', gap: PRICES, articleId: 'bpos-why-customers-choose', confidence: 0.611 },
  { day: 2, question: 'what does bpos cost', band: 'answer', articleId: 'bpos-why-customers-choose', confidence: 0.792, feedback: [{ value: 'notHelpful' }] },
  // Where WPC is held (4).
  { day: 0, question: 'where is wpc held', band: 'noAnswer', reason: 'notCovered', gap: WPC_VENUE, articleId: 'wpc-2011', confidence: 0.581 },
  { day: 3, partner: 'partner-7', question: 'Where is WPC held?', band: 'noAnswer', reason: 'notCovered', gap: WPC_VENUE, articleId: 'wpc-2011', confidence: 0.581 },
  { day: 4, question: 'wpc venue', band: 'noAnswer', reason: 'notCovered', gap: WPC_VENUE, articleId: 'wpc-2011', confidence: 0.581 },
  { day: 5, question: 'wpc location', band: 'noAnswer', reason: 'notCovered', gap: WPC_VENUE, articleId: 'wpc-2011', confidence: 0.581 },
  // Migration (2).
  { day: 1, question: 'migrate mailboxes to office 365', band: 'noAnswer', reason: 'notCovered', gap: MIGRATION, articleId: 'office-365-successor', confidence: 0.72 },
  { day: 3, question: 'how do i migrate mailboxes', band: 'noAnswer', reason: 'notCovered', gap: MIGRATION, articleId: 'top-cloud-partners', confidence: 0.581 },
  // Nothing matches (2, same words).
  { day: 2, question: 'weather tomorrow', band: 'noAnswer', reason: 'noMatch', confidence: 0 },
  { day: 4, question: "what's the weather tomorrow?", band: 'noAnswer', reason: 'noMatch', confidence: 0 },
  // Singles.
  { day: 5, question: 'can you tell me about it', band: 'noAnswer', reason: 'vague', confidence: 0 },
  { day: 6, question: 'partner commission rates', band: 'noAnswer', reason: 'notCovered', gap: MARGINS, articleId: 'partner-billing-policy', confidence: 0.145 },
  // Answered at 23:58 on the last day; the partner said "not helpful" after midnight.
  { day: 6, time: '23:58', question: 'xbox games', band: 'answer', articleId: 'competitors', confidence: 0.664, feedback: [{ value: 'notHelpful', day: 7, time: '00:03' }] },
  { day: 4, question: 'tell me about partners', band: 'clarify', candidates: PARTNER_CANDIDATES, confidence: 0.478, feedback: [{ value: 'notHelpful' }] },

  // Not gaps: answered (helpful or no feedback), small talk, escalation, "did you mean" without feedback.
  { day: 0, question: 'when is wpc', band: 'answer', articleId: 'wpc-2011', confidence: 1, feedback: [{ value: 'helpful' }] },
  { day: 1, question: 'when is wpc', band: 'answer', articleId: 'wpc-2011', confidence: 1, feedback: [{ value: 'helpful' }] },
  { day: 2, question: 'When is WPC?', band: 'answer', articleId: 'wpc-2011', confidence: 1 },
  { day: 0, question: 'what is bpos', band: 'answer', articleId: 'bpos-overview', confidence: 1, feedback: [{ value: 'helpful' }] },
  { day: 1, question: 'bpos editions', band: 'answer', articleId: 'bpos-editions', confidence: 1 },
  { day: 2, question: 'who leads online services', band: 'answer', articleId: 'online-services-leadership', confidence: 0.94, feedback: [{ value: 'helpful' }] },
  { day: 3, question: 'what replaces bpos', band: 'answer', articleId: 'office-365-successor', confidence: 0.923, feedback: [{ value: 'helpful' }] },
  { day: 4, question: 'partner billing policy', band: 'answer', articleId: 'partner-billing-policy', confidence: 1, feedback: [{ value: 'helpful' }] },
  { day: 5, question: 'who are the top cloud partners', band: 'answer', articleId: 'top-cloud-partners', confidence: 1 },
  { day: 6, question: 'does bpos include sharepoint', band: 'answer', articleId: 'bpos-overview', confidence: 1, feedback: [{ value: 'helpful' }] },
  // First "not helpful", then changed to "helpful": the last feedback wins, so not a gap.
  { day: 6, question: 'office web apps adoption', band: 'answer', articleId: 'office-web-apps-adoption', confidence: 1, feedback: [{ value: 'notHelpful' }, { value: 'helpful', time: '12:30' }] },
  { day: 0, question: 'hi', band: 'smallTalk' },
  { day: 2, question: 'thanks', band: 'smallTalk' },
  { day: 5, question: 'talk to a human', band: 'escalation' },
  { day: 6, question: 'cloud', band: 'clarify', candidates: CLOUD_CANDIDATES, confidence: 0.427 },

  // Outside the week: not counted.
  { day: -3, question: 'how much does bpos cost', band: 'noAnswer', reason: 'notCovered', gap: PRICES, articleId: 'bpos-why-customers-choose', confidence: 0.792 },
  { day: 7, time: '09:00', question: 'wpc venue', band: 'noAnswer', reason: 'notCovered', gap: WPC_VENUE, articleId: 'wpc-2011', confidence: 0.581 },
];

/** Records in the week. */
export const IN_WEEK = FIXTURE.filter((r) => r.day >= 0 && r.day <= 6);

export function timeOf(day: number, time = '10:00'): Date {
  const base = Date.parse(`${WEEK.from}T${time}:00.000Z`);
  return new Date(base + day * 24 * 60 * 60 * 1000);
}

/** The fixture as gap-finding input (in-week records, with the last feedback joined). */
export function fixtureInputs(records: readonly FixtureRecord[] = IN_WEEK): GapInput[] {
  return records.map((r) => {
    const last = r.feedback?.[r.feedback.length - 1];
    return { ...r, ...(last ? { feedback: last.value } : { feedback: undefined }) };
  });
}

/** Writes the fixture through QuestionLog into `dir`, as the bot would have; returns the question ids in fixture order. */
export async function writeFixture(dir: string, salt = 'fixture-salt'): Promise<string[]> {
  let clock = timeOf(0);
  const log = new QuestionLog({ dir, salt, instance: 'bot-a', now: () => clock });
  const ids: string[] = [];
  const feedback: { at: Date; id: string; value: Feedback }[] = [];
  FIXTURE.forEach((r, i) => {
    clock = timeOf(r.day, r.time ?? `10:${String(i).padStart(2, '0')}`);
    const input: QuestionInput = {
      partnerId: r.partner ?? `partner-${i % 5}`,
      conversationId: `conv-${i}`,
      channelId: i % 2 === 0 ? 'msteams' : 'webchat',
      question: r.question,
      band: r.band,
      ...(r.reason !== undefined ? { reason: r.reason } : {}),
      ...(r.articleId !== undefined ? { articleId: r.articleId } : {}),
      ...(r.candidates !== undefined ? { candidates: r.candidates } : {}),
      ...(r.gap !== undefined ? { gap: r.gap } : {}),
      ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    };
    const id = log.recordQuestion(input);
    ids.push(id);
    const asked = clock;
    for (const f of r.feedback ?? []) {
      const at = f.day !== undefined || f.time !== undefined ? timeOf(f.day ?? r.day, f.time ?? '10:00') : new Date(asked.getTime() + 5 * 60_000);
      feedback.push({ at, id, value: f.value });
    }
  });
  for (const f of feedback.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    clock = f.at;
    log.recordFeedback(f.id, f.value);
  }
  await log.flush();
  return ids;
}
