import { ActivityHandler, type TurnContext } from 'botbuilder';
import { decide } from '../answering/answer';
import { fill, type Messages } from '../answering/Messages';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import type { Logger } from '../log';
import { renderReply, renderText, renderWelcome } from './render';
import { turnLogger } from './turnLog';

export interface PartnerBotDeps {
  /** The knowledge base in service now (it may be swapped between turns). */
  readonly knowledge: () => KnowledgeBase;
  readonly messages: Messages;
  readonly maxQuestionChars: number;
  readonly logger: Logger;
}

/**
 * The Bot Framework face of the answering core: a message in, one reply out. Every channel
 * (Emulator, Web Chat, Teams, Direct Line) goes through here.
 */
export class PartnerBot extends ActivityHandler {
  constructor(private readonly deps: PartnerBotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.answer(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== botId);
      if (joined) await context.sendActivity(renderWelcome(this.deps.knowledge(), this.deps.messages));
      await next();
    });
  }

  private async answer(context: TurnContext): Promise<void> {
    const started = process.hrtime.bigint();
    const log = turnLogger(context, this.deps.logger);
    const { messages, maxQuestionChars } = this.deps;
    const text = typeof context.activity.text === 'string' ? context.activity.text.trim() : '';

    if (text === '') {
      await context.sendActivity(renderText(messages.nonText, { band: 'noAnswer', articleId: null, confidence: null }));
      log.info({ outcome: 'nonText' }, 'turn');
      return;
    }
    if (text.length > maxQuestionChars) {
      await context.sendActivity(renderText(fill(messages.tooLong, { max: maxQuestionChars }), { band: 'noAnswer', articleId: null, confidence: null }));
      log.info({ outcome: 'tooLong', chars: text.length }, 'turn');
      return;
    }

    const kb = this.deps.knowledge();
    const reply = decide(text, kb.index);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    await context.sendActivity(renderReply(reply, kb, messages));
    log.info(
      {
        outcome: reply.kind,
        articleId: reply.kind === 'answer' ? reply.article.id : undefined,
        confidence: reply.kind === 'smallTalk' ? undefined : reply.confidence,
        intent: reply.kind === 'smallTalk' ? reply.intent : undefined,
        decideMs: Math.round(elapsedMs * 100) / 100,
      },
      'turn',
    );
  }
}

