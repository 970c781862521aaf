import { z } from 'zod';
import type { Problem, Result } from '../content/Problem';
import { Synonyms, type SynonymGroup } from './Synonyms';
import { parseWith } from '../content/parseWith';
import { splitWords, stem } from './words';

/** A source document that articles cite, as listed in `sources.yaml`. */
export interface SourceDoc {
  readonly file: string;
  /** How the bot names it to partners. */
  readonly title: string;
  readonly period: string;
}

/** Questions the sources are known not to answer, as listed in `not-covered.yaml`. */
export interface Gap {
  /** How the bot names the subject to partners: "pricing and licensing". */
  readonly about: string;
  /** Phrases that, when every word of one is in a question, mean it asks about this subject. */
  readonly asks: readonly string[];
}

const phrase = z.string({ message: 'must be text' }).trim().min(1, 'must not be empty');

const SynonymsSchema = z.array(
  z.strictObject({ term: phrase, also: z.array(phrase, { message: 'also must be a list' }).min(1, 'also must list at least one other way of saying the term') }),
  { message: 'the synonyms file must be a list of { term, also } entries' },
);

const SourcesSchema = z.array(z.strictObject({ file: phrase, title: phrase, period: phrase }), {
  message: 'the sources file must be a list of { file, title, period } entries',
});

const GapsSchema = z.array(z.strictObject({ about: phrase, asks: z.array(phrase).min(1, 'asks must list at least one phrase') }), {
  message: 'the not-covered file must be a list of { about, asks } entries',
});

/** How a topic reads in a sentence, as listed in `topics.yaml`. */
export interface TopicName {
  readonly topic: string;
  /** The words for it inside a sentence: "partner billing policy" for the topic "Billing policy". */
  readonly say: string;
  readonly line: number;
}

const TopicsSchema = z.array(z.strictObject({ topic: phrase, say: phrase }), {
  message: 'the topics file must be a list of { topic, say } entries',
});

/** Parses `topics.yaml`: how each topic reads in the bot's sentences, in the order the bot lists them. */
export function parseTopics(text: string, file: string): Result<TopicName[]> {
  const parsed = parseWith(TopicsSchema, text, file);
  if (!parsed.success) return parsed;
  const { data: entries, yaml } = parsed.data;
  const seen = new Set<string>();
  const problems: Problem[] = [];
  const names = entries.map((e, i) => {
    const key = e.topic.toLowerCase();
    if (seen.has(key)) problems.push({ file, line: yaml.lineOf([i, 'topic']), message: `topic "${e.topic}" is listed twice`, severity: 'error' });
    seen.add(key);
    return { topic: e.topic, say: e.say, line: yaml.lineOf([i]) };
  });
  if (problems.length > 0) return { success: false, problems };
  return { success: true, data: names, warnings: [] };
}

/** Parses `not-covered.yaml`: subjects partners ask about that the sources do not cover. */
export function parseGaps(text: string, file: string): Result<Gap[]> {
  const parsed = parseWith(GapsSchema, text, file);
  if (!parsed.success) return parsed;
  return { success: true, data: parsed.data.data, warnings: parsed.warnings };
}

/** Parses `synonyms.yaml`: a list of `{ term, also: [...] }`. A phrase may belong to only one term. */
export function parseSynonyms(text: string, file: string): Result<Synonyms> {
  const parsed = parseWith(SynonymsSchema, text, file);
  if (!parsed.success) return parsed;
  const { data: entries, yaml } = parsed.data;
  const problems: Problem[] = [];
  const owner = new Map<string, string>();
  const groups: SynonymGroup[] = entries.map((entry, i) => {
    for (const [k, p] of [entry.term, ...entry.also].entries()) {
      const key = splitWords(p).map(stem).join(' ');
      const previous = owner.get(key);
      if (key === '') {
        problems.push({ file, line: yaml.lineOf(k === 0 ? [i, 'term'] : [i, 'also', k - 1]), message: `"${p}" has no words`, severity: 'error' });
      } else if (previous !== undefined && previous !== entry.term) {
        problems.push({
          file,
          line: yaml.lineOf(k === 0 ? [i, 'term'] : [i, 'also', k - 1]),
          message: `"${p}" is already a synonym of "${previous}"; a phrase can mean only one term`,
          severity: 'error',
        });
      }
      owner.set(key, entry.term);
    }
    return { term: entry.term, also: entry.also, line: yaml.lineOf([i]) };
  });
  if (problems.length > 0) return { success: false, problems };
  return { success: true, data: new Synonyms(groups), warnings: [] };
}

/** Parses `sources.yaml`: the documents articles may cite, keyed by file name. */
export function parseSources(text: string, file: string): Result<Map<string, SourceDoc>> {
  const parsed = parseWith(SourcesSchema, text, file);
  if (!parsed.success) return parsed;
  const { data: entries, yaml } = parsed.data;
  const map = new Map<string, SourceDoc>();
  const problems: Problem[] = [];
  entries.forEach((s, i) => {
    if (map.has(s.file)) problems.push({ file, line: yaml.lineOf([i, 'file']), message: `source "${s.file}" is listed twice`, severity: 'error' });
    map.set(s.file, s);
  });
  if (problems.length > 0) return { success: false, problems };
  return { success: true, data: map, warnings: [] };
}
