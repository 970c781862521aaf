import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuestionLog } from '../../src/storage/QuestionLog';
import { parsePeriod } from '../../src/tools/kbGaps';
import { writeFixture, WEEK } from '../helpers/questionLogFixture';
import { ROOT } from '../helpers/realContent';

/** Built by `npx tsc -p .` (or `npm test`) before jest runs. */
const CLI = path.join(ROOT, 'dist/src/tools/kbGaps.js');
const KNOWLEDGE = path.join(ROOT, 'knowledge');

let dir: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -p ." first`);
});

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbgaps-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const week = (log: string) => ['--log', log, '--from', WEEK.from, '--to', WEEK.to, '--knowledge', KNOWLEDGE];

/** The report split into its numbered groups. */
function groupsOf(stdout: string): string[] {
  return stdout.split(/\n(?=\d+\. asked )/).slice(1);
}

describe('kbGaps CLI', () => {
  it('prints the week\'s gaps, biggest group first, from a recorded log', async () => {
    const log = path.join(dir, 'questions');
    await writeFixture(log);
    await fs.appendFile(path.join(log, 'questions-2011-06-08-bot-a.jsonl'), '{"type":"question","id":"torn\n');

    const { code, stdout, stderr } = await run(week(log));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('period:            2011-06-06 00:00 UTC to 2011-06-12 23:59 UTC');
    expect(stdout).toContain('questions logged:  30 (answer 13, noAnswer 12, smallTalk 2, clarify 2, escalation 1)');
    expect(stdout).toContain('gaps found:        15 questions in 8 groups');
    expect(stdout).toContain('malformed lines:   1 skipped');

    const groups = groupsOf(stdout);
    expect(groups.map((g) => /^\d+\. asked (\d+) time/.exec(g)?.[1])).toEqual(['4', '3', '2', '2', '1', '1', '1', '1']);

    expect(groups[0]).toContain('1. asked 4 times (notCovered 4)');
    expect(groups[0]).toContain('- "where is wpc held"');
    expect(groups[0]).toContain('- wpc-2011: When is WPC and what should partners expect? (4)');
    expect(groups[0]).toContain('not covered: where WPC is held or how to register for it');

    const price = groups[1] ?? '';
    expect(price).toContain('2. asked 3 times (notCovered 2, notHelpful 1)');
    for (const q of ['how much does bpos cost', 'bpos price per user', 'what does bpos cost']) expect(price).toContain(`- "${q}"`);
    expect(price).toContain('- bpos-why-customers-choose: Why do customers choose BPOS? (3)');
    expect(price).toContain('not covered: prices, costs per user and licensing terms');

    // Answered and helpful, small talk, escalation, an unanswered "did you mean": not listed.
    for (const q of ['when is wpc', 'what is bpos', 'bpos editions', 'hi', 'talk to a human', 'cloud', 'office web apps adoption']) {
      expect(stdout).not.toContain(`"${q}"`);
    }
    // Answered, then marked not helpful (after midnight, after the period): listed.
    expect(stdout).toMatch(/asked 1 time \(notHelpful 1\)\n {3}questions:\n {5}- "xbox games"/);
    expect(stdout).toMatch(/asked 1 time \(notHelpful 1\)\n {3}questions:\n {5}- "tell me about partners"/);
    expect(stdout).toContain('(noMatch 2)');
    expect(stdout).toContain('(vague 1)');
  });

  it('prints the same report as JSON with --json', async () => {
    const log = path.join(dir, 'questions');
    await writeFixture(log);
    const { code, stdout } = await run([...week(log), '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      questions: number;
      gapQuestions: number;
      badLines: number;
      groups: { count: number; examples: string[]; closestArticles: { id: string; title?: string; count: number }[]; gaps: string[] }[];
    };
    expect(report).toMatchObject({ questions: 30, gapQuestions: 15, badLines: 0 });
    expect(report.groups.map((g) => g.count)).toEqual([4, 3, 2, 2, 1, 1, 1, 1]);
    expect(report.groups[1]).toEqual({
      count: 3,
      examples: ['bpos price per user', 'how much does bpos cost', 'what does bpos cost'],
      reasons: { notCovered: 2, notHelpful: 1 },
      closestArticles: [{ id: 'bpos-why-customers-choose', title: 'Why do customers choose BPOS?', count: 3 }],
      gaps: ['prices, costs per user and licensing terms'],
    });
  });

  it('says so and exits 0 when there are no gaps, or no questions at all', async () => {
    const log = path.join(dir, 'questions');
    const q = new QuestionLog({ dir: log, salt: 's', instance: 'a', now: () => new Date('2011-06-07T10:00:00Z') });
    const id = q.recordQuestion({ partnerId: 'p', conversationId: 'c', channelId: 'msteams', question: 'when is wpc', band: 'answer', articleId: 'wpc-2011' });
    q.recordFeedback(id, 'helpful');
    q.recordQuestion({ partnerId: 'p', conversationId: 'c', channelId: 'msteams', question: 'hi', band: 'smallTalk' });
    await q.flush();

    const some = await run(week(log));
    expect(some.code).toBe(0);
    expect(some.stdout).toContain('questions logged:  2');
    expect(some.stdout).toContain('gaps found:        0 questions in 0 groups');
    expect(some.stdout).toContain('No gaps: every question got an answer and none was marked not helpful.');

    const none = await run(['--log', log, '--days', '7', '--knowledge', KNOWLEDGE]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('questions logged:  0');
    expect(none.stdout).toContain('No questions were logged in this period.');

    const missing = await run(['--log', path.join(dir, 'nowhere'), '--knowledge', KNOWLEDGE]);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toContain('no question log at');
    expect(missing.stdout).toContain('No questions were logged in this period.');
  });

  it.each([
    [['--days', '0']],
    [['--days', 'seven']],
    [['--from', '2011-06-06']],
    [['--from', '2011-02-30', '--to', '2011-03-01']],
    [['--from', '2011-06-12', '--to', '2011-06-06']],
    [['--days', '7', '--from', '2011-06-06', '--to', '2011-06-12']],
    [['--bogus']],
    [['stray']],
    [['--json=yes']],
  ])('exits 2 with a usage line on bad arguments: %j', async (args) => {
    const { code, stdout, stderr } = await run([...args, '--knowledge', KNOWLEDGE]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('usage: node dist/src/tools/kbGaps.js');
  });

  it('exits 2 when the knowledge base does not load', async () => {
    const { code, stderr } = await run(['--knowledge', path.join(dir, 'no-knowledge')]);
    expect(code).toBe(2);
    expect(stderr).toContain('cannot read the knowledge folder');
  });
});

describe('parsePeriod', () => {
  const now = new Date('2011-06-13T08:00:00.000Z');
  it('defaults to the 7 days before now', () => {
    expect(parsePeriod({}, now)).toEqual({ from: new Date('2011-06-06T08:00:00.000Z'), to: now });
    expect(parsePeriod({ days: '1' }, now)).toEqual({ from: new Date('2011-06-12T08:00:00.000Z'), to: now });
  });
  it('takes whole UTC days with --from/--to', () => {
    expect(parsePeriod({ from: '2011-06-06', to: '2011-06-06' }, now)).toEqual({
      from: new Date('2011-06-06T00:00:00.000Z'),
      to: new Date('2011-06-06T23:59:59.999Z'),
    });
  });
});
