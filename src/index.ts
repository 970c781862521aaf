import path from 'node:path';
import dotenv from 'dotenv';
import { buildBotServer, prepareStorage, type PreparedStorage, type RunningBot } from './channel/startBot';
import { parseConfig, type Config } from './config';
import { loadDialogs } from './dialogs/loadDialogs';
import { KnowledgeWatcher, folderFingerprint } from './knowledge/KnowledgeWatcher';
import { ArticleCache, loadKnowledge } from './knowledge/loadKnowledge';
import { KnowledgeSnapshot } from './knowledge/snapshot';
import { formatProblem } from './content/Problem';
import { createLogger, type Logger } from './log';
import { PeriodicJobs } from './PeriodicJobs';
import { folderProblem } from './storage/checkFolder';
import { storageUnavailableIn } from './storage/StorageHealth';
import { sweepExpiredState } from './storage/sweepState';
import { describeStorage, openStorage, type FolderStore } from './channel/storageBackends';
import { FolderInUse } from './storage/fileLock';
import { Metrics } from './telemetry/Metrics';
import { noTelemetry, startAzureMonitor, type Telemetry } from './telemetry/tracing';
import { collectGarbage } from './heap';

/** On SIGTERM the process ends at the latest this long after SHUTDOWN_GRACE_MS, whatever still hangs. */
const SHUTDOWN_DEADLINE_EXTRA_MS = 5000;
/** On shutdown, how long buffered telemetry may take to be sent. */
const TELEMETRY_FLUSH_MS = 2000;
/** On shutdown, how long a sweep in progress may take to finish before the storage is closed under it. */
const JOBS_STOP_MS = 2000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Composition root: the one place that decides the order of start-up. Configuration → telemetry →
 * storage (opened, and what the server needs from it loaded) → content (knowledge base and dialogs) →
 * the server, built with everything ready → listening → the knowledge watcher and the periodic jobs →
 * signals. Any problem before listening stops the bot in one line; nothing is served before the server
 * listens, and it listens only when everything it needs is loaded.
 */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const config = configOrStop();
  const logger = createLogger(config.logLevel);
  const metrics = new Metrics({ processMetrics: true });
  // Before anything else runs, so the first turn is traced; without a connection string nothing is loaded.
  const telemetry = config.telemetry.connectionString
    ? startAzureMonitor({ connectionString: config.telemetry.connectionString, timeoutMs: config.outboundTimeoutMs, metrics, logger })
    : noTelemetry;
  const { ready, folder } = await storageOrStop(config, logger);
  const content = await contentOrStop(config, logger, metrics, folder);
  // The build's working data collected before the bot listens (see `collectGarbage`).
  const collected = collectGarbage();
  if (collected) logger.info(collected, 'garbage of the knowledge build collected');
  const bot = buildBotServer({
    config,
    logger,
    knowledge: () => content.watcher.current(),
    knowledgeProblems: () => content.watcher.lastError()?.map(formatProblem),
    messages: content.messages,
    scripts: content.scripts,
    phrases: content.phrases,
    ready,
    metrics,
    telemetry,
  });
  const port = await bot.listen(config.port, config.host);
  content.watcher.start();
  const jobs = schedulePeriodicJobs(config, logger, { bot, folder });
  logger.info(
    {
      port,
      knowledge: content.watcher.current().version,
      scripts: content.scripts.map((s) => s.id),
      storage: describeStorage(config.storage),
      tickets: config.escalation.webhookUrl ? 'webhook' : 'stored only (npm run tickets lists them)',
      auth: config.auth.appId ? 'bot-framework-token' : 'none',
      widget: config.webchat.directLineSecret ? 'Azure Direct Line' : 'own Direct Line at /v3/directline',
      metrics: config.metrics.access === 'off' ? 'off (set METRICS_TOKEN)' : `/metrics (${config.metrics.access === 'open' ? 'open' : 'bearer token'})`,
      tracing: telemetry.enabled ? 'Azure Monitor' : 'off',
    },
    `partner bot listening on http://localhost:${port}/api/messages; demo portal with the chat widget at http://localhost:${port}/`,
  );
  stopOnSignals(config, logger, { bot, watcher: content.watcher, jobs, telemetry, folder });
}

/** The configuration from the environment (and .env); a bad one stops the bot, naming every bad variable. */
function configOrStop(): Config {
  const parsed = parseConfig(process.env);
  if (parsed.success) return parsed.data;
  console.error(parsed.error.message);
  process.exit(1);
}

/**
 * The storage, opened and checked, with what the server needs from it loaded. Files left by stopped
 * processes are removed first. A folder, a data folder in use by another process or a storage that
 * does not answer stops the bot now, in one line, not on a partner's first message.
 */
async function storageOrStop(config: Config, logger: Logger): Promise<{ ready: PreparedStorage; folder: FolderStore | undefined }> {
  await checkFolders(config);
  const { storage, folder } = await openStorageOrStop(config, logger);
  if (folder) await removeLeftOvers(folder, logger);
  try {
    return { ready: await prepareStorage({ config, logger, storage }), folder };
  } catch (err) {
    const unavailable = storageUnavailableIn(err);
    if (!unavailable) throw err;
    console.error(`The bot cannot start: its storage, ${describeStorage(config.storage)}, is not usable: ${unavailable.reason}.`);
    process.exit(1);
  }
}

/** The configured storage; a data folder another bot process keeps its journal in stops the bot now, in one line. */
async function openStorageOrStop(config: Config, logger: Logger): Promise<Awaited<ReturnType<typeof openStorage>>> {
  try {
    return await openStorage(config.storage, logger);
  } catch (err) {
    if (!(err instanceof FolderInUse) || config.storage.kind !== 'file') throw err;
    console.error(
      `The bot cannot start: the data folder ${path.resolve(config.storage.dir)} (DATA_DIR) is not usable: ${err.message}. ` +
        'One bot process keeps its journal there; give each process its own DATA_DIR, or set STORAGE_JOURNAL=off on every process that shares it.',
    );
    process.exit(1);
  }
}

/** The folders the bot writes to: one it cannot use stops it now, in one line, not on a partner's first message. */
async function checkFolders(config: Config): Promise<void> {
  const folders = [
    ...(config.storage.kind === 'file' ? [{ name: 'the data folder', variable: 'DATA_DIR', dir: config.storage.dir }] : []),
    { name: 'the question log folder', variable: 'QUESTION_LOG_DIR', dir: config.questionLog.dir },
  ];
  for (const folder of folders) {
    const problem = await folderProblem(folder.dir);
    if (problem) {
      console.error(`The bot cannot start: ${folder.name} ${path.resolve(folder.dir)} (${folder.variable}) is not usable: ${problem}.`);
      process.exit(1);
    }
  }
}

/**
 * The content: the knowledge base (with the watcher that reloads it when staff edit it) and the
 * dialogs folder. A problem in any of it stops the bot, listing every problem with its file and line
 * (the storage is closed first, so the data folder is free for the next start).
 */
async function contentOrStop(config: Config, logger: Logger, metrics: Metrics, folder: FolderStore | undefined) {
  // Taken before the load: a save made while it runs is a change the watcher's first look loads.
  const knowledgeFingerprint = await folderFingerprint(config.knowledgeDir);
  // Kept for reloads: an edit parses again only the files that changed.
  const articleCache = new ArticleCache();
  // A snapshot of the last build: the load below then parses and indexes only what changed since.
  const snapshot = config.knowledgeSnapshot ? new KnowledgeSnapshot(config.knowledgeSnapshot, config.knowledgeDir, logger) : undefined;
  await snapshot?.restore(articleCache);
  const [kb, dialogs] = await Promise.all([loadKnowledge(config.knowledgeDir, new Date(), articleCache), loadDialogs(config.dialogsDir)]);
  if (!kb.success || !dialogs.success) {
    const problems = [kb, dialogs].flatMap((r) => (r.success ? [] : r.problems));
    await folder?.close().catch(() => undefined);
    console.error(`The bot cannot start: fix these problems first.\n${problems.map(formatProblem).join('\n')}`);
    process.exit(1);
  }
  kb.warnings.forEach((w) => logger.warn({ problem: formatProblem(w) }, 'knowledge warning'));
  snapshot?.save(articleCache, kb.data.version.hash);
  const watcher = new KnowledgeWatcher({
    dir: config.knowledgeDir,
    initial: kb.data,
    logger,
    load: (dir, changed, phases) => loadKnowledge(dir, new Date(), articleCache, { ...(changed ? { changedSince: changed } : {}), ...(phases ? { phases } : {}) }),
    ...(knowledgeFingerprint ? { initialFingerprint: knowledgeFingerprint } : {}),
    onReload: (loaded) => {
      metrics.knowledgeChange('reloaded');
      snapshot?.save(articleCache, loaded.version.hash);
    },
    onRefuse: () => metrics.knowledgeChange('refused'),
  });
  return { watcher, ...dialogs.data };
}

/**
 * Every periodic job of the bot, in one place: old question log files swept daily; with the file
 * backend, expired conversation state swept now and hourly, and files crashed processes left removed
 * hourly (they were removed once before the server started). All stop at shutdown.
 */
function schedulePeriodicJobs(config: Config, logger: Logger, parts: { bot: RunningBot; folder: FolderStore | undefined }): PeriodicJobs {
  const { bot, folder } = parts;
  const jobs = new PeriodicJobs(logger);
  jobs.every('question log sweep', 24 * HOUR_MS, () => bot.questionLog.sweep(), { now: true });
  if (folder) {
    const ttlDays = config.stateTtlDays;
    jobs.every(
      'state sweep',
      HOUR_MS,
      async () => {
        const deleted = await sweepExpiredState(folder, ttlDays);
        if (deleted > 0) logger.info({ deleted, ttlDays }, 'expired conversation state deleted');
      },
      { now: true },
    );
    jobs.every('left-over file clean-up', HOUR_MS, () => removeLeftOvers(folder, logger));
  }
  return jobs;
}

/** On SIGTERM or SIGINT: finishes the turns in flight (within the grace period), then exits; a second signal exits at once. */
function stopOnSignals(
  config: Config,
  logger: Logger,
  parts: { bot: RunningBot; watcher: KnowledgeWatcher; jobs: PeriodicJobs; telemetry: Telemetry; folder: FolderStore | undefined },
): void {
  const { bot, watcher, jobs, telemetry, folder } = parts;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, inFlight: bot.inFlight() }, 'shutting down');
    // The parts of shutdown have their own limits; this is the backstop for anything that still hangs.
    setTimeout(() => {
      logger.error({ graceMs: config.shutdownGraceMs, inFlight: bot.inFlight() }, 'shutdown did not finish in time; exiting now');
      process.exit(1);
    }, config.shutdownGraceMs + SHUTDOWN_DEADLINE_EXTRA_MS).unref();
    Promise.all([bot.shutdown(config.shutdownGraceMs), watcher.stop(), jobs.stop(JOBS_STOP_MS)]).then(
      async ([{ drained }]) => {
        // The journal copied into the documents' own files, and the folder given up for the next process.
        await folder?.close().catch((err: unknown) => logger.warn({ code: (err as { code?: unknown }).code }, 'could not close the storage'));
        // The last turns' spans and metrics, sent or given up on within 2 s.
        await telemetry.shutdown(TELEMETRY_FLUSH_MS);
        logger.info({ drained }, 'stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Lock and temp files of processes that died (SIGKILL, a crash, a power cut); never another live instance's. */
async function removeLeftOvers(storage: FolderStore, logger: Logger): Promise<void> {
  try {
    const removed = await storage.cleanUp();
    if (removed.locks + removed.temps > 0) logger.info(removed, 'removed files left by a stopped process');
  } catch (err) {
    logger.warn({ code: (err as { code?: unknown }).code }, 'could not look for files left by a stopped process');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
