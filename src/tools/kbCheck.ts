/**
 * `npm run kb:check [-- --knowledge dir --dialogs dir]`: validates every article, synonyms, sources,
 * not-covered phrases, the bot's messages, the phrases it recognises and the escalation scripts, and prints every problem at once
 * as `file:line: message`, errors and warnings in one run. Also warns of cross-references ("see the
 * editions article") that name none of the article's related articles, of articles with stale facts
 * (`--stale-years`, default 3; not for articles marked `historical: true`) and of articles no question
 * in the staff's evaluation set reaches (`--questions`, default knowledge/eval.yaml). Exits 1 on any error; warnings
 * alone do not fail it.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decide, unresolvedPointers } from '../answering/answer';
import { leadArticle } from '../answering/Reply';
import { loadDialogs } from '../dialogs/loadDialogs';
import { loadScripts } from '../escalation/script';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { coverageWarnings } from '../knowledge/coverage';
import { formatProblem, type Problem } from '../content/Problem';
import { parseQuestionSet } from '../knowledge/questionSet';
import { runCli } from './runCli';

const USAGE = 'usage: npm run kb:check -- [--knowledge dir] [--dialogs dir] [--questions file] [--stale-years N]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      knowledge: { type: 'string', default: 'knowledge' },
      dialogs: { type: 'string', default: 'dialogs' },
      questions: { type: 'string', default: 'knowledge/eval.yaml' },
      'stale-years': { type: 'string', default: '3' },
    },
  });
  const staleYears = Number(values['stale-years']);
  if (!Number.isFinite(staleYears) || staleYears <= 0) {
    console.error(USAGE);
    return 2;
  }
  const [kb, dialogs] = await Promise.all([loadKnowledge(values.knowledge), loadDialogs(values.dialogs)]);
  const smallTalk = dialogs.success ? dialogs.data.phrases.smallTalk : undefined;
  const coverage: Problem[] = [];
  if (!kb.success) {
    // Stale facts are reported with the errors; whether the evaluation questions reach each article
    // needs a knowledge base that loads.
    coverage.push(...coverageWarnings(kb.articles, { now: new Date(), staleYears }));
  } else {
    const text = await fs.readFile(values.questions, 'utf8').catch(() => undefined);
    const set = text === undefined ? undefined : parseQuestionSet(text, values.questions);
    if (set && !set.success) coverage.push(...set.problems);
    const index = kb.data.index;
    coverage.push(...unresolvedPointers(index));
    coverage.push(
      ...coverageWarnings(kb.data.articles, {
        now: new Date(),
        staleYears,
        ...(set?.success ? { questions: set.data, firstArticleFor: (q: string) => leadArticle(decide(q, index, smallTalk ? { smallTalk } : {}))?.id } : {}),
      }),
    );
  }
  const inKnowledge = (p: Problem): Problem => ({ ...p, file: p.file.startsWith('/') || p.file === values.questions ? p.file : path.join(values.knowledge, p.file) });
  const problems: Problem[] = [
    ...(kb.success ? [...kb.warnings, ...coverage] : [...kb.problems, ...coverage]).map(inKnowledge),
    ...(dialogs.success ? dialogs.warnings : dialogs.problems),
  ];
  for (const p of problems) console.log(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (kb.success) console.log(`${kb.data.articles.length} articles, knowledge version ${kb.data.version.hash}`);
  // The scripts are listed whenever they load, even when another file of the folder has errors.
  const scripts = dialogs.success ? dialogs.data.scripts : await loadScripts(values.dialogs).then((r) => (r.success ? r.data : undefined));
  if (scripts) console.log(`${scripts.length} escalation scripts: ${scripts.map((s) => s.id).join(', ')}`);
  if (!kb.success) console.log(`(which articles the questions in ${values.questions} reach is checked once the knowledge base loads)`);
  console.log(errors === 0 ? `OK (${warnings} warnings)` : `${errors} errors, ${warnings} warnings`);
  return errors === 0 ? 0 : 1;
}

runCli(main, USAGE);
