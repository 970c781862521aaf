import path from 'node:path';
import { loadMessages, type Messages } from '../../src/answering/Messages';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/knowledge/Problem';
import { createLogger, type Logger } from '../../src/log';

export const ROOT = path.resolve(__dirname, '../..');

let cache: Promise<{ kb: KnowledgeBase; messages: Messages }> | undefined;

/** The bundled knowledge base and messages, loaded once per test file. */
export function realContent(): Promise<{ kb: KnowledgeBase; messages: Messages }> {
  cache ??= (async () => {
    const [kb, messages] = await Promise.all([loadKnowledge(path.join(ROOT, 'knowledge')), loadMessages(path.join(ROOT, 'dialogs'))]);
    if (!kb.success) throw new Error(kb.problems.map(formatProblem).join('\n'));
    if (!messages.success) throw new Error(messages.problems.map(formatProblem).join('\n'));
    return { kb: kb.data, messages: messages.data };
  })();
  return cache;
}

export const silentLogger = (): Logger => createLogger('silent');
