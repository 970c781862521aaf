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
      problems: result.error.issues.flatMap((issue) => {
        const at = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
        // A misspelt key is reported at its own line, where staff will look for it.
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ file, line: yaml.keyLineOf([...issue.path, key]), message: `${at}Unrecognized key: "${key}"`, severity: 'error' as const }));
        return [{ file, line: yaml.lineOf(issue.path), message: `${at}${issue.message}`, severity: 'error' as const }];
      }),
    };
  }
  return { success: true, data: { data: result.data, yaml }, warnings: problems };
}
