import { editDistance } from '../knowledge/Spelling';
import { splitWords } from '../knowledge/words';
import type { ScriptStep, StepKind } from './script';

export type AnswerProblem = 'empty' | 'tooLong' | 'email' | 'phone' | 'partnerId' | 'pattern' | 'choice' | 'yesno';
export type AnswerCheck = { ok: true; value: string } | { ok: false; reason: AnswerProblem };

/** The partner ID form when a step gives no pattern of its own. */
export const DEFAULT_PARTNER_ID = /^\d{6,10}$/;

/** How partners say yes, no and "I'd rather not say", as staff list them in `dialogs/phrases.yaml`. */
export interface AnswerWords {
  readonly yes: ReadonlySet<string>;
  readonly no: ReadonlySet<string>;
  readonly skip: ReadonlySet<string>;
  /** Politeness around a yes or no ("yes please", "please do, thanks"): captures what is inside it. */
  readonly polite: RegExp;
  /** An option picked by its number ("2", "#2", "option 2"): captures the number. */
  readonly numbered: RegExp;
}

/** Builds the sets (every phrase in the form answers are compared in) and the politeness pattern from staff's lists. */
export function answerWords(lists: {
  readonly yes: readonly string[];
  readonly no: readonly string[];
  readonly skip: readonly string[];
  readonly politeBefore: readonly string[];
  readonly politeAfter: readonly string[];
  /** Words before an option's number ("option 2", "no. 2"). */
  readonly optionNumber: readonly string[];
}): AnswerWords {
  const set = (phrases: readonly string[]) => new Set(phrases.map(answerForm).filter((p) => p !== ''));
  const alternatives = (words: readonly string[]) => [...set(words)].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')).join('|');
  const before = alternatives(lists.politeBefore);
  const after = alternatives(lists.politeAfter);
  return {
    yes: set(lists.yes),
    no: set(lists.no),
    skip: set(lists.skip),
    polite: new RegExp(`^${before ? `(?:(?:${before})\\s+)?` : ''}(.*?)${after ? `(?:\\s+(?:${after}))?` : ''}$`),
    numbered: new RegExp(`^(?:#${lists.optionNumber.length > 0 ? `|(?:${alternatives(lists.optionNumber)})\\.?` : ''})?\\s*#?(\\d{1,2})\\s*[.)]?$`),
  };
}

/** Lower case, straight apostrophes, single spaces, no full stop or exclamation at the end. */
export function answerForm(input: string): string {
  return input
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[\u{1F3FB}-\u{1F3FF}]|\uFE0F/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*[.!]+$/, '')
    .trim();
}

/**
 * Whether the answer means "I'd rather not say" on an optional step: skip, none, n/a, ... (except, for
 * a yes/no question, a word that also means no: there it is an answer).
 */
export function isSkip(input: string, words: AnswerWords, kind?: StepKind): boolean {
  const n = answerForm(input);
  if (kind === 'yesno' && words.no.has(n)) return false;
  return words.skip.has(n);
}

/** Checks a partner's answer to one step, returning the value to keep or why it is not accepted. */
export function validateAnswer(step: ScriptStep, input: string, words: AnswerWords): AnswerCheck {
  const answer = input.trim();
  if (answer === '') return step.optional ? { ok: true, value: '' } : { ok: false, reason: 'empty' };
  // An option that happens to read "None" is that option, not a skip.
  const isOption = step.kind === 'choice' && (step.choices ?? []).some((c) => answerForm(c) === answerForm(answer));
  if (step.optional && !isOption && isSkip(answer, words, step.kind)) return { ok: true, value: '' };
  if (answer.length > step.maxLength) return { ok: false, reason: 'tooLong' };
  switch (step.kind) {
    case 'text':
      if (step.pattern !== undefined && !new RegExp(step.pattern).test(answer)) return { ok: false, reason: 'pattern' };
      return { ok: true, value: answer };
    case 'email':
      return email(answer);
    case 'phone':
      return phone(answer);
    case 'partnerId':
      return partnerId(answer, step.pattern);
    case 'choice':
      return choice(answer, step.choices ?? [], words.numbered);
    case 'yesno':
      return yesNo(answer, words);
  }
}

const EMAIL = /^([^\s@]+)@((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,})$/u;
const LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;

function email(answer: string): AnswerCheck {
  // "<name@company.com>" and "mailto:name@company.com", as pasted from a mail program.
  const bare = answer.replace(/^<(.*)>$/, '$1').replace(/^mailto:/i, '');
  const m = EMAIL.exec(bare);
  const local = m?.[1];
  const domain = m?.[2];
  if (local === undefined || domain === undefined || local.length > 64 || !LOCAL.test(local)) return { ok: false, reason: 'email' };
  return { ok: true, value: `${local}@${domain.toLowerCase()}` };
}

function phone(answer: string): AnswerCheck {
  const value = answer.replace(/\s+/g, ' ');
  const withoutExt = value.replace(/\bext\.?(?=\s*\d)/gi, ' ');
  if (!/^[\d\s+\-().]+$/.test(withoutExt)) return { ok: false, reason: 'phone' };
  if (/\+/.test(withoutExt.replace(/^\s*\+/, ''))) return { ok: false, reason: 'phone' };
  const digits = value.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return { ok: false, reason: 'phone' };
  return { ok: true, value };
}

function partnerId(answer: string, pattern: string | undefined): AnswerCheck {
  const digits = answer.replace(/[\s-]+/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, reason: 'partnerId' };
  if (pattern !== undefined) return new RegExp(pattern).test(digits) ? { ok: true, value: digits } : { ok: false, reason: 'pattern' };
  return DEFAULT_PARTNER_ID.test(digits) ? { ok: true, value: digits } : { ok: false, reason: 'partnerId' };
}

function choice(answer: string, choices: readonly string[], numbered: RegExp): AnswerCheck {
  const input = answerForm(answer);
  const options = choices.map((c) => ({ text: c, norm: answerForm(c), words: splitWords(c) }));
  const found = (c: string): AnswerCheck => ({ ok: true, value: c });
  const exact = options.find((o) => o.norm === input);
  if (exact) return found(exact.text);

  const number = numbered.exec(input);
  if (number) {
    const n = Number(number[1]);
    const picked = choices[n - 1];
    return n >= 1 && picked !== undefined ? found(picked) : { ok: false, reason: 'choice' };
  }

  const inputWords = splitWords(input);
  if (input.length >= 3 && inputWords.length > 0) {
    const partial = options.filter((o) => o.norm.startsWith(input) || containsRun(o.words, inputWords));
    if (partial.length === 1 && partial[0]) return found(partial[0].text);
    if (partial.length > 1) return { ok: false, reason: 'choice' };
  }

  // A close spelling of a whole option or of one of its words.
  if (input.length < 3) return { ok: false, reason: 'choice' };
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const o of options) {
    const targets = [o.norm, ...o.words.filter((w) => w.length >= 4)];
    let d = Infinity;
    for (const t of targets) {
      const allowed = t.length < 6 ? 1 : 2;
      const e = editDistance(input, t, allowed);
      if (e <= allowed && e < d) d = e;
    }
    if (d < bestDistance) {
      best = o.text;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance && d !== Infinity) {
      tie = true;
    }
  }
  return best !== undefined && !tie ? found(best) : { ok: false, reason: 'choice' };
}

/** Whether `run` occurs as consecutive whole words in `words`. */
function containsRun(words: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= words.length; i += 1) {
    if (run.every((w, k) => words[i + k] === w)) return true;
  }
  return false;
}

function yesNo(answer: string, words: AnswerWords): AnswerCheck {
  const { yes, no } = words;
  const n = answerForm(answer).replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
  const core = words.polite.exec(n)?.[1] ?? n;
  for (const phrase of [n, core]) {
    if (yes.has(phrase)) return { ok: true, value: 'yes' };
    if (no.has(phrase)) return { ok: true, value: 'no' };
  }
  // "yes send it", "ok go ahead", "no stop".
  const [first, ...rest] = core.split(' ');
  const tail = rest.join(' ');
  if (first !== undefined && tail !== '') {
    if (yes.has(first) && yes.has(tail)) return { ok: true, value: 'yes' };
    if (no.has(first) && no.has(tail)) return { ok: true, value: 'no' };
  }
  return { ok: false, reason: 'yesno' };
}
