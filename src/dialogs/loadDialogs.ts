import path from 'node:path';
import { MESSAGES_FILE, parseMessages, type Messages } from '../answering/Messages';
import { smallTalkIntent } from '../answering/smallTalk';
import type { Problem, Result } from '../content/Problem';
import { readContentText } from '../content/readContent';
import { parseYaml } from '../content/yamlSource';
import type { Phrases } from '../conversation/phrases';
import { loadScripts, type EscalationScript } from '../escalation/script';
import { validateAnswer } from '../escalation/validateAnswer';
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
  const messagesFile = path.join(dir, MESSAGES_FILE);
  const phrasesFile = path.join(dir, PHRASES_FILE);
  const [messagesText, phrasesText, scripts] = await Promise.all([readContentText(messagesFile), readContentText(phrasesFile), loadScripts(dir)]);
  const messages = typeof messagesText === 'string' ? parseMessages(messagesText, messagesFile) : fail(messagesText);
  const phrases = typeof phrasesText === 'string' ? parsePhrases(phrasesText, phrasesFile) : fail(phrasesText);
  const warnings: Problem[] = [messages, phrases, scripts].flatMap((r) => (r.success ? r.warnings : []));
  const problems = [messages, phrases, scripts].flatMap((r) => (r.success ? [] : r.problems));
  if (messages.success && phrases.success && typeof messagesText === 'string') {
    problems.push(...buttonProblems(messages.data, phrases.data, (key) => ({ file: messagesFile, line: parseYaml(messagesText, messagesFile).yaml?.lineOf([key]) ?? 0 })));
  }
  if (!messages.success || !phrases.success || !scripts.success || problems.length > 0) return { success: false, problems: [...problems, ...warnings] };
  return { success: true, data: { messages: messages.data, phrases: phrases.data, scripts: scripts.data }, warnings };
}

function fail(problem: Problem): Result<never> {
  return { success: false, problems: [problem] };
}

const YES_NO_STEP = { id: 'button', ask: '', kind: 'yesno', label: 'button', optional: false, maxLength: 200 } as const;

/**
 * A button sends its label as the partner's message, so the bot must recognise each label for what it
 * means: the yes and no buttons as a yes and a no, "Talk to a person" as a request for a person.
 */
function buttonProblems(messages: Messages, phrases: Phrases, where: (key: keyof Messages) => { file: string; line: number }): Problem[] {
  const problems: Problem[] = [];
  const check = (key: keyof Messages, ok: boolean, entry: string) => {
    if (!ok) problems.push({ ...where(key), message: `${key}: pressing "${messages[key]}" sends those words, which phrases.yaml does not list under ${entry}; add them there`, severity: 'error' });
  };
  const answer = (text: string) => validateAnswer(YES_NO_STEP, text, phrases.answers);
  const yes = answer(messages.yesButton);
  const no = answer(messages.noButton);
  check('yesButton', yes.ok && yes.value === 'yes', 'yesAnswer');
  check('noButton', no.ok && no.value === 'no', 'noAnswer');
  check('talkToPersonButton', smallTalkIntent(messages.talkToPersonButton, phrases.smallTalk) === 'person', 'talkToPerson');
  return problems;
}
