import dotenv from 'dotenv';
import { loadMessages } from './answering/Messages';
import { buildBotServer } from './channel/startBot';
import { parseConfig } from './config';
import { loadScripts } from './escalation/script';
import { KnowledgeWatcher } from './knowledge/KnowledgeWatcher';
import { loadKnowledge } from './knowledge/loadKnowledge';
import { formatProblem } from './knowledge/Problem';
import { createLogger, type Logger } from './log';
import { FileStorage } from './storage/FileStorage';
import { sweepExpiredState } from './storage/sweepState';
import { createStorage, describeStorage } from './channel/storageBackends';

/** Composition root: configuration → knowledge → server. */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const parsed = parseConfig(process.env);
  if (!parsed.success) {
    console.error(parsed.error.message);
    process.exit(1);
  }
  const config = parsed.data;
  const logger = createLogger(config.logLevel);

  const [kb, messages, scripts] = await Promise.all([loadKnowledge(config.knowledgeDir), loadMessages(config.dialogsDir), loadScripts(config.dialogsDir)]);
  if (!kb.success || !messages.success || !scripts.success) {
    const problems = [kb, messages, scripts].flatMap((r) => (r.success ? [] : r.problems));
    console.error(`The bot cannot start: fix these problems first.\n${problems.map(formatProblem).join('\n')}`);
    process.exit(1);
  }
  kb.warnings.forEach((w) => logger.warn({ problem: formatProblem(w) }, 'knowledge warning'));
  const watcher = new KnowledgeWatcher({ dir: config.knowledgeDir, initial: kb.data, logger });
  const knowledge = () => watcher.current();

  const storage = createStorage(config.storage);
  const bot = buildBotServer({
    config,
    logger,
    knowledge,
    knowledgeProblems: () => watcher.lastError()?.map(formatProblem),
    messages: messages.data,
    scripts: scripts.data,
    storage,
  });
  const port = await bot.listen(config.port, config.host);
  if (storage instanceof FileStorage) scheduleStateSweep(storage, config.stateTtlDays, logger);
  watcher.start();
  logger.info(
    {
      port,
      knowledge: kb.data.version,
      scripts: scripts.data.map((s) => s.id),
      storage: describeStorage(config.storage),
      tickets: config.escalation.webhookUrl ? 'webhook' : 'stored only (npm run tickets lists them)',
      auth: config.auth.appId ? 'bot-framework-token' : 'none',
      widget: config.webchat.directLineSecret ? 'Azure Direct Line' : 'own Direct Line at /v3/directline',
    },
    `partner bot listening on http://localhost:${port}/api/messages; demo portal with the chat widget at http://localhost:${port}/`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: bot.inFlight() }, 'shutting down');
    Promise.all([bot.shutdown(config.shutdownGraceMs), watcher.stop()]).then(
      ([{ drained }]) => {
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

/** Expires old conversation state now and every hour after (file backend only). */
function scheduleStateSweep(storage: FileStorage, ttlDays: number, logger: Logger): void {
  const sweep = () =>
    sweepExpiredState(storage, ttlDays).then(
      (deleted) => deleted > 0 && logger.info({ deleted, ttlDays }, 'expired conversation state deleted'),
      (err: unknown) => logger.error({ err }, 'state sweep failed'),
    );
  void sweep();
  setInterval(() => void sweep(), 60 * 60 * 1000).unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
