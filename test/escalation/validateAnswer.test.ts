import type { ScriptStep, StepKind } from '../../src/escalation/script';
import { DEFAULT_MAX_LENGTH } from '../../src/escalation/script';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePhrases } from '../../src/dialogs/parsePhrases';
import { answerWords, isSkip as isSkipWith, validateAnswer as validateWith, type AnswerWords } from '../../src/escalation/validateAnswer';
import { realContent, ROOT } from '../helpers/realContent';

/** How partners say yes, no and skip: the shipped dialogs/phrases.yaml. */
let words: AnswerWords;
beforeAll(async () => {
  words = (await realContent()).phrases.answers;
});
const validateAnswer = (step: ScriptStep, input: string) => validateWith(step, input, words);
const isSkip = (input: string, kind?: StepKind) => isSkipWith(input, words, kind);

function step(kind: StepKind, extra: Partial<ScriptStep> = {}): ScriptStep {
  return { id: 'x', ask: 'X?', kind, label: 'X', optional: false, maxLength: DEFAULT_MAX_LENGTH[kind], ...extra };
}

const ok = (value: string) => ({ ok: true, value });
const bad = (reason: string) => ({ ok: false, reason });

describe('validateAnswer: common rules', () => {
  it('trims the answer', () => {
    expect(validateAnswer(step('text'), '  Contoso Ltd \n')).toEqual(ok('Contoso Ltd'));
  });

  it('refuses an empty answer to a required step', () => {
    expect(validateAnswer(step('text'), '   ')).toEqual(bad('empty'));
    expect(validateAnswer(step('choice', { choices: ['A thing', 'B thing'] }), '')).toEqual(bad('empty'));
  });

  it('accepts an empty answer or a skip word on an optional step, as ""', () => {
    const s = step('phone', { optional: true });
    for (const input of ['', 'skip', 'Skip.', 'none', 'N/A', 'na', '-', "don't know", 'Don’t know', 'dont know', 'no']) {
      expect(validateAnswer(s, input)).toEqual(ok(''));
    }
  });

  it('takes skip words literally on a required step', () => {
    expect(validateAnswer(step('text'), 'none')).toEqual(ok('none'));
    expect(validateAnswer(step('phone'), 'skip')).toEqual(bad('phone'));
  });

  it('refuses an answer longer than maxLength', () => {
    expect(validateAnswer(step('text', { maxLength: 5 }), 'abcdef')).toEqual(bad('tooLong'));
    expect(validateAnswer(step('text', { maxLength: 5 }), '  abcde  ')).toEqual(ok('abcde'));
    expect(validateAnswer(step('text'), 'x'.repeat(501))).toEqual(bad('tooLong'));
  });
});

describe('isSkip', () => {
  it('knows the skip words', () => {
    expect(isSkip('skip')).toBe(true);
    expect(isSkip(' N/A ')).toBe(true);
    expect(isSkip('no')).toBe(true);
    expect(isSkip('nothing to add')).toBe(false);
  });

  it('does not take "no" as a skip for a yes/no question', () => {
    expect(isSkip('no', 'yesno')).toBe(false);
    expect(validateAnswer(step('yesno', { optional: true }), 'no')).toEqual(ok('no'));
    expect(validateAnswer(step('yesno', { optional: true }), 'skip')).toEqual(ok(''));
  });
});

describe('validateAnswer: text', () => {
  it('accepts any text', () => {
    expect(validateAnswer(step('text'), 'My invoice shows two charges.')).toEqual(ok('My invoice shows two charges.'));
  });

  it('checks a pattern', () => {
    const s = step('text', { pattern: '^[A-Z]{3}-\\d+$' });
    expect(validateAnswer(s, 'INV-123')).toEqual(ok('INV-123'));
    expect(validateAnswer(s, 'invoice 123')).toEqual(bad('pattern'));
  });
});

describe('validateAnswer: email', () => {
  const s = step('email');
  it.each([
    ['name@company.com', 'name@company.com'],
    ['First.Last@Contoso.CO.UK', 'First.Last@contoso.co.uk'],
    ['o\'brien+partners@sub.example.org', "o'brien+partners@sub.example.org"],
    ['<name@company.com>', 'name@company.com'],
    ['mailto:name@company.com', 'name@company.com'],
  ])('accepts %s', (input, value) => {
    expect(validateAnswer(s, input)).toEqual(ok(value));
  });

  it.each(['name', 'name@company', 'name@@company.com', 'na me@company.com', 'name@company.c', '@company.com', 'name@.com', 'a..b@company.com', '.a@company.com', 'name@com pany.com', 'a@b@c.com'])(
    'refuses %s',
    (input) => {
      expect(validateAnswer(s, input)).toEqual(bad('email'));
    },
  );
});

describe('validateAnswer: phone', () => {
  const s = step('phone');
  it.each([
    ['+44 20 7946 0000', '+44 20 7946 0000'],
    ['(425) 555-0100', '(425) 555-0100'],
    ['425.555.0100', '425.555.0100'],
    ['+1 425   555 0100 ext 12', '+1 425 555 0100 ext 12'],
    ['555-0100 ext. 4', '555-0100 ext. 4'],
    ['5550100', '5550100'],
  ])('accepts %s', (input, value) => {
    expect(validateAnswer(s, input)).toEqual(ok(value));
  });

  it.each(['555-010', '1234567890123456', 'call me', '555 0100 x12', '+44+20 7946 0000', '425/555/0100'])('refuses %s', (input) => {
    expect(validateAnswer(s, input)).toEqual(bad('phone'));
  });
});

describe('validateAnswer: partnerId', () => {
  const s = step('partnerId');
  it('returns the digits', () => {
    expect(validateAnswer(s, '1234567')).toEqual(ok('1234567'));
    expect(validateAnswer(s, '123 456 789')).toEqual(ok('123456789'));
    expect(validateAnswer(s, '12-34-56')).toEqual(ok('123456'));
  });

  it('needs 6 to 10 digits and nothing else by default', () => {
    expect(validateAnswer(s, '12345')).toEqual(bad('partnerId'));
    expect(validateAnswer(s, '12345678901')).toEqual(bad('partnerId'));
    expect(validateAnswer(s, 'MPN 123456')).toEqual(bad('partnerId'));
  });

  it("uses a step's own pattern instead", () => {
    const four = step('partnerId', { pattern: '^\\d{4}$' });
    expect(validateAnswer(four, '12 34')).toEqual(ok('1234'));
    expect(validateAnswer(four, '123456')).toEqual(bad('pattern'));
  });
});

describe('validateAnswer: choice', () => {
  const s = step('choice', { choices: ['An invoice or charge', 'A subscription change', 'Billing policy', 'Something else'] });
  const urgency = step('choice', { choices: ['Low', 'Normal', 'High', 'Urgent'] });

  it('accepts the exact text in any case, returning the canonical text', () => {
    expect(validateAnswer(s, 'billing POLICY')).toEqual(ok('Billing policy'));
    expect(validateAnswer(s, 'Something else.')).toEqual(ok('Something else'));
  });

  it.each(['2', '#2', '2.', '2)', 'option 2', 'Option 2', 'number 2', 'no. 2'])('accepts the number "%s"', (input) => {
    expect(validateAnswer(s, input)).toEqual(ok('A subscription change'));
  });

  it('refuses a number out of range', () => {
    expect(validateAnswer(s, '0')).toEqual(bad('choice'));
    expect(validateAnswer(s, '5')).toEqual(bad('choice'));
  });

  it('accepts the start of one choice, or one of its words', () => {
    expect(validateAnswer(s, 'some')).toEqual(ok('Something else'));
    expect(validateAnswer(s, 'An inv')).toEqual(ok('An invoice or charge'));
    expect(validateAnswer(s, 'invoice')).toEqual(ok('An invoice or charge'));
    expect(validateAnswer(s, 'subscription')).toEqual(ok('A subscription change'));
    expect(validateAnswer(s, 'policy')).toEqual(ok('Billing policy'));
    expect(validateAnswer(urgency, 'urg')).toEqual(ok('Urgent'));
  });

  it('needs at least three characters for a partial answer', () => {
    expect(validateAnswer(urgency, 'hi')).toEqual(bad('choice'));
  });

  it('refuses a partial answer that fits more than one choice', () => {
    const two = step('choice', { choices: ['Invoice error', 'Invoice missing', 'Other'] });
    expect(validateAnswer(two, 'invoice')).toEqual(bad('choice'));
    expect(validateAnswer(two, 'missing')).toEqual(ok('Invoice missing'));
  });

  it('accepts close spellings', () => {
    expect(validateAnswer(s, 'invioce')).toEqual(ok('An invoice or charge'));
    expect(validateAnswer(s, 'subscripton')).toEqual(ok('A subscription change'));
    expect(validateAnswer(s, 'biling polcy')).toEqual(ok('Billing policy'));
    expect(validateAnswer(urgency, 'urgnet')).toEqual(ok('Urgent'));
    expect(validateAnswer(urgency, 'hihg')).toEqual(ok('High'));
    expect(validateAnswer(urgency, 'lwo')).toEqual(ok('Low'));
  });

  it('allows only one edit for short choices and two for longer ones', () => {
    expect(validateAnswer(urgency, 'hgh')).toEqual(ok('High'));
    expect(validateAnswer(urgency, 'hxgx')).toEqual(bad('choice'));
    expect(validateAnswer(urgency, 'nrml')).toEqual(ok('Normal'));
    expect(validateAnswer(urgency, 'nrmx')).toEqual(bad('choice'));
  });

  it('refuses a spelling equally close to two choices', () => {
    const close = step('choice', { choices: ['Cart', 'Card', 'Other'] });
    expect(validateAnswer(close, 'cary')).toEqual(bad('choice'));
    expect(validateAnswer(close, 'cardd')).toEqual(ok('Card'));
  });

  it('refuses unrelated answers', () => {
    expect(validateAnswer(s, 'the weather')).toEqual(bad('choice'));
    expect(validateAnswer(urgency, 'whenever')).toEqual(bad('choice'));
  });

  it('takes an option that reads like a skip word as that option', () => {
    const opt = step('choice', { optional: true, choices: ['None', 'Some'] });
    expect(validateAnswer(opt, 'none')).toEqual(ok('None'));
    expect(validateAnswer(opt, 'skip')).toEqual(ok(''));
  });
});

describe('validateAnswer: yesno', () => {
  const s = step('yesno');
  it.each(['yes', 'Y', 'yeah', 'yep', 'yup', 'sure', 'OK', 'okay', 'correct', 'right', 'send', 'Send it!', 'go ahead', 'please do', 'do it', 'confirm', '👍', '👍🏽', 'yes please', 'Yes, send it.', 'ok go ahead'])(
    '"%s" is yes',
    (input) => {
      expect(validateAnswer(s, input)).toEqual(ok('yes'));
    },
  );

  it.each(['no', 'N', 'nope', 'nah', 'not now', "don't", 'don’t', 'do not', 'stop', 'change', 'no thanks', 'No, thank you'])('"%s" is no', (input) => {
    expect(validateAnswer(s, input)).toEqual(ok('no'));
  });

  it.each(['maybe', 'what?', 'yes no', 'later'])('"%s" is neither', (input) => {
    expect(validateAnswer(s, input)).toEqual(bad('yesno'));
  });
});

describe('yes, no and skip words from dialogs/phrases.yaml', () => {
  /** The words as they were written in code, before they moved to phrases.yaml. */
  const BEFORE = answerWords({
    yes: ['yes', 'y', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'correct', 'right', 'send', 'send it', 'go ahead', 'please do', 'do it', 'confirm', '👍'],
    no: ['no', 'n', 'nope', 'nah', 'not now', "don't", 'do not', 'stop', 'change', 'no thanks', '👎'],
    skip: ['skip', 'none', 'n/a', 'na', '-', "don't know", 'dont know', 'no'],
    politeBefore: ['please'],
    politeAfter: ['please', 'pls', 'thanks', 'thank you', 'thx'],
    optionNumber: ['no', 'number', 'option', 'choice', 'nr'],
  });
  /** How an option was picked by its number when the words were in code. */
  const NUMBERED_BEFORE = /^(?:#|no\.?|number|option|choice|nr\.?)?\s*#?(\d{1,2})\s*[.)]?$/;

  it('reads every answer the words in code read, the same way', () => {
    const listed = [...BEFORE.yes, ...BEFORE.no, ...BEFORE.skip];
    const variants = listed.flatMap((w) => [w, `${w.toUpperCase()}.`, `${w}!`, `please ${w}`, `${w}, thanks`, `${w} thank you`, `${w} pls`, `yes ${w}`, `no ${w}`, `ok ${w}`, `${w} maybe`]);
    const inputs = [...variants, 'Yes, send it.', 'No, thank you', '👍🏽', 'Don’t know', 'maybe', 'what?', 'yes no', 'later', 'nothing to add', 'A thing'];
    const steps = [step('yesno'), step('yesno', { optional: true }), step('text', { optional: true }), step('choice', { optional: true, choices: ['None', 'A thing'] })];
    const differ = inputs.flatMap((input) =>
      steps
        .map((s) => ({ input, kind: s.kind, before: validateWith(s, input, BEFORE), now: validateAnswer(s, input) }))
        .filter((r) => JSON.stringify(r.before) !== JSON.stringify(r.now)),
    );
    expect(differ).toEqual([]);
  });

  it('reads an option picked by its number as the pattern in code did (and also with a full stop after any word)', () => {
    const inputs = ['2', '#2', '2.', '2)', 'option 2', 'Option 2', 'number 2', 'no. 2', 'no 2', 'nr. 3', 'nr 3', 'choice #1', 'choice 12', 'option 123', 'options 2', 'pick 2', 'no.2', 'number. 2'];
    const now = words.numbered;
    expect(inputs.filter((i) => NUMBERED_BEFORE.exec(i.toLowerCase())?.[1] !== now.exec(i.toLowerCase())?.[1])).toEqual(['number. 2']);
  });

  it('follows a staff edit: a yes added to phrases.yaml confirms, a skip word removed is taken literally', () => {
    const file = path.join(ROOT, 'dialogs', 'phrases.yaml');
    const text = readFileSync(file, 'utf8').replace('yesAnswer: ["yes",', 'yesAnswer: ["yes", absolutely,').replace('skipAnswer: [skip, none,', 'skipAnswer: [skip,');
    const parsed = parsePhrases(text, file);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.problems));
    expect(validateWith(step('yesno'), 'Absolutely, thanks!', parsed.data.answers)).toEqual(ok('yes'));
    expect(validateAnswer(step('yesno'), 'Absolutely, thanks!')).toEqual(bad('yesno'));
    expect(validateWith(step('text', { optional: true }), 'none', parsed.data.answers)).toEqual(ok('none'));
  });
});
