import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { Problem } from './Problem';

/** A parsed YAML text that can say on which line any value sits. */
export interface YamlSource {
  readonly value: unknown;
  /** 1-based line of the value at `path` (or of its nearest existing parent). */
  lineOf(path: readonly PropertyKey[]): number;
  /** 1-based line of the key at the end of `path` (a misspelt key, say); lineOf(path) when it is not a map key. */
  keyLineOf(path: readonly PropertyKey[]): number;
}

/**
 * Parses YAML, reporting syntax errors as problems with lines. `firstLine` is the line in the file
 * where the YAML text starts (front matter starts on line 2).
 */
export function parseYaml(source: string, file: string, firstLine = 1): { yaml?: YamlSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const offset = firstLine - 1;
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    file,
    line: (lineCounter.linePos(e.pos[0]).line ?? 1) + offset,
    message: `YAML: ${e.message.split('\n')[0]}`,
    severity: doc.errors.includes(e) ? 'error' : 'warning',
  }));
  if (doc.errors.length > 0) return { problems };
  const lineOf = (path: readonly PropertyKey[]): number => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line + offset;
    }
    return firstLine;
  };
  const keyLineOf = (path: readonly PropertyKey[]): number => {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1) as unknown[], true);
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]) : undefined;
    const range = pair && isNode(pair.key) ? pair.key.range : undefined;
    return range ? lineCounter.linePos(range[0]).line + offset : lineOf(path);
  };
  return { yaml: { value: doc.toJS(), lineOf, keyLineOf }, problems };
}
