import type { TurnContext } from 'botbuilder';
import type { Messages } from '../answering/Messages';
import { fill } from '../answering/Messages';
import type { Config } from '../config';
import type { KnowledgeBase } from '../knowledge/loadKnowledge';
import type { Logger } from '../log';
import { createAdapter } from './adapter';
import { PartnerBot } from './PartnerBot';
import { renderText } from './render';
import { createBotServer, type BotServer } from './server';
import { correlationIdOf } from './turnLog';

export interface StartOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly knowledge: () => KnowledgeBase;
  readonly messages: Messages;
}

/**
 * Wires adapter, bot and HTTP server. A failed turn is logged with its correlation id and the partner
 * gets a short apology with that reference; conversation state is left as it was.
 */
export function buildBotServer(opts: StartOptions): BotServer {
  const { config, logger, messages } = opts;
  const adapter = createAdapter(config.auth);
  const bot = new PartnerBot({ knowledge: opts.knowledge, messages, maxQuestionChars: config.maxQuestionChars, logger });

  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const ref = correlationIdOf(context);
    logger.error({ correlationId: ref, err: error, channelId: context.activity.channelId }, 'turn error');
    try {
      await context.sendActivity(renderText(fill(messages.error, { ref }), { band: 'noAnswer', articleId: null, confidence: null }));
    } catch (sendError) {
      logger.error({ correlationId: ref, err: sendError }, 'could not tell the partner about the error');
    }
  };

  return createBotServer({
    adapter,
    logic: (context) => bot.run(context),
    logger,
    maxBodyBytes: config.maxBodyBytes,
    readiness: () => {
      const kb = opts.knowledge();
      return { knowledge: kb.version };
    },
  });
}
