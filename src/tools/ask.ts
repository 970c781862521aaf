/**
 * `npm run ask -- "question"`: prints what the bot would answer and why (band, confidence, article,
 * runner-ups with scores, how each word was read), without starting a server.
 */
import { parseArgs } from 'node:util';
import { bandOf, confidenceOf, decide } from '../answering/answer';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem } from '../knowledge/Problem';
import { runCli } from './runCli';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { knowledge: { type: 'string', default: 'knowledge' } },
  });
  const question = positionals.join(' ');
  if (question.trim() === '') {
    console.error('usage: npm run ask -- "your question" [--knowledge dir]');
    return 2;
  }
  const kb = await loadKnowledge(values.knowledge);
  if (!kb.success) {
    kb.problems.forEach((p) => console.error(formatProblem(p)));
    return 2;
  }
  const index = kb.data.index;
  const reply = decide(question, index);
  const result = index.search(question);
  const confidence = confidenceOf(result);
  console.log(`Question:   ${question}`);
  console.log(
    `Read as:    ${result.words.map((w) => `${w.typed ? `${w.typed}→` : ''}${w.word}${w.kind === 'hint' ? '(hint)' : ''}${w.known ? '' : '(unknown)'} w=${w.weight.toFixed(2)}`).join(', ') || '(no words to search on)'}`,
  );
  if (reply.kind === 'smallTalk') {
    console.log(`Reply:      small talk (${reply.intent})`);
    return 0;
  }
  console.log(`Band:       ${reply.kind === 'noAnswer' ? 'noAnswer' : bandOf(confidence)}  confidence ${confidence}`);
  if (result.gap) console.log(`Not covered: the question asks about ${result.gap} (not-covered.yaml)`);
  if (reply.kind === 'answer') console.log(`Article:    ${reply.article.id} (${reply.article.file})\nAnswer:     ${reply.article.shortAnswer}`);
  if (reply.kind === 'clarify') console.log(`Did you mean: ${reply.candidates.map((a) => a.title).join(' | ')}`);
  console.log('Ranking:');
  for (const h of result.hits) {
    console.log(`  ${h.article.id.padEnd(32)} score ${h.score.toFixed(3).padStart(7)}  coverage ${h.coverage.toFixed(2)}${h.exact ? '  (exact question match)' : ''}`);
  }
  return 0;
}

runCli(main);
