import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { QuestionLog } from '../../src/storage/QuestionLog';
import { PartnerBot, type SupportDesk } from '../../src/channel/PartnerBot';
import { BotState } from '../../src/channel/state';
import { parseSupportHours } from '../../src/escalation/supportHours';
import { TicketStore } from '../../src/escalation/TicketStore';
import type { Storage } from '../../src/storage/Storage';
import { realContent, silentLogger } from './realContent';

export interface TurnBot {
  readonly adapter: TestAdapter;
  /** The question log the bot writes (in a temp folder). */
  readonly questionLog: QuestionLog;
  readonly logDir: string;
  readonly tickets: TicketStore;
  readonly storage: Storage;
  /** How many times the bot told the delivery worker about a new ticket. */
  readonly kicks: () => number;
}

export interface TurnBotOptions {
  maxQuestionChars?: number;
  /** Support hours for "what happens next" (default: always open). */
  hours?: string;
  timeZone?: string;
  now?: () => Date;
  /** Share storage between bots, as a restart or a second instance would. */
  storage?: Storage;
  webhook?: boolean;
  /** Another partner in another conversation (the default is TestAdapter's user in 'Convo1'). */
  as?: { userId: string; conversationId: string };
  /** A full activity template, e.g. a Teams channel conversation (overrides `as`). */
  template?: Partial<Activity>;
}

/** The real bot over botbuilder's TestAdapter, with the bundled content and in-memory storage. */
export async function makeBot(o: TurnBotOptions = {}): Promise<TurnBot> {
  const { kb, messages, scripts, phrases } = await realContent();
  const storage = o.storage ?? new MemoryStorage();
  const hours = parseSupportHours(o.hours ?? 'Mon-Sun 00:00-24:00', o.timeZone ?? 'UTC');
  if (!hours.ok) throw new Error(hours.message);
  const support: SupportDesk = { hours: hours.hours, hoursText: `${o.hours ?? 'Mon-Sun 00:00-24:00'} (${o.timeZone ?? 'UTC'})`, responseTime: '4 business hours' };
  const tickets = new TicketStore(storage, 'PS');
  let kicks = 0;
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'turn-log-'));
  const questionLog = new QuestionLog({ dir: logDir, salt: 'test-salt-123' });
  const bot = new PartnerBot({
    questionLog,
    knowledge: () => kb,
    messages,
    maxQuestionChars: o.maxQuestionChars ?? 1000,
    logger: silentLogger(),
    state: new BotState(storage),
    scripts,
    phrases,
    tickets,
    support,
    ...(o.webhook === false ? {} : { delivery: { kick: () => void (kicks += 1) } }),
    ...(o.now ? { now: o.now } : {}),
  });
  const template = o.as
    ? { channelId: 'test', serviceUrl: 'https://test.com', from: { id: o.as.userId, name: o.as.userId }, recipient: { id: 'bot', name: 'Bot' }, conversation: { id: o.as.conversationId, isGroup: false, conversationType: 'personal', name: o.as.conversationId } }
    : undefined;
  const adapter = new TestAdapter((context) => bot.run(context), o.template ?? template);
  return { adapter, tickets, storage, kicks: () => kicks, questionLog, logDir };
}

/** Sends `text` and collects every activity the bot sends back in that turn. */
export function say(adapter: TestAdapter, text: string): Promise<Partial<Activity>[]> {
  return sayActivity(adapter, text);
}

/** Sends an activity (or text) and collects every activity the bot sends back in that turn. */
export async function sayActivity(adapter: TestAdapter, activity: string | Partial<Activity>): Promise<Partial<Activity>[]> {
  adapter.activeQueue.splice(0);
  await adapter.receiveActivity(activity);
  return adapter.activeQueue.splice(0);
}

export const textOf = (replies: Partial<Activity>[]): string => replies.map((r) => r.text ?? '').join('\n---\n');
export const buttonsOf = (a: Partial<Activity> | undefined): string[] => (a?.suggestedActions?.actions ?? []).map((x) => String(x.value));
export const lastMessage = (replies: Partial<Activity>[]): Partial<Activity> | undefined => [...replies].reverse().find((r) => r.type === 'message');
