import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { parseWith } from '../content/parseWith';
import { unreadable } from '../content/readContent';
import type { Problem, Result } from '../content/Problem';
import { lightStem, splitWords } from '../knowledge/words';
import { parseYaml, type YamlSource } from '../content/yamlSource';

/**
 * Escalation scripts: the staff-editable YAML files in `dialogs/` (all but `messages.yaml`) that say
 * which questions the bot asks before it passes a partner's request to partner support.
 */

export const STEP_KINDS = ['text', 'email', 'phone', 'partnerId', 'choice', 'yesno'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** What a step's answer may be saved as on the partner's profile, and offered again next time. */
export const REMEMBER_FIELDS = ['name', 'email', 'company', 'phone', 'partnerId'] as const;
export type RememberField = (typeof REMEMBER_FIELDS)[number];

/** The script every bot must have: started when a partner asks for a person. */
export const SUPPORT_SCRIPT_ID = 'support';

/** The file in `dialogs/` that holds the bot's messages, not a script. */
const NOT_SCRIPTS = new Set(['messages.yaml', 'messages.yml', 'phrases.yaml', 'phrases.yml']);

/** The longest answer a step may allow, and the default per kind. */
export const MAX_ANSWER_LENGTH = 5000;
export const DEFAULT_MAX_LENGTH: Readonly<Record<StepKind, number>> = {
  text: 500,
  email: 254,
  phone: 40,
  partnerId: 20,
  choice: 200,
  yesno: 100,
};

/** Placeholders the bot fills in; step ids may not take these names. */
const RESERVED_PLACEHOLDERS = ['summary', 'ticket', 'nextSteps'] as const;

/** Which kind of step a remembered field must come from (name and company are free text). */
const REMEMBER_KIND: Readonly<Record<RememberField, StepKind>> = {
  name: 'text',
  company: 'text',
  email: 'email',
  phone: 'phone',
  partnerId: 'partnerId',
};

/** One question of a script, with defaults applied. */
export interface ScriptStep {
  readonly id: string;
  readonly ask: string;
  readonly kind: StepKind;
  /** Only (and always) for `choice` steps: 2 to 10 options. */
  readonly choices?: readonly string[];
  /** Shown in the confirmation summary; the id when the file gives none. */
  readonly label: string;
  readonly help?: string;
  readonly reprompt?: string;
  /** An optional step accepts "skip" (and an empty answer). */
  readonly optional: boolean;
  readonly maxLength: number;
  /** Only for `text` and `partnerId` steps: a regular expression the answer must match. */
  readonly pattern?: string;
  readonly remember?: RememberField;
}

export interface EscalationScript {
  readonly id: string;
  readonly title: string;
  /** Phrases that start this script when every word of one is in a partner's message. */
  readonly triggers: readonly string[];
  readonly intro: string;
  readonly steps: readonly ScriptStep[];
  /** Contains `{summary}`; may use step ids. */
  readonly confirm: string;
  /** Contains `{ticket}`; may use `{nextSteps}` and step ids. */
  readonly done: string;
  readonly cancelled: string;
  /** The file the script came from, for messages to staff. */
  readonly file: string;
}

const SCRIPT_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const STEP_ID = /^(?:[a-z][a-zA-Z0-9]*|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)$/;

const text = z.string({ message: 'must be text' }).trim().min(1, 'must not be empty');

const StepSchema = z.object(
  {
    id: z
      .string({ message: 'must be text' })
      .regex(STEP_ID, 'must be a lower camelCase or lower-case-hyphenated name, like "partnerId" or "partner-id"'),
    ask: text,
    kind: z.enum(STEP_KINDS, { message: `must be one of ${STEP_KINDS.join(', ')}` }),
    choices: z
      .array(text, { message: 'must be a list of options' })
      .min(2, 'must list at least 2 options')
      .max(10, 'must list at most 10 options')
      .optional(),
    label: text.optional(),
    help: text.optional(),
    reprompt: text.optional(),
    optional: z.boolean({ message: 'must be true or false' }).optional(),
    maxLength: z
      .number({ message: `must be a whole number from 1 to ${MAX_ANSWER_LENGTH}` })
      .int(`must be a whole number from 1 to ${MAX_ANSWER_LENGTH}`)
      .min(1, `must be a whole number from 1 to ${MAX_ANSWER_LENGTH}`)
      .max(MAX_ANSWER_LENGTH, `must be at most ${MAX_ANSWER_LENGTH}`)
      .optional(),
    pattern: text.optional(),
    remember: z.enum(REMEMBER_FIELDS, { message: `must be one of ${REMEMBER_FIELDS.join(', ')}` }).optional(),
  },
  { message: 'each step must be a set of fields (id, ask, kind, ...)' },
);

const ScriptSchema = z.object(
  {
    id: z.string({ message: 'must be text' }).regex(SCRIPT_ID, 'must be lower-case words joined by hyphens, like "billing" or "order-status"'),
    title: text,
    triggers: z.array(text, { message: 'must be a list of phrases' }).optional(),
    intro: text,
    steps: z.array(StepSchema, { message: 'must be a list of steps' }).min(1, 'must list at least one step'),
    confirm: text,
    done: text,
    cancelled: text,
  },
  { message: 'a script must be a set of fields (id, title, intro, steps, confirm, done, cancelled)' },
);

const SCRIPT_KEYS = Object.keys(ScriptSchema.shape);
const STEP_KEYS = Object.keys(StepSchema.shape);

/** Parses one escalation script, reporting every problem with its file and line. */
export function parseScript(text: string, file: string): Result<EscalationScript> {
  const parsed = parseLocated(text, file);
  return parsed.result;
}

/** `parseScript`, also telling on which line the script's id sits. */
function parseLocated(source: string, file: string): { result: Result<EscalationScript>; idLine: number; id?: string } {
  const parsed = parseWith(ScriptSchema, source, file);
  let yaml: YamlSource | undefined;
  const problems: Problem[] = [];
  if (parsed.success) {
    yaml = parsed.data.yaml;
  } else {
    problems.push(...parsed.problems);
    yaml = parseYaml(source, file).yaml;
    // A YAML syntax error: nothing else can be checked.
    if (!yaml) return { result: parsed, idLine: 0 };
  }
  problems.push(...crossCheck(yaml, file, (where) => keyLine(source, where)));
  const idLine = yaml.lineOf(['id']);
  const rawId = isRecord(yaml.value) && typeof yaml.value.id === 'string' ? { id: yaml.value.id } : {};
  if (!parsed.success || problems.length > 0) {
    return { result: { success: false, problems: sortUnique(problems) }, idLine, ...rawId };
  }
  const data = parsed.data.data;
  const script: EscalationScript = {
    id: data.id,
    title: data.title,
    triggers: data.triggers ?? [],
    intro: data.intro,
    steps: data.steps.map((s) => {
      const step: ScriptStep = {
        id: s.id,
        ask: s.ask,
        kind: s.kind,
        label: s.label ?? s.id,
        optional: s.optional ?? false,
        maxLength: s.maxLength ?? DEFAULT_MAX_LENGTH[s.kind],
        ...(s.choices !== undefined ? { choices: s.choices } : {}),
        ...(s.help !== undefined ? { help: s.help } : {}),
        ...(s.reprompt !== undefined ? { reprompt: s.reprompt } : {}),
        ...(s.pattern !== undefined ? { pattern: s.pattern } : {}),
        ...(s.remember !== undefined ? { remember: s.remember } : {}),
      };
      return step;
    }),
    confirm: data.confirm,
    done: data.done,
    cancelled: data.cancelled,
    file,
  };
  return { result: { success: true, data: script, warnings: parsed.warnings }, idLine, id: script.id };
}

/** Where the cross-checks report a problem: at a path in the script, on the line of its value (or of its key, for `unknown`). */
interface Reporter {
  report(where: readonly PropertyKey[], message: string): void;
  unknown(where: readonly PropertyKey[], message: string): void;
  lineOf(where: readonly PropertyKey[]): number;
}

/**
 * The checks zod cannot make field by field. They read the raw YAML value defensively, so they run
 * (and report) even when the schema found problems elsewhere in the file.
 */
function crossCheck(yaml: YamlSource, file: string, lineOfKey: (where: readonly PropertyKey[]) => number | undefined): Problem[] {
  const problems: Problem[] = [];
  const add = (where: readonly PropertyKey[], message: string, line: number) => {
    problems.push({ file, line, message: `${where.map(String).join('.')}: ${message}`, severity: 'error' });
  };
  const r: Reporter = {
    report: (where, message) => add(where, message, yaml.lineOf(where)),
    unknown: (where, message) => add(where, message, lineOfKey(where) ?? yaml.lineOf(where)),
    lineOf: (where) => yaml.lineOf(where),
  };
  const root = yaml.value;
  if (!isRecord(root)) return problems;

  for (const key of Object.keys(root)) {
    if (!SCRIPT_KEYS.includes(key)) r.unknown([key], `unknown field; a script may have ${SCRIPT_KEYS.join(', ')}`);
  }
  if (Array.isArray(root.triggers)) {
    root.triggers.forEach((t, i) => {
      if (typeof t === 'string' && t.trim() !== '' && triggerWords(t).length === 0) r.report(['triggers', i], `"${t}" has no words to match`);
    });
  }
  const stepIds = checkSteps(Array.isArray(root.steps) ? root.steps : [], r);
  checkScriptTexts(root, stepIds, r);
  return problems;
}

/** Each step's fields, ids (unique, not reserved), choices, pattern, what it remembers and its texts; returns the step ids. */
function checkSteps(steps: readonly unknown[], r: Reporter): string[] {
  const stepIds: string[] = [];
  const seenIds = new Map<string, number>();
  const remembered = new Map<string, number>();
  steps.forEach((step, i) => {
    if (!isRecord(step)) return;
    for (const key of Object.keys(step)) {
      if (!STEP_KEYS.includes(key)) r.unknown(['steps', i, key], `unknown field; a step may have ${STEP_KEYS.join(', ')}`);
    }
    if (typeof step.id === 'string') {
      stepIds.push(step.id);
      const first = seenIds.get(step.id);
      if (first !== undefined) {
        r.report(['steps', i, 'id'], `step id "${step.id}" is already used by step ${first + 1} (line ${r.lineOf(['steps', first, 'id'])})`);
      } else {
        seenIds.set(step.id, i);
      }
      if ((RESERVED_PLACEHOLDERS as readonly string[]).includes(step.id)) {
        r.report(['steps', i, 'id'], `"${step.id}" is reserved for the bot's own {${step.id}}; choose another step id`);
      }
    }
    const kind = typeof step.kind === 'string' && (STEP_KINDS as readonly string[]).includes(step.kind) ? (step.kind as StepKind) : undefined;
    checkChoices(step, i, kind, r);
    checkPattern(step, i, kind, r);
    if (typeof step.remember === 'string' && (REMEMBER_FIELDS as readonly string[]).includes(step.remember)) {
      const field = step.remember as RememberField;
      const first = remembered.get(field);
      if (first !== undefined) r.report(['steps', i, 'remember'], `${field} is already remembered by step ${first + 1}; only one step may remember it`);
      else remembered.set(field, i);
      if (kind !== undefined && kind !== REMEMBER_KIND[field]) {
        r.report(['steps', i, 'remember'], `${field} can only be remembered from a ${REMEMBER_KIND[field]} step; this step's kind is ${kind}`);
      }
    }
    for (const key of ['ask', 'help', 'reprompt', 'label'] as const) {
      const value = step[key];
      if (typeof value === 'string') checkPlaceholders(value, [], (m) => r.report(['steps', i, key], m));
    }
  });
  return stepIds;
}

/** Choices belong to choice steps (which need them), each listed once and with words, not only a number. */
function checkChoices(step: Record<string, unknown>, i: number, kind: StepKind | undefined, r: Reporter): void {
  if (kind === 'choice' && step.choices === undefined) {
    r.report(['steps', i], 'a choice step needs choices: a list of 2 to 10 options');
  } else if (kind !== undefined && kind !== 'choice' && step.choices !== undefined) {
    r.report(['steps', i, 'choices'], `only choice steps have choices; this step's kind is ${kind}`);
  }
  if (!Array.isArray(step.choices)) return;
  const seen = new Set<string>();
  step.choices.forEach((c, k) => {
    if (typeof c !== 'string') return;
    const key = c.trim().toLowerCase().replace(/\s+/g, ' ');
    if (seen.has(key)) r.report(['steps', i, 'choices', k], `"${c}" is listed twice`);
    seen.add(key);
    if (/^#?\d+\.?$/.test(key)) r.report(['steps', i, 'choices', k], `"${c}" is only a number; partners answer with an option's number, so options need words`);
  });
}

/** A pattern belongs to a text or partnerId step and must be a valid regular expression. */
function checkPattern(step: Record<string, unknown>, i: number, kind: StepKind | undefined, r: Reporter): void {
  if (step.pattern === undefined) return;
  if (kind !== undefined && kind !== 'text' && kind !== 'partnerId') {
    r.report(['steps', i, 'pattern'], `only text and partnerId steps may have a pattern; this step's kind is ${kind}`);
  }
  if (typeof step.pattern !== 'string') return;
  try {
    new RegExp(step.pattern);
  } catch (err) {
    r.report(['steps', i, 'pattern'], `is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** The script's own texts: known placeholders only, and the confirmation and closing message carry theirs. */
function checkScriptTexts(root: Record<string, unknown>, stepIds: readonly string[], r: Reporter): void {
  for (const key of ['intro', 'cancelled', 'title'] as const) {
    const value = root[key];
    if (typeof value === 'string') checkPlaceholders(value, [], (m) => r.report([key], m));
  }
  if (typeof root.confirm === 'string') {
    checkPlaceholders(root.confirm, ['summary', ...stepIds], (m) => r.report(['confirm'], m));
    if (!root.confirm.includes('{summary}')) r.report(['confirm'], 'must contain {summary}, where the bot lists the answers');
  }
  if (typeof root.done === 'string') {
    checkPlaceholders(root.done, ['ticket', 'nextSteps', ...stepIds], (m) => r.report(['done'], m));
    if (!root.done.includes('{ticket}')) r.report(['done'], "must contain {ticket}, the request's reference");
  }
}

/** The line of the key at `where` (not of its value, which may start on a later line). */
function keyLine(source: string, where: readonly PropertyKey[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  const parent = where.length > 1 ? doc.getIn(where.slice(0, -1) as unknown[], true) : doc.contents;
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === where[where.length - 1]);
  const range = isScalar(pair?.key) ? pair.key.range : undefined;
  return range ? lineCounter.linePos(range[0]).line : undefined;
}

function checkPlaceholders(value: string, names: readonly string[], report: (message: string) => void): void {
  const allowed = [...new Set(names)];
  for (const m of value.matchAll(/\{([^{}]*)\}/g)) {
    const name = m[1] ?? '';
    if (allowed.includes(name)) continue;
    const can = allowed.length > 0 ? `it may use ${allowed.map((a) => `{${a}}`).join(', ')}` : 'it takes none';
    report(`unknown placeholder {${name}}; ${can}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortUnique(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.line}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line);
}

/**
 * Reads every `*.yaml` / `*.yml` script in `dir` (not `messages.yaml`), reporting all problems of all
 * files at once, scripts with the same id, and a missing `support` script.
 */
export async function loadScripts(dir: string): Promise<Result<EscalationScript[]>> {
  let names: string[];
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    names = entries
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name) && !e.name.startsWith('.') && !NOT_SCRIPTS.has(e.name.toLowerCase()))
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b));
  } catch (err) {
    return { success: false, problems: [{ file: dir, line: 0, message: `cannot read the folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, severity: 'error' }] };
  }
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const scripts: EscalationScript[] = [];
  const byId = new Map<string, { file: string; line: number }>();
  // Files whose id could not be read (unreadable, or broken YAML): one of them may be the support script.
  let unknownIds = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    let source: string;
    try {
      source = await fs.readFile(file, 'utf8');
    } catch (err) {
      problems.push(unreadable(file, err));
      unknownIds += 1;
      continue;
    }
    const { result, idLine, id } = parseLocated(source, file);
    if (id !== undefined) {
      const first = byId.get(id);
      if (first) problems.push({ file, line: idLine, message: `script id "${id}" is already used by ${first.file}:${first.line}`, severity: 'error' });
      else byId.set(id, { file, line: idLine });
    }
    if (!result.success) {
      problems.push(...result.problems);
      if (id === undefined) unknownIds += 1;
      continue;
    }
    warnings.push(...result.warnings);
    scripts.push(result.data);
  }
  if (!byId.has(SUPPORT_SCRIPT_ID) && unknownIds === 0) {
    problems.push({
      file: dir,
      line: 0,
      message: `no script has id "${SUPPORT_SCRIPT_ID}"; the bot needs it for partners who ask for a person`,
      severity: 'error',
    });
  }
  if (problems.length > 0) return { success: false, problems: [...problems, ...warnings] };
  return { success: true, data: scripts, warnings };
}

/** Words that need not be in a message for a trigger to match ("talk to a person" ~ "talk to person"). */
const ARTICLES = new Set(['a', 'an', 'the']);

function triggerWords(phrase: string): string[] {
  return splitWords(phrase)
    .filter((w) => !ARTICLES.has(w))
    .map(lightStem);
}

/**
 * Whether every word of one of the script's trigger phrases occurs in `text`, in any order; plurals,
 * case and punctuation do not matter, nor do the articles a, an and the.
 */
export function matchesTrigger(script: EscalationScript, text: string): boolean {
  const words = messageWords(text);
  return triggersOf(script).some((needed) => needed.length > 0 && needed.every((w) => words.has(w)));
}

/** Each script's trigger phrases as words, worked out once per script (a loaded script does not change). */
const triggerCache = new WeakMap<EscalationScript, readonly (readonly string[])[]>();
function triggersOf(script: EscalationScript): readonly (readonly string[])[] {
  let triggers = triggerCache.get(script);
  if (!triggers) triggerCache.set(script, (triggers = script.triggers.map(triggerWords)));
  return triggers;
}

/** The last message's words: a turn checks one message against every script. */
let lastMessage: { readonly text: string; readonly words: ReadonlySet<string> } = { text: '', words: new Set() };
function messageWords(text: string): ReadonlySet<string> {
  if (lastMessage.text !== text) lastMessage = { text, words: new Set(splitWords(text).map(lightStem)) };
  return lastMessage.words;
}
