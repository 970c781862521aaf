import path from 'node:path';
import { loadMessages, type Messages } from '../../src/answering/Messages';
import { loadScripts, type EscalationScript } from '../../src/escalation/script';
import { loadPhrases } from '../../src/conversation/loadPhrases';
import type { Phrases } from '../../src/conversation/phrases';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/content/Problem';
import { createLogger, type Logger } from '../../src/log';

export const ROOT = path.resolve(__dirname, '../..');

export interface Content {
  kb: KnowledgeBase;
  messages: Messages;
  scripts: EscalationScript[];
  phrases: Phrases;
}

let cache: Promise<Content> | undefined;

/** The bundled knowledge base, messages and escalation scripts, loaded once per test file. */
export function realContent(): Promise<Content> {
  cache ??= (async () => {
    const [kb, messages, scripts, phrases] = await Promise.all([
      loadKnowledge(path.join(ROOT, 'knowledge')),
      loadMessages(path.join(ROOT, 'dialogs')),
      loadScripts(path.join(ROOT, 'dialogs')),
      loadPhrases(path.join(ROOT, 'dialogs')),
    ]);
    if (!kb.success) throw new Error(kb.problems.map(formatProblem).join('\n'));
    if (!messages.success) throw new Error(messages.problems.map(formatProblem).join('\n'));
    if (!scripts.success) throw new Error(scripts.problems.map(formatProblem).join('\n'));
    if (!phrases.success) throw new Error(phrases.problems.map(formatProblem).join('\n'));
    return { kb: kb.data, messages: messages.data, scripts: scripts.data, phrases: phrases.data };
  })();
  return cache;
}

export const silentLogger = (): Logger => createLogger('silent');
