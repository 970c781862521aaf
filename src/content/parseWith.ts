import type { z } from 'zod';
import type { Result } from './Problem';
import { parseYaml, type YamlSource } from './yamlSource';

/** Parses a YAML file against a zod schema, turning each issue into a `file:line` problem. */
export function parseWith<T>(schema: z.ZodType<T>, text: string, file: string): Result<{ data: T; yaml: YamlSource }> {
  const { yaml, problems } = parseYaml(text, file);
  if (!yaml) return { success: false, problems };
  const result = schema.safeParse(yaml.value ?? null);
  if (!result.success) {
    return {
      success: false,
      problems: result.error.issues.map((issue) => ({
        file,
        line: yaml.lineOf(issue.path),
        message: `${issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`,
        severity: 'error',
      })),
    };
  }
  return { success: true, data: { data: result.data, yaml }, warnings: problems };
}
