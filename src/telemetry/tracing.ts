import type { Span } from '@opentelemetry/api';
import type { Logger } from '../log';
import type { Metrics } from './Metrics';

/** One turn's trace span: attributes set as the turn goes, ended once. */
export interface TurnSpan {
  set(attributes: Readonly<Record<string, string | number | boolean | undefined>>): void;
  fail(err: unknown): void;
  end(): void;
}

/** Traces (and metrics) to Azure Monitor, or nothing. */
export interface Telemetry {
  readonly enabled: boolean;
  startTurn(attributes: Readonly<Record<string, string | undefined>>): TurnSpan;
  /** Sends what is buffered and stops; gives up after `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<void>;
}

const noSpan: TurnSpan = { set: () => undefined, fail: () => undefined, end: () => undefined };

/** Telemetry off: nothing loaded, nothing recorded. */
export const noTelemetry: Telemetry = {
  enabled: false,
  startTurn: () => noSpan,
  shutdown: () => Promise.resolve(),
};

export interface AzureMonitorOptions {
  /** The Application Insights connection string (APPLICATIONINSIGHTS_CONNECTION_STRING). */
  readonly connectionString: string;
  /** Every call to the ingestion endpoint gives up after this. */
  readonly timeoutMs: number;
  /** The bot's metrics, mirrored to Azure Monitor as OpenTelemetry metrics. */
  readonly metrics?: Metrics;
  /** Where the SDK's own warnings and errors go (export failures, for one), as JSON log lines. */
  readonly logger: Logger;
}

/**
 * Starts OpenTelemetry with the Azure Monitor distro: one span per turn (kind server, so Application
 * Insights lists turns as requests) and the bot's metrics. The SDK is loaded here and only here, so a
 * bot without a connection string loads none of it. Call this before the first turn.
 *
 * Only the bot's own spans are recorded: the distro's automatic HTTP instrumentation is off (it would
 * add a span for every health probe and widget download), and so are the database and logging
 * instrumentations, which this bot has nothing for. Live metrics are off (a second connection). On
 * App Service the distro names the cloud role after the site.
 */
export function startAzureMonitor(o: AzureMonitorOptions): Telemetry {
  // Loaded on demand: with telemetry off the SDK (and its start-up cost) stays out of the process.
  const azure = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');

  const timeoutMs = o.timeoutMs;
  azure.useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: o.connectionString,
      // The exporter's HTTP client has no time limit of its own: give every call one.
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'partnerBotOutboundTimeout',
            sendRequest: (request, next) => {
              request.timeout = timeoutMs;
              return next(request);
            },
          },
        },
      ],
    },
    enableLiveMetrics: false,
    instrumentationOptions: {
      http: { enabled: false },
      azureSdk: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
    },
  });
  // The SDK's diagnostics into the bot's log (the distro would print them to stderr). While the distro
  // still probes for an Azure VM (a few seconds, or until that call times out), every export reports
  // that the resource is not settled yet: expected, and not worth an error line per batch.
  const log = o.logger.child({ component: 'telemetry' });
  const UNSETTLED = 'Accessing resource attributes before async attributes settled';
  api.diag.setLogger(
    {
      error: (message, ...args) => (message === UNSETTLED ? undefined : log.error({ details: args.map(String) }, message)),
      warn: (message, ...args) => log.warn({ details: args.map(String) }, message),
      info: (message) => log.debug(message),
      debug: (message) => log.debug(message),
      verbose: (message) => log.trace(message),
    },
    { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const tracer = api.trace.getTracer('partner-bot');
  o.metrics?.mirrorTo(api.metrics.getMeter('partner-bot'));

  return {
    enabled: true,
    startTurn: (attributes) => {
      const span: Span = tracer.startSpan('turn', { kind: api.SpanKind.SERVER, attributes: defined(attributes) });
      return {
        set: (more) => span.setAttributes(defined(more)),
        fail: (err) => {
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
        },
        end: () => span.end(),
      };
    },
    shutdown: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([azure.shutdownAzureMonitor().catch(() => undefined), late]);
      clearTimeout(timer);
    },
  };
}

function defined<T>(attributes: Readonly<Record<string, T | undefined>>): Record<string, T> {
  return Object.fromEntries(Object.entries(attributes).filter((e): e is [string, T] => e[1] !== undefined));
}
