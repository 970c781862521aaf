/**
 * `npm run eval [-- --file questions.yaml] [--knowledge dir] [--dialogs dir]`: runs an evaluation file
 * through the bot's answering core and prints each category (in-scope facts shown, near-scope honest,
 * out-of-scope clean, conversations), the per-band table, how confidence matched correctness, and every
 * miss with the text shown. Exits 1 when a gate is not met.
 */
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { coreConversation } from '../answering/evalConversation';
import { formatEvaluation } from '../answering/evalReport';
import { evaluate, gateFailures } from '../answering/evaluate';
import { loadMessages } from '../answering/Messages';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem } from '../knowledge/Problem';
import { parseQuestionSet } from '../knowledge/questionSet';
import { runCli } from './runCli';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: 'test/eval/questions.yaml' },
      knowledge: { type: 'string', default: 'knowledge' },
      dialogs: { type: 'string', default: 'dialogs' },
    },
  });
  const file = values.file;
  const [kb, messages] = await Promise.all([loadKnowledge(values.knowledge), loadMessages(values.dialogs)]);
  if (!kb.success || !messages.success) {
    for (const p of [...(kb.success ? [] : kb.problems), ...(messages.success ? [] : messages.problems)]) console.error(formatProblem(p));
    return 2;
  }
  const set = parseQuestionSet(await fs.readFile(file, 'utf8'), file);
  if (!set.success) {
    set.problems.forEach((p) => console.error(formatProblem(p)));
    return 2;
  }
  const result = evaluate(set.data, () => coreConversation(kb.data, messages.data));
  console.log(formatEvaluation(result, file));
  return gateFailures(result).length === 0 ? 0 : 1;
}

if (require.main === module) runCli(main);
