import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashId, logFileName, MAX_QUESTION_CHARS, QuestionLog, readLog, type QuestionInput } from '../../src/storage/QuestionLog';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'questionlog-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const SALT = 'test-salt';

function input(question: string, extra: Partial<QuestionInput> = {}): QuestionInput {
  return { partnerId: 'partner-secret-42', conversationId: 'conversation-secret-7', channelId: 'msteams', question, band: 'answer', ...extra };
}

/** A clock the test moves. */
function clock(iso: string): { now: () => Date; set: (iso: string) => void } {
  let t = new Date(iso);
  return { now: () => t, set: (s) => (t = new Date(s)) };
}

async function lines(file: string): Promise<unknown[]> {
  const text = await fs.readFile(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
}

const ALL = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') };

describe('hashId', () => {
  it('is 16 hex characters of HMAC-SHA256, stable per salt', () => {
    expect(hashId('partner-1', 'a')).toMatch(/^[0-9a-f]{16}$/);
    expect(hashId('partner-1', 'a')).toBe(hashId('partner-1', 'a'));
    expect(hashId('partner-1', 'a')).not.toBe(hashId('partner-1', 'b'));
    expect(hashId('partner-1', 'a')).not.toBe(hashId('partner-2', 'a'));
    // HMAC-SHA256(key "key", "The quick brown fox jumps over the lazy dog") = f7bc83f4 30538424 b13298e6 ...
    expect(hashId('The quick brown fox jumps over the lazy dog', 'key')).toBe('f7bc83f430538424');
  });
});

describe('QuestionLog', () => {
  it('makes its folder again when it is removed while the bot runs, and loses no record', async () => {
    const logDir = path.join(dir, 'questions');
    const log = new QuestionLog({ dir: logDir, salt: SALT, instance: 'bot-a', now: () => new Date('2011-06-06T10:00:00.000Z') });
    log.recordQuestion(input('first'));
    await log.flush();
    await fs.rm(logDir, { recursive: true, force: true });
    log.recordQuestion(input('second'));
    await log.flush();
    const written = (await lines(path.join(logDir, logFileName('2011-06-06', 'bot-a')))) as { question: string }[];
    expect(written.map((l) => l.question)).toEqual(['second']);
  });

  it('appends one JSON line per record to the day file, with ids hashed and never in clear', async () => {
    const c = clock('2011-06-06T10:00:00.000Z');
    const log = new QuestionLog({ dir, salt: SALT, instance: 'bot-a', now: c.now });
    const id1 = log.recordQuestion(input('when is wpc', { articleId: 'wpc-2011', confidence: 1 }));
    const id2 = log.recordQuestion(
      input('how much does bpos cost', { band: 'noAnswer', reason: 'notCovered', gap: 'prices', articleId: 'bpos-overview', confidence: 0.79 }),
    );
    log.recordFeedback(id1, 'helpful');
    expect(id1).toMatch(/^[0-9a-f-]{36}$/);
    expect(id2).not.toBe(id1);
    await log.flush();

    const file = path.join(dir, logFileName('2011-06-06', 'bot-a'));
    expect(await fs.readdir(dir)).toEqual(['questions-2011-06-06-bot-a.jsonl']);
    expect(await lines(file)).toEqual([
      {
        type: 'question',
        id: id1,
        at: '2011-06-06T10:00:00.000Z',
        partner: hashId('partner-secret-42', SALT),
        channelId: 'msteams',
        conversation: hashId('conversation-secret-7', SALT),
        question: 'when is wpc',
        band: 'answer',
        articleId: 'wpc-2011',
        confidence: 1,
      },
      {
        type: 'question',
        id: id2,
        at: '2011-06-06T10:00:00.000Z',
        partner: hashId('partner-secret-42', SALT),
        channelId: 'msteams',
        conversation: hashId('conversation-secret-7', SALT),
        question: 'how much does bpos cost',
        band: 'noAnswer',
        reason: 'notCovered',
        articleId: 'bpos-overview',
        confidence: 0.79,
        gap: 'prices',
      },
      { type: 'feedback', id: id1, at: '2011-06-06T10:00:00.000Z', feedback: 'helpful' },
    ]);
    const raw = await fs.readFile(file, 'utf8');
    expect(raw).not.toContain('partner-secret-42');
    expect(raw).not.toContain('conversation-secret-7');
  });

  it('returns the id before anything is written; flush waits for the disk', async () => {
    const log = new QuestionLog({ dir, salt: SALT, instance: 'x', now: () => new Date('2011-06-06T10:00:00Z') });
    log.recordQuestion(input('a'));
    expect(existsSync(path.join(dir, logFileName('2011-06-06', 'x')))).toBe(false);
    for (let i = 0; i < 200; i++) log.recordQuestion(input(`q${i}`));
    await log.flush();
    expect(await lines(path.join(dir, logFileName('2011-06-06', 'x')))).toHaveLength(201);
    await log.flush(); // nothing queued: resolves at once
  });

  it('keeps writing records queued while a write is in flight, and flush covers them', async () => {
    const log = new QuestionLog({ dir, salt: SALT, instance: 'x', now: () => new Date('2011-06-06T10:00:00Z') });
    log.recordQuestion(input('first'));
    await new Promise((r) => setImmediate(r));
    log.recordQuestion(input('second'));
    const flushed = log.flush();
    log.recordQuestion(input('third'));
    await flushed;
    const qs = (await lines(path.join(dir, logFileName('2011-06-06', 'x')))) as { question: string }[];
    expect(qs.map((q) => q.question)).toEqual(['first', 'second', 'third']);
  });

  it('writes each UTC day to its own file', async () => {
    const c = clock('2011-06-06T23:59:59.000Z');
    const log = new QuestionLog({ dir, salt: SALT, instance: 'bot-a', now: c.now });
    const before = log.recordQuestion(input('late'));
    c.set('2011-06-07T00:00:01.000Z');
    log.recordQuestion(input('early'));
    log.recordFeedback(before, 'notHelpful');
    await log.flush();
    expect((await fs.readdir(dir)).sort()).toEqual(['questions-2011-06-06-bot-a.jsonl', 'questions-2011-06-07-bot-a.jsonl']);
    expect(await lines(path.join(dir, 'questions-2011-06-06-bot-a.jsonl'))).toHaveLength(1);
    expect(await lines(path.join(dir, 'questions-2011-06-07-bot-a.jsonl'))).toHaveLength(2);

    // The feedback written the next day still joins its question.
    const read = await readLog(dir, new Date('2011-06-06T00:00:00Z'), new Date('2011-06-06T23:59:59.999Z'));
    expect(read.questions.map((q) => [q.question, q.feedback])).toEqual([['late', 'notHelpful']]);
  });

  it('cuts long questions and writes only the known fields', async () => {
    const log = new QuestionLog({ dir, salt: SALT, instance: 'x', now: () => new Date('2011-06-06T10:00:00Z') });
    const sneaky = { ...input('x'.repeat(5000)), partnerName: 'Contoso Ltd' } as QuestionInput;
    log.recordQuestion(sneaky);
    await log.flush();
    const [line] = (await lines(path.join(dir, logFileName('2011-06-06', 'x')))) as { question: string }[];
    expect(line?.question).toHaveLength(MAX_QUESTION_CHARS);
    expect(line).not.toHaveProperty('partnerName');
    expect(line).not.toHaveProperty('partnerId');
  });

  it('sanitises the instance name and defaults it to host and pid', async () => {
    const log = new QuestionLog({ dir, salt: SALT, instance: '../evil/name x', now: () => new Date('2011-06-06T10:00:00Z') });
    log.recordQuestion(input('a'));
    await log.flush();
    expect(await fs.readdir(dir)).toEqual(['questions-2011-06-06-.._evil_name_x.jsonl']);

    const plain = new QuestionLog({ dir, salt: SALT, now: () => new Date('2011-06-07T10:00:00Z') });
    plain.recordQuestion(input('b'));
    await plain.flush();
    const names = await fs.readdir(dir);
    expect(names.some((n) => n.startsWith('questions-2011-06-07-') && n.includes(String(process.pid)))).toBe(true);
    expect((await readLog(dir, ALL.from, ALL.to)).questions).toHaveLength(2);
  });

  it('never throws into the caller; write errors go to onError', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await fs.writeFile(blocker, 'x');
    const errors: unknown[] = [];
    const log = new QuestionLog({ dir: blocker, salt: SALT, instance: 'x', onError: (e) => errors.push(e) });
    expect(() => log.recordQuestion(input('a'))).not.toThrow();
    expect(() => log.recordFeedback('some-id', 'helpful')).not.toThrow();
    await log.flush();
    expect(errors.length).toBeGreaterThan(0);

    const throwing = new QuestionLog({
      dir: blocker,
      salt: SALT,
      instance: 'x',
      onError: () => {
        throw new Error('handler broke');
      },
    });
    throwing.recordQuestion(input('b'));
    await expect(throwing.flush()).resolves.toBeUndefined();

    const badClock = new QuestionLog({ dir, salt: SALT, now: () => new Date(Number.NaN), onError: (e) => errors.push(e) });
    const before = errors.length;
    expect(typeof badClock.recordQuestion(input('c'))).toBe('string');
    expect(errors.length).toBe(before + 1);
  });

  it('sweeps files older than the retention, of every instance, and nothing else', async () => {
    const c = clock('2011-01-01T12:00:00.000Z');
    const a = new QuestionLog({ dir, salt: SALT, instance: 'bot-a', retentionDays: 30, now: c.now });
    const b = new QuestionLog({ dir, salt: SALT, instance: 'bot-b', retentionDays: 30, now: c.now });
    for (const day of ['2011-01-01', '2011-01-20', '2011-02-01', '2011-02-05']) {
      c.set(`${day}T12:00:00.000Z`);
      a.recordQuestion(input(day));
      b.recordQuestion(input(day));
    }
    await Promise.all([a.flush(), b.flush()]);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'keep me');
    await fs.writeFile(path.join(dir, 'questions-1999-01-01-x.json'), 'not a log');

    c.set('2011-03-01T08:00:00.000Z'); // cutoff: 2011-01-30
    expect(await a.sweep()).toBe(4);
    expect((await fs.readdir(dir)).sort()).toEqual([
      'notes.txt',
      'questions-1999-01-01-x.json',
      'questions-2011-02-01-bot-a.jsonl',
      'questions-2011-02-01-bot-b.jsonl',
      'questions-2011-02-05-bot-a.jsonl',
      'questions-2011-02-05-bot-b.jsonl',
    ]);
    expect(await b.sweep()).toBe(0);
    c.set('2011-03-07T00:00:00.000Z'); // cutoff: 2011-02-05, which is kept
    expect(await a.sweep()).toBe(2);
    expect(await new QuestionLog({ dir: path.join(dir, 'missing'), salt: SALT }).sweep()).toBe(0);
  });

  it('writes from two instances on one folder (and even one file) without corrupting lines', async () => {
    const now = () => new Date('2011-06-06T10:00:00Z');
    const long = 'é'.repeat(1500); // multi-byte, so lines are a few kilobytes
    const logs = [
      new QuestionLog({ dir, salt: SALT, instance: 'bot-a', now }),
      new QuestionLog({ dir, salt: SALT, instance: 'bot-b', now }),
      new QuestionLog({ dir, salt: SALT, instance: 'shared', now }),
      new QuestionLog({ dir, salt: SALT, instance: 'shared', now }),
    ];
    const ids = new Set<string>();
    for (let round = 0; round < 20; round++) {
      logs.forEach((log, n) => {
        for (let i = 0; i < 25; i++) ids.add(log.recordQuestion(input(`${n}-${round}-${i} ${long}`)));
      });
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(logs.map((l) => l.flush()));
    for (const name of await fs.readdir(dir)) {
      for (const line of (await fs.readFile(path.join(dir, name), 'utf8')).trimEnd().split('\n')) {
        expect(() => JSON.parse(line) as unknown).not.toThrow();
      }
    }
    const read = await readLog(dir, ALL.from, ALL.to);
    expect(read.badLines).toBe(0);
    expect(read.questions).toHaveLength(4 * 20 * 25);
    expect(new Set(read.questions.map((q) => q.id))).toEqual(ids);
  });
});

describe('readLog', () => {
  it('joins feedback to its question (last wins), filters by period and counts malformed lines', async () => {
    const c = clock('2011-06-05T10:00:00.000Z');
    const log = new QuestionLog({ dir, salt: SALT, instance: 'bot-a', now: c.now });
    log.recordQuestion(input('before the period'));
    c.set('2011-06-06T09:00:00.000Z');
    const early = log.recordQuestion(input('too early in the first day'));
    c.set('2011-06-06T11:00:00.000Z');
    const a = log.recordQuestion(input('a'));
    const b = log.recordQuestion(input('b', { band: 'noAnswer', reason: 'noMatch' }));
    c.set('2011-06-06T11:05:00.000Z');
    log.recordFeedback(a, 'helpful');
    c.set('2011-06-07T08:00:00.000Z');
    log.recordFeedback(a, 'notHelpful');
    log.recordFeedback(early, 'helpful');
    log.recordFeedback('unknown-id', 'helpful');
    c.set('2011-06-08T08:00:00.000Z');
    log.recordQuestion(input('after the period'));
    await log.flush();

    const first = path.join(dir, 'questions-2011-06-06-bot-a.jsonl');
    await fs.appendFile(first, 'not json\n{"type":"question","id":"x"}\n\n{"type":"feedback","id":"y","at":"2011-06-06T12:00:00Z","feedback":"meh"}\n{"type":"question","id":"cut-sh');
    await fs.writeFile(path.join(dir, 'questions-2011-06-06-bot-b.jsonl'), '[1,2,3]\n');
    await fs.writeFile(path.join(dir, 'other.jsonl'), 'ignored\n');

    const read = await readLog(dir, new Date('2011-06-06T10:00:00.000Z'), new Date('2011-06-07T23:59:59.999Z'));
    expect(read.badLines).toBe(5);
    expect(read.questions.map((q) => ({ id: q.id, question: q.question, feedback: q.feedback }))).toEqual([
      { id: a, question: 'a', feedback: 'notHelpful' },
      { id: b, question: 'b', feedback: undefined },
    ]);
    expect(read.questions[1]).toMatchObject({ band: 'noAnswer', reason: 'noMatch', channelId: 'msteams' });
    expect(read.questions[0]).not.toHaveProperty('type');
  });

  it('reads the band of a request for a person written by older versions ("escalate") as "escalation"', async () => {
    const line = (id: string, band: string) => JSON.stringify({ type: 'question', id, at: '2011-06-06T10:00:00.000Z', partner: 'p', channelId: 'test', conversation: 'c', question: 'talk to a human', band });
    await fs.writeFile(path.join(dir, 'questions-2011-06-06-bot-a.jsonl'), `${line('old', 'escalate')}\n${line('new', 'escalation')}\n${line('bad', 'escalated')}\n`);
    const read = await readLog(dir, ALL.from, ALL.to);
    expect(read.questions.map((q) => [q.id, q.band])).toEqual([
      ['old', 'escalation'],
      ['new', 'escalation'],
    ]);
    expect(read.badLines).toBe(1);
  });

  it('reads a missing folder as empty', async () => {
    await expect(readLog(path.join(dir, 'missing'), ALL.from, ALL.to)).resolves.toEqual({ questions: [], badLines: 0 });
  });
});
