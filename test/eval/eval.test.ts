import { promises as fs } from 'node:fs';
import path from 'node:path';
import { coreConversation } from '../../src/answering/evalConversation';
import { formatEvaluation } from '../../src/answering/evalReport';
import { evaluate, gateFailures } from '../../src/answering/evaluate';
import { expectedArticles, parseQuestionSet } from '../../src/knowledge/questionSet';
import { realContent, ROOT } from '../helpers/realContent';

const FILE = 'test/eval/questions.yaml';

describe(`evaluation set (${FILE})`, () => {
  it('meets the gates: in-scope fact shown 97%, near-scope honest 95%, out-of-scope clean 100%, answer band right 98%', async () => {
    const { kb, messages, phrases } = await realContent();
    const set = parseQuestionSet(await fs.readFile(path.join(ROOT, FILE), 'utf8'), FILE);
    if (!set.success) throw new Error(JSON.stringify(set.problems));
    const result = evaluate(set.data, () => coreConversation(kb, { messages, smallTalk: phrases.smallTalk }));
    // The whole report on failure: every miss with the text the partner would have seen.
    expect({ failures: gateFailures(result), report: gateFailures(result).length > 0 ? formatEvaluation(result, FILE) : '' }).toEqual({ failures: [], report: '' });
  });

  it('holds enough questions of each kind, and expects only articles that exist', async () => {
    const { kb } = await realContent();
    const set = parseQuestionSet(await fs.readFile(path.join(ROOT, FILE), 'utf8'), FILE);
    if (!set.success) throw new Error('unparseable');
    const d = set.data;
    expect(d.inScope.length).toBeGreaterThanOrEqual(150);
    expect(d.inScope.filter((q) => q.detail).length).toBeGreaterThanOrEqual(50);
    expect(d.nearScope.length).toBeGreaterThanOrEqual(40);
    expect(d.outOfScope.length).toBeGreaterThanOrEqual(40);
    expect(d.outOfScope.filter((q) => q.shares).length * 3).toBeGreaterThanOrEqual(d.outOfScope.length);
    expect(d.conversations.length).toBeGreaterThanOrEqual(30);
    const ids = new Set(kb.articles.map((a) => a.id));
    expect([...expectedArticles(d)].filter((id) => !ids.has(id))).toEqual([]);
    expect(kb.articles.map((a) => a.id).filter((id) => !expectedArticles(d).has(id))).toEqual([]);
  });
});

describe('the staff evaluation set (knowledge/eval.yaml)', () => {
  const STAFF = 'knowledge/eval.yaml';

  it('parses, expects only articles that exist, has a question for every article, and meets the gates', async () => {
    const { kb, messages, phrases } = await realContent();
    const set = parseQuestionSet(await fs.readFile(path.join(ROOT, STAFF), 'utf8'), STAFF);
    if (!set.success) throw new Error(JSON.stringify(set.problems));
    const ids = new Set(kb.articles.map((a) => a.id));
    expect([...expectedArticles(set.data)].filter((id) => !ids.has(id))).toEqual([]);
    expect(kb.articles.map((a) => a.id).filter((id) => !expectedArticles(set.data).has(id))).toEqual([]);
    const result = evaluate(set.data, () => coreConversation(kb, { messages, smallTalk: phrases.smallTalk }));
    expect({ failures: gateFailures(result), report: gateFailures(result).length > 0 ? formatEvaluation(result, STAFF) : '' }).toEqual({ failures: [], report: '' });
  });
});
