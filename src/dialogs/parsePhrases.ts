import { z } from 'zod';
import { parseWith } from '../content/parseWith';
import type { YamlSource } from '../content/yamlSource';
import type { Problem, Result } from '../content/Problem';
import { smallTalkWords, wordsOf, type Intent } from '../answering/smallTalk';
import { PHRASE_KEYS, phraseForm, type Phrases, type Recogniser } from '../conversation/phrases';
import { answerForm, answerWords } from '../escalation/validateAnswer';

export const PHRASES_FILE = 'phrases.yaml';

/** The small-talk entries of `phrases.yaml` and the intent each stands for. */
export const SMALL_TALK_KEYS = {
  greeting: 'greeting',
  thanks: 'thanks',
  whatCanYouDo: 'help',
  goodbye: 'goodbye',
  talkToPerson: 'person',
} as const satisfies Record<string, Intent>;
type SmallTalkKey = keyof typeof SMALL_TALK_KEYS;
type EntryKey = (typeof PHRASE_KEYS)[number] | SmallTalkKey;
const ENTRY_KEYS = [...PHRASE_KEYS, ...(Object.keys(SMALL_TALK_KEYS) as SmallTalkKey[])] as const;

const text = z.string({ message: 'must be text' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const Entry = z
  .strictObject({ phrases: z.array(text).optional(), patterns: z.array(text).optional() })
  .refine((e) => (e.phrases?.length ?? 0) + (e.patterns?.length ?? 0) > 0, 'needs at least one of phrases or patterns');
const Schema = z.strictObject({
  ...(Object.fromEntries(ENTRY_KEYS.map((k) => [k, Entry])) as Record<EntryKey, typeof Entry>),
  ignoredWords: z.array(text, { message: 'must be a list of words' }),
  yesAnswer: z.array(text, { message: 'must be a list of phrases' }).min(1, 'must list at least one phrase'),
  noAnswer: z.array(text, { message: 'must be a list of phrases' }).min(1, 'must list at least one phrase'),
  skipAnswer: z.array(text, { message: 'must be a list of phrases' }).min(1, 'must list at least one phrase'),
  optionNumber: z.array(text, { message: 'must be a list of words' }),
  politeness: z.strictObject({ before: z.array(text, { message: 'must be a list of words' }), after: z.array(text, { message: 'must be a list of words' }) }),
});
type Data = z.infer<typeof Schema>;

/** Parses `phrases.yaml`: every entry, every pattern compiled, each problem with its line. */
export function parsePhrases(source: string, file: string): Result<Phrases> {
  const parsed = parseWith(Schema, source, file);
  if (!parsed.success) return parsed;
  const { data, yaml } = parsed.data;
  const problems: Problem[] = [];
  const compile = (key: EntryKey, flags: string): RegExp[] =>
    (data[key].patterns ?? []).flatMap((p, i) => {
      try {
        return [new RegExp(p, flags)];
      } catch (err) {
        problems.push({ file, line: yaml.lineOf([key, 'patterns', i]), message: `${key}.patterns: not a regular expression (${err instanceof Error ? err.message : String(err)})`, severity: 'error' });
        return [];
      }
    });
  const recogniser = (key: (typeof PHRASE_KEYS)[number]): Recogniser => ({ phrases: new Set((data[key].phrases ?? []).map(phraseForm)), patterns: compile(key, 'i') });
  const [cancel, help, notHelpful, ticketStatus] = PHRASE_KEYS.map(recogniser) as [Recogniser, Recogniser, Recogniser, Recogniser];
  for (const key of ['greeting', 'thanks', 'whatCanYouDo', 'goodbye'] as const) {
    if (data[key].patterns) problems.push({ file, line: yaml.lineOf([key, 'patterns']), message: `${key}: only talkToPerson may have patterns; list whole messages under phrases`, severity: 'error' });
  }
  problems.push(...listedTwice(data, yaml, file));
  const smallTalk = smallTalkWords({
    phrases: Object.fromEntries((Object.entries(SMALL_TALK_KEYS) as [SmallTalkKey, Intent][]).map(([key, intent]) => [intent, data[key].phrases ?? []])) as Record<Intent, string[]>,
    person: compile('talkToPerson', 'i'),
    filler: data.ignoredWords,
  });
  const answers = answerWords({ yes: data.yesAnswer, no: data.noAnswer, skip: data.skipAnswer, politeBefore: data.politeness.before, politeAfter: data.politeness.after, optionNumber: data.optionNumber });
  data.yesAnswer.forEach((phrase, i) => {
    if (answers.no.has(answerForm(phrase))) problems.push({ file, line: yaml.lineOf(['yesAnswer', i]), message: `yesAnswer: "${phrase}" is also listed under noAnswer; keep it in one`, severity: 'error' });
  });
  if (problems.length > 0) return { success: false, problems };
  return { success: true, data: { cancel, help, notHelpful, ticketStatus, smallTalk, answers }, warnings: parsed.warnings };
}

/** A small-talk phrase under two entries ("ok" as thanks and as goodbye) would mean only one of them. */
function listedTwice(data: Data, yaml: YamlSource, file: string): Problem[] {
  const first = new Map<string, { key: SmallTalkKey; line: number }>();
  const problems: Problem[] = [];
  for (const key of Object.keys(SMALL_TALK_KEYS) as SmallTalkKey[]) {
    (data[key].phrases ?? []).forEach((phrase, i) => {
      const words = wordsOf(phrase);
      const line = yaml.lineOf([key, 'phrases', i]);
      const earlier = first.get(words);
      if (words === '') problems.push({ file, line, message: `${key}.phrases: "${phrase}" has no words (small talk is matched on words; marks are ignored)`, severity: 'error' });
      else if (earlier && earlier.key !== key) problems.push({ file, line, message: `${key}.phrases: "${phrase}" is also listed under ${earlier.key} (line ${earlier.line}); keep it in one`, severity: 'error' });
      else if (!earlier) first.set(words, { key, line });
    });
  }
  return problems;
}
