import {
  ActionTypes,
  CardFactory,
  EventFactory,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type ConversationParameters,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogContext } from 'botbuilder-dialogs';
import { decide } from '../answering/answer';
import { respond } from '../answering/conversation';
import { readsAsQuestion } from '../answering/message';
import { fill, type Messages } from '../answering/Messages';
import type { QuestionLog } from '../answering/QuestionLog';
import type { Reply, ShownPassage } from '../answering/Reply';
import { matchesTrigger, type EscalationScript } from '../escalation/script';
import { describeOpening, isOpen, nextOpening, type SupportHours } from '../escalation/supportHours';
import { summarize, TICKET_ID, type Ticket } from '../escalation/ticket';
import type { TicketStore } from '../escalation/TicketStore';
import { validateAnswer } from '../escalation/validateAnswer';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import type { Logger } from '../log';
import { dialogIdOf, EscalationDialog } from './dialogs/EscalationDialog';
import { isFeedbackValue, noArticle, renderReply, renderText, renderWelcome } from './render';
import { isStaffActionValue, type StaffDesk } from './teams/staffDesk';
import { answerCard, isAskValue, teamsAnswer } from './teams/teamsCards';
import {
  buttonsAsCard,
  isCloudAdapter,
  isTeamsGroup,
  isTeamsPersonal,
  mentionsRecipient,
  onePerTopic,
  preview,
  privateChatInvite,
  withoutRecipientMention,
} from './teams/teamsConversation';
import type { BotState, ProfileField } from './state';
import { correlationIdOf, noteOutcome, turnLogger, type TurnObserver } from './turnLog';

export interface SupportDesk {
  readonly hours: SupportHours;
  /** The hours as staff wrote them, for messages ("Mon-Fri 09:00-17:00 Europe/London"). */
  readonly hoursText: string;
  readonly responseTime: string;
}

export interface PartnerBotDeps {
  /** The knowledge base in service now (it may be swapped between turns). */
  readonly knowledge: () => KnowledgeBase;
  readonly messages: Messages;
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

/** Logs the turn's outcome and notes its band (and article) for the turn's metrics and trace span. */
function finished(context: TurnContext, log: Logger, fields: { outcome: string; articleId?: string | undefined } & Record<string, unknown>): void {
  noteOutcome(context, { band: bandOfOutcome(fields.outcome), ...(fields.articleId ? { articleId: fields.articleId } : {}) });
  log.info(fields, 'turn');
}

function bandOfOutcome(outcome: string): string {
  return outcome.startsWith('escalation') ? 'escalation' : outcome;
}

const NOT_HELPFUL = /\b(?:not|wasn'?t|isn'?t|didn'?t|doesn'?t)\b.*\bhelp/i;
const YES_NO = { id: 'offer', ask: '', kind: 'yesno', label: 'offer', optional: false, maxLength: 100 } as const;
const MY_TICKET = /\b(?:status|update|news|progress)\b.*\b(?:my|the)\s+(?:ticket|request|case|escalation)\b|\b(?:my|the)\s+(?:ticket|request|case)\b.*\b(?:status|update|delivered|sent)\b/i;

/**
 * The Bot Framework face of the product: answers from the knowledge base, and hands a partner to
 * partner support through the escalation scripts. Every channel goes through here.
 */
export class PartnerBot extends TeamsActivityHandler {
  private readonly dialogs: DialogSet;
  private readonly support: EscalationScript;

  constructor(private readonly deps: PartnerBotDeps) {
    super();
    const support = deps.scripts.find((s) => s.id === 'support');
    if (!support) throw new Error('an escalation script with id "support" is required');
    this.support = support;
    this.dialogs = new DialogSet(deps.state.dialogState);
    for (const script of deps.scripts) {
      this.dialogs.add(
        new EscalationDialog(script, {
          messages: deps.messages,
          profile: (context) => deps.state.getProfile(context),
          answerQuestion: (context, text) => this.answerMidway(context, text),
          complete: (context, s, answers) => this.openTicket(context, s, answers),
          cancelled: () => deps.observer?.escalation('cancelled'),
        }),
      );
    }
    this.onMessage(async (context, next) => {
      await this.onPartnerMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const added = context.activity.membersAdded ?? [];
      // Web Chat and the Emulator add the partner; Teams adds the bot when a partner installs it.
      const partnerJoined = added.some((m) => m.id !== botId);
      const installedForMe = isTeamsPersonal(context) && added.some((m) => m.id === botId);
      if ((partnerJoined && !isTeamsGroup(context)) || installedForMe) await this.welcomeOnce(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      if (isTeamsPersonal(context)) await this.welcomeOnce(context);
      await next();
    });
  }

  /** Runs the turn, then saves conversation and partner state (only when the turn succeeded). */
  override async run(context: TurnContext): Promise<void> {
    if (isTeamsGroup(context)) {
      context.onSendActivities(async (_ctx, activities, next) => {
        activities.forEach((a, i) => (activities[i] = buttonsAsCard(a, this.deps.messages.askButton)));
        return next();
      });
    }
    await super.run(context);
    await this.deps.state.save(context);
  }

  private async onPartnerMessage(context: TurnContext): Promise<void> {
    const log = turnLogger(context, this.deps.logger);
    const { messages, maxQuestionChars } = this.deps;
    const value: unknown = context.activity.value;
    const staff = this.deps.staffDesk;
    if (isStaffActionValue(value) && staff?.isStaffConversation(context)) {
      await staff.act(context, value);
      finished(context, log, { outcome: 'staffAction', action: value.staffAction, ticket: value.ticketId });
      return;
    }
    if (isTeamsGroup(context) && !isFeedbackValue(value) && !isAskValue(value)) {
      // In channels and group chats the bot speaks only when @mentioned, and reads the message
      // without its own mention (other people's mentions stay).
      if (!mentionsRecipient(context.activity)) return;
      context.activity.text = withoutRecipientMention(context.activity);
    }
    if (isAskValue(value)) context.activity.text = value.ask;
    const text = typeof context.activity.text === 'string' ? context.activity.text.trim() : '';

    // A dialog context is costly to build (botbuilder sets up its memory scopes): it is built only for a
    // conversation that is in a dialog, or when one starts.
    const dialogState = await this.deps.state.dialogState.get(context);
    const dc = (dialogState?.dialogStack?.length ?? 0) > 0 ? await this.dialogs.createContext(context) : undefined;
    if (isFeedbackValue(value)) {
      await this.onFeedback(context, value.feedback, value.questionId);
      if (dc?.activeDialog) await dc.repromptDialog();
      finished(context, log, { outcome: 'feedback', feedback: value.feedback });
      return;
    }
    if (dc?.activeDialog) {
      if (text.length > maxQuestionChars) {
        await context.sendActivity(renderText(fill(messages.tooLong, { max: maxQuestionChars }), noArticle()));
        await dc.repromptDialog();
        return;
      }
      const result = await dc.continueDialog();
      if (result.status !== DialogTurnStatus.empty) {
        finished(context, log, { outcome: 'escalation', status: result.status });
        return;
      }
    }
    if (text === '') {
      await context.sendActivity(renderText(messages.nonText, noArticle()));
      finished(context, log, { outcome: 'nonText' });
      return;
    }
    if (text.length > maxQuestionChars) {
      await context.sendActivity(renderText(fill(messages.tooLong, { max: maxQuestionChars }), noArticle()));
      finished(context, log, { outcome: 'tooLong', chars: text.length });
      return;
    }

    const facts = await this.deps.state.getFacts(context);
    const offer = facts.pendingOffer;
    facts.pendingOffer = undefined;
    if (offer) {
      const answer = validateAnswer(YES_NO, text);
      if (answer.ok && answer.value === 'yes') return this.startEscalation(context, dc, offer, log);
      if (answer.ok) {
        await context.sendActivity(renderText(messages.offerDeclined, noArticle()));
        noteOutcome(context, { band: 'smallTalk' });
        return;
      }
    }

    const ref = TICKET_ID.exec(text);
    if (ref || MY_TICKET.test(text)) {
      await this.replyWithStatus(context, ref ? ref[0].toUpperCase() : undefined);
      finished(context, log, { outcome: 'ticketStatus' });
      return;
    }

    const triggered = this.deps.scripts.find((s) => s.id !== this.support.id && matchesTrigger(s, text));
    if (triggered) {
      this.logQuestion(context, text, { kind: 'escalate' });
      await this.deps.state.remember(context, { question: text, band: 'escalation', at: this.now().toISOString() });
      return this.startEscalation(context, dc, triggered.id, log);
    }

    if (context.activity.channelId === 'msteams') await context.sendActivity({ type: 'typing' });
    const started = process.hrtime.bigint();
    const kb = this.deps.knowledge();
    const turn = respond(text, kb.index, facts.topic, this.now());
    const decideMs = Number(process.hrtime.bigint() - started) / 1e6;
    this.deps.observer?.decided(decideMs / 1000);
    if (turn.context) facts.topic = turn.context;
    const [first] = turn.replies;
    if (first?.kind === 'escalate') {
      this.logQuestion(context, text, first);
      // "That didn't help" about the last answer is feedback on it as well as a request for a person.
      if (facts.lastQuestionId && NOT_HELPFUL.test(text)) this.deps.questionLog?.recordFeedback(facts.lastQuestionId, 'notHelpful');
      return this.startEscalation(context, dc, this.support.id, log);
    }
    const replies = turn.replies.filter((r): r is Exclude<Reply, { kind: 'escalate' }> => r.kind !== 'escalate');
    for (const [i, reply] of replies.entries()) {
      // With two questions in one message, each reply is logged with the part it answers.
      const asked = replies.length > 1 ? (turn.decisions[i]?.question ?? text) : text;
      const questionId = this.logQuestion(context, asked, reply);
      const rendered =
        (reply.kind === 'answer' || reply.kind === 'partial') && context.activity.channelId === 'msteams'
          ? teamsAnswer(reply, kb, messages, questionId)
          : renderReply(reply, kb, messages, reply.kind === 'answer' || reply.kind === 'partial' ? questionId : undefined);
      const last = i === replies.length - 1;
      await context.sendActivity(last && turn.offer ? withOffer(rendered, turn.offer) : rendered);
      if (questionId && reply.kind !== 'smallTalk') facts.lastQuestionId = questionId;
      await this.deps.state.remember(context, exchangeOf(asked, reply, this.now()));
    }
    const reply = replies[0];
    if (!reply) return;
    facts.noAnswerStreak = reply.kind === 'noAnswer' ? facts.noAnswerStreak + 1 : reply.kind === 'smallTalk' ? facts.noAnswerStreak : 0;
    if (reply.kind === 'noAnswer' && facts.noAnswerStreak >= 2) {
      facts.pendingOffer = this.support.id;
      facts.noAnswerStreak = 0;
      await context.sendActivity(offerActivity(messages.escalationOffer, [messages.yesButton, messages.noButton]));
    }
    finished(context, log, {
      outcome: reply.kind,
      articleId: reply.kind === 'answer' || reply.kind === 'partial' ? reply.article.id : undefined,
      passages: reply.kind === 'answer' || reply.kind === 'partial' ? reply.passages.map((p) => `${p.article.id}#${p.passage.index}`) : undefined,
      confidence: reply.kind === 'smallTalk' ? undefined : reply.confidence,
      intent: reply.kind === 'smallTalk' ? reply.intent : undefined,
      questions: replies.length > 1 ? replies.length : undefined,
      decideMs: Math.round(decideMs * 100) / 100,
    });
  }

  /** The welcome, once per conversation (Teams sends both an install and a conversation update). */
  private async welcomeOnce(context: TurnContext): Promise<void> {
    const facts = await this.deps.state.getFacts(context);
    if (facts.welcomed) return;
    facts.welcomed = true;
    await context.sendActivity(renderWelcome(this.deps.knowledge(), this.deps.messages));
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

  /** Records the question and what the bot did; returns its id in the log (undefined without a log). */
  private logQuestion(context: TurnContext, text: string, reply: Reply): string | undefined {
    const log = this.deps.questionLog;
    if (!log) return undefined;
    const a = context.activity;
    return log.recordQuestion({
      partnerId: a.from.id,
      conversationId: a.conversation.id,
      channelId: a.channelId,
      question: text,
      band: reply.kind,
      ...(reply.kind === 'answer' || reply.kind === 'partial' ? { articleId: reply.article.id, confidence: reply.confidence } : {}),
      ...(reply.kind === 'clarify' ? { candidates: reply.candidates.map((c) => c.id), confidence: reply.confidence } : {}),
      ...(reply.kind === 'noAnswer'
        ? { reason: reply.reason, confidence: reply.confidence, ...(reply.closest ? { articleId: reply.closest.id } : {}), ...(reply.gap ? { gap: reply.gap } : {}) }
        : {}),
    });
  }

  /** "Helpful" thanks the partner; "not helpful" apologises and offers a person. Both are logged. */
  private async onFeedback(context: TurnContext, feedback: 'helpful' | 'notHelpful', questionId: string): Promise<void> {
    const { messages } = this.deps;
    this.deps.questionLog?.recordFeedback(questionId, feedback);
    if (feedback === 'helpful') {
      await context.sendActivity(renderText(messages.feedbackThanks, { band: 'smallTalk', articleId: null, confidence: null, intent: 'feedback' }));
      return;
    }
    const facts = await this.deps.state.getFacts(context);
    facts.pendingOffer = this.support.id;
    await context.sendActivity(offerActivity(`${messages.feedbackSorry} ${messages.offerPerson}`, [messages.talkToPersonButton, messages.noButton]));
  }

  private async startEscalation(context: TurnContext, existing: DialogContext | undefined, scriptId: string, log: Logger): Promise<void> {
    if (isTeamsGroup(context)) {
      // Never collect a partner's details where the whole team can read them: continue in a
      // one-to-one chat, or, if the bot cannot open one, point the partner to it.
      const moved = await this.continueInPrivate(context, scriptId).catch((err: unknown) => {
        log.warn({ err }, 'could not open a one-to-one chat for an escalation');
        return false;
      });
      const name = context.activity.from.name ?? '';
      await context.sendActivity(
        moved
          ? renderText(fill(this.deps.messages.escalationMovedPrivate, { name }).replace(/^,\s*/, ''), { band: 'escalation', articleId: null, confidence: null, intent: 'private' })
          : privateChatInvite(context, this.deps.messages),
      );
      if (moved) this.deps.observer?.escalation('started');
      finished(context, log, { outcome: moved ? 'escalationMovedToPrivate' : 'escalationInviteToPrivate', script: scriptId });
      return;
    }
    const facts = await this.deps.state.getFacts(context);
    facts.noAnswerStreak = 0;
    facts.pendingOffer = undefined;
    const dc = existing ?? (await this.dialogs.createContext(context));
    await dc.beginDialog(dialogIdOf(scriptId));
    this.deps.observer?.escalation('started');
    finished(dc.context, log, { outcome: 'escalationStarted', script: scriptId });
  }

  /**
   * Opens a one-to-one Teams chat with the partner and starts the escalation there (its state saved
   * like any turn's). Returns false when the channel cannot create conversations.
   */
  private async continueInPrivate(context: TurnContext, scriptId: string): Promise<boolean> {
    const adapter = context.adapter;
    // Only the real adapter (CloudAdapter) can open conversations; test adapters cannot.
    if (!isCloudAdapter(adapter)) return false;
    const a = context.activity;
    const tenantId = a.conversation.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    let started = false;
    await adapter.createConversationAsync(
      this.deps.appId ?? '',
      a.channelId,
      a.serviceUrl,
      '',
      {
        isGroup: false,
        bot: a.recipient,
        members: [{ id: a.from.id, name: a.from.name ?? '' }],
        ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
      } as ConversationParameters,
      async (privateContext) => {
        privateContext.activity.from = { ...a.from };
        const privateDc = await this.dialogs.createContext(privateContext);
        const facts = await this.deps.state.getFacts(privateContext);
        facts.noAnswerStreak = 0;
        await privateDc.beginDialog(dialogIdOf(scriptId));
        await this.deps.state.save(privateContext);
        started = true;
      },
    );
    return started;
  }

  /**
   * A knowledge question asked in the middle of an escalation: answered only when it reads as a real
   * question and the knowledge base answers it confidently; anything else is the step's answer (a bad
   * e-mail is a bad e-mail, and is asked again with the reason).
   */
  private async answerMidway(context: TurnContext, text: string): Promise<boolean> {
    if (!readsAsQuestion(text)) return false;
    const kb = this.deps.knowledge();
    const reply = decide(text, kb.index);
    if (reply.kind !== 'answer') return false;
    const rendered = renderReply(reply, kb, this.deps.messages);
    await context.sendActivity({ ...rendered, suggestedActions: undefined });
    await this.deps.state.remember(context, exchangeOf(text, reply, this.now()));
    return true;
  }

  /** Writes the ticket durably, then (only then) tells the partner its reference and what happens next. */
  private async openTicket(context: TurnContext, script: EscalationScript, answers: Record<string, string>): Promise<boolean> {
    const { messages, state, tickets, delivery } = this.deps;
    const log = turnLogger(context, this.deps.logger);
    const facts = await state.getFacts(context);
    const a = context.activity;
    let ticket: Ticket;
    try {
      ticket = await tickets.create(
        {
          scriptId: script.id,
          scriptTitle: script.title,
          answers,
          summary: summarize(script, answers),
          history: facts.recent,
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
        delivery !== undefined,
        this.now(),
      );
    } catch (err) {
      const ref = correlationIdOf(context);
      log.error({ err, script: script.id }, 'could not record ticket');
      await context.sendActivity(renderText(fill(messages.escalationFailed, { ref }), noArticle()));
      return false;
    }
    facts.tickets = [...facts.tickets, ticket.id];
    const profile = await state.getProfile(context);
    for (const step of script.steps) {
      const value = answers[step.id];
      if (step.remember && value) profile[step.remember as ProfileField] = value;
    }
    const done = fill(script.done, { ...answers, ticket: ticket.id, nextSteps: this.nextSteps() });
    await context.sendActivity(renderText(done, { band: 'escalation', articleId: null, confidence: null, ticketId: ticket.id }));
    // Tell an agent hub (the handoff protocol). Teams refuses event activities from bots, so not there;
    // and whatever happens, the partner's ticket stands.
    if (a.channelId !== 'msteams') {
      await context.sendActivity(EventFactory.createHandoffInitiation(context, { ticket })).catch((err: unknown) => {
        log.warn({ err, ticket: ticket.id }, 'handoff event not accepted by the channel');
      });
    }
    delivery?.kick();
    await this.deps.staffDesk?.announce(ticket);
    this.deps.observer?.escalation('completed');
    log.info({ outcome: 'ticketCreated', ticket: ticket.id, script: script.id }, 'ticket');
    return true;
  }

  private nextSteps(): string {
    const { hours, hoursText, responseTime } = this.deps.support;
    const now = this.now();
    if (isOpen(hours, now)) return fill(this.deps.messages.nextStepsOpen, { responseTime });
    const opening = describeOpening(hours, nextOpening(hours, now), now);
    return fill(this.deps.messages.nextStepsClosed, { hours: hoursText, opening, responseTime });
  }

  /**
   * Tells a partner where a ticket stands. Only tickets opened in this conversation or by this
   * partner are shown; any other reference is "not found", so no one can read another partner's.
   */
  private async replyWithStatus(context: TurnContext, id: string | undefined): Promise<void> {
    const { messages, tickets } = this.deps;
    const facts = await this.deps.state.getFacts(context);
    const wanted = id ?? facts.tickets[facts.tickets.length - 1];
    if (!wanted) {
      await context.sendActivity(renderText(messages.noTickets, noArticle()));
      return;
    }
    const ticket = await tickets.get(wanted);
    const a = context.activity;
    const mine = ticket && (ticket.conversationId === a.conversation.id || (ticket.partner.userId === a.from.id && ticket.channelId === a.channelId));
    if (!ticket || !mine) {
      await context.sendActivity(renderText(fill(messages.ticketNotFound, { ticket: wanted }), noArticle()));
      return;
    }
    const d = ticket.delivery;
    const text =
      d.status === 'delivered'
        ? fill(messages.ticketDelivered, { ticket: ticket.id, when: formatWhen(d.deliveredAt) })
        : d.status === 'pending'
          ? fill(messages.ticketPending, { ticket: ticket.id, attempts: d.attempts })
          : fill(messages.ticketStored, { ticket: ticket.id });
    await context.sendActivity(renderText(text, { band: 'ticketStatus', articleId: null, confidence: null, ticketId: ticket.id, delivery: d.status }));
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}


/** An offer of a person, with its answer buttons; a "yes" (or the person button) starts the request. */
function offerActivity(text: string, buttons: readonly string[]): Partial<Activity> {
  return {
    ...renderText(text, noArticle({ intent: 'offer' })),
    suggestedActions: { to: [], actions: buttons.map((b) => ({ type: ActionTypes.ImBack, title: b, value: b })) },
  };
}

/** The last reply with the second question of a message offered as a button. */
function withOffer(activity: Partial<Activity>, question: string): Partial<Activity> {
  const actions = activity.suggestedActions?.actions ?? [];
  return { ...activity, suggestedActions: { to: [], actions: [{ type: ActionTypes.ImBack, title: question, value: question }, ...actions] } };
}

function exchangeOf(question: string, reply: Reply, at: Date) {
  return {
    question,
    band: reply.kind === 'smallTalk' ? 'smallTalk' : reply.kind,
    ...(reply.kind === 'answer' || reply.kind === 'partial' ? { articleId: reply.article.id } : {}),
    ...(reply.kind === 'clarify' && reply.candidates[0] ? { articleId: reply.candidates[0].id } : {}),
    at: at.toISOString(),
  };
}

function formatWhen(iso: string | undefined): string {
  if (!iso) return 'an earlier date';
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
