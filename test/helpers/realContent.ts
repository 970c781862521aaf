import path from 'node:path';
import type { Messages } from '../../src/answering/Messages';
import type { EscalationScript } from '../../src/escalation/script';
import { loadDialogs } from '../../src/dialogs/loadDialogs';
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
    const [kb, dialogs] = await Promise.all([loadKnowledge(path.join(ROOT, 'knowledge')), loadDialogs(path.join(ROOT, 'dialogs'))]);
    if (!kb.success) throw new Error(kb.problems.map(formatProblem).join('\n'));
    if (!dialogs.success) throw new Error(dialogs.problems.map(formatProblem).join('\n'));
    return { kb: kb.data, ...dialogs.data };
  })();
  return cache;
}

export const silentLogger = (): Logger => createLogger('silent');
