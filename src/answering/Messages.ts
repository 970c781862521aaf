import { z } from 'zod';
import { parseWith } from '../content/parseWith';
import type { Problem, Result } from '../content/Problem';

export const MESSAGES_FILE = 'messages.yaml';

/** Each message and the placeholders it may use. */
const PLACEHOLDERS = {
  welcome: ['topics'],
  listAnd: [],
  greeting: ['topics'],
  help: ['topics'],
  thanks: [],
  goodbye: [],
  answerSource: ['source', 'period', 'asOf'],
  didYouMean: [],
  corrects: ['assumed'],
  inShort: [],
  partialFigure: ['missing'],
  partialDate: ['missing'],
  partialName: ['missing'],
  partialPlace: ['missing'],
  partialMention: ['missing'],
  partialNotThat: ['missing'],
  partialNoFigure: [],
  partialNoDate: [],
  partialNoDay: [],
  partialNoName: [],
  partialNoPlace: [],
  partialNoReason: [],
  partialNotAll: [],
  partialThen: [],
  noAnswer: [],
  notCovered: ['gap'],
  vague: ['topics'],
  offerPerson: [],
  talkToPersonButton: [],
  closestArticleButton: ['title'],
  tooLong: ['max'],
  nonText: [],
  error: ['ref'],
  slowDown: ['seconds'],
  escalationOffer: [],
  yesButton: [],
  noButton: [],
  offerDeclined: [],
  reuseKnown: ['value'],
  skipHint: [],
  stepHelp: [],
  confirmHelp: [],
  backToRequest: [],
  answerEmpty: [],
  answerTooLong: ['max'],
  answerEmail: [],
  answerPhone: [],
  answerPartnerId: [],
  answerPattern: [],
  answerChoice: [],
  answerYesNo: [],
  whichToChange: [],
  nextStepsOpen: ['responseTime'],
  nextStepsClosed: ['hours', 'opening', 'responseTime'],
  openingToday: ['time', 'zone'],
  openingTomorrow: ['time', 'zone'],
  openingLater: ['day', 'time', 'zone'],
  openingNextWeek: ['day', 'time', 'zone'],
  weekdays: [],
  ticketDelivered: ['ticket', 'when'],
  ticketPending: ['ticket', 'attempts'],
  ticketStored: ['ticket'],
  ticketNotFound: ['ticket'],
  earlierDate: [],
  answerSkipped: [],
  answerNotAnswered: [],
  noTickets: [],
  escalationFailed: ['ref'],
  askButton: [],
  helpfulButton: [],
  notHelpfulButton: [],
  feedbackThanks: [],
  feedbackSorry: [],
  escalateInPrivate: [],
  escalationMovedPrivate: ['name'],
  openPrivateChatButton: [],
  ticketTaken: ['ticket', 'name'],
  ticketResolved: ['ticket', 'name'],
  staffTakeButton: [],
  staffResolveButton: [],
  staffCardFrom: ['partner', 'channel', 'time'],
  staffAskedBefore: [],
  staffOpen: [],
  staffTaken: ['name'],
  staffResolved: ['name'],
  staffUnnamed: [],
  botName: [],
  widgetTitle: [],
  widgetLauncherLabel: [],
  widgetUnreadOne: ['label', 'count'],
  widgetUnreadMany: ['label', 'count'],
  widgetNewButton: [],
  widgetNewLabel: [],
  widgetNewHint: [],
  widgetCloseLabel: [],
  widgetConnecting: [],
  widgetUnavailable: [],
  widgetCouldNotStart: ['reason'],
  widgetBundleFailed: [],
  widgetServiceAnswered: ['status'],
  widgetTryAgain: [],
  widgetBotInitials: [],
  widgetUserInitials: [],
} as const satisfies Record<string, readonly string[]>;

export type MessageKey = keyof typeof PLACEHOLDERS;
export type Messages = Readonly<Record<MessageKey, string>>;

/** What fits in Web Chat's avatar circle (the widget shows no more of a page's data-bot-initials either). */
const MAX_INITIALS = 3;

const line = z
  .string({ error: (issue) => (issue.input === undefined ? 'is missing: every message is required (see dialogs/README.md)' : 'must be text') })
  .trim()
  .min(1, 'must not be empty');
const Schema = z.strictObject(
  Object.fromEntries(Object.keys(PLACEHOLDERS).map((k) => [k, line])) as Record<MessageKey, typeof line>,
);

/** Parses the bot's messages, checking that each uses only the placeholders it is given. */
export function parseMessages(text: string, file: string): Result<Messages> {
  const parsed = parseWith(Schema, text, file);
  if (!parsed.success) return parsed;
  const { data, yaml } = parsed.data;
  const problems: Problem[] = [];
  for (const [key, allowed] of Object.entries(PLACEHOLDERS) as [MessageKey, readonly string[]][]) {
    for (const m of data[key].matchAll(/\{([^{}]*)\}/g)) {
      const name = m[1] ?? '';
      if (!allowed.includes(name)) {
        const can = allowed.length > 0 ? `it may use ${allowed.map((a) => `{${a}}`).join(', ')}` : 'it takes none';
        problems.push({ file, line: yaml.lineOf([key]), message: `${key}: unknown placeholder {${name}}; ${can}`, severity: 'error' });
      }
    }
  }
  const days = data.weekdays.split(',').map((d) => d.trim());
  if (days.length !== 7 || days.includes('')) {
    problems.push({ file, line: yaml.lineOf(['weekdays']), message: `weekdays: must name the 7 days of the week, Monday first, separated by commas (found ${days.filter((d) => d !== '').length})`, severity: 'error' });
  }
  for (const key of ['widgetBotInitials', 'widgetUserInitials'] as const) {
    const length = [...data[key]].length;
    if (length > MAX_INITIALS) problems.push({ file, line: yaml.lineOf([key]), message: `${key}: at most ${MAX_INITIALS} characters fit in the avatar circle (found ${length})`, severity: 'error' });
  }
  if (problems.length > 0) return { success: false, problems };
  return { success: true, data, warnings: parsed.warnings };
}

/** Fills `{name}` placeholders; placeholders without a value are left as they are. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}
