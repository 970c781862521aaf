import type { z } from 'zod';
import { FrontMatterSchema, type Article } from './Article';
import { splitPassages } from './passages';
import type { Problem } from '../content/Problem';
import { parseYaml, type YamlSource } from '../content/yamlSource';

/**
 * Parses one article file: YAML front matter between `---` lines, then a markdown body whose first
 * paragraph is the short answer. Returns every problem found, each with its line.
 */
/** An article and where each of its front-matter values sits in the file. */
export interface ParsedArticle {
  readonly article: Article;
  lineOf(path: readonly PropertyKey[]): number;
}

/**
 * A refused article still yields what could be read of it (`partial`: each field that is valid, the
 * others empty), so the checks that need several files (ids, links, sources, shared questions) can
 * report their problems in the same run instead of after the first ones are fixed.
 */
export type ArticleResult = { success: true; data: ParsedArticle; warnings: Problem[] } | { success: false; problems: Problem[]; partial?: ParsedArticle };

export function parseArticle(text: string, file: string): ArticleResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') {
    return fail(file, 1, 'an article must start with a line "---" and its front matter (id, title, topic, ...)');
  }
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) return fail(file, 1, 'front matter is not closed: add a line "---" after the last field');

  const { yaml, problems } = parseYaml(lines.slice(1, end).join('\n'), file, 2);
  if (!yaml) return { success: false, problems };
  const errors: Problem[] = problems.filter((p) => p.severity === 'error');
  const warnings: Problem[] = problems.filter((p) => p.severity === 'warning');

  const fm = FrontMatterSchema.safeParse(yaml.value ?? {});
  if (!fm.success) errors.push(...fm.error.issues.map((issue) => toProblem(issue, yaml, file)));
  const front = fm.success ? fm.data : validFields(yaml.value);

  const body = splitBody(lines, end + 1);
  if (body.shortAnswer === '') {
    errors.push({ file, line: body.line, message: 'the body must start with a one-paragraph short answer', severity: 'error' });
  } else if (/^(#|[-*+] |\d+\. |>|\|)/.test(body.shortAnswer)) {
    errors.push({
      file,
      line: body.line,
      message: 'the short answer must be a plain paragraph (not a heading, list, quote or table)',
      severity: 'error',
    });
  }
  warnings.push(...markupWarnings(lines, end + 1, file));
  const { passages, headings } = splitPassages(lines, end + 1);
  {
    for (const heading of Object.keys(front.sections)) {
      if (!headings.some((h) => sameHeading(h.text, heading))) {
        const known = headings.length > 0 ? `; the body's headings are: ${headings.map((h) => `"${h.text}"`).join(', ')}` : '; the body has no ## headings';
        errors.push({ file, line: yaml.lineOf(['sections', heading]), message: `section "${heading}" is not a heading of the body${known}`, severity: 'error' });
      }
    }
  }
  const f = front;
  const data: ParsedArticle = {
    lineOf: yaml.lineOf,
    article: {
      id: f.id,
      title: f.title,
      topic: f.topic,
      questions: f.questions,
      tags: f.tags,
      sources: typeof f.source === 'string' ? [f.source] : f.source,
      asOf: f.asOf,
      historical: f.historical,
      related: f.related,
      shortAnswer: body.shortAnswer,
      details: body.details,
      passages,
      sections: Object.entries(f.sections).map(([heading, questions]) => ({
        heading: headings.find((h) => sameHeading(h.text, heading))?.text ?? heading,
        questions,
      })),
      file,
    },
  };
  if (!fm.success || errors.length > 0) return { success: false, problems: [...errors, ...warnings], partial: data };
  return { success: true, warnings, data };
}

type Front = z.infer<typeof FrontMatterSchema>;

/** Each front-matter field that is valid on its own; the others empty (for the checks across files). */
function validFields(value: unknown): Front {
  const raw = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const shape = FrontMatterSchema.shape;
  const field = <K extends keyof Front>(key: K, fallback: Front[K]): Front[K] => {
    const r = shape[key].safeParse(raw[key]);
    return r.success ? (r.data as Front[K]) : fallback;
  };
  return {
    id: field('id', ''),
    title: field('title', ''),
    topic: field('topic', ''),
    questions: field('questions', []),
    tags: field('tags', []),
    source: field('source', []),
    asOf: field('asOf', ''),
    historical: field('historical', false),
    related: field('related', []),
    sections: field('sections', {}),
  };
}

function splitBody(lines: readonly string[], from: number): { shortAnswer: string; details: string; line: number } {
  let start = from;
  while (start < lines.length && lines[start]?.trim() === '') start += 1;
  let stop = start;
  while (stop < lines.length && lines[stop]?.trim() !== '') stop += 1;
  return {
    shortAnswer: lines.slice(start, stop).map((l) => l.trim()).join(' ').trim(),
    details: lines.slice(stop).join('\n').trim(),
    line: Math.min(start, lines.length - 1) + 1,
  };
}

function sameHeading(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function toProblem(issue: z.core.$ZodIssue, yaml: YamlSource, file: string): Problem {
  const field = issue.path.length > 0 ? String(issue.path[0]) : '';
  const front = yaml.value !== null && typeof yaml.value === 'object' ? (yaml.value as Record<string, unknown>) : {};
  // zod does not report the value it was given, so "missing" is judged from the YAML itself.
  const given = issue.path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), front);
  const missing = issue.code === 'invalid_type' && issue.path.length === 1 && given === undefined;
  let message = missing && field ? `${field} is required` : issue.message;
  if (issue.code === 'invalid_type' && issue.expected === 'array' && typeof given === 'string') {
    // The commonest slip: `tags: a, b` is one piece of text in YAML, not a list.
    const items = given.split(',').map((x) => x.trim()).filter((x) => x !== '');
    message = `${message}, not text: write ${field}: [${items.join(', ')}], or each item on its own line starting with "- "`;
  } else if (issue.code === 'invalid_type' && !missing && given === null) {
    message = `${message} (the field is empty)`;
  }
  // An unknown field is reported where it is written, not at the top of the front matter.
  const at = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  return { file, line: yaml.lineOf(at), message, severity: 'error' };
}

function fail(file: string, line: number, message: string): ArticleResult {
  return { success: false, problems: [{ file, line, message, severity: 'error' }] };
}

const HTML_TAG = /<\/?[a-z][a-z0-9-]*(?:\s[^>]*)?\/?>/i;

/**
 * Raw HTML and `javascript:` links in the body: partners never see them (Web Chat and Teams drop the
 * markup), so staff hear about it as a warning. Code spans and fenced blocks are left alone.
 */
function markupWarnings(lines: readonly string[], from: number, file: string): Problem[] {
  const found: Problem[] = [];
  let fenced = false;
  for (let i = from; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const text = line.replace(/`[^`]*`/g, '');
    if (HTML_TAG.test(text)) {
      found.push({ file, line: i + 1, message: 'raw HTML is not shown to partners (Web Chat and Teams leave it out); use markdown', severity: 'warning' });
    } else if (/\]\(\s*javascript:/i.test(text)) {
      found.push({ file, line: i + 1, message: 'a javascript: link is not shown as a link; link to a web page', severity: 'warning' });
    }
  }
  return found;
}
