import { z } from 'zod';
import type { Passage } from './passages';

/** A knowledge-base article as the bot uses it. */
export interface Article {
  readonly id: string;
  readonly title: string;
  readonly topic: string;
  /** Other ways partners ask the question this article answers. */
  readonly questions: readonly string[];
  readonly tags: readonly string[];
  /** File names of the source documents, as listed in `sources.yaml`. */
  readonly sources: readonly string[];
  /** When its facts were true: `2011`, `2011-07`, `2011-07-10`, or `spring 2011`, `mid 2010`, .... */
  readonly asOf: string;
  /**
   * The article describes a past period on purpose (front matter `historical: true`): its age is not a
   * reason to check it, so `kb:check` gives no "older than N years" warning.
   */
  readonly historical: boolean;
  readonly related: readonly string[];
  /** The body's first paragraph: what the bot says first. */
  readonly shortAnswer: string;
  /** The rest of the body (markdown), possibly empty. */
  readonly details: string;
  /** The short answer (index 0), then each paragraph and list item of the body. */
  readonly passages: readonly Passage[];
  /** Alternate questions aimed at one section of the body (a `##` heading), not the whole article. */
  readonly sections: readonly SectionQuestions[];
  /** Path relative to the knowledge folder, for messages to staff. */
  readonly file: string;
}

/** Questions staff aim at the passages under one heading. */
export interface SectionQuestions {
  /** The heading as written in the body. */
  readonly heading: string;
  readonly questions: readonly string[];
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const AS_OF = /^(?:\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?|(?:early|mid|late|spring|summer|autumn|fall|winter) \d{4})$/;

const text = (what: string) => z.string({ message: `${what} must be text` }).trim().min(1, `${what} must not be empty`);

/** The YAML front matter of an article file. Unknown fields are errors, so typos do not pass silently. */
export const FrontMatterSchema = z.strictObject(
  {
    id: z.string({ message: 'id is required' }).regex(ID, 'id must be lower-case words joined by hyphens, e.g. wpc-2011'),
    title: text('title').max(120, 'title must be at most 120 characters (it is shown on a button)'),
    topic: text('topic'),
    questions: z.array(text('each question'), { message: 'questions must be a list' }).min(1, 'give at least one alternate question'),
    tags: z.array(text('each tag'), { message: 'tags must be a list' }).default([]),
    source: z.union([text('source'), z.array(text('each source')).min(1)], {
      message: 'source must be a source file name or a list of them',
    }),
    asOf: z.preprocess(
      (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'number' ? String(v) : v),
      z.string({ message: 'asOf is required' }).regex(AS_OF, 'asOf must look like 2011, 2011-07, 2011-07-10, "spring 2011" or "mid 2010"'),
    ),
    historical: z.boolean({ message: 'historical must be true or false' }).default(false),
    related: z.array(z.string().regex(ID, 'each related entry must be an article id'), { message: 'related must be a list of article ids' }).default([]),
    sections: z
      .record(z.string().trim().min(1, 'a section heading must not be empty'), z.array(text('each section question'), { message: 'each section must list its questions' }).min(1, 'give at least one question for the section'), {
        message: 'sections must map a heading of the body to a list of questions',
      })
      .default({}),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : undefined) },
);

export type FrontMatter = z.infer<typeof FrontMatterSchema>;

const SEASON_MONTH: Record<string, number> = { early: 0, winter: 0, spring: 2, mid: 5, summer: 5, autumn: 8, fall: 8, late: 9 };

/** The first day an `asOf` value can mean, for comparing with today. */
export function asOfStart(asOf: string): Date {
  const season = /^([a-z]+) (\d{4})$/.exec(asOf);
  if (season) return new Date(Date.UTC(Number(season[2]), SEASON_MONTH[season[1] as string] ?? 0, 1));
  const [y, m, d] = asOf.split('-').map(Number);
  return new Date(Date.UTC(y as number, (m ?? 1) - 1, d ?? 1));
}
