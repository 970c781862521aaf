import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatProblem, type Problem, type Result } from '../../src/content/Problem';
import { loadScripts, matchesTrigger, parseScript, type EscalationScript } from '../../src/escalation/script';

const FILE = 'dialogs/test.yaml';
const ROOT = path.resolve(__dirname, '../..');

/**
 * A valid script. Lines: 1 id, 2 title, 3 triggers, 4 intro, 5 steps:, 6-12 step "about",
 * 13-14 step "email", 15-18 step "partnerId", 19 confirm, 20 done, 21 cancelled.
 */
const VALID = [
  'id: billing',
  'title: Billing question',
  'triggers: [billing dispute, charged twice]',
  'intro: I will pass this on.',
  'steps:',
  '  - id: about',
  '    ask: What is it about?',
  '    kind: choice',
  '    choices: [An invoice, A subscription change, Something else]',
  '    label: Issue',
  '    help: Pick one.',
  '    reprompt: Pick one of the options.',
  '  - id: email',
  '    kind: email',
  '  - id: partnerId',
  '    kind: partnerId',
  '    optional: true',
  '    remember: partnerId',
  'confirm: "Send this?\\n{summary}"',
  'done: "Thanks. Reference {ticket}. {nextSteps} ({about})"',
  'cancelled: Stopped.',
  '',
].join('\n');

/** VALID with the asks the email and partnerId steps need (line numbers as above otherwise). */
function valid(): string {
  return VALID.replace('  - id: email\n', '  - id: email\n    ask: Your e-mail?\n').replace('  - id: partnerId\n', '  - id: partnerId\n    ask: Partner ID?\n');
}

/** `valid()` with line `n` (1-based) replaced, or removed when `text` is undefined. */
function withLine(source: string, n: number, text: string | undefined): string {
  const lines = source.split('\n');
  if (text === undefined) lines.splice(n - 1, 1);
  else lines[n - 1] = text;
  return lines.join('\n');
}

function parsed(result: Result<EscalationScript>): EscalationScript {
  if (!result.success) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.data;
}

function problems(result: Result<unknown>): Problem[] {
  if (result.success) throw new Error('expected problems, got success');
  return result.problems;
}

/** The single problem of a result, as "line: message". */
function only(result: Result<unknown>): string {
  const p = problems(result);
  expect(p.map(formatProblem)).toHaveLength(1);
  const [first] = p;
  return `${first?.line}: ${first?.message}`;
}

describe('parseScript', () => {
  // Lines of valid(): 13 id: email, 14 ask, 15 kind: email, 16 id: partnerId, 17 ask, 18 kind, 19 optional,
  // 20 remember, 21 confirm, 22 done, 23 cancelled.
  it('parses a valid script and fills in defaults', () => {
    const s = parsed(parseScript(valid(), FILE));
    expect(s).toMatchObject({ id: 'billing', title: 'Billing question', triggers: ['billing dispute', 'charged twice'], file: FILE, cancelled: 'Stopped.' });
    expect(s.steps.map((x) => x.id)).toEqual(['about', 'email', 'partnerId']);
    const [about, email, pid] = s.steps;
    expect(about).toMatchObject({ kind: 'choice', label: 'Issue', optional: false, maxLength: 200, help: 'Pick one.', reprompt: 'Pick one of the options.' });
    expect(about?.choices).toEqual(['An invoice', 'A subscription change', 'Something else']);
    expect(email).toEqual({ id: 'email', ask: 'Your e-mail?', kind: 'email', label: 'email', optional: false, maxLength: 254 });
    expect(pid).toMatchObject({ label: 'partnerId', optional: true, maxLength: 20, remember: 'partnerId' });
    expect(s.confirm).toBe('Send this?\n{summary}');
  });

  it('defaults: text 500, phone 40, triggers []', () => {
    const src = ['id: x', 'title: T', 'intro: I', 'steps:', '  - {id: a, ask: A?, kind: text}', '  - {id: b, ask: B?, kind: phone, maxLength: 30}', '  - {id: c, ask: C?, kind: phone}', 'confirm: "{summary}"', 'done: "{ticket}"', 'cancelled: C'].join('\n');
    const s = parsed(parseScript(src, FILE));
    expect(s.triggers).toEqual([]);
    expect(s.steps.map((x) => x.maxLength)).toEqual([500, 30, 40]);
  });

  it('reports a YAML syntax error with its line', () => {
    expect(only(parseScript(withLine(valid(), 4, 'intro: [unclosed'), FILE))).toMatch(/^5: YAML: /);
  });

  it.each<[string, number, string | undefined, RegExp]>([
    ['an unknown top-level field', 4, 'intro: I will pass this on.\nintro2: hello', /^5: intro2: unknown field; a script may have id, title, triggers, intro, steps, confirm, done, cancelled$/],
    ['an unknown step field', 11, '    hint: Pick one.', /^11: steps\.0\.hint: unknown field/],
    ['an unknown field whose value starts on the next line', 11, '    hint:\n      - Pick one.', /^11: steps\.0\.hint: unknown field/],
    ['a bad script id', 1, 'id: Billing_Stuff', /^1: id: must be lower-case words joined by hyphens/],
    ['a bad step id', 13, '  - id: E Mail', /^13: steps\.1\.id: must be a lower camelCase/],
    ['an unknown kind', 15, '    kind: dropdown', /^15: steps\.1\.kind: must be one of text, email, phone, partnerId, choice, yesno$/],
    ['a missing ask', 14, undefined, /^13: steps\.1\.ask: /],
    ['a missing title', 2, undefined, /^1: title: /],
    ['too few choices', 9, '    choices: [Only one]', /^9: steps\.0\.choices: must list at least 2 options$/],
    ['a maxLength over 5000', 15, '    kind: email\n    maxLength: 6000', /^16: steps\.1\.maxLength: must be at most 5000$/],
    ['a maxLength that is not a whole number', 15, '    kind: email\n    maxLength: 2.5', /^16: steps\.1\.maxLength: must be a whole number/],
    ['an unknown remember', 20, '    remember: shoeSize', /^20: steps\.2\.remember: must be one of name, email, company, phone, partnerId$/],
    ['optional that is not a boolean', 19, '    optional: maybe', /^19: steps\.2\.optional: must be true or false$/],
    ['a duplicate step id', 16, '  - id: email', /^16: steps\.2\.id: step id "email" is already used by step 2 \(line 13\)$/],
    ['a reserved step id', 13, '  - id: ticket', /^13: steps\.1\.id: "ticket" is reserved/],
    ['choices on a non-choice step', 15, '    kind: email\n    choices: [a, b]', /^16: steps\.1\.choices: only choice steps have choices; this step's kind is email$/],
    ['a choice step without choices', 9, undefined, /^6: steps\.0: a choice step needs choices/],
    ['a duplicate choice', 9, '    choices: [An invoice, an  invoice]', /^9: steps\.0\.choices\.1: "an {2}invoice" is listed twice$/],
    ['a pattern that does not compile', 18, "    kind: partnerId\n    pattern: '^(\\d+$'", /^19: steps\.2\.pattern: is not a valid regular expression/],
    ['a pattern on an email step', 15, "    kind: email\n    pattern: '^a'", /^16: steps\.1\.pattern: only text and partnerId steps may have a pattern; this step's kind is email$/],
    ['remember from the wrong kind', 15, '    kind: email\n    remember: phone', /^16: steps\.1\.remember: phone can only be remembered from a phone step; this step's kind is email$/],
    ['confirm without {summary}', 21, 'confirm: Send this?', /^21: confirm: must contain \{summary\}/],
    ['an unknown placeholder in confirm', 21, 'confirm: "{summary} {ticket}"', /^21: confirm: unknown placeholder \{ticket\}; it may use \{summary\}, \{about\}, \{email\}, \{partnerId\}$/],
    ['done without {ticket}', 22, 'done: Thanks.', /^22: done: must contain \{ticket\}/],
    ['an unknown placeholder in done', 22, 'done: "{ticket} {emial}"', /^22: done: unknown placeholder \{emial\}/],
    ['a placeholder in the intro', 4, 'intro: Hello {name}', /^4: intro: unknown placeholder \{name\}; it takes none$/],
  ])('reports %s at its line', (_what, line, text, expected) => {
    expect(only(parseScript(withLine(valid(), line, text), FILE))).toMatch(expected);
  });

  it('reports a script without steps', () => {
    const source = ['id: x', 'title: T', 'intro: I', 'steps: []', 'confirm: "{summary}"', 'done: "{ticket}"', 'cancelled: C'].join('\n');
    expect(only(parseScript(source, FILE))).toBe('4: steps: must list at least one step');
  });

  it('names the cross-check problems a bad step id causes', () => {
    const p = problems(parseScript(withLine(valid(), 6, '  - id: About Me'), FILE));
    expect(p.map((x) => x.line)).toEqual([6, 22]);
    expect(p[1]?.message).toMatch(/^done: unknown placeholder \{about\}/);
  });

  it('reports a missing field at the top of the file', () => {
    expect(only(parseScript(withLine(valid(), 23, undefined), FILE))).toMatch(/^1: cancelled: /);
  });

  it('reports a file that is not a set of fields', () => {
    expect(only(parseScript('- a\n- b\n', FILE))).toMatch(/^1: a script must be a set of fields/);
  });

  it('reports every problem at once, in line order, schema and cross-checks together', () => {
    let source = valid();
    source = withLine(source, 1, 'id: Bad Id'); // schema
    source = withLine(source, 9, '    choices: [An invoice, An invoice]'); // cross-check
    source = withLine(source, 15, '    kind: dropdown'); // schema
    source = withLine(source, 16, '  - id: about'); // cross-check
    source = withLine(source, 18, "    kind: partnerId\n    pattern: '('"); // cross-check (shifts later lines by one)
    source = withLine(source, 23, 'done: Thanks'); // cross-check (was line 22)
    const p = problems(parseScript(source, FILE));
    expect(p.map((x) => `${x.file}:${x.line}`)).toEqual([
      `${FILE}:1`,
      `${FILE}:9`,
      `${FILE}:15`,
      `${FILE}:16`,
      `${FILE}:19`,
      `${FILE}:23`,
    ]);
    expect(p.every((x) => x.severity === 'error')).toBe(true);
  });
});

describe('matchesTrigger', () => {
  const script = parsed(parseScript(valid().replace('triggers: [billing dispute, charged twice]', 'triggers: [billing dispute, charged twice, wrong invoice, talk to a person]'), FILE));

  it('matches when every word of one phrase is in the text, in any order', () => {
    expect(matchesTrigger(script, 'I have a billing dispute')).toBe(true);
    expect(matchesTrigger(script, 'A dispute about billing, please')).toBe(true);
    expect(matchesTrigger(script, 'We were CHARGED... twice!')).toBe(true);
    expect(matchesTrigger(script, 'Can I talk to a real person?')).toBe(true);
    expect(matchesTrigger(script, 'can i talk to person')).toBe(true); // articles need not be there
  });

  it('folds plurals', () => {
    expect(matchesTrigger(script, 'billing disputes')).toBe(true);
    expect(matchesTrigger(script, 'the invoices are wrong')).toBe(true);
  });

  it('needs every word of a phrase', () => {
    expect(matchesTrigger(script, 'billing policy')).toBe(false);
    expect(matchesTrigger(script, 'I was charged')).toBe(false);
    expect(matchesTrigger(script, 'talk about invoices')).toBe(false);
  });

  it('does not match a script without triggers', () => {
    expect(matchesTrigger({ ...script, triggers: [] }, 'billing dispute')).toBe(false);
  });
});

describe('loadScripts', () => {
  const made: string[] = [];
  afterAll(async () => {
    await Promise.all(made.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });

  async function folder(files: Record<string, string>): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scripts-test-'));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
    return dir;
  }

  const script = (id: string) => withLine(valid(), 1, `id: ${id}`);

  it('loads every script in the folder, ignoring messages.yaml and other files', async () => {
    const dir = await folder({
      'support.yaml': script('support'),
      'billing.yml': script('billing'),
      'messages.yaml': 'welcome: Hi\n',
      'notes.txt': 'not a script',
    });
    const result = await loadScripts(dir);
    if (!result.success) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.data.map((s) => s.id).sort()).toEqual(['billing', 'support']);
    expect(result.data.find((s) => s.id === 'billing')?.file).toBe(path.join(dir, 'billing.yml'));
  });

  it('reports the same id in two files', async () => {
    const dir = await folder({ 'a.yaml': script('support'), 'b.yaml': script('support') });
    const p = problems(await loadScripts(dir));
    expect(p.map(formatProblem)).toEqual([`${path.join(dir, 'b.yaml')}:1: script id "support" is already used by ${path.join(dir, 'a.yaml')}:1`]);
  });

  it('reports a missing support script', async () => {
    const dir = await folder({ 'billing.yaml': script('billing') });
    const p = problems(await loadScripts(dir));
    expect(p.map(formatProblem)).toEqual([`${dir}: no script has id "support"; the bot needs it for partners who ask for a person`]);
  });

  it('reports the problems of every file at once', async () => {
    const dir = await folder({
      'a.yaml': withLine(script('support'), 4, 'intro: x\nintro2: x'),
      'b.yaml': withLine(script('billing'), 22, 'done: no ticket'),
      'c.yaml': 'id: [broken',
    });
    const p = problems(await loadScripts(dir));
    expect(p.map((x) => `${path.basename(x.file)}:${x.line}`)).toEqual(['a.yaml:5', 'b.yaml:22', 'c.yaml:1']);
  });

  it('reports a folder that cannot be read', async () => {
    const p = problems(await loadScripts(path.join(os.tmpdir(), 'no-such-scripts-folder-xyz')));
    expect(p[0]?.message).toMatch(/^cannot read the folder: ENOENT/);
  });

  it('loads the real dialogs/ folder with no problems', async () => {
    const result = await loadScripts(path.join(ROOT, 'dialogs'));
    if (!result.success) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.warnings).toEqual([]);
    const ids = result.data.map((s) => s.id).sort();
    expect(ids).toEqual(['billing', 'support']);
    for (const s of result.data) {
      expect(s.steps.every((step) => step.help !== undefined)).toBe(true);
      // Policy, hours and reply times come from configuration, not from the scripts.
      const all = JSON.stringify(s);
      expect(all).not.toMatch(/\b(?:hours?|business days?|within \d|24\/7|SLA)\b/i);
    }
    const billing = result.data.find((s) => s.id === 'billing');
    expect(billing && matchesTrigger(billing, 'I think we were charged twice this month')).toBe(true);
    expect(billing && matchesTrigger(billing, 'How do I request refunds?')).toBe(true);
  });
});
