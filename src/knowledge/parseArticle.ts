import type { z } from 'zod';
import { FrontMatterSchema, type Article } from './Article';
import { splitPassages } from './passages';
import type { Problem, Result } from './Problem';
import { parseYaml, type YamlSource } from './yamlSource';

/**
 * Parses one article file: YAML front matter between `---` lines, then a markdown body whose first
 * paragraph is the short answer. Returns every problem found, each with its line.
 */
/** An article and where each of its front-matter values sits in the file. */
export interface ParsedArticle {
  readonly article: Article;
  lineOf(path: readonly PropertyKey[]): number;
}

export function parseArticle(text: string, file: string): Result<ParsedArticle> {
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
  if (fm.success) {
    for (const heading of Object.keys(fm.data.sections)) {
      if (!headings.some((h) => sameHeading(h.text, heading))) {
        const known = headings.length > 0 ? `; the body's headings are: ${headings.map((h) => `"${h.text}"`).join(', ')}` : '; the body has no ## headings';
        errors.push({ file, line: yaml.lineOf(['sections', heading]), message: `section "${heading}" is not a heading of the body${known}`, severity: 'error' });
      }
    }
  }
  if (!fm.success || errors.length > 0) return { success: false, problems: [...errors, ...warnings] };

  const f = fm.data;
  return {
    success: true,
    warnings,
    data: {
      lineOf: yaml.lineOf,
      article: {
      id: f.id,
      title: f.title,
      topic: f.topic,
      questions: f.questions,
      tags: f.tags,
      sources: typeof f.source === 'string' ? [f.source] : f.source,
      asOf: f.asOf,
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
    },
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
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  const message = missing && field ? `${field} is required` : issue.message;
  // An unknown field is reported where it is written, not at the top of the front matter.
  const at = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  return { file, line: yaml.lineOf(at), message, severity: 'error' };
}

function fail(file: string, line: number, message: string): Result<ParsedArticle> {
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
