import path from 'node:path';
import { z } from 'zod';
import { parseWith } from '../content/parseWith';
import { loadContentFile } from '../content/readContent';
import type { Problem, Result } from '../content/Problem';
import { PHRASE_KEYS, phraseForm, type Phrases, type Recogniser } from './phrases';

export const PHRASES_FILE = 'phrases.yaml';

const text = z.string({ message: 'must be text' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const Entry = z
  .strictObject({ phrases: z.array(text).optional(), patterns: z.array(text).optional() })
  .refine((e) => (e.phrases?.length ?? 0) + (e.patterns?.length ?? 0) > 0, 'needs at least one of phrases or patterns');
const Schema = z.strictObject(Object.fromEntries(PHRASE_KEYS.map((k) => [k, Entry])) as Record<(typeof PHRASE_KEYS)[number], typeof Entry>);

/** Parses `phrases.yaml`: every entry, every pattern compiled, each problem with its line. */
export function parsePhrases(source: string, file: string): Result<Phrases> {
  const parsed = parseWith(Schema, source, file);
  if (!parsed.success) return parsed;
  const { data, yaml } = parsed.data;
  const problems: Problem[] = [];
  const recogniser = (key: (typeof PHRASE_KEYS)[number]): Recogniser => {
    const entry = data[key];
    const patterns: RegExp[] = [];
    (entry.patterns ?? []).forEach((p, i) => {
      try {
        patterns.push(new RegExp(p, 'i'));
      } catch (err) {
        problems.push({ file, line: yaml.lineOf([key, 'patterns', i]), message: `${key}.patterns: not a regular expression (${err instanceof Error ? err.message : String(err)})`, severity: 'error' });
      }
    });
    return { phrases: new Set((entry.phrases ?? []).map(phraseForm)), patterns };
  };
  const phrases: Phrases = { cancel: recogniser('cancel'), help: recogniser('help'), notHelpful: recogniser('notHelpful'), ticketStatus: recogniser('ticketStatus') };
  if (problems.length > 0) return { success: false, problems };
  return { success: true, data: phrases, warnings: parsed.warnings };
}

export async function loadPhrases(dir: string): Promise<Result<Phrases>> {
  return loadContentFile(path.join(dir, PHRASES_FILE), parsePhrases);
}
