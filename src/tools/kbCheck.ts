/**
 * `npm run kb:check [-- --knowledge dir --dialogs dir]`: validates every article, synonyms, sources,
 * not-covered phrases, the bot's messages and the escalation scripts, and prints every problem at once
 * as `file:line: message`. Exits 1 on any error; warnings alone do not fail it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadMessages } from '../answering/Messages';
import { loadScripts } from '../escalation/script';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem, type Problem } from '../knowledge/Problem';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { knowledge: { type: 'string', default: 'knowledge' }, dialogs: { type: 'string', default: 'dialogs' } } });
  const [kb, messages, scripts] = await Promise.all([loadKnowledge(values.knowledge), loadMessages(values.dialogs), loadScripts(values.dialogs)]);
  const problems: Problem[] = [
    ...(kb.success ? kb.warnings : kb.problems).map((p) => ({ ...p, file: p.file.startsWith('/') ? p.file : path.join(values.knowledge, p.file) })),
    ...(messages.success ? messages.warnings : messages.problems),
    ...(scripts.success ? scripts.warnings : scripts.problems),
  ];
  for (const p of problems) console.log(formatProblem(p));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (kb.success) console.log(`${kb.data.articles.length} articles, knowledge version ${kb.data.version.hash}`);
  if (scripts.success) console.log(`${scripts.data.length} escalation scripts: ${scripts.data.map((s) => s.id).join(', ')}`);
  console.log(errors === 0 ? `OK (${warnings} warnings)` : `${errors} errors, ${warnings} warnings`);
  return errors === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
