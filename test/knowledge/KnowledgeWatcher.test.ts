import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeWatcher, folderFingerprint } from '../../src/knowledge/KnowledgeWatcher';
import { loadKnowledge, type KnowledgeBase } from '../../src/knowledge/loadKnowledge';
import { formatProblem } from '../../src/content/Problem';
import { createLogger } from '../../src/log';

const SOURCE = path.resolve(__dirname, '../../knowledge');
const BILLING = 'billing/partner-billing-policy.md';
const BILLING_ID = 'partner-billing-policy';
const ORIGINAL_ANSWER = 'No. As of spring 2011, Microsoft did not let channel partners manage billing';

interface LogLine {
  level: number;
  msg: string;
  problem?: string;
  version?: { hash: string };
  previous?: string;
  ms?: number;
}

interface Setup {
  dir: string;
  watcher: KnowledgeWatcher;
  logs: LogLine[];
  initial: KnowledgeBase;
  file: (rel: string) => string;
}

const dirs: string[] = [];
const watchers: KnowledgeWatcher[] = [];

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A temp copy of the real knowledge folder, loaded and watched (first look done). Fast timings unless `defaults`. */
async function setup(defaults = false): Promise<Setup> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-watch-'));
  dirs.push(dir);
  await fs.cp(SOURCE, dir, { recursive: true });
  const loaded = await loadKnowledge(dir);
  if (!loaded.success) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  const logs: LogLine[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const watcher = new KnowledgeWatcher({ dir, initial: loaded.data, logger, ...(defaults ? {} : { pollMs: 100, settleMs: 50 }) });
  watchers.push(watcher);
  watcher.start();
  await watcher.checkNow();
  return { dir, watcher, logs, initial: loaded.data, file: (rel) => path.join(dir, rel) };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const shortAnswer = (kb: KnowledgeBase) => kb.index.get(BILLING_ID)?.shortAnswer ?? '';

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await fs.readFile(file, 'utf8');
  if (!text.includes(from)) throw new Error(`"${from}" is not in ${file}`);
  await fs.writeFile(file, text.replace(from, to));
}

describe('KnowledgeWatcher', () => {
  it('given the folder as it was before the start-up load, does not load an unchanged folder again, yet loads a save made during that load', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-watch-'));
    dirs.push(dir);
    await fs.cp(SOURCE, dir, { recursive: true });
    const logs: LogLine[] = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    let loads = 0;
    const load = async (d: string) => {
      loads += 1;
      return loadKnowledge(d);
    };

    const quietPrint = await folderFingerprint(dir);
    const quiet = await loadKnowledge(dir);
    if (!quiet.success || !quietPrint) throw new Error('the knowledge folder does not load');
    const unchanged = new KnowledgeWatcher({ dir, initial: quiet.data, logger, load, initialFingerprint: quietPrint, pollMs: 50, settleMs: 10 });
    watchers.push(unchanged);
    unchanged.start();
    await unchanged.checkNow();
    await new Promise((r) => setTimeout(r, 200));
    expect(loads).toBe(0);
    await unchanged.stop();

    // A save that lands between the fingerprint and the end of the start-up load.
    const before = await folderFingerprint(dir);
    const initial = await loadKnowledge(dir);
    if (!initial.success || !before) throw new Error('the knowledge folder does not load');
    await edit(path.join(dir, BILLING), ORIGINAL_ANSWER, 'No. As of spring 2011 (saved during start-up), Microsoft did not let channel partners manage billing');
    const watcher = new KnowledgeWatcher({ dir, initial: initial.data, logger, load, initialFingerprint: before, pollMs: 50, settleMs: 10 });
    watchers.push(watcher);
    watcher.start();
    await waitFor('the save made during start-up', () => shortAnswer(watcher.current()).includes('(saved during start-up)'));
    expect(loads).toBe(1);
  });

  it('serves an edited short answer within 2 seconds, with the default timings', async () => {
    // The bot's own timings (poll 500 ms, settle 150 ms) for the latency check.
    const { watcher, logs, file } = await setup(true);
    const before = watcher.current();

    const started = Date.now();
    await edit(file(BILLING), ORIGINAL_ANSWER, 'No. As of spring 2011 (edited live), Microsoft did not let channel partners manage billing');
    await waitFor('the edited answer', () => shortAnswer(watcher.current()).includes('(edited live)'));
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(2000);
    const after = watcher.current();
    expect(after.version.hash).not.toBe(before.version.hash);
    expect(after.version.articles).toBe(before.version.articles);
    expect(shortAnswer(before)).toContain(ORIGINAL_ANSWER); // the object a turn already took is untouched
    expect(watcher.lastError()).toBeUndefined();
    const reloaded = logs.find((l) => l.msg === 'knowledge reloaded');
    expect(reloaded).toMatchObject({ level: 30, previous: before.version.hash, version: { hash: after.version.hash } });
    expect(typeof reloaded?.ms).toBe('number');
  });

  it('keeps the last good version when an article breaks, then loads the fixed one', async () => {
    const { watcher, logs, file, initial } = await setup();
    const good = watcher.current();
    expect(good).toBe(initial);

    // An asOf in the future (line 13) and, separately, invalid YAML.
    await edit(file(BILLING), 'asOf: spring 2011', 'asOf: spring 2099');
    await waitFor('the refusal', () => logs.some((l) => l.msg.startsWith('knowledge change refused')));
    expect(watcher.current()).toBe(good);
    expect(watcher.current().version.hash).toBe(good.version.hash);
    const problems = logs.filter((l) => l.msg === 'knowledge problem');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ level: 50, problem: `${BILLING}:13: asOf "spring 2099" is in the future` });
    expect(logs.find((l) => l.msg.startsWith('knowledge change refused'))?.msg).toBe(
      `knowledge change refused; still serving version ${good.version.hash}`,
    );
    expect(watcher.lastError()?.map(formatProblem)).toEqual([`${BILLING}:13: asOf "spring 2099" is in the future`]);

    logs.length = 0;
    await edit(file(BILLING), 'related: [mpn-cloud-partner-strategy, office-365-successor]', 'related: [mpn-cloud-partner-strategy, office-365-successor');
    await waitFor('the second refusal', () => logs.some((l) => l.msg.startsWith('knowledge change refused')));
    expect(watcher.current()).toBe(good);
    const yamlProblems = logs.filter((l) => l.msg === 'knowledge problem').map((l) => l.problem ?? '');
    // The broken file with its line, then what breaks elsewhere because its article is gone.
    expect(yamlProblems[0]).toMatch(/^billing\/partner-billing-policy\.md:15: YAML: /);
    for (const p of yamlProblems) expect(p).toMatch(/^[\w./-]+\.(md|yaml):\d+: /);
    expect(watcher.lastError()?.map(formatProblem)).toEqual(yamlProblems);

    // Fix it (with a real change, so there is a new version to serve).
    logs.length = 0;
    await edit(file(BILLING), 'related: [mpn-cloud-partner-strategy, office-365-successor', 'related: [mpn-cloud-partner-strategy, office-365-successor]');
    await edit(file(BILLING), 'asOf: spring 2099', 'asOf: summer 2011');
    const fixed = await waitFor('the fixed version', () => watcher.current() !== good && watcher.current());
    expect(fixed.index.get(BILLING_ID)?.asOf).toBe('summer 2011');
    expect(fixed.version.hash).not.toBe(good.version.hash);
    expect(watcher.lastError()).toBeUndefined();
    expect(logs.some((l) => l.msg === 'knowledge reloaded')).toBe(true);
  });

  it('picks up a new synonym in synonyms.yaml', async () => {
    const { watcher, file } = await setup();
    const top = (kb: KnowledgeBase, q: string) => kb.index.search(q).hits[0]?.article.id;
    expect(top(watcher.current(), 'zorblax')).toBeUndefined();

    await edit(file('synonyms.yaml'), 'also: [worldwide partner conference,', 'also: [zorblax, worldwide partner conference,');
    const next = await waitFor('the new synonym', () => top(watcher.current(), 'zorblax') === 'wpc-2011' && watcher.current());
    expect(top(next, 'when is zorblax?')).toBe('wpc-2011');
    expect(watcher.lastError()).toBeUndefined();
  });

  it('never leaves a search without a knowledge base while reloading', async () => {
    const { watcher, file, initial } = await setup();
    const taken = watcher.current();
    const questions = ['can partners bill customers for BPOS?', 'when is WPC?', 'what replaces BPOS', 'o365', 'xyzzy'];
    let searches = 0;
    let failures = 0;
    let swappedAt = -1;
    let i = 0;
    await edit(file(BILLING), ORIGINAL_ANSWER, 'No. As of spring 2011 (searched while reloading), Microsoft did not let channel partners manage billing');
    const deadline = Date.now() + 8000;
    while ((swappedAt < 0 || searches < swappedAt + 500 || searches < 2000) && Date.now() < deadline) {
      for (let j = 0; j < 25; j += 1, i += 1) {
        try {
          const kb = watcher.current();
          const result = kb?.index.search(questions[i % questions.length] ?? '');
          if (!kb || !result || !Array.isArray(result.hits)) failures += 1;
          if (swappedAt < 0 && kb !== initial) swappedAt = searches;
        } catch {
          failures += 1;
        }
        searches += 1;
      }
      await new Promise((r) => setImmediate(r)); // let the reload's I/O run between batches
    }
    expect(failures).toBe(0);
    expect(swappedAt).toBeGreaterThanOrEqual(0);
    expect(searches).toBeGreaterThanOrEqual(2000);
    expect(shortAnswer(watcher.current())).toContain('(searched while reloading)');
    // A turn that took the old object keeps a working, unchanged one.
    expect(taken.index.search('when is WPC?').hits[0]?.article.id).toBe('wpc-2011');
    expect(shortAnswer(taken)).toContain(ORIGINAL_ANSWER);
  });

  it('detects a save by writing a temp file and renaming it over the article', async () => {
    const { watcher, file } = await setup();
    const before = watcher.current();
    const target = file(BILLING);
    const text = await fs.readFile(target, 'utf8');
    // Same size as before: only the inode and mtime tell the new file apart.
    const changed = text.replace('No. As of spring 2011,', 'No! As of spring 2011,');
    expect(changed.length).toBe(text.length);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
    await fs.writeFile(temp, changed);
    await fs.rename(temp, target);
    const next = await waitFor('the renamed file', () => shortAnswer(watcher.current()).startsWith('No! ') && watcher.current());
    expect(next.version.hash).not.toBe(before.version.hash);
  });

  it('serves what a full load of the folder gives after a folder of articles is added, renamed and removed', async () => {
    const { watcher, dir, file } = await setup();
    const fullHash = async () => {
      const full = await loadKnowledge(dir);
      return full.success ? full.data.version.hash : 'refused';
    };
    const billing = await fs.readFile(file(BILLING), 'utf8');
    const copy = (id: string) =>
      billing
        .replace(`id: ${BILLING_ID}`, `id: ${id}`)
        .replace(/^title: .*$/m, `title: "What does the ${id} policy say?"`)
        .replace(/\nquestions:\n(?: {2}- .*\n)+/, `\nquestions:\n  - "Where is the ${id} policy written?"\n`);
    await fs.mkdir(file('extra/deeper'), { recursive: true });
    await fs.writeFile(file('extra/deeper/quokka-policy.md'), copy('quokka-policy'));
    await fs.writeFile(file('extra/wombat-policy.md'), copy('wombat-policy'));
    await waitFor('the new folder', () => watcher.current().index.get('quokka-policy') && watcher.current().index.get('wombat-policy'));
    expect(watcher.current().version.hash).toBe(await fullHash());
    await fs.rename(file('extra'), file('moved'));
    await waitFor('the renamed folder', () => watcher.current().index.get('quokka-policy')?.file === 'moved/deeper/quokka-policy.md');
    expect(watcher.current().version.hash).toBe(await fullHash());
    await fs.rm(file('moved'), { recursive: true });
    await waitFor('the removed folder', () => !watcher.current().index.get('quokka-policy'));
    expect(watcher.current().index.get('wombat-policy')).toBeUndefined();
    expect(watcher.current().version.hash).toBe(await fullHash());
  });

  it('treats a load that throws as a refused change and stop() waits for a reload in progress', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kb-watch-'));
    dirs.push(dir);
    await fs.cp(SOURCE, dir, { recursive: true });
    const loaded = await loadKnowledge(dir);
    if (!loaded.success) throw new Error('copy does not load');
    const logs: LogLine[] = [];
    let calls = 0;
    let finished = 0;
    const watcher = new KnowledgeWatcher({
      dir,
      initial: loaded.data,
      logger: createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) }),
      pollMs: 50,
      settleMs: 10,
      load: async (d) => {
        calls += 1;
        if (calls === 2) throw new Error('disk on fire');
        await new Promise((r) => setTimeout(r, 100));
        finished += 1;
        return loadKnowledge(d);
      },
    });
    watchers.push(watcher);
    watcher.start();
    await watcher.checkNow();
    expect(calls).toBe(1);

    await edit(path.join(dir, BILLING), 'asOf: spring 2011', 'asOf: summer 2011');
    await waitFor('the failed load', () => logs.some((l) => l.msg.startsWith('knowledge change refused')));
    expect(watcher.current()).toBe(loaded.data);
    expect(watcher.lastError()?.[0]?.message).toContain('disk on fire');

    await edit(path.join(dir, BILLING), 'asOf: summer 2011', 'asOf: autumn 2011');
    await waitFor('the next load to start', () => calls === 3);
    await watcher.stop();
    expect(finished).toBe(2); // stop() returned only after the load in progress finished
    expect(watcher.current().index.get(BILLING_ID)?.asOf).toBe('autumn 2011');
    expect(watcher.lastError()).toBeUndefined();
  });
});
