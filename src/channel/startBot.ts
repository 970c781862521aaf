import { MemoryStorage, type Storage as BotStorage, type TurnContext } from 'botbuilder';
import type { Messages } from '../answering/Messages';
import { fill } from '../answering/Messages';
import { QuestionLog } from '../answering/QuestionLog';
import type { Config } from '../config';
import { DeliveryWorker } from '../escalation/DeliveryWorker';
import type { EscalationScript } from '../escalation/script';
import { TicketStore } from '../escalation/TicketStore';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import type { Logger } from '../log';
import type { Storage } from '../storage/Storage';
import { createAdapter } from './adapter';
import { StaffDesk } from './teams/staffDesk';
import { PartnerBot } from './PartnerBot';
import { noArticle, renderText } from './render';
import { createBotServer, type BotServer } from './server';
import { BotState } from './state';
import { correlationIdOf } from './turnLog';

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly knowledge: () => KnowledgeBase;
  /** Problems in the knowledge folder that keep the latest edit out of service, for /readyz. */
  readonly knowledgeProblems?: () => readonly string[] | undefined;
  readonly messages: Messages;
  readonly scripts: readonly EscalationScript[];
  /** Where state and tickets live; botbuilder's MemoryStorage when omitted (tests only). */
  readonly storage?: Storage;
}

export interface RunningBot extends BotServer {
  readonly tickets: TicketStore;
  readonly delivery: DeliveryWorker | undefined;
}

/**
 * Wires storage, adapter, bot, delivery worker and HTTP server. A failed turn is logged with its
 * correlation id and the partner gets a short apology with that reference; state is left as it was.
 */
export function buildBotServer(opts: StartOptions): RunningBot {
  const { config, logger, messages } = opts;
  const storage: BotStorage = opts.storage ?? new MemoryStorage();
  const adapter = createAdapter(config.auth);
  const tickets = new TicketStore(storage, config.escalation.ticketPrefix);
  const delivery = config.escalation.webhookUrl
    ? new DeliveryWorker({
        store: tickets,
        url: config.escalation.webhookUrl,
        ...(config.escalation.webhookSecret ? { secret: config.escalation.webhookSecret } : {}),
        baseDelayMs: config.escalation.retryBaseMs,
        maxDelayMs: config.escalation.retryMaxMs,
        timeoutMs: config.escalation.webhookTimeoutMs,
        leaseMs: 2 * config.escalation.webhookTimeoutMs,
        logger,
      })
    : undefined;
  const questionLog = new QuestionLog({
    dir: config.questionLog.dir,
    salt: config.questionLog.salt,
    retentionDays: config.questionLog.retentionDays,
    onError: (err) => logger.error({ err }, 'question log write failed'),
  });
  const staffDesk = config.teams.staffChannel
    ? new StaffDesk({
        adapter,
        appId: config.auth.appId ?? '',
        channelId: config.teams.staffChannel,
        serviceUrl: config.teams.staffServiceUrl,
        ...(config.auth.tenantId ? { tenantId: config.auth.tenantId } : {}),
        tickets,
        messages,
        logger,
      })
    : undefined;
  const bot = new PartnerBot({
    appId: config.auth.appId ?? '',
    questionLog,
    ...(staffDesk ? { staffDesk } : {}),
    knowledge: opts.knowledge,
    messages,
    maxQuestionChars: config.maxQuestionChars,
    logger,
    state: new BotState(storage),
    scripts: opts.scripts,
    tickets,
    support: config.support,
    ...(delivery ? { delivery } : {}),
  });

  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const ref = correlationIdOf(context);
    logger.error({ correlationId: ref, err: error, channelId: context.activity.channelId }, 'turn error');
    try {
      await context.sendActivity(renderText(fill(messages.error, { ref }), noArticle()));
    } catch (sendError) {
      logger.error({ correlationId: ref, err: sendError }, 'could not tell the partner about the error');
    }
  };

  let sweeper: NodeJS.Timeout | undefined;
  const server = createBotServer({
    adapter,
    logic: (context) => bot.run(context),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    readiness: () => {
      const problems = opts.knowledgeProblems?.();
      return { knowledge: opts.knowledge().version, ...(problems ? { knowledgeProblems: problems } : {}) };
    },
  });
  return {
    ...server,
    tickets,
    delivery,
    listen: async (port, host) => {
      await tickets.init();
      const sweep = () => void questionLog.sweep().catch((err: unknown) => logger.error({ err }, 'question log sweep failed'));
      sweep();
      sweeper = setInterval(sweep, 24 * 60 * 60 * 1000);
      sweeper.unref();
      const bound = await server.listen(port, host);
      delivery?.start();
      return bound;
    },
    shutdown: async (graceMs) => {
      if (sweeper) clearInterval(sweeper);
      const result = await server.shutdown(graceMs);
      await Promise.all([delivery?.stop(), questionLog.flush()]);
      return result;
    },
  };
}
