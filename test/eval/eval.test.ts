import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decide } from '../../src/answering/answer';
import { evaluate } from '../../src/answering/evaluate';
import { parseQuestionSet } from '../../src/knowledge/questionSet';
import { MIN_TOP1, report } from '../../src/tools/eval';
import { realContent, ROOT } from '../helpers/realContent';

describe('evaluation set (test/eval/questions.yaml)', () => {
  it(`puts the expected article first for at least ${MIN_TOP1 * 100}% of partner questions, and never answers an out-of-scope question confidently`, async () => {
    const { kb } = await realContent();
    const file = path.join(ROOT, 'test/eval/questions.yaml');
    const set = parseQuestionSet(await fs.readFile(file, 'utf8'), 'test/eval/questions.yaml');
    if (!set.success) throw new Error(JSON.stringify(set.problems));
    expect(set.data.questions.length).toBeGreaterThanOrEqual(80);
    expect(set.data.outOfScope.length).toBeGreaterThanOrEqual(20);

    const result = evaluate(set.data, (q) => decide(q, kb.index), kb.articles.map((a) => a.id));
    const summary = report(result, 'test/eval/questions.yaml');
    expect({ top1: result.top1 / result.total >= MIN_TOP1, summary }).toEqual({ top1: true, summary });
    expect(result.falseAnswers).toEqual([]);
    expect(result.unreached).toEqual([]);
  });

  it('expects only articles that exist', async () => {
    const { kb } = await realContent();
    const set = parseQuestionSet(await fs.readFile(path.join(ROOT, 'test/eval/questions.yaml'), 'utf8'), 'q');
    if (!set.success) throw new Error('unparseable');
    const ids = new Set(kb.articles.map((a) => a.id));
    expect(set.data.questions.filter((q) => !ids.has(q.expect))).toEqual([]);
  });
});
