/**
 * `npm run eval [-- --file questions.yaml] [--knowledge dir] [--dialogs dir] [--save result.json] [--against ref-or-file]`:
 * runs an evaluation file (by default the staff's, knowledge/eval.yaml) through the bot's answering
 * core and prints each category (in-scope facts shown, near-scope honest, out-of-scope clean,
 * conversations), the per-band table, how confidence matched correctness, and every miss with the text
 * shown. `--save` writes each question's outcome as JSON. `--against` compares with a saved result, or
 * with the knowledge and dialogs folders as they are at a git commit, branch or tag (the same question
 * file and code evaluated on both), and lists the questions the edit fixed and broke.
 * Exits 1 when a gate is not met or, with `--against`, when a question that was right is now wrong.
 */
import { promises as fs, existsSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compare, formatComparison, parseSaved, toSaved, type SavedEvaluation } from '../answering/evalCompare';
import { coreConversation } from '../answering/evalConversation';
import { formatEvaluation } from '../answering/evalReport';
import { evaluate, gateFailures } from '../answering/evaluate';
import { loadDialogs } from '../dialogs/loadDialogs';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem } from '../content/Problem';
import { parseQuestionSet, type QuestionSet } from '../knowledge/questionSet';
import { snapshotAt } from './gitSnapshot';
import { runCli } from './runCli';

const USAGE = 'usage: npm run eval -- [--file questions.yaml] [--knowledge dir] [--dialogs dir] [--save result.json] [--against <git ref or saved result.json>]';

/** Evaluates a question set on one knowledge and dialogs folder; problems loading them as lines. */
async function run(set: QuestionSet, knowledgeDir: string, dialogsDir: string) {
  const [kb, dialogs] = await Promise.all([loadKnowledge(knowledgeDir), loadDialogs(dialogsDir)]);
  if (!kb.success || !dialogs.success) {
    return { success: false as const, problems: [...(kb.success ? [] : kb.problems), ...(dialogs.success ? [] : dialogs.problems)].map(formatProblem) };
  }
  const words = { messages: dialogs.data.messages, smallTalk: dialogs.data.phrases.smallTalk };
  return { success: true as const, evaluation: evaluate(set, () => coreConversation(kb.data, words)), version: kb.data.version.hash };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        file: { type: 'string', default: 'knowledge/eval.yaml' },
        knowledge: { type: 'string', default: 'knowledge' },
        dialogs: { type: 'string', default: 'dialogs' },
        save: { type: 'string' },
        against: { type: 'string' },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const file = values.file;
  const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    console.error(`${file}: cannot read the question file (${err.code ?? err.message})`);
    return undefined;
  });
  if (text === undefined) return 2;
  const set = parseQuestionSet(text, file);
  if (!set.success) {
    set.problems.forEach((p) => console.error(formatProblem(p)));
    return 2;
  }

  // The baseline first, so a bad --against is reported before the long run.
  let before: SavedEvaluation | undefined;
  if (values.against !== undefined) {
    const against = values.against;
    if (existsSync(against)) {
      const saved = parseSaved(await fs.readFile(against, 'utf8'), against);
      if (!saved.success) {
        console.error(saved.message);
        return 2;
      }
      before = saved.data;
    } else {
      const at = await evaluationAt(against, set.data, file, values.knowledge, values.dialogs);
      if (typeof at === 'number') return at;
      before = at;
    }
  }

  const now = await run(set.data, values.knowledge, values.dialogs);
  if (!now.success) {
    now.problems.forEach((p) => console.error(p));
    return 2;
  }
  const result = now.evaluation;
  console.log(formatEvaluation(result, file));
  const saved = toSaved(result, { file, knowledge: `knowledge version ${now.version}` });
  if (values.save !== undefined) {
    await fs.writeFile(values.save, `${JSON.stringify(saved, null, 2)}\n`);
    console.log(`\nSaved each question's outcome to ${values.save}; compare a later run with --against ${values.save}.`);
  }
  let broken = 0;
  if (before) {
    const c = compare(before, saved);
    broken = c.broken.length;
    console.log(`\n${formatComparison(c, before, saved)}`);
  }
  return gateFailures(result).length === 0 && broken === 0 ? 0 : 1;
}

/**
 * The evaluation of the knowledge base as it was at a git ref (read from git, not checked out), or the
 * exit code after saying why there is none.
 */
async function evaluationAt(against: string, set: QuestionSet, file: string, knowledge: string, dialogs: string): Promise<SavedEvaluation | number> {
  let snapshot;
  try {
    snapshot = snapshotAt(against, [knowledge, dialogs]);
  } catch (err) {
    console.error(`--against: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  try {
    const [kbAt, dialogsAt] = snapshot.copies as [string, string];
    let then = await run(set, kbAt, dialogsAt);
    if (!then.success && (await loadDialogs(dialogsAt)).success === false) {
      // The bot's words there may lack a message today's code needs (one added since): what is
      // compared is the knowledge base, so that one is read with today's dialogs folder.
      const withToday = await run(set, kbAt, dialogs);
      if (withToday.success) {
        console.error(`--against ${against}: its ${dialogs} folder does not load with this version of the bot (${(then.problems[0] ?? '').split(`${snapshot.root}/`).join('')}); its knowledge base is compared using today's ${dialogs}.`);
        then = withToday;
      }
    }
    if (!then.success) {
      console.error(`--against ${against}: the knowledge base there does not load:`);
      then.problems.forEach((p) => console.error(`  ${p}`));
      return 2;
    }
    return toSaved(then.evaluation, { file, knowledge: `${against} (${snapshot.commit.slice(0, 12)})` });
  } finally {
    rmSync(snapshot.root, { recursive: true, force: true });
  }
}

if (require.main === module) runCli(main, USAGE);
