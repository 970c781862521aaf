import type { KnowledgeIndex } from '../knowledge/KnowledgeIndex';
import { answerInConversation, type TopicContext } from './conversation';
import type { Conversation, Shown } from './evaluate';
import type { Messages } from './Messages';
import { viewOf, type SourceLookup } from './replyText';
import type { SmallTalkWords } from './smallTalk';

/**
 * A conversation with the answering core, as the evaluation holds it: each message goes through
 * `answerInConversation` with the conversation's context, and comes back as the text and band every channel shows.
 */
export function coreConversation(
  kb: SourceLookup & { readonly index: KnowledgeIndex },
  words: { readonly messages: Messages; readonly smallTalk: SmallTalkWords },
  now: () => Date = () => new Date(),
): Conversation {
  const { messages, smallTalk } = words;
  let context: TopicContext | undefined;
  return (message) => {
    const turn = answerInConversation(message, kb.index, context, now(), smallTalk);
    context = turn.context;
    return turn.replies.map((r): Shown => {
      if (r.kind === 'escalate') return { band: 'escalation', articleId: null, text: '' };
      const v = viewOf(r, kb, messages);
      return { band: v.band, articleId: v.articleId, text: v.text, confidence: v.confidence };
    });
  };
}
