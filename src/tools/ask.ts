/**
 * `npm run ask -- "question" [--after "earlier question"]...`: prints what the bot would answer and
 * why, without starting a server: how each word was read, the band and confidence, the chosen passage
 * and the runner-up passages, and which details the question pins down were or were not covered.
 * `--after` asks earlier questions first in the same conversation, to see how a follow-up is read.
 */
import { parseArgs } from 'node:util';
import { answerInConversation, type TopicContext } from '../answering/conversation';
import type { Decision } from '../answering/answer';
import { loadDialogs } from '../dialogs/loadDialogs';
import { viewOf } from '../answering/replyText';
import type { PassageHit } from '../knowledge/KnowledgeIndex';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem } from '../content/Problem';
import { runCli } from './runCli';

const USAGE = 'usage: npm run ask -- "your question" [--after "an earlier question" ...] [--knowledge dir]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { knowledge: { type: 'string', default: 'knowledge' }, dialogs: { type: 'string', default: 'dialogs' }, after: { type: 'string', multiple: true, default: [] } },
  });
  const question = positionals.join(' ');
  if (question.trim() === '') {
    console.error(USAGE);
    return 2;
  }
  const [kb, dialogs] = await Promise.all([loadKnowledge(values.knowledge), loadDialogs(values.dialogs)]);
  if (!kb.success || !dialogs.success) {
    for (const p of [...(kb.success ? [] : kb.problems), ...(dialogs.success ? [] : dialogs.problems)]) console.error(formatProblem(p));
    return 2;
  }
  const index = kb.data.index;
  const { messages, phrases } = dialogs.data;
  let context: TopicContext | undefined;
  for (const earlier of values.after) context = answerInConversation(earlier, index, context, new Date(), phrases.smallTalk).context;
  const turn = answerInConversation(question, index, context, new Date(), phrases.smallTalk);
  console.log(`Question:   ${question}`);
  if (context) console.log(`After:      ${context.question}`);
  turn.decisions.forEach((d, i) => {
    if (turn.decisions.length > 1) console.log(`\n--- question ${i + 1} of ${turn.decisions.length}`);
    describe(d);
    const r = d.reply;
    if (r.kind !== 'escalate') {
      const v = viewOf(r, kb.data, messages);
      console.log(`\nReply (${v.band}):\n${indent(v.text)}`);
      if (v.buttons.length > 0) console.log(`Buttons:    ${v.buttons.map((b) => `[${b.title}]`).join(' ')}`);
    }
  });
  if (turn.offer) console.log(`\nSecond question offered as a button: "${turn.offer}"`);
  return 0;
}

function describe(d: Decision): void {
  const r = d.reply;
  const words = d.result.words;
  if (words.length > 0) {
    console.log(
      `Read as:    ${words
        .map((w) => `${w.typed ? `${w.typed}→` : ''}${w.word}${w.kind === 'hint' ? '(hint)' : ''}${w.context ? '(context)' : ''}${w.anchor ? '(subject)' : ''}${w.known ? '' : '(unknown)'} w=${w.weight.toFixed(2)}`)
        .join(', ')}`,
    );
  }
  if (r.kind === 'smallTalk' || r.kind === 'escalate') {
    console.log(`Reply:      ${r.kind === 'smallTalk' ? `small talk (${r.intent})` : 'a request for a person'}`);
    return;
  }
  console.log(`Band:       ${r.kind}  confidence ${r.confidence}${d.anchored ? '' : '  (names nothing the knowledge base is about)'}`);
  if (d.result.gap) console.log(`Not covered: the question asks about ${d.result.gap} (not-covered.yaml)`);
  const form = d.form;
  if (form) {
    console.log(`Asks for:   ${form.asks}${form.yesNo ? ' (yes/no)' : ''}${form.unit ? `, counting "${form.unit}"` : ''}`);
    const a = d.answerability;
    const missing = new Set(a?.missing ?? []);
    for (const detail of form.details) console.log(`  ${missing.has(detail) ? 'NOT covered' : 'covered    '}  ${detail.kind} "${detail.typed}"`);
    if (a?.asksUnmet) console.log(`  NOT covered  the ${form.asks} asked for, together with what the question pins down`);
    if (a?.limit) console.log('  limit        the passage says the sources do not give this');
    if (a && a.uncovered.length > 0) console.log(`  not in the article: ${a.uncovered.map((w) => w.typed ?? w.word).join(', ')}`);
    if (a?.correction) console.log(`  corrects     "${a.correction.typed}"`);
  }
  if (d.chosen.length > 0) {
    console.log('Chosen:');
    for (const p of d.chosen) console.log(line(p));
  }
  if (d.runnerUps.length > 0) {
    console.log('Runner-ups:');
    for (const p of d.runnerUps) console.log(line(p));
  }
}

function line(p: PassageHit): string {
  const where = `${p.article.id}#${p.passage.index}${p.passage.heading ? ` [${p.passage.heading}]` : ''}`;
  const text = p.passage.text.length > 110 ? `${p.passage.text.slice(0, 110)}...` : p.passage.text;
  return `  ${where.padEnd(40)} coverage ${p.coverage.toFixed(2)}  ${text}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

runCli(main, USAGE);
