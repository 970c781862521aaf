import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fill, parseMessages, type Messages } from '../../src/answering/Messages';
import { loadDialogs } from '../../src/dialogs/loadDialogs';
import type { Problem, Result } from '../../src/content/Problem';

const FILE = path.join('dialogs', 'messages.yaml');
const REAL = readFileSync(FILE, 'utf8');

/** 1-based line of the first line starting with `prefix` in the real file. */
function lineOf(prefix: string): number {
  const i = REAL.split('\n').findIndex((l) => l.startsWith(prefix));
  if (i < 0) throw new Error(`no line starts with ${prefix}`);
  return i + 1;
}

function problemsOf(result: Result<Messages>): Problem[] {
  if (result.success) throw new Error('expected the messages to be refused');
  return result.problems;
}

describe('parseMessages', () => {
  it('accepts the real dialogs/messages.yaml', () => {
    const result = parseMessages(REAL, FILE);
    if (!result.success) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(result.warnings).toEqual([]);
    expect(result.data.notCovered).toContain('{gap}');
    expect(result.data.tooLong).toContain('{max}');
  });

  it('loads the real file from the dialogs folder', async () => {
    const dialogs = await loadDialogs('dialogs');
    const parsed = parseMessages(REAL, FILE);
    expect(dialogs.success ? dialogs.data.messages : dialogs.problems).toEqual(parsed.success ? parsed.data : 'unparsed');
  });

  it('reports an unknown placeholder with its line', () => {
    const text = REAL.replace(/^thanks: .*$/m, 'thanks: You are welcome, {name}.');
    const problems = problemsOf(parseMessages(text, FILE));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: FILE, line: lineOf('thanks:'), severity: 'error' });
    expect(problems[0]?.message).toContain('{name}');
  });

  it('reports a placeholder that belongs to another message', () => {
    // {topics} is fine in greeting, but goodbye is not given it.
    const text = REAL.replace(/^goodbye: .*$/m, 'goodbye: Bye! Ask me about {topics}.');
    expect(problemsOf(parseMessages(text, FILE)).map((p) => p.line)).toEqual([lineOf('goodbye:')]);
  });

  it('reports every unknown placeholder at once', () => {
    const text = REAL.replace(/^thanks: .*$/m, 'thanks: Hi {name}').replace(/^nonText: .*$/m, 'nonText: Please type {what}.');
    expect(problemsOf(parseMessages(text, FILE)).map((p) => p.line).sort((a, b) => a - b)).toEqual(
      [lineOf('thanks:'), lineOf('nonText:')].sort((a, b) => a - b),
    );
  });

  it('reports a missing message by its key', () => {
    const text = REAL.replace(/^goodbye: .*\n/m, '');
    const problems = problemsOf(parseMessages(text, FILE));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('goodbye');
  });

  it('reports an empty message at its line', () => {
    const text = REAL.replace(/^thanks: .*$/m, 'thanks: ""');
    expect(problemsOf(parseMessages(text, FILE)).map((p) => p.line)).toEqual([lineOf('thanks:')]);
  });

  it('reports an unknown key, so a misspelt key does not pass silently', () => {
    const text = REAL.replace(/^goodbye: /m, 'goodby: ');
    const messages = problemsOf(parseMessages(text, FILE)).map((p) => p.message).join('\n');
    expect(messages).toContain('goodby');
    expect(messages).toContain('goodbye');
  });

  it('reports a list of weekdays that does not name all 7 days, at its line', () => {
    const text = REAL.replace(/^weekdays: .*$/m, 'weekdays: Monday, Tuesday, Wednesday, Thursday, Friday');
    expect(problemsOf(parseMessages(text, FILE)).map((p) => `${p.line}: ${p.message}`)).toEqual([
      `${lineOf('weekdays:')}: weekdays: must name the 7 days of the week, Monday first, separated by commas (found 5)`,
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const text = REAL.replace(/^thanks: .*$/m, 'thanks: "unclosed');
    const problems = problemsOf(parseMessages(text, FILE));
    expect(problems[0]?.message).toMatch(/YAML/);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(lineOf('thanks:'));
  });

  it('reports a missing folder as a problem, not a throw', async () => {
    const loaded = await loadDialogs(path.join('test', 'no-such-dialogs-folder'));
    const problems = loaded.success ? [] : loaded.problems;
    expect(problems.filter((p) => p.file.endsWith('messages.yaml'))).toEqual([expect.objectContaining({ line: 0, message: 'cannot read: ENOENT' })]);
  });
});

describe('fill', () => {
  it('leaves built-in object names alone ({toString}, {constructor})', () => {
    expect(fill('{toString} {constructor}', {})).toBe('{toString} {constructor}');
  });

  it('replaces the placeholders it is given', () => {
    expect(fill('Source: {source}. As of {asOf}.', { source: 'MSPmentor', asOf: 'spring 2011' })).toBe('Source: MSPmentor. As of spring 2011.');
  });

  it('replaces a placeholder every time it appears, and accepts numbers', () => {
    expect(fill('{max} and {max}', { max: 1000 })).toBe('1000 and 1000');
  });

  it('leaves placeholders without a value as they are', () => {
    expect(fill('Hi {topics}, {unknown}', { topics: 'BPOS' })).toBe('Hi BPOS, {unknown}');
  });

  it('leaves text without placeholders unchanged', () => {
    expect(fill('No braces here.', { topics: 'BPOS' })).toBe('No braces here.');
  });
});
