import { BANDS, GATES, gateFailures, pct, type Evaluation, type Scored, type Tally } from './evaluate';

const MAX_TEXT = 600;

/** The evaluation as staff read it: each category, the per-band table, a confidence table, every miss. */
export function formatEvaluation(e: Evaluation, file: string): string {
  const row = (label: string, t: Tally, gate?: number) => `  ${label.padEnd(40)} ${pct(t).padStart(6)}  ${`${t.right}/${t.total}`.padStart(8)}${gate !== undefined ? `   (gate ${gate * 100}%)` : ''}`;
  const lines = [
    `Evaluation of ${file}`,
    '',
    row('in-scope: every fact shown', e.inScope, GATES.inScope),
    row('  ... asking a detail', e.inScope.detail),
    `  ${'  ... expected article led the reply'.padEnd(40)} ${`${e.inScope.articleFirst}/${e.inScope.total}`.padStart(16)}`,
    row('near-scope: honest (no confident answer)', e.nearScope, GATES.nearScope),
    row('out-of-scope: clean (no article offered)', e.outOfScope, GATES.outOfScope),
    row('  ... sharing words with the domain', e.outOfScope.shares),
    row('conversations: turns right', e.conversations.turns),
    row('  ... turns with facts', e.conversations.factTurns),
    row('  ... honest turns', e.conversations.honestTurns),
    row('  ... whole conversations right', e.conversations.whole),
    '',
    'Per band (every question and conversation turn):',
    `  ${'band'.padEnd(10)} ${'replies'.padStart(8)} ${'right'.padStart(7)} ${'rate'.padStart(7)}`,
    ...BANDS.map((b) => `  ${b.padEnd(10)} ${String(e.bands[b].total).padStart(8)} ${String(e.bands[b].right).padStart(7)} ${pct(e.bands[b]).padStart(7)}${b === 'answer' ? `   (gate ${GATES.answerBand * 100}%)` : ''}`),
    '',
    'Confidence of the reply, against how often it was right:',
    ...calibration(e.items),
  ];
  const misses = e.items.filter((x) => !x.right);
  if (misses.length > 0) {
    lines.push('', `Misses (${misses.length}):`);
    for (const m of misses) lines.push(...describeMiss(m, file));
  }
  const failures = gateFailures(e);
  lines.push('', failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`);
  return lines.join('\n');
}

function calibration(items: readonly Scored[]): string[] {
  const edges = [0, 0.2, 0.4, 0.55, 0.7, 0.85, 1.0001];
  const out: string[] = [];
  for (let i = 0; i + 1 < edges.length; i += 1) {
    const lo = edges[i] as number;
    const hi = edges[i + 1] as number;
    const inBucket = items.filter((x) => x.confidence !== null && x.confidence >= lo && x.confidence < hi);
    if (inBucket.length === 0) continue;
    const right = inBucket.filter((x) => x.right).length;
    const label = `${lo.toFixed(2)}-${Math.min(1, hi).toFixed(2)}`;
    const byBand = BANDS.map((b) => [b, inBucket.filter((x) => x.band === b).length] as const).filter(([, n]) => n > 0).map(([b, n]) => `${b} ${n}`).join(', ');
    out.push(`  ${label}  ${String(inBucket.length).padStart(4)} replies, ${String(right).padStart(4)} right (${pct({ total: inBucket.length, right })})  [${byBand}]`);
  }
  return out;
}

function describeMiss(m: Scored, file: string): string[] {
  const where = m.category === 'conversation' ? `conversation "${m.conversation ?? ''}"` : m.category;
  const article = m.articleId ? `${m.articleId}, ` : '';
  const confidence = m.confidence !== null ? `confidence ${m.confidence}` : 'no confidence';
  const expected = m.expect && m.expect !== m.articleId ? ` (expected ${m.expect})` : '';
  const text = m.text.replace(/\s+/g, ' ').trim();
  return [
    `  ${file}:${m.line}: [${where}] "${m.q}" -> ${m.band} (${article}${confidence})${expected}: ${m.why ?? ''}`,
    `      shown: ${text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text || '(nothing)'}`,
  ];
}
