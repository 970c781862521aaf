import { MemoryStorage, type Storage as BotStorage, type TurnContext } from 'botbuilder';
import type { Messages } from '../answering/Messages';
import { fill } from '../answering/Messages';
import { QuestionLog } from '../storage/QuestionLog';
import type { Config } from '../config';
import { DeliveryWorker } from '../escalation/DeliveryWorker';
import type { EscalationScript } from '../escalation/script';
import { TicketStore } from '../escalation/TicketStore';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import { FairUse } from '../limits/FairUse';
import { useLogSalt, type Logger } from '../log';
import type { Storage } from '../storage/Storage';
import { loadStoredSecret } from '../storage/storedSecret';
import { StorageHealth, storageFault, storageUnavailableIn } from '../storage/StorageHealth';
import { createAdapter, type PartnerAdapter } from './adapter';
import { LOCAL_SERVICE_URL, registerDirectLine } from './directLine/directLineRoutes';
import { TokenChains } from './directLine/tokenChains';
import { createTurnGate, slowDownActivity } from './fairUseHttp';
import { TokenSigner } from './directLine/tokens';
import { Transcripts } from './directLine/transcripts';
import type { Phrases } from '../conversation/phrases';
import { AzureDirectLine } from '../http/webchat/azureDirectLine';
import { OriginPolicy } from '../http/webchat/origins';
import { TokenIssuer } from '../http/webchat/tokenIssuer';
import { registerWebChat } from '../http/webchat/webchatRoutes';
import { widgetWords } from '../http/webchat/widgetWords';
import { StaffDesk } from './teams/staffDesk';
import { PartnerBot } from './PartnerBot';
import { noArticle } from '../conversation/outgoing';
import { renderText } from './renderers/markdown';
import { createBotServer, type BotServer } from './server';
import { BotState } from './state';
import { correlationIdOf } from './turnLog';
import { Metrics } from '../telemetry/Metrics';
import { noTelemetry, type Telemetry } from '../telemetry/tracing';
import { observeTurns, registerMetrics } from './observability';

/** Where the generated question-log salt is kept (when QUESTION_LOG_SALT is not set). */
export const QUESTION_LOG_SALT_DOC = 'question-log/salt';

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly knowledge: () => KnowledgeBase;
  /** Problems in the knowledge folder that keep the latest edit out of service, for /readyz. */
  readonly knowledgeProblems?: () => readonly string[] | undefined;
  readonly messages: Messages;
  readonly scripts: readonly EscalationScript[];
  /** What the bot recognises in partners' words (dialogs/phrases.yaml). */
  readonly phrases: Phrases;
  /** The storage, with what the server needs from it already loaded (`prepareStorage`). */
  readonly ready: PreparedStorage;
  /** The bot's metrics (`GET /metrics`); a registry of its own when omitted. */
  readonly metrics?: Metrics;
  /** Traces to Azure Monitor; none when omitted. */
  readonly telemetry?: Telemetry;
}

export interface RunningBot extends BotServer {
  readonly tickets: TicketStore;
  /** The conversations of the bot's own Direct Line (the portal widget without Azure). */
  readonly transcripts: Transcripts;
  readonly delivery: DeliveryWorker | undefined;
  /** The storage as the bot uses it, with its health (read by `/readyz`). */
  readonly storage: StorageHealth;
  readonly metrics: Metrics;
  /** The question log: its sweep of old files is one of the bot's periodic jobs. */
  readonly questionLog: QuestionLog;
}

/** The bot's storage, and what the server needs from it before it may take a request. */
export interface PreparedStorage {
  /** The storage as the bot uses it, with its health. */
  readonly storage: StorageHealth;
  readonly tickets: TicketStore;
  /** Signs the widget's tokens (WEBCHAT_TOKEN_SECRET, or a key generated once and kept in storage). */
  readonly signer: TokenSigner;
  /** Hashes partner and conversation ids in the question log and the logs (QUESTION_LOG_SALT, or generated and kept). */
  readonly questionLogSalt: string;
}

/** Where the generated key that signs widget tokens is kept (when WEBCHAT_TOKEN_SECRET is not set). */
const WIDGET_KEY_DOC = 'local-directline/signing-key';

/**
 * Loads what the server needs from storage before it is built: the ticket counter, the key that signs
 * widget tokens and the question log's salt (generated on first start and kept, so they stay the same
 * across restarts and instances). Rejects with StorageUnavailable when the storage cannot be used.
 * Without `storage`, botbuilder's MemoryStorage (tests only).
 */
export async function prepareStorage(opts: { readonly config: Config; readonly logger: Logger; readonly storage?: Storage }): Promise<PreparedStorage> {
  const { config, logger } = opts;
  // Everything goes through the health monitor: a failing store gives 503s and one log line per incident.
  const storage = new StorageHealth(opts.storage ?? (new MemoryStorage() as BotStorage), { timeoutMs: config.storageTimeoutMs, logger });
  const tickets = new TicketStore(storage, config.escalation.ticketPrefix);
  await tickets.init();
  const signer = new TokenSigner(config.webchat.tokenSecret ?? (await loadStoredSecret(storage, WIDGET_KEY_DOC, { field: 'key', generate: TokenSigner.randomKey })));
  const questionLogSalt = config.questionLog.salt ?? (await loadStoredSecret(storage, QUESTION_LOG_SALT_DOC));
  useLogSalt(logger, questionLogSalt);
  return { storage, tickets, signer, questionLogSalt };
}

/** After the turns in flight (SHUTDOWN_GRACE_MS), how long shutdown waits for a delivery in progress and the question log. */
const SHUTDOWN_TAIL_MS = 2000;

/**
 * Wires adapter, bot, delivery worker and HTTP server around storage that is ready to use (nothing is
 * loaded later: the server may take requests as soon as it listens). A failed turn is logged with its
 * correlation id and the partner gets a short apology with that reference; state is left as it was.
 */
export function buildBotServer(opts: StartOptions): RunningBot {
  const { config, logger, messages } = opts;
  const { storage, tickets } = opts.ready;
  const metrics = opts.metrics ?? new Metrics();
  const observe = observeTurns(metrics, opts.telemetry ?? noTelemetry);
  const adapter = createAdapter({
    auth: config.auth,
    openIdMetadata: config.openIdMetadata,
    outboundTimeoutMs: config.outboundTimeoutMs,
    onKeyFetchError: (url, reason, servingCachedKeys) =>
      logger.error({ url, reason, servingCachedKeys }, servingCachedKeys ? 'could not refresh Bot Framework signing keys; the cached keys still serve' : 'could not fetch Bot Framework signing keys; requests with tokens get 503 until they can be fetched'),
  });
  const delivery = createDelivery(config, tickets, logger, metrics);
  const questionLog = questionLogFor(config, opts.ready.questionLogSalt, logger);
  const bot = createPartnerBot(opts, { adapter, storage, tickets, questionLog, metrics, ...(delivery ? { delivery } : {}) });
  adapter.onTurnError = turnErrorHandler(messages, logger);

  const fairUse = new FairUse(config.limits, { onRefusal: (limit) => metrics.refused(limit) });
  metrics.countStreamsWith(() => fairUse.openStreamCount());
  const server = createBotServer({
    turnGate: createTurnGate({ fairUse, messages, logger }),
    adapter,
    logic: (context) => observe(context, () => bot.run(context)),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    serviceUrlAllowlist: config.serviceUrlAllowlist,
    reservedServiceUrls: [LOCAL_SERVICE_URL],
    turnLimits: { waitMs: config.turns.waitMs, queueLimit: config.turns.queueLimit },
    storage: () => storage.state(),
    readiness: () => {
      const problems = opts.knowledgeProblems?.();
      return { knowledge: opts.knowledge().version, ...(problems ? { knowledgeProblems: problems } : {}) };
    },
  });

  registerMetrics(server.server, server.gate, metrics, config.metrics, logger);
  const transcripts = registerWidget(opts, { server, adapter, fairUse });

  return {
    ...server,
    tickets,
    transcripts,
    delivery,
    storage,
    metrics,
    questionLog,
    listen: async (port, host) => {
      const bound = await server.listen(port, host);
      storage.start();
      delivery?.start();
      return bound;
    },
    shutdown: async (graceMs) => {
      storage.stop();
      const result = await server.shutdown(graceMs);
      // Bounded: a hung webhook or disk must not keep the process from exiting.
      let timer: NodeJS.Timeout | undefined;
      const tail = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_TAIL_MS)));
      await Promise.race([Promise.all([delivery?.stop(SHUTDOWN_TAIL_MS), questionLog.flush()]), tail]);
      clearTimeout(timer);
      return result;
    },
  };
}

/** The portal widget: its token endpoint and, without Azure Bot Service, the bot's own Direct Line. */
function registerWidget(opts: StartOptions, parts: { server: BotServer; adapter: PartnerAdapter; fairUse: FairUse }): Transcripts {
  const { config, logger, messages } = opts;
  const { storage, signer } = opts.ready;
  const { server, adapter, fairUse } = parts;
  const webchat = config.webchat;
  const transcripts = new Transcripts(storage);
  const origins = new OriginPolicy(webchat.allowedOrigins);
  const issuer = new TokenIssuer({
    signer,
    tokenTtlSeconds: webchat.tokenTtlSeconds,
    tokenMaxSeconds: webchat.tokenMaxSeconds,
    resumeSeconds: webchat.resumeSeconds,
    transcripts,
    ...(webchat.directLineSecret ? { azure: new AzureDirectLine(webchat.directLineDomain, webchat.directLineSecret, config.outboundTimeoutMs), azureDomain: webchat.directLineDomain } : {}),
  });
  registerWebChat({ server: server.server, issuer, origins, allowedOrigins: webchat.allowedOrigins, logger, gate: server.gate, fairUse, words: widgetWords(messages) });
  if (webchat.directLineSecret) return transcripts;
  adapter.useLocalChannel({
    serviceUrl: LOCAL_SERVICE_URL,
    send: (conv, activities) => transcripts.append(conv, activities),
    update: (conv, activity) => transcripts.update(conv, activity),
    remove: (conv, id) => transcripts.remove(conv, id),
  });
  registerDirectLine({
    server: server.server,
    transcripts,
    signer,
    tokenTtlSeconds: webchat.tokenTtlSeconds,
    origins,
    bot: { id: config.auth.appId ?? 'partner-bot', name: messages.botName },
    maxBodyBytes: config.maxBodyBytes,
    logger,
    gate: server.gate,
    runTurn: (activity) => server.runLocalTurn(activity),
    hasRoomFor: (activity) => server.hasRoomFor(activity),
    onShutdown: server.onShutdown,
    chains: new TokenChains(storage),
    fairUse,
    slowDown: (seconds) => slowDownActivity(messages, seconds),
  });
  return transcripts;
}

/** The webhook delivery worker, when tickets go to a webhook. */
function createDelivery(config: Config, tickets: TicketStore, logger: Logger, metrics: Metrics): DeliveryWorker | undefined {
  if (!config.escalation.webhookUrl) return undefined;
  return new DeliveryWorker({
    store: tickets,
    url: config.escalation.webhookUrl,
    ...(config.escalation.webhookSecret ? { secret: config.escalation.webhookSecret } : {}),
    baseDelayMs: config.escalation.retryBaseMs,
    maxDelayMs: config.escalation.retryMaxMs,
    timeoutMs: config.escalation.webhookTimeoutMs,
    leaseMs: 2 * config.escalation.webhookTimeoutMs,
    logger,
    onAttempt: (attempt, delivered) => metrics.ticketAttempt(attempt, delivered),
  });
}

/** The bot, with the staff channel's desk when one is configured. */
function createPartnerBot(
  opts: StartOptions,
  parts: { adapter: PartnerAdapter; storage: StorageHealth; tickets: TicketStore; questionLog: QuestionLog; metrics: Metrics; delivery?: DeliveryWorker },
): PartnerBot {
  const { config, logger, messages } = opts;
  const { adapter, tickets } = parts;
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
  return new PartnerBot({
    appId: config.auth.appId ?? '',
    questionLog: parts.questionLog,
    ...(staffDesk ? { staffDesk } : {}),
    knowledge: opts.knowledge,
    messages,
    phrases: opts.phrases,
    maxQuestionChars: config.maxQuestionChars,
    logger,
    state: new BotState(parts.storage),
    scripts: opts.scripts,
    tickets,
    support: config.support,
    ...(parts.delivery ? { delivery: parts.delivery } : {}),
    observer: parts.metrics,
  });
}

/**
 * A failed turn: logged with its correlation id, and the partner gets a short apology with that
 * reference. A storage outage is not a failed turn: the endpoint answers 503 with the reason.
 */
function turnErrorHandler(messages: Messages, logger: Logger): (context: TurnContext, error: Error) => Promise<void> {
  return async (context, error) => {
    const unavailable = storageUnavailableIn(error);
    if (unavailable) throw unavailable;
    const ref = correlationIdOf(context);
    logger.error({ correlationId: ref, err: error, channelId: context.activity.channelId }, 'turn error');
    try {
      await context.sendActivity(renderText(fill(messages.error, { ref }), noArticle()));
    } catch (sendError) {
      logger.error({ correlationId: ref, err: sendError }, 'could not tell the partner about the error');
    }
  };
}

/** The question log, with the salt that hashes partner and conversation ids in it (and in the logs). */
function questionLogFor(config: Config, salt: string, logger: Logger): QuestionLog {
  return new QuestionLog({
    dir: config.questionLog.dir,
    salt,
    retentionDays: config.questionLog.retentionDays,
    ...questionLogIncidents(logger),
  });
}

/**
 * The question log's error reporting: a failing disk is logged when it starts failing and when writes
 * work again (with how many writes, of one or more records each, were lost), not once per question.
 */
function questionLogIncidents(logger: Logger): { onError: (err: unknown) => void; onWritten: () => void } {
  let failing: { since: number; failedWrites: number } | undefined;
  return {
    onError: (err) => {
      const reason = storageFault(err, 0);
      if (reason === undefined) return void logger.error({ err }, 'question log write failed');
      if (failing) return void (failing.failedWrites += 1);
      failing = { since: Date.now(), failedWrites: 1 };
      const { code, syscall } = err as { code?: unknown; syscall?: unknown };
      logger.error({ reason, error: { code, syscall } }, 'question log cannot be written');
    },
    onWritten: () => {
      if (!failing) return;
      logger.info({ downMs: Date.now() - failing.since, failedWrites: failing.failedWrites }, 'question log written again');
      failing = undefined;
    },
  };
}
