/**
 * `node dist/src/tools/kbGaps.js [--log dir] [--days 7 | --from YYYY-MM-DD --to YYYY-MM-DD]
 * [--knowledge dir] [--json]`: what partners asked in the period that the bot could not answer (no answer,
 * or an answer marked not helpful), grouped by similar question, biggest group first: the list staff
 * write or fix articles from. Exits 0 (also when there are no gaps), 2 on bad arguments.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findGaps, isGap, type GapGroup } from '../answering/gaps';
import { readLog, type LogContents } from '../storage/QuestionLog';
import type { KnowledgeIndex } from '../knowledge/KnowledgeIndex';
import { loadKnowledge } from '../knowledge/loadKnowledge';
import { formatProblem } from '../content/Problem';
import { stem } from '../knowledge/words';
import { runCli } from './runCli';

export const USAGE =
  'usage: node dist/src/tools/kbGaps.js [--log dir] [--days N | --from YYYY-MM-DD --to YYYY-MM-DD] [--knowledge dir] [--json]';
export const DEFAULT_LOG_DIR = 'data/questions';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Period {
  from: Date;
  to: Date;
}

/**
 * The words of a question as the bot reads them: the index's own analysis (spelling corrected, synonyms
 * folded, stop words dropped, question words like "where" kept), stemmed so plurals compare equal.
 */
export function questionWords(index: KnowledgeIndex): (text: string) => string[] {
  return (text) => index.search(text, { limit: 1 }).words.map((w) => stem(w.word));
}

/** The period from the arguments: `--days N` back from `now` (default 7), or whole UTC days `--from`..`--to`. */
export function parsePeriod(args: { days?: string; from?: string; to?: string }, now: Date): Period | string {
  if (args.days !== undefined && (args.from !== undefined || args.to !== undefined)) return 'give --days or --from/--to, not both';
  if (args.from !== undefined || args.to !== undefined) {
    if (args.from === undefined || args.to === undefined) return '--from and --to go together';
    const from = parseDay(args.from);
    const to = parseDay(args.to);
    if (!from) return `--from "${args.from}" is not a date (YYYY-MM-DD)`;
    if (!to) return `--to "${args.to}" is not a date (YYYY-MM-DD)`;
    if (from > to) return '--from is after --to';
    return { from, to: new Date(to.getTime() + DAY_MS - 1) };
  }
  const days = args.days ?? '7';
  if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 3650) return `--days "${days}" is not a whole number of days (1 or more)`;
  return { from: new Date(now.getTime() - Number(days) * DAY_MS), to: now };
}

function parseDay(s: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const d = new Date(`${s}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s ? undefined : d;
}

export interface GapReport {
  period: { from: string; to: string };
  questions: number;
  byBand: Record<string, number>;
  gapQuestions: number;
  badLines: number;
  groups: (Omit<GapGroup, 'closestArticles'> & { closestArticles: { id: string; title?: string; count: number }[] })[];
}

export function buildReport(log: LogContents, period: Period, index: KnowledgeIndex): GapReport {
  const byBand: Record<string, number> = {};
  for (const q of log.questions) byBand[q.band] = (byBand[q.band] ?? 0) + 1;
  const groups = findGaps(log.questions, { analyze: questionWords(index) });
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    questions: log.questions.length,
    byBand,
    gapQuestions: log.questions.filter(isGap).length,
    badLines: log.badLines,
    groups: groups.map((g) => ({
      ...g,
      closestArticles: g.closestArticles.map((a) => {
        const title = index.get(a.id)?.title;
        return title !== undefined ? { id: a.id, title, count: a.count } : a;
      }),
    })),
  };
}

export function formatReport(r: GapReport): string {
  const time = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  const bands = Object.entries(r.byBand)
    .sort((a, b) => b[1] - a[1])
    .map(([band, n]) => `${band} ${n}`)
    .join(', ');
  const lines = [
    'Questions partners asked that the bot could not answer',
    `  period:            ${time(r.period.from)} to ${time(r.period.to)}`,
    `  questions logged:  ${r.questions}${bands ? ` (${bands})` : ''}`,
    `  gaps found:        ${r.gapQuestions} question${r.gapQuestions === 1 ? '' : 's'} in ${r.groups.length} group${r.groups.length === 1 ? '' : 's'}`,
    `  malformed lines:   ${r.badLines} skipped`,
  ];
  if (r.questions === 0) {
    lines.push('', 'No questions were logged in this period.');
    return lines.join('\n');
  }
  if (r.groups.length === 0) {
    lines.push('', 'No gaps: every question got an answer and none was marked not helpful.');
    return lines.join('\n');
  }
  r.groups.forEach((g, i) => {
    const reasons = Object.entries(g.reasons)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
    lines.push('', `${i + 1}. asked ${g.count} time${g.count === 1 ? '' : 's'} (${reasons})`);
    lines.push('   questions:');
    for (const e of g.examples) lines.push(`     - ${JSON.stringify(e)}`);
    if (g.closestArticles.length > 0) {
      lines.push('   closest articles:');
      for (const a of g.closestArticles) lines.push(`     - ${a.id}: ${a.title ?? '(no longer in the knowledge base)'} (${a.count})`);
    } else lines.push('   closest articles: none');
    if (g.gaps.length > 0) lines.push(`   not covered: ${g.gaps.join('; ')}`);
  });
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let values: { log: string; knowledge: string; json: boolean; days?: string; from?: string; to?: string };
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        log: { type: 'string', default: DEFAULT_LOG_DIR },
        days: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        knowledge: { type: 'string', default: 'knowledge' },
        json: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    console.error(USAGE);
    return 2;
  }
  const period = parsePeriod(values, new Date());
  if (typeof period === 'string') {
    console.error(period);
    console.error(USAGE);
    return 2;
  }
  const kb = await loadKnowledge(values.knowledge);
  if (!kb.success) {
    kb.problems.forEach((p) => console.error(formatProblem(p)));
    return 2;
  }
  if (!existsSync(values.log)) console.error(`note: no question log at ${values.log}`);
  const log = await readLog(values.log, period.from, period.to);
  const report = buildReport(log, period, kb.data.index);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return 0;
}

if (require.main === module) runCli(() => main(process.argv.slice(2)), USAGE);
