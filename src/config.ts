import path from 'node:path';
import { z } from 'zod';
import { parseSupportHours, type SupportHours } from './escalation/supportHours';

const DEFAULT_HOURS = 'Mon-Fri 09:00-17:00';
const STORAGE_KINDS = ['file', 'blob', 'cosmos', 'memory'] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/**
 * The bot's whole configuration, read once from the environment (and `.env` through dotenv in
 * `index.ts`). Nothing else in the project reads `process.env`.
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

const optionalText = z.string().trim().optional();

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const positiveInt = (fallback: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(fallback);

/** Fair use: how much one client, conversation or partner may ask of the bot (see `src/limits/`). */
const FAIR_USE_VARIABLES = {
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(10, 'must be at most 10')
    .default(0),
  RATE_LIMIT_TOKENS_PER_MINUTE: positiveInt(30, 1_000_000),
  RATE_LIMIT_CONVERSATIONS_PER_MINUTE: positiveInt(10, 1_000_000),
  RATE_LIMIT_TURNS_PER_MINUTE: positiveInt(30, 1_000_000),
  RATE_LIMIT_PARTNER_TURNS_PER_MINUTE: positiveInt(60, 1_000_000),
  RATE_LIMIT_STREAMS_PER_CONVERSATION: positiveInt(4, 1000),
  RATE_LIMIT_STREAM_CONNECTS_PER_MINUTE: positiveInt(20, 1_000_000),
  RATE_LIMIT_MAX_KEYS: positiveInt(10_000, 10_000_000),
  RATE_LIMIT_REFUSAL_PAUSE_MS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(60_000, 'must be at most 60000')
    .default(1000),
};

/** The question-log salt that older versions used when none was set: public, so never accepted in production. */
export const FORMER_BUILT_IN_SALT = 'partner-bot-question-log';

const EnvSchema = z
  .object({
    PORT: port.default(3978),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    MicrosoftAppId: optionalText,
    MicrosoftAppPassword: optionalText,
    MicrosoftAppType: z
      .enum(APP_TYPES, { message: `must be one of ${APP_TYPES.join(', ')}` })
      .default('MultiTenant'),
    MicrosoftAppTenantId: optionalText,
    KNOWLEDGE_DIR: z.string().trim().min(1).default('knowledge'),
    BOT_DOMAIN: z
      .string()
      .trim()
      .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a host name such as bot.contoso.com (no scheme, no path)')
      .optional(),
    TEAMS_APP_ID: z.uuid({ message: 'must be a GUID' }).optional(),
    STAFF_TEAMS_CHANNEL: z
      .string()
      .trim()
      .regex(/^19:[^\s]+$/, 'must be a Teams channel id like 19:abc...@thread.tacv2')
      .optional(),
    STAFF_TEAMS_SERVICE_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).default('https://smba.trafficmanager.net/teams/'),
    DIALOGS_DIR: z.string().trim().min(1).default('dialogs'),
    LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    MAX_BODY_BYTES: positiveInt(256 * 1024, 16 * 1024 * 1024),
    MAX_QUESTION_CHARS: positiveInt(1000, 100_000),
    SHUTDOWN_GRACE_MS: positiveInt(10_000, 600_000),
    NODE_ENV: z.string().trim().optional(),
    STORAGE: z.enum(STORAGE_KINDS, { message: `must be one of ${STORAGE_KINDS.join(', ')}` }).default('file'),
    DATA_DIR: z.string().trim().min(1).default('data'),
    STORAGE_JOURNAL: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
    STORAGE_JOURNAL_CHECKPOINT_MB: positiveInt(4, 1024),
    STORAGE_CACHE_MB: positiveInt(64, 64 * 1024),
    BLOB_CONNECTION_STRING: optionalText,
    BLOB_CONTAINER: z
      .string()
      .trim()
      .regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/, 'must be a valid Azure container name (3-63 lower-case letters, digits, single hyphens)')
      .default('partner-bot'),
    COSMOS_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    COSMOS_AUTH_KEY: optionalText,
    COSMOS_DATABASE: z.string().trim().min(1).default('partner-bot'),
    COSMOS_CONTAINER: z.string().trim().min(1).default('bot-state'),
    STATE_TTL_DAYS: positiveInt(30, 3650),
    STORAGE_TIMEOUT_MS: positiveInt(5_000, 120_000),
    QUESTION_LOG_DIR: optionalText,
    KNOWLEDGE_SNAPSHOT: optionalText,
    QUESTION_LOG_RETENTION_DAYS: positiveInt(90, 3650),
    QUESTION_LOG_SALT: z.string().trim().min(16, 'must be at least 16 characters').optional(),
    ESCALATION_WEBHOOK_URL: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .optional(),
    ESCALATION_WEBHOOK_SECRET: optionalText,
    ESCALATION_RETRY_BASE_MS: positiveInt(1000, 3_600_000),
    ESCALATION_RETRY_MAX_MS: positiveInt(300_000, 86_400_000),
    ESCALATION_WEBHOOK_TIMEOUT_MS: positiveInt(10_000, 300_000),
    SUPPORT_HOURS: z.string().trim().min(1).default(DEFAULT_HOURS),
    SUPPORT_TIMEZONE: z.string().trim().min(1).default('UTC'),
    SUPPORT_RESPONSE_TIME: z.string().trim().min(1).default('one business day'),
    TICKET_PREFIX: z
      .string()
      .trim()
      .regex(/^[A-Z]{2,5}$/, 'must be 2 to 5 capital letters, e.g. PS')
      .default('PS'),
    DIRECT_LINE_SECRET: optionalText,
    DIRECT_LINE_DOMAIN: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .default('https://directline.botframework.com/v3/directline'),
    WEBCHAT_ALLOWED_ORIGINS: z
      .string()
      .trim()
      .refine((v) => v.split(',').every((o) => isOrigin(o.trim())), 'must be a comma-separated list of origins such as https://partners.contoso.com (scheme and host, no path)')
      .optional(),
    WEBCHAT_TOKEN_SECRET: z.string().trim().min(32, 'must be at least 32 characters').optional(),
    WEBCHAT_TOKEN_MAX_MINUTES: positiveInt(12 * 60, 7 * 24 * 60),
    ...FAIR_USE_VARIABLES,
    WEBCHAT_TOKEN_TTL_MINUTES: positiveInt(60, 24 * 60).refine((n) => n >= 20, 'must be at least 20 (Web Chat refreshes its token every 15 minutes)'),
    WEBCHAT_RESUME_MINUTES: positiveInt(24 * 60, 90 * 24 * 60),
    SERVICE_URL_ALLOWLIST: z
      .string()
      .trim()
      .refine((v) => v.split(',').every((e) => ['', 'none'].includes(e.trim().toLowerCase()) || parseAllowlistEntry(e.trim()) !== undefined), 'must be "none" or a comma-separated list of "loopback" and http(s) URLs such as https://smba.trafficmanager.net/ (no query, no credentials)')
      .default('loopback'),
    OUTBOUND_TIMEOUT_MS: positiveInt(15_000, 300_000),
    TURN_WAIT_MS: positiveInt(30_000, 600_000),
    TURN_QUEUE_LIMIT: positiveInt(20, 10_000),
    METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
    APPLICATIONINSIGHTS_CONNECTION_STRING: z
      .string()
      .trim()
      .refine(isAppInsightsConnectionString, 'must be an Application Insights connection string: InstrumentationKey=<key>;IngestionEndpoint=https://… (copy it from the resource\'s overview page)')
      .optional(),
    ToBotFromChannelOpenIdMetadataUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .default('https://login.botframework.com/v1/.well-known/openidconfiguration'),
    ToBotFromEmulatorOpenIdMetadataUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .default('https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration'),
  });

/** `Key=value;Key=value` with an InstrumentationKey, and http(s) endpoints where it names them. */
function isAppInsightsConnectionString(v: string): boolean {
  const fields = new Map(
    v
      .split(';')
      .filter((f) => f.trim() !== '')
      .map((f) => {
        const eq = f.indexOf('=');
        return [f.slice(0, eq).trim().toLowerCase(), eq < 0 ? '' : f.slice(eq + 1).trim()] as const;
      }),
  );
  if (!fields.get('instrumentationkey')) return false;
  return ['ingestionendpoint', 'liveendpoint'].every((k) => {
    const url = fields.get(k);
    if (url === undefined) return true;
    try {
      return /^https?:$/.test(new URL(url).protocol);
    } catch {
      return false;
    }
  });
}

/**
 * One entry of SERVICE_URL_ALLOWLIST: `loopback` (any port on localhost, 127.0.0.0/8 or ::1), or a
 * URL prefix: scheme, host, optional port and path. Undefined when it is neither.
 */
export function parseAllowlistEntry(entry: string): ServiceUrlRule | undefined {
  if (entry.toLowerCase() === 'loopback') return { kind: 'loopback' };
  let u: URL;
  try {
    u = new URL(entry);
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) return undefined;
  return { kind: 'prefix', origin: u.origin.toLowerCase(), path: u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/` };
}

/** Where, without an app id, the bot may send replies (see SERVICE_URL_ALLOWLIST). */
export type ServiceUrlRule = { readonly kind: 'loopback' } | { readonly kind: 'prefix'; readonly origin: string; readonly path: string };

/** `https://host[:port]` with nothing after it. */
function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Rules that involve more than one variable, checked even when other variables are bad. */
function crossChecks(env: Record<string, string | undefined>): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  const type = env.MicrosoftAppType ?? 'MultiTenant';
  if (env.MicrosoftAppId && type !== 'UserAssignedMSI' && !env.MicrosoftAppPassword) {
    problems.push({ variable: 'MicrosoftAppPassword', message: 'is required when MicrosoftAppId is set (unless MicrosoftAppType is UserAssignedMSI)' });
  }
  if (type === 'SingleTenant' && !env.MicrosoftAppTenantId) {
    problems.push({ variable: 'MicrosoftAppTenantId', message: 'is required when MicrosoftAppType is SingleTenant' });
  }
  const hours = parseSupportHours(env.SUPPORT_HOURS ?? DEFAULT_HOURS, env.SUPPORT_TIMEZONE ?? 'UTC');
  if (!hours.ok) problems.push({ variable: /zone/i.test(hours.message) ? 'SUPPORT_TIMEZONE' : 'SUPPORT_HOURS', message: hours.message });
  const storage = env.STORAGE ?? 'file';
  if (storage === 'memory' && env.NODE_ENV === 'production') {
    problems.push({ variable: 'STORAGE', message: 'memory keeps nothing across restarts and is refused when NODE_ENV=production' });
  }
  if (storage === 'blob' && !env.BLOB_CONNECTION_STRING) {
    problems.push({ variable: 'BLOB_CONNECTION_STRING', message: 'is required when STORAGE=blob' });
  }
  if (storage === 'cosmos') {
    if (!env.COSMOS_ENDPOINT) problems.push({ variable: 'COSMOS_ENDPOINT', message: 'is required when STORAGE=cosmos' });
    if (!env.COSMOS_AUTH_KEY) problems.push({ variable: 'COSMOS_AUTH_KEY', message: 'is required when STORAGE=cosmos' });
  }
  if (env.NODE_ENV === 'production' && env.QUESTION_LOG_SALT?.trim() === FORMER_BUILT_IN_SALT) {
    problems.push({ variable: 'QUESTION_LOG_SALT', message: 'is the salt older versions had built in, which anyone can read; remove it (a salt is then generated and kept in storage) or set a secret of your own' });
  }
  const ttl = Number(env.WEBCHAT_TOKEN_TTL_MINUTES ?? 60);
  const max = Number(env.WEBCHAT_TOKEN_MAX_MINUTES ?? 12 * 60);
  if (Number.isFinite(ttl) && Number.isFinite(max) && max < ttl) {
    problems.push({ variable: 'WEBCHAT_TOKEN_MAX_MINUTES', message: `must be at least WEBCHAT_TOKEN_TTL_MINUTES (${ttl})` });
  }
  if (env.ESCALATION_WEBHOOK_SECRET && !env.ESCALATION_WEBHOOK_URL) {
    problems.push({ variable: 'ESCALATION_WEBHOOK_SECRET', message: 'is set but ESCALATION_WEBHOOK_URL is not' });
  }
  return problems;
}

export type Env = z.infer<typeof EnvSchema>;

/** Every variable the bot reads. */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Bot Framework credentials; when `appId` is absent the bot accepts unauthenticated requests. */
  readonly auth: {
    readonly appId: string | undefined;
    readonly appPassword: string | undefined;
    readonly appType: (typeof APP_TYPES)[number];
    readonly tenantId: string | undefined;
  };
  /** Where Bot Framework's (and the Emulator's) token signing keys are published (OpenID metadata). */
  readonly openIdMetadata: { readonly channel: string; readonly emulator: string };
  /** Without an app id, the only serviceUrls the bot sends replies to; other activities get 400. */
  readonly serviceUrlAllowlist: readonly ServiceUrlRule[];
  /** Every call the bot makes to another service (replies, proactive messages, Azure, signing keys) gives up after this. */
  readonly outboundTimeoutMs: number;
  /** Turns of one conversation run one at a time: the next waits at most `waitMs` for the one before; at most `queueLimit` wait. */
  readonly turns: { readonly waitMs: number; readonly queueLimit: number };
  readonly knowledgeDir: string;
  /**
   * The file the built knowledge base is saved to, so a restart loads it instead of indexing every
   * article again (undefined: off).
   */
  readonly knowledgeSnapshot: string | undefined;
  /** For the Teams app package: the bot's public host name and the Teams app's id (default: the bot's app id). */
  readonly teams: {
    readonly botDomain: string | undefined;
    readonly appId: string | undefined;
    /** The channel where new tickets are posted for partner support staff (the bot installed in that team). */
    readonly staffChannel: string | undefined;
    readonly staffServiceUrl: string;
  };
  readonly dialogsDir: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly maxBodyBytes: number;
  readonly maxQuestionChars: number;
  readonly shutdownGraceMs: number;
  /** Where tickets, the delivery outbox and conversation state are kept. */
  readonly storage:
    | {
        readonly kind: 'file';
        readonly dir: string;
        /** Whether writes go through the write-ahead journal (one process per folder), or straight to each key's file (several processes may share the folder). */
        readonly journal: boolean;
        /** The journal is checkpointed into the per-key files when it holds this many bytes (or every few seconds). */
        readonly checkpointBytes: number;
        /** With the journal: documents already in their own files are kept in memory up to about this many bytes (least recently used dropped first). */
        readonly cacheBytes: number;
      }
    | { readonly kind: 'memory' }
    | { readonly kind: 'blob'; readonly connectionString: string; readonly container: string }
    | { readonly kind: 'cosmos'; readonly endpoint: string; readonly authKey: string; readonly database: string; readonly container: string };
  /** Conversation state not touched for this many days is deleted (file storage; see README for Azure). */
  readonly stateTtlDays: number;
  /** A storage operation that takes longer has failed: the storage counts as unavailable (503) until it answers again. */
  readonly storageTimeoutMs: number;
  /** The folder of the file backend (also the default for staff tools). */
  readonly dataDir: string;
  /**
   * Every question, its outcome and the partner's feedback, for `npm run kb:gaps` (ids hashed with the
   * salt). Without a configured salt one is generated and kept in storage.
   */
  readonly questionLog: { readonly dir: string; readonly retentionDays: number; readonly salt: string | undefined };
  readonly escalation: {
    readonly webhookUrl: string | undefined;
    readonly webhookSecret: string | undefined;
    readonly ticketPrefix: string;
    /** The first retry waits `retryBaseMs`; each failure doubles the wait, up to `retryMaxMs`. */
    readonly retryBaseMs: number;
    readonly retryMaxMs: number;
    /** A webhook call taking longer counts as failed. An unfinished attempt (the bot died) is retried after twice this. */
    readonly webhookTimeoutMs: number;
  };
  /** The portal widget (Web Chat) and the Direct Line it talks to. */
  readonly webchat: {
    /** Azure Bot Service's Direct Line secret; without it the bot serves its own Direct Line endpoint. */
    readonly directLineSecret: string | undefined;
    readonly directLineDomain: string;
    /** Origins (besides the bot's own) whose pages may embed the widget. */
    readonly allowedOrigins: readonly string[];
    /** Signs the tokens the bot issues; without it a key is generated and kept in storage. */
    readonly tokenSecret: string | undefined;
    readonly tokenTtlSeconds: number;
    /** How long after the last activity a reloaded page resumes its conversation. */
    readonly resumeSeconds: number;
    /** No refresh extends a token chain's access past this many seconds after its first token. */
    readonly tokenMaxSeconds: number;
  };
  /** Fair use: rate limits per client, conversation and partner (per instance). */
  readonly limits: FairUseLimits;
  /**
   * `GET /metrics`: open without credentials outside production; in production only with the bearer
   * token METRICS_TOKEN, and not there at all (404) without one.
   */
  readonly metrics: { readonly access: 'open' | 'token' | 'off'; readonly token: string | undefined };
  /** Traces and metrics to Azure Monitor (Application Insights); off without a connection string. */
  readonly telemetry: { readonly connectionString: string | undefined };
  readonly support: {
    readonly hours: SupportHours;
    readonly hoursText: string;
    readonly responseTime: string;
  };
}

export interface FairUseLimits {
  /** How many proxies in front of the bot append to X-Forwarded-For (0: trust none; use the socket's address). */
  readonly trustedProxyHops: number;
  /** Per client IP: widget token and unread requests. */
  readonly tokensPerMinute: number;
  /** Per client IP: conversations started on the bot's own Direct Line. */
  readonly conversationsPerMinute: number;
  /** Per conversation: turns, in every channel. */
  readonly turnsPerMinute: number;
  /** Per partner (sender id): turns across all their conversations. */
  readonly partnerTurnsPerMinute: number;
  /** Per conversation: WebSocket streams open at once. */
  readonly streamsPerConversation: number;
  /** Per conversation: WebSocket stream connection attempts. */
  readonly streamConnectsPerMinute: number;
  /** Most keys (clients, conversations, partners) each limit tracks; the oldest window is dropped beyond it. */
  readonly maxKeys: number;
  /** How long a 429 is held back before it is sent (0: at once). */
  readonly refusalPauseMs: number;
}

export type ConfigResult = { success: true; data: Config } | { success: false; error: ConfigError };

/** Every problem with the environment at once, one line per variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from an environment; never throws. An empty value (`PORT=` in `.env`)
 * means "not set", so the default applies.
 */
export function parseConfig(raw: Record<string, string | undefined>): ConfigResult {
  const env = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(env);
  const cross = crossChecks(env);
  if (!parsed.success || cross.length > 0) {
    const problems = [
      ...(parsed.success ? [] : parsed.error.issues).map((issue) => ({
        variable: issue.path.map(String).join('.') || '(environment)',
        message: describeIssue(issue, env),
      })),
      ...cross,
    ];
    return { success: false, error: new ConfigError(problems) };
  }
  return { success: true, data: configOf(parsed.data) };
}

/** The configuration from a valid environment, grouped by the part of the bot that reads it. */
function configOf(e: Env): Config {
  return {
    port: e.PORT,
    host: e.HOST,
    auth: {
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId,
    },
    openIdMetadata: { channel: e.ToBotFromChannelOpenIdMetadataUrl, emulator: e.ToBotFromEmulatorOpenIdMetadataUrl },
    serviceUrlAllowlist: e.SERVICE_URL_ALLOWLIST.split(',')
      .map((entry) => parseAllowlistEntry(entry.trim()))
      .filter((rule): rule is ServiceUrlRule => rule !== undefined),
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_MS,
    turns: { waitMs: e.TURN_WAIT_MS, queueLimit: e.TURN_QUEUE_LIMIT },
    knowledgeDir: e.KNOWLEDGE_DIR,
    knowledgeSnapshot: e.KNOWLEDGE_SNAPSHOT === 'off' ? undefined : (e.KNOWLEDGE_SNAPSHOT ?? path.join(e.DATA_DIR, 'knowledge-index.snapshot')),
    teams: {
      botDomain: e.BOT_DOMAIN,
      appId: e.TEAMS_APP_ID ?? e.MicrosoftAppId,
      staffChannel: e.STAFF_TEAMS_CHANNEL,
      staffServiceUrl: e.STAFF_TEAMS_SERVICE_URL,
    },
    dialogsDir: e.DIALOGS_DIR,
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxQuestionChars: e.MAX_QUESTION_CHARS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    storage: storageOf(e),
    stateTtlDays: e.STATE_TTL_DAYS,
    storageTimeoutMs: e.STORAGE_TIMEOUT_MS,
    dataDir: e.DATA_DIR,
    questionLog: { dir: e.QUESTION_LOG_DIR ?? path.join(e.DATA_DIR, 'questions'), retentionDays: e.QUESTION_LOG_RETENTION_DAYS, salt: e.QUESTION_LOG_SALT },
    escalation: escalationOf(e),
    webchat: webchatOf(e),
    limits: limitsOf(e),
    support: supportOf(e),
    metrics: { access: e.NODE_ENV !== 'production' ? 'open' : e.METRICS_TOKEN ? 'token' : 'off', token: e.METRICS_TOKEN },
    telemetry: { connectionString: e.APPLICATIONINSIGHTS_CONNECTION_STRING },
  };
}

function escalationOf(e: Env): Config['escalation'] {
  return {
    webhookUrl: e.ESCALATION_WEBHOOK_URL,
    webhookSecret: e.ESCALATION_WEBHOOK_SECRET,
    ticketPrefix: e.TICKET_PREFIX,
    retryBaseMs: e.ESCALATION_RETRY_BASE_MS,
    retryMaxMs: e.ESCALATION_RETRY_MAX_MS,
    webhookTimeoutMs: e.ESCALATION_WEBHOOK_TIMEOUT_MS,
  };
}

function webchatOf(e: Env): Config['webchat'] {
  return {
    directLineSecret: e.DIRECT_LINE_SECRET,
    directLineDomain: e.DIRECT_LINE_DOMAIN.replace(/\/+$/, ''),
    allowedOrigins: (e.WEBCHAT_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
    tokenSecret: e.WEBCHAT_TOKEN_SECRET,
    tokenTtlSeconds: e.WEBCHAT_TOKEN_TTL_MINUTES * 60,
    resumeSeconds: e.WEBCHAT_RESUME_MINUTES * 60,
    tokenMaxSeconds: e.WEBCHAT_TOKEN_MAX_MINUTES * 60,
  };
}

function limitsOf(e: Env): Config['limits'] {
  return {
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    tokensPerMinute: e.RATE_LIMIT_TOKENS_PER_MINUTE,
    conversationsPerMinute: e.RATE_LIMIT_CONVERSATIONS_PER_MINUTE,
    turnsPerMinute: e.RATE_LIMIT_TURNS_PER_MINUTE,
    partnerTurnsPerMinute: e.RATE_LIMIT_PARTNER_TURNS_PER_MINUTE,
    streamsPerConversation: e.RATE_LIMIT_STREAMS_PER_CONVERSATION,
    streamConnectsPerMinute: e.RATE_LIMIT_STREAM_CONNECTS_PER_MINUTE,
    maxKeys: e.RATE_LIMIT_MAX_KEYS,
    refusalPauseMs: e.RATE_LIMIT_REFUSAL_PAUSE_MS,
  };
}

function supportOf(e: Env): Config['support'] {
  const parsedHours = parseSupportHours(e.SUPPORT_HOURS, e.SUPPORT_TIMEZONE);
  if (!parsedHours.ok) throw new Error(parsedHours.message); // unreachable: crossChecks refused it
  return { hours: parsedHours.hours, hoursText: `${e.SUPPORT_HOURS} (${e.SUPPORT_TIMEZONE})`, responseTime: e.SUPPORT_RESPONSE_TIME };
}

function storageOf(e: Env): Config['storage'] {
  switch (e.STORAGE) {
    case 'memory':
      return { kind: 'memory' };
    case 'blob':
      return { kind: 'blob', connectionString: e.BLOB_CONNECTION_STRING ?? '', container: e.BLOB_CONTAINER };
    case 'cosmos':
      return { kind: 'cosmos', endpoint: e.COSMOS_ENDPOINT ?? '', authKey: e.COSMOS_AUTH_KEY ?? '', database: e.COSMOS_DATABASE, container: e.COSMOS_CONTAINER };
    default:
      return { kind: 'file', dir: e.DATA_DIR, journal: e.STORAGE_JOURNAL === 'on', checkpointBytes: e.STORAGE_JOURNAL_CHECKPOINT_MB * 1024 * 1024, cacheBytes: e.STORAGE_CACHE_MB * 1024 * 1024 };
  }
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = issue.path.map(String).join('.');
  const value = env[name];
  const shown = value === undefined || /password|secret|key|connection|salt/i.test(name) ? '' : ` (got "${value}")`;
  return `${issue.message}${shown}`;
}

/** What the Teams app package needs: the ids and host the manifest names, nothing else. */
export interface TeamsPackageConfig {
  readonly botAppId: string | undefined;
  readonly teamsAppId: string | undefined;
  readonly botDomain: string | undefined;
}

const TeamsPackageSchema = EnvSchema.pick({ MicrosoftAppId: true, BOT_DOMAIN: true, TEAMS_APP_ID: true });

/**
 * Reads only the variables the Teams manifest is filled from (`MicrosoftAppId`, `TEAMS_APP_ID`,
 * `BOT_DOMAIN`), so `npm run teams:package` works on a machine that has no app password or other
 * runtime settings.
 */
export function parseTeamsPackageConfig(raw: Record<string, string | undefined>): { success: true; data: TeamsPackageConfig } | { success: false; error: ConfigError } {
  const env = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = TeamsPackageSchema.safeParse(env);
  if (!parsed.success) {
    return {
      success: false,
      error: new ConfigError(parsed.error.issues.map((issue) => ({ variable: issue.path.map(String).join('.') || '(environment)', message: describeIssue(issue, env) }))),
    };
  }
  const e = parsed.data;
  return { success: true, data: { botAppId: e.MicrosoftAppId, teamsAppId: e.TEAMS_APP_ID ?? e.MicrosoftAppId, botDomain: e.BOT_DOMAIN } };
}
