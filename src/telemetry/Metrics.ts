import type { Meter } from '@opentelemetry/api';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The channels a turn is counted under; any other channel id (it comes from the request) counts as `other`. */
const KNOWN_CHANNELS = new Set(['msteams', 'webchat', 'directline', 'emulator', 'test', 'slack', 'facebook', 'telegram', 'email', 'sms']);

/** Bands a turn is counted under (the bot's outcome of a turn); anything else counts as `other`. */
export const TURN_BANDS = [
  'answer',
  'partial',
  'clarify',
  'noAnswer',
  'smallTalk',
  'escalation',
  'ticketStatus',
  'feedback',
  'nonText',
  'tooLong',
  'staffAction',
  'event',
  'error',
  'other',
] as const;
export type TurnBand = (typeof TURN_BANDS)[number];

export type EscalationEvent = 'started' | 'completed' | 'cancelled';
export type KnowledgeEvent = 'reloaded' | 'refused';

/** Seconds; a turn is mostly a few milliseconds, with storage and channels up to the outbound timeout. */
const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds; deciding an answer is CPU only (retrieval over the knowledge base). */
const DECIDE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The OpenTelemetry instruments that mirror the Prometheus ones when Azure Monitor is on. */
interface Mirror {
  readonly turns: ReturnType<Meter['createCounter']>;
  readonly turnSeconds: ReturnType<Meter['createHistogram']>;
  readonly decideSeconds: ReturnType<Meter['createHistogram']>;
  readonly escalations: ReturnType<Meter['createCounter']>;
  readonly tickets: ReturnType<Meter['createCounter']>;
  readonly knowledge: ReturnType<Meter['createCounter']>;
  readonly refusals: ReturnType<Meter['createCounter']>;
}

/**
 * What an operator watches: turns by channel and band, turn and answer-decision latency, escalations,
 * ticket deliveries, knowledge reloads, fair-use refusals and open Direct Line streams, in the
 * Prometheus text format (`GET /metrics`, prom-client) and, when Azure Monitor is on, as OpenTelemetry
 * metrics too. One registry per bot (tests run several bots in one process); process metrics (CPU,
 * memory, event loop, GC) only when asked for, once per process.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'channel' | 'band'>;
  private readonly turnSeconds: Histogram<'channel'>;
  private readonly decideSeconds: Histogram;
  private readonly escalations: Counter<'event'>;
  private readonly tickets: Counter<'outcome'>;
  private readonly knowledge: Counter<'event'>;
  private readonly refusals: Counter<'limit'>;
  private mirror: Mirror | undefined;
  private openStreams: () => number = () => 0;

  constructor(o: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.turns = new Counter({ name: 'partner_bot_turns_total', help: 'Turns the bot handled, by channel and band (what the bot did).', labelNames: ['channel', 'band'], registers });
    this.turnSeconds = new Histogram({ name: 'partner_bot_turn_duration_seconds', help: 'Time a turn took, from the activity to the last reply.', labelNames: ['channel'], buckets: TURN_BUCKETS, registers });
    this.decideSeconds = new Histogram({ name: 'partner_bot_decide_duration_seconds', help: 'Time deciding the answer to a question took (retrieval and ranking).', buckets: DECIDE_BUCKETS, registers });
    this.escalations = new Counter({ name: 'partner_bot_escalations_total', help: 'Escalations to a person: started, completed (a ticket was opened) or cancelled by the partner.', labelNames: ['event'], registers });
    this.tickets = new Counter({
      name: 'partner_bot_ticket_deliveries_total',
      help: 'Webhook deliveries of tickets: delivered (tickets delivered), failed (attempts that failed and will be retried), retried (attempts that were retries).',
      labelNames: ['outcome'],
      registers,
    });
    this.knowledge = new Counter({ name: 'partner_bot_knowledge_changes_total', help: 'Knowledge folder changes: reloaded (a new version in service) or refused (a save with problems; the last good version stays).', labelNames: ['event'], registers });
    this.refusals = new Counter({ name: 'partner_bot_rate_limit_refusals_total', help: 'Requests and messages refused by a fair-use limit, by limit.', labelNames: ['limit'], registers });
    const openStreams = (): number => this.openStreams();
    new Gauge({
      name: 'partner_bot_directline_streams_open',
      help: "WebSocket streams open on the bot's own Direct Line.",
      registers,
      collect() {
        this.set(openStreams());
      },
    });
    // Zero series for the labels an operator alerts on, so a rate() works before the first event.
    for (const event of ['started', 'completed', 'cancelled'] as const) this.escalations.inc({ event }, 0);
    for (const outcome of ['delivered', 'failed', 'retried'] as const) this.tickets.inc({ outcome }, 0);
    for (const event of ['reloaded', 'refused'] as const) this.knowledge.inc({ event }, 0);
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'partner_bot_' });
  }

  /** Counts the open streams by asking `count` when scraped. */
  countStreamsWith(count: () => number): void {
    this.openStreams = count;
  }

  /** Sends every later measurement to OpenTelemetry as well (Azure Monitor). */
  mirrorTo(meter: Meter): void {
    const openStreams = meter.createObservableGauge('partner_bot.directline.streams_open', { description: "WebSocket streams open on the bot's own Direct Line" });
    openStreams.addCallback((result) => result.observe(this.openStreams()));
    this.mirror = {
      turns: meter.createCounter('partner_bot.turns', { description: 'Turns the bot handled' }),
      turnSeconds: meter.createHistogram('partner_bot.turn.duration', { unit: 's', description: 'Time a turn took' }),
      decideSeconds: meter.createHistogram('partner_bot.decide.duration', { unit: 's', description: 'Time deciding an answer took' }),
      escalations: meter.createCounter('partner_bot.escalations', { description: 'Escalations to a person' }),
      tickets: meter.createCounter('partner_bot.ticket_deliveries', { description: 'Webhook deliveries of tickets' }),
      knowledge: meter.createCounter('partner_bot.knowledge_changes', { description: 'Knowledge folder changes' }),
      refusals: meter.createCounter('partner_bot.rate_limit_refusals', { description: 'Fair-use refusals' }),
    };
  }

  turn(channelId: string | undefined, band: TurnBand, seconds: number): void {
    const channel = channelLabel(channelId);
    this.turns.inc({ channel, band });
    this.turnSeconds.observe({ channel }, seconds);
    this.mirror?.turns.add(1, { channel, band });
    this.mirror?.turnSeconds.record(seconds, { channel });
  }

  decided(seconds: number): void {
    this.decideSeconds.observe(seconds);
    this.mirror?.decideSeconds.record(seconds);
  }

  escalation(event: EscalationEvent): void {
    this.escalations.inc({ event });
    this.mirror?.escalations.add(1, { event });
  }

  /** One webhook delivery attempt of a ticket (`attempt` counts from 1). */
  ticketAttempt(attempt: number, delivered: boolean): void {
    const outcomes = [delivered ? 'delivered' : 'failed', ...(attempt > 1 ? ['retried'] : [])];
    for (const outcome of outcomes) {
      this.tickets.inc({ outcome });
      this.mirror?.tickets.add(1, { outcome });
    }
  }

  knowledgeChange(event: KnowledgeEvent): void {
    this.knowledge.inc({ event });
    this.mirror?.knowledge.add(1, { event });
  }

  refused(limit: string): void {
    this.refusals.inc({ limit });
    this.mirror?.refusals.add(1, { limit });
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function channelLabel(channelId: string | undefined): string {
  return channelId !== undefined && KNOWN_CHANNELS.has(channelId) ? channelId : 'other';
}

/** The band of a turn as the bot noted it, or `other` for a value outside the known set. */
export function bandOf(value: string | undefined): TurnBand {
  return (TURN_BANDS as readonly string[]).includes(value ?? '') ? (value as TurnBand) : 'other';
}
