import { timingSafeEqual } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type restify from 'restify';
import type { Config } from '../config';
import type { Logger } from '../log';
import { bandOf, type Metrics, type TurnBand } from '../telemetry/Metrics';
import type { Telemetry } from '../telemetry/tracing';
import type { ShutdownGate } from '../http/shutdownGate';
import { correlationIdOf, outcomeOf } from './turnLog';

/**
 * Wraps each turn: its duration and band go to the metrics, and (with Azure Monitor on) one span
 * carries the correlation id, channel, band and the article answered from.
 */
export function observeTurns(metrics: Metrics, telemetry: Telemetry): (context: TurnContext, run: () => Promise<void>) => Promise<void> {
  return async (context, run) => {
    const started = process.hrtime.bigint();
    const a = context.activity;
    const span = telemetry.startTurn({
      'partner_bot.correlation_id': correlationIdOf(context),
      'partner_bot.channel': a.channelId,
      'partner_bot.activity_type': a.type,
    });
    let failed = false;
    try {
      await run();
    } catch (err) {
      failed = true;
      span.fail(err);
      throw err;
    } finally {
      const outcome = outcomeOf(context);
      const band: TurnBand = failed ? 'error' : outcome ? bandOf(outcome.band) : a.type === 'message' ? 'other' : 'event';
      metrics.turn(a.channelId, band, Number(process.hrtime.bigint() - started) / 1e9);
      span.set({ 'partner_bot.band': band, 'partner_bot.article': outcome?.articleId });
      span.end();
    }
  };
}

/**
 * `GET /metrics` in the Prometheus text format. Outside production anyone may read it; in production
 * only a scraper with `Authorization: Bearer <METRICS_TOKEN>`, and without a token the route does not
 * exist (404), so a public bot never shows its figures by accident.
 */
export function registerMetrics(server: restify.Server, gate: ShutdownGate, metrics: Metrics, access: Config['metrics'], logger: Logger): void {
  if (access.access === 'off') return;
  // Read during shutdown too: how the drain goes is what an operator looks at then.
  gate.serveWhileClosed('/metrics');
  const expected = access.access === 'token' && access.token ? Buffer.from(`Bearer ${access.token}`) : undefined;
  server.get('/metrics', async (req: restify.Request, res: restify.Response) => {
    res.header('Cache-Control', 'no-store');
    if (expected) {
      const given = Buffer.from(typeof req.headers.authorization === 'string' ? req.headers.authorization : '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        logger.warn({ url: req.url }, 'metrics request refused: no valid bearer token');
        res.header('WWW-Authenticate', 'Bearer realm="metrics"');
        res.send(401, { code: 'Unauthorized', message: 'the metrics need the bearer token set in METRICS_TOKEN' });
        return;
      }
    }
    const body = await metrics.render();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}
