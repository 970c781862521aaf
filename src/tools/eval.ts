/**
 * `npm run eval [-- --file questions.yaml] [--knowledge dir]`: runs a question set through the bot's
 * answering and prints top-1 accuracy, out-of-scope precision and every miss. Exits 1 when top-1 is
 * below 95% or any out-of-scope question gets a confident answer.
 */
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { decide } from '../answering/answer';
import { evaluate, type Evaluation } from '../answering/evaluate';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem } from '../knowledge/Problem';
import { parseQuestionSet } from '../knowledge/questionSet';
import { runCli } from './runCli';

export const MIN_TOP1 = 0.95;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: 'test/eval/questions.yaml' },
      knowledge: { type: 'string', default: 'knowledge' },
    },
  });
  const file = values.file;
  const kb = await loadKnowledge(values.knowledge);
  if (!kb.success) {
    kb.problems.forEach((p) => console.error(formatProblem(p)));
    return 2;
  }
  const set = parseQuestionSet(await fs.readFile(file, 'utf8'), file);
  if (!set.success) {
    set.problems.forEach((p) => console.error(formatProblem(p)));
    return 2;
  }
  const index = kb.data.index;
  const result = evaluate(set.data, (q) => decide(q, index), kb.data.articles.map((a) => a.id));
  console.log(report(result, file));
  return passes(result) ? 0 : 1;
}

export function passes(r: Evaluation): boolean {
  return r.total > 0 && r.top1 / r.total >= MIN_TOP1 && r.falseAnswers.length === 0;
}

export function report(r: Evaluation, file: string): string {
  const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
  const lines = [
    `Evaluation of ${file}`,
    `  top-1 accuracy:            ${pct(r.top1, r.total)} (${r.top1}/${r.total}; gate ${MIN_TOP1 * 100}%)`,
    `  answered outright, right:  ${pct(r.answered, r.total)} (${r.answered}/${r.total}; the rest got "did you mean" or no answer)`,
    `  out-of-scope precision:    ${pct(r.outOfScopeHeld, r.outOfScope)} (${r.outOfScopeHeld}/${r.outOfScope} not answered confidently)`,
  ];
  const wrong = r.misses.filter((m) => m.got !== m.expected);
  const weak = r.misses.filter((m) => m.got === m.expected);
  if (wrong.length > 0) {
    lines.push('', 'Misses (expected article not first):');
    for (const m of wrong) lines.push(`  ${file}:${m.line}: "${m.q}" expected ${m.expected}, got ${m.got ?? 'nothing'} (${m.kind}, confidence ${m.confidence})`);
  }
  if (weak.length > 0) {
    lines.push('', 'Right article, but not answered outright:');
    for (const m of weak) lines.push(`  ${file}:${m.line}: "${m.q}" → ${m.kind} (confidence ${m.confidence})`);
  }
  if (r.falseAnswers.length > 0) {
    lines.push('', 'Out-of-scope questions answered confidently:');
    for (const f of r.falseAnswers) lines.push(`  ${file}:${f.line}: "${f.q}" answered with ${f.got} (confidence ${f.confidence})`);
  }
  if (r.unreached.length > 0) lines.push('', `Articles no question expects: ${r.unreached.join(', ')}`);
  lines.push('', passes(r) ? 'PASS' : 'FAIL');
  return lines.join('\n');
}

if (require.main === module) runCli(main);
