import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  CardFactory,
  EventFactory,
  TeamsActivityHandler,
  TurnContext,
  type ConversationParameters,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from 'botbuilder';
import type { Messages } from '../answering/Messages';
import { questionFieldsOf, type QuestionLog } from '../storage/QuestionLog';
import type { ShownPassage } from '../answering/Reply';
import { beginEscalation } from '../conversation/escalate';
import type { ConversationFacts } from '../conversation/facts';
import { escalationFromDialogState } from '../conversation/legacyState';
import type { Outgoing } from '../conversation/outgoing';
import type { Phrases } from '../conversation/phrases';
import { respond, welcome } from '../conversation/respond';
import type { Effect, Pending, SupportDesk, TicketOutcome, TicketRequest, TurnContent, TurnInput, TurnLog, TurnResult } from '../conversation/turn';
import { SUPPORT_SCRIPT_ID, type EscalationScript } from '../escalation/script';
import type { TicketStore } from '../escalation/TicketStore';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import type { Logger } from '../log';
import { partnerMessageOf } from './partnerMessage';
import { rendererFor, type Renderer } from './renderers/Renderer';
import { isStaffActionValue, type StaffDesk } from './teams/staffDesk';
import { answerCard } from './teams/teamsCards';
import { isCloudAdapter, isTeamsGroup, isTeamsPersonal, onePerTopic, preview } from './teams/teamsConversation';
import type { BotState } from './state';
import { correlationIdOf, noteOutcome, turnFields, turnLogger, type TurnObserver } from './turnLog';

export type { SupportDesk } from '../conversation/turn';

export interface PartnerBotDeps {
  /** The knowledge base in service now (it may be swapped between turns). */
  readonly knowledge: () => KnowledgeBase;
  readonly messages: Messages;
  readonly phrases: Phrases;
  readonly maxQuestionChars: number;
  readonly logger: Logger;
  readonly state: BotState;
  readonly scripts: readonly EscalationScript[];
  readonly tickets: TicketStore;
  readonly support: SupportDesk;
  /** Set when tickets go to a webhook: told about each new ticket. */
  readonly delivery?: { kick(): void };
  /** The bot's Microsoft App ID ('' without credentials), for conversations the bot opens itself. */
  readonly appId?: string;
  /** Partner support's Teams channel, when configured: new tickets are posted there. */
  readonly staffDesk?: StaffDesk;
  /** Where every question and the partner's feedback are recorded, for staff. */
  readonly questionLog?: Pick<QuestionLog, 'recordQuestion' | 'recordFeedback'>;
  /** Told about answer decisions and escalations (the metrics). */
  readonly observer?: TurnObserver;
  readonly now?: () => Date;
}

/**
 * The Bot Framework face of the product, for every channel: it reads the activity into the core's
 * message, loads the conversation's state, lets `respond` decide the turn, does what the turn needs
 * (a ticket written, a ticket looked up, a one-to-one chat opened), saves the state, and only then
 * sends the replies, rendered for the channel. The rules themselves are in `src/conversation/`.
 */
export class PartnerBot extends TeamsActivityHandler {
  constructor(private readonly deps: PartnerBotDeps) {
    super();
    if (!deps.scripts.some((s) => s.id === SUPPORT_SCRIPT_ID)) throw new Error(`an escalation script with id "${SUPPORT_SCRIPT_ID}" is required`);
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const added = context.activity.membersAdded ?? [];
      // Web Chat and the Emulator add the partner; Teams adds the bot when a partner installs it.
      const partnerJoined = added.some((m) => m.id !== botId);
      const installedForMe = isTeamsPersonal(context.activity) && added.some((m) => m.id === botId);
      if ((partnerJoined && !isTeamsGroup(context.activity)) || installedForMe) await this.welcomeOnce(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      if (isTeamsPersonal(context.activity)) await this.welcomeOnce(context);
      await next();
    });
  }

  /**
   * Runs the turn, then saves conversation and partner state (only when the turn succeeded). A message
   * goes straight to `onPartnerMessage`: ActivityHandler's event emission (its `Turn`, `Message` and
   * `Dialog` handler chains, empty here but for the message handler itself) took several layers of
   * async calls per turn. Every other type of activity goes through it to the handlers registered above.
   */
  override async run(context: TurnContext): Promise<void> {
    if (context.activity.type === ActivityTypes.Message) await this.onPartnerMessage(context);
    else await super.run(context);
    await this.deps.state.save(context);
  }

  private async onPartnerMessage(context: TurnContext): Promise<void> {
    const log = turnLogger(context, this.deps.logger);
    const value: unknown = context.activity.value;
    const staff = this.deps.staffDesk;
    if (isStaffActionValue(value) && staff?.isStaffConversation(context)) {
      await staff.act(context, value);
      this.finished(context, { outcome: 'staffAction', logged: true, fields: { action: value.staffAction, ticket: value.ticketId } });
      return;
    }
    const content = this.content();
    const renderer = rendererFor(context.activity, content.kb, content.messages);
    const started = process.hrtime.bigint();
    const decided = await this.decide(context, await this.inputFor(context, content));
    const decideMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (decided.searched) this.deps.observer?.decided(decideMs / 1000);
    const result = await this.settle(context, decided, log);
    await this.commit(context, result);
    if (result.searched && renderer.typing && result.replies.length > 0) await context.sendActivity({ type: 'typing' });
    await this.send(context, renderer, result.replies);
    await this.carryOut(context, renderer, result.effects, log);
    if (result.log) this.finished(context, result.log, result.searched ? Math.round(decideMs * 100) / 100 : undefined);
  }

  private content(): TurnContent {
    const { messages, phrases, scripts, support, maxQuestionChars } = this.deps;
    return { kb: this.deps.knowledge(), messages, phrases, scripts, support, maxQuestionChars };
  }

  /** The turn's input: the message, the conversation's facts (a request saved by an older version read into them). */
  private async inputFor(context: TurnContext, content: TurnContent): Promise<TurnInput> {
    return {
      message: partnerMessageOf(context.activity),
      facts: await this.factsOf(context, content.scripts),
      content,
      now: this.now(),
      ...(this.deps.questionLog ? { newQuestionId: () => randomUUID() } : {}),
    };
  }

  /** Decides the turn; again with the partner's profile when it needs it (read only then, as it costs a storage read). */
  private async decide(context: TurnContext, input: TurnInput): Promise<TurnResult> {
    const result = respond(input);
    if (!result.needsProfile || input.profile) return result;
    return respond({ ...input, profile: await this.deps.state.getProfile(context) });
  }

  private async factsOf(context: TurnContext, scripts: readonly EscalationScript[]): Promise<ConversationFacts> {
    const { state } = this.deps;
    const facts = await state.getFacts(context);
    const legacy = await state.legacyDialogState.get(context);
    if (legacy === undefined) return facts;
    await state.legacyDialogState.delete(context);
    const escalation = escalationFromDialogState(legacy, scripts);
    return escalation && !facts.escalation ? { ...facts, escalation } : facts;
  }

  /** Does what the turn needs before it can go on, and goes on with the result. */
  private async settle(context: TurnContext, result: TurnResult, log: () => Logger): Promise<TurnResult> {
    let r = result;
    for (let p: Pending | undefined = r.pending; p; p = r.pending) {
      if (p.kind === 'openTicket') r = p.resume(await this.openTicket(context, p.request, log));
      else if (p.kind === 'findTicket') r = p.resume(await this.deps.tickets.get(p.id));
      else r = p.resume(await this.continueInPrivate(context, p.scriptId, log));
    }
    return r;
  }

  /** Keeps the turn's facts (and the profile, when it changed) and writes them before anything is sent. */
  private async commit(context: TurnContext, result: TurnResult): Promise<void> {
    const { state } = this.deps;
    await state.setFacts(context, result.facts);
    if (result.profile) await state.setProfile(context, result.profile);
    await state.save(context);
  }

  private async send(context: TurnContext, renderer: Renderer, replies: readonly Outgoing[]): Promise<void> {
    for (const reply of replies) await context.sendActivity(renderer.render(reply));
  }

  private async carryOut(context: TurnContext, renderer: Renderer, effects: readonly Effect[], log: () => Logger): Promise<void> {
    const a = context.activity;
    for (const e of effects) {
      if (e.kind === 'recordQuestion') {
        this.deps.questionLog?.recordQuestion({ partnerId: a.from.id, conversationId: a.conversation.id, channelId: a.channelId, question: e.question, ...questionFieldsOf(e.reply) }, e.id);
      } else if (e.kind === 'recordFeedback') {
        this.deps.questionLog?.recordFeedback(e.questionId, e.feedback);
      } else if (e.kind === 'escalation') {
        this.deps.observer?.escalation(e.event);
      } else {
        await this.ticketOpened(context, renderer, e.ticket, log);
      }
    }
  }

  /** Logs the turn's outcome and notes its band (and article) for the turn's metrics and trace span. */
  private finished(context: TurnContext, outcome: TurnLog, decideMs?: number): void {
    const band = outcome.outcome.startsWith('escalation') ? 'escalation' : outcome.outcome;
    noteOutcome(context, { band, ...(outcome.articleId ? { articleId: outcome.articleId } : {}) });
    if (outcome.logged) this.deps.logger.info({ ...turnFields(context), outcome: outcome.outcome, ...outcome.fields, ...(decideMs !== undefined ? { decideMs } : {}) }, 'turn');
  }

  /** The welcome, once per conversation (Teams sends both an install and a conversation update). */
  private async welcomeOnce(context: TurnContext): Promise<void> {
    const { state, messages } = this.deps;
    const turn = welcome({ facts: await state.getFacts(context) });
    await state.setFacts(context, turn.facts);
    const renderer = rendererFor(context.activity, this.deps.knowledge(), messages);
    await this.send(context, renderer, turn.replies);
  }

  /**
   * Search from the Teams compose box: matching articles as a result list (title and a preview of the
   * short answer); picking one inserts the answer card. An empty query lists one article per topic.
   */
  protected override async handleTeamsMessagingExtensionQuery(_context: TurnContext, query: MessagingExtensionQuery | null | undefined): Promise<MessagingExtensionResponse> {
    const kb = this.deps.knowledge();
    // Read defensively: the SDK hands over the activity's value as it came.
    const parameters = Array.isArray(query?.parameters) ? query.parameters.filter((p) => typeof p === 'object' && p !== null) : [];
    const asked: unknown = parameters.find((p) => p.name === 'query')?.value;
    const text = (typeof asked === 'string' || typeof asked === 'number' ? String(asked) : '').slice(0, this.deps.maxQuestionChars).trim();
    // Each result is the passage that best answers the search, as an answer would show it.
    const found: ShownPassage[] =
      text === '' || parameters.some((p) => p.name === 'initialRun')
        ? onePerTopic(kb).map((a) => ({ article: a, passage: a.passages[0] ?? { index: 0, kind: 'short', text: a.shortAnswer, line: 0 } }))
        : kb.index.search(text, { limit: 8 }).hits.map((h) => ({ article: h.article, passage: (h.passages[0] ?? { passage: h.article.passages[0] }).passage ?? h.article.passages[0] })).filter((s): s is ShownPassage => s.passage !== undefined);
    return {
      composeExtension: {
        type: 'result',
        attachmentLayout: 'list',
        attachments: found.map((s) => ({
          ...answerCard([s], kb, this.deps.messages, []),
          preview: CardFactory.thumbnailCard(s.article.title, preview(s.passage.text)),
        })),
      },
    };
  }

  /** Writes the ticket durably; the partner hears its reference only after (from the turn's replies). */
  private async openTicket(context: TurnContext, request: TicketRequest, log: () => Logger): Promise<TicketOutcome> {
    const a = context.activity;
    try {
      const ticket = await this.deps.tickets.create(
        {
          scriptId: request.script.id,
          scriptTitle: request.script.title,
          answers: { ...request.answers },
          summary: request.summary.map((s) => ({ ...s })),
          history: [...request.history],
          channelId: a.channelId,
          conversationId: a.conversation.id,
          partnerRef: { ...TurnContext.getConversationReference(a) },
          partner: {
            userId: a.from.id,
            ...(a.from.name ? { name: a.from.name } : {}),
            ...(a.from.aadObjectId ? { aadObjectId: a.from.aadObjectId } : {}),
            ...(a.conversation.tenantId ? { tenantId: a.conversation.tenantId } : {}),
          },
        },
        this.deps.delivery !== undefined,
        this.now(),
      );
      return { ok: true, ticket };
    } catch (err) {
      log().error({ err, script: request.script.id }, 'could not record ticket');
      return { ok: false, ref: correlationIdOf(context) };
    }
  }

  /** After the partner has the reference: the agent hub (handoff protocol), the delivery worker and the staff channel are told. */
  private async ticketOpened(context: TurnContext, renderer: Renderer, ticket: Parameters<StaffDesk['announce']>[0], log: () => Logger): Promise<void> {
    // Whatever happens here, the partner's ticket stands.
    if (renderer.handoffEvents) {
      await context.sendActivity(EventFactory.createHandoffInitiation(context, { ticket })).catch((err: unknown) => {
        log().warn({ err, ticket: ticket.id }, 'handoff event not accepted by the channel');
      });
    }
    this.deps.delivery?.kick();
    await this.deps.staffDesk?.announce(ticket);
    log().info({ outcome: 'ticketCreated', ticket: ticket.id, script: ticket.scriptId }, 'ticket');
  }

  /**
   * Opens a one-to-one Teams chat with the partner and starts the request there (its state saved like
   * any turn's). False when the channel cannot create conversations, or could not this time.
   */
  private async continueInPrivate(context: TurnContext, scriptId: string, log: () => Logger): Promise<boolean> {
    const adapter = context.adapter;
    // Only the real adapter (CloudAdapter) can open conversations; test adapters cannot.
    if (!isCloudAdapter(adapter)) return false;
    const a = context.activity;
    const tenantId = a.conversation.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    let started = false;
    const parameters = {
      isGroup: false,
      bot: a.recipient,
      members: [{ id: a.from.id, name: a.from.name ?? '' }],
      ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
    } as ConversationParameters;
    try {
      await adapter.createConversationAsync(this.deps.appId ?? '', a.channelId, a.serviceUrl, '', parameters, async (privateContext) => {
        privateContext.activity.from = { ...a.from };
        const content = this.content();
        const input = await this.inputFor(privateContext, content);
        const first = beginEscalation(input, scriptId);
        const turn = first.needsProfile ? beginEscalation({ ...input, profile: await this.deps.state.getProfile(privateContext) }, scriptId) : first;
        await this.commit(privateContext, turn);
        await this.send(privateContext, rendererFor(privateContext.activity, content.kb, content.messages), turn.replies);
        started = true;
      });
    } catch (err) {
      log().warn({ err }, 'could not open a one-to-one chat for an escalation');
      return false;
    }
    return started;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
