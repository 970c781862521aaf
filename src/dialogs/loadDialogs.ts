import path from 'node:path';
import { MESSAGES_FILE, parseMessages, type Messages } from '../answering/Messages';
import type { Problem, Result } from '../content/Problem';
import { loadContentFile } from '../content/readContent';
import type { Phrases } from '../conversation/phrases';
import { loadScripts, type EscalationScript } from '../escalation/script';
import { PHRASES_FILE, parsePhrases } from './parsePhrases';

/** Everything in the `dialogs/` folder: the bot's words, what it recognises, the escalation scripts. */
export interface Dialogs {
  readonly messages: Messages;
  readonly phrases: Phrases;
  readonly scripts: EscalationScript[];
}

/**
 * Reads the whole `dialogs/` folder: all of it, or every problem of every file (`file:line`), so staff
 * fix a folder in one pass. The bot's start-up, `kb:check`, `ask`, `eval` and the tests all load it here.
 */
export async function loadDialogs(dir: string): Promise<Result<Dialogs>> {
  const [messages, phrases, scripts] = await Promise.all([
    loadContentFile(path.join(dir, MESSAGES_FILE), parseMessages),
    loadContentFile(path.join(dir, PHRASES_FILE), parsePhrases),
    loadScripts(dir),
  ]);
  const warnings: Problem[] = [messages, phrases, scripts].flatMap((r) => (r.success ? r.warnings : []));
  if (!messages.success || !phrases.success || !scripts.success) {
    const problems = [messages, phrases, scripts].flatMap((r) => (r.success ? [] : r.problems));
    return { success: false, problems: [...problems, ...warnings] };
  }
  return { success: true, data: { messages: messages.data, phrases: phrases.data, scripts: scripts.data }, warnings };
}
