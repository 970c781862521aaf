import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { hashId } from './storage/QuestionLog';
import { redactText, redactUrl } from './logRedaction';

export type Logger = pino.Logger;

/** The salt each logger hashes ids with, by logger (a child logger shares its root's serializers). */
const salts = new WeakMap<pino.Logger, { salt: string }>();

/**
 * Structured JSON logs on stdout. What could identify a partner or open their chat never appears:
 * - `conversationId`, `partnerId` and `clientAddress` are written as `hashId(id, salt)`, the same hash the question
 *   log uses, so a log line can be matched with a question but not read back to an id (and the
 *   conversation part of a Direct Line `activityId` likewise);
 * - `url` has its query values (tokens, resume proofs) and conversation ids redacted, `reason` and
 *   errors (`err`) have anything shaped like a token removed;
 * - the Authorization header and passwords and secrets in logged objects are redacted.
 * Until `useLogSalt` is called ids are hashed with a random salt of this process.
 */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): Logger {
  const holder = { salt: randomBytes(24).toString('base64url') };
  const hash = (id: unknown): string => (id === undefined || id === null ? String(id) : hashId(String(id), holder.salt));
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'partner-bot' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      conversationId: hash,
      partnerId: hash,
      clientAddress: hash,
      // The bot's own Direct Line numbers activities `<conversation id>|<sequence>`.
      activityId: (id: unknown) => (typeof id === 'string' && id.includes('|') ? `~${hash(id.slice(0, id.lastIndexOf('|')))}${id.slice(id.lastIndexOf('|'))}` : id),
      url: (url: unknown) => redactUrl(url, hash),
      reason: (reason: unknown) => redactText(reason, hash),
      origin: (origin: unknown) => redactText(origin),
      // What restify logs of a value an async handler returned: never the object (a response holds its request's headers).
      value: (value: unknown) => (typeof value === 'object' && value !== null ? `[${value.constructor?.name ?? 'object'}]` : value),
      err: (err: unknown) => {
        const serialized = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
        if (typeof serialized !== 'object' || serialized === null) return serialized;
        for (const field of ['message', 'stack'] as const) {
          if (typeof serialized[field] === 'string') serialized[field] = redactText(serialized[field], hash);
        }
        return serialized;
      },
    },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.headers.authorization', '*.req.headers.authorization', '*.MicrosoftAppPassword', '*.appPassword', 'password', 'secret', 'token', 'resume'],
      censor: '[redacted]',
    },
  };
  const stdout = destination ? undefined : stdoutDestination(() => logger);
  const logger: pino.Logger = stdout ? pino({ ...options, hooks: { streamWrite: stdout.noteLine } }, stdout.stream) : pino(options, destination as pino.DestinationStream);
  salts.set(logger, holder);
  return logger;
}

/** At most this many bytes of log lines wait for stdout; lines that would exceed it are dropped and counted. */
const MAX_PENDING_LOG_BYTES = 8 * 1024 * 1024;
/** Log lines are gathered until this many bytes wait (at most LOG_WRITE_BYTES * 2 go in one write) ... */
const LOG_WRITE_BYTES = 32 * 1024;
/** ... or for this long after a line was logged. */
const LOG_FLUSH_MS = 100;

/**
 * stdout written asynchronously: a log line costs a turn a copy into a buffer, not a blocking write
 * (a synchronous line per turn took a sixth of the throughput). Lines are gathered and written together
 * once LOG_WRITE_BYTES wait, and at the latest LOG_FLUSH_MS after a line was logged: a write per line
 * (each a trip to Node's thread pool) cost a busy bot about a twentieth of its CPU. A timer runs only
 * while lines wait, so an idle bot does nothing. pino writes what is still buffered synchronously when
 * the process exits (also on `process.exit`), so a stopping or failing process keeps its last lines;
 * only a SIGKILL can lose the last tenth of a second's worth. The buffer is bounded: when stdout cannot
 * keep up, lines beyond MAX_PENDING_LOG_BYTES are dropped, and how many is logged once there is room.
 */
function stdoutDestination(logger: () => pino.Logger): { stream: pino.DestinationStream; noteLine: (line: string) => string } {
  const stdout = pino.destination({ dest: 1, sync: false, minLength: LOG_WRITE_BYTES, maxWrite: 2 * LOG_WRITE_BYTES, maxLength: MAX_PENDING_LOG_BYTES });
  let dropped = 0;
  stdout.on('drop', () => {
    dropped += 1;
    if (dropped > 1) return;
    setTimeout(() => {
      const count = dropped;
      dropped = 0;
      logger().warn({ dropped: count }, 'log lines dropped: stdout did not keep up');
    }, 1000).unref();
  });
  let timer: NodeJS.Timeout | undefined;
  // A flush asked for while a write was under way does nothing: it is asked for again when that write is done.
  let flushAsked = false;
  stdout.on('drain', () => {
    if (!flushAsked) return;
    flushAsked = false;
    stdout.flush();
  });
  const noteLine = (line: string): string => {
    timer ??= setTimeout(() => {
      timer = undefined;
      flushAsked = true;
      stdout.flush();
    }, LOG_FLUSH_MS).unref();
    return line;
  };
  return { stream: stdout, noteLine };
}

/**
 * From now on the logger (and every child made after this) hashes ids with `salt`: the question
 * log's salt, so both hash an id alike.
 */
export function useLogSalt(logger: Logger, salt: string): void {
  const holder = salts.get(logger);
  if (holder) holder.salt = salt;
}
